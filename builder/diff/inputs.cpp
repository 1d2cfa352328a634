// Reading the inputs, and the facts about them every later pass relies on:
// which functions start with an ftrace call site, and which function each
// compiler-split piece (.cold, .part.N) belongs to.
#include <sys/stat.h>

#include <algorithm>

#include "diff/context.h"
#include "diff/entry_size.h"
#include "diff/kernel_data.h"
#include "diff/reloc_targets.h"

namespace kp {

namespace {

std::string basename_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// An ftrace site is recorded in __mcount_loc (objtool may have turned the
// call into a NOP), or is a direct call to __fentry__ at the entry.
void mark_fentry(Object& obj) {
  for (Section& sec : obj.sections()) {
    if (!is_mcount_section(sec.name)) continue;
    for (const Reloc& r : sec.relocs) {
      uint64_t at = r.sym->is_section() ? static_cast<uint64_t>(r.addend) : r.sym->value() + r.addend;
      if (Symbol* f = function_at(obj, r.sym->sec, at)) f->has_fentry = true;
    }
  }
  for (Symbol& f : obj.symbols()) {
    if (!f.is_func() || f.sec == nullptr || f.has_fentry) continue;
    for (const Reloc& r : f.sec->relocs_in(f.value(), f.value() + 16))
      if (r.sym->name == "__fentry__") f.has_fentry = true;
  }
}

void link_split_pieces(Object& obj) {
  for (Symbol& s : obj.symbols()) {
    if (!s.is_func()) continue;
    auto parent = split_parent_name(s.name);
    if (!parent) continue;
    auto it = std::find_if(obj.symbols().begin(), obj.symbols().end(),
                           [&](const Symbol& p) { return p.is_func() && p.name == *parent; });
    if (it == obj.symbols().end() || &*it == &s) continue;
    s.parent = &*it;
    it->children.push_back(&s);
  }
}

// OUTPUT.o is written by rename over whatever is there, so an OUTPUT that
// is one of the inputs (the same path, another path to it, a hard link:
// the same device and inode) would destroy that input. Refused before
// anything is read or written.
void refuse_output_over_input(const DiffConfig& cfg) {
  struct stat out {};
  if (::stat(cfg.output_path.c_str(), &out) != 0) return;  // not there yet: nothing to overwrite
  const std::pair<const char*, const std::string*> inputs[] = {{"ORIG.o", &cfg.orig_path},
                                                               {"PATCHED.o", &cfg.patched_path},
                                                               {"PARENT-SYMTAB", &cfg.parent_symtab_path},
                                                               {"MODULE.SYMVERS", &cfg.symvers_path}};
  for (const auto& [role, path] : inputs) {
    struct stat in {};
    if (::stat(path->c_str(), &in) == 0 && in.st_dev == out.st_dev && in.st_ino == out.st_ino)
      throw Fatal(cfg.output_path + ": error: OUTPUT.o is the same file as the input " + role + " '" + *path +
                  "'; refusing to overwrite it [output-is-input]");
  }
}

}  // namespace

void load_inputs(DiffCtx& ctx) {
  refuse_output_over_input(ctx.cfg);
  check_size_variables(ctx.cfg);
  ctx.orig.emplace(Object::load(ctx.cfg.orig_path));
  ctx.patched.emplace(Object::load(ctx.cfg.patched_path));
  ctx.parent.emplace(ParentSymtab::parse_file(ctx.cfg.parent_symtab_path, !ctx.is_module_parent()));
  ctx.symvers = Symvers::parse_file(ctx.cfg.symvers_path);
  ctx.objname = basename_of(ctx.cfg.orig_path);
}

void classify(DiffCtx& ctx) {
  for (Object* obj : {&*ctx.orig, &*ctx.patched}) {
    mark_fentry(*obj);
    link_split_pieces(*obj);
  }
}

}  // namespace kp
