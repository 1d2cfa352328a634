// Reading the inputs, and the facts about them every later pass relies on:
// where each function's ftrace call site is, which padding before it is
// its own, and which function each compiler-split piece (.cold, .part.N)
// belongs to.
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

// How far into a function its ftrace site may be: after endbr64 (IBT) it
// is at +4.
constexpr uint64_t kFentryWindow = 16;

// The function (not a prefix symbol) whose code holds `at`.
Symbol* function_holding(const Section& sec, uint64_t at) {
  for (Symbol* s : sec.symbols)
    if (s->is_func() && !is_prefix_symbol(s->name) && at >= s->value() && at < s->value() + s->size()) return s;
  return nullptr;
}

void set_fentry(Symbol& f, uint64_t at) {
  f.has_fentry = true;
  f.fentry_offset = at - f.value();
}

// The ftrace site of a function is where the object says it is, not
// assumed at the entry: an entry of __mcount_loc (gcc's -mrecord-mcount or
// objtool --mcount; the site may already be a NOP), else the `call
// __fentry__` near the start (the relocation's offset - 1). With IBT
// (CONFIG_X86_KERNEL_IBT, Debian's 6.12) a function starts with endbr64
// and the call is at +4. The patch module's __mcount_loc (output.cpp)
// must point at the call itself: the kernel checks the five bytes there
// when it loads the module, and a mismatch WARNs and turns ftrace off,
// which fails the livepatch too.
void mark_fentry(Object& obj) {
  for (Section& sec : obj.sections()) {
    if (!is_mcount_section(sec.name)) continue;
    for (const Reloc& r : sec.relocs) {
      if (r.sym->sec == nullptr) continue;
      uint64_t at = r.sym->is_section() ? static_cast<uint64_t>(r.addend) : r.sym->value() + r.addend;
      Symbol* f = function_holding(*r.sym->sec, at);
      if (f != nullptr && !f->has_fentry && at - f->value() < kFentryWindow) set_fentry(*f, at);
    }
  }
  for (Symbol& f : obj.symbols()) {
    if (!f.is_func() || f.sec == nullptr || f.has_fentry || is_prefix_symbol(f.name)) continue;
    uint64_t end = f.value() + std::min(f.size(), kFentryWindow);
    for (const Reloc& r : f.sec->relocs_in(f.value(), end)) {
      if (r.sym->name != "__fentry__" || r.offset == f.value() || r.offset > f.sec->data.size()) continue;
      if (f.sec->data[r.offset - 1] != std::byte{0xe8}) continue;  // call rel32
      set_fentry(f, r.offset - 1);
      break;
    }
  }
}

// The padding before a function (CONFIG_CALL_PADDING, 6.2 and later: gcc's
// -fpatchable-function-entry=16,16 puts 16 NOPs before every function; the
// kernel's call depth tracking and FineIBT write into them at run time)
// belongs to the function and goes into the patch with it. Where objtool
// ran (module objects) the symbol __pfx_foo covers it; else the entry of
// __patchable_function_entries at foo - N says so, if those bytes are NOPs.
void mark_padding(Object& obj) {
  auto is_padding = [](const Section& sec, uint64_t begin, uint64_t end) {
    if (end > sec.data.size()) return false;
    for (uint64_t i = begin; i < end; ++i)
      if (sec.data[i] != std::byte{0x90} && sec.data[i] != std::byte{0xcc}) return false;
    return true;
  };
  for (Symbol& p : obj.symbols()) {
    if (!p.is_func() || p.sec == nullptr || !is_prefix_symbol(p.name)) continue;
    std::string_view name = std::string_view(p.name).substr(6);  // "__pfx_" / "__cfi_"
    for (Symbol* f : p.sec->symbols)
      if (f->is_func() && f->name == name && f->value() == p.value() + p.size()) f->padding = p.size();
  }
  for (Section& sec : obj.sections()) {
    if (!is_patchable_entries_section(sec.name)) continue;
    for (const Reloc& r : sec.relocs) {
      if (r.sym->sec == nullptr) continue;
      uint64_t at = r.sym->is_section() ? static_cast<uint64_t>(r.addend) : r.sym->value() + r.addend;
      for (Symbol* f : r.sym->sec->symbols) {
        if (!f->is_func() || is_prefix_symbol(f->name) || f->padding != 0 || f->value() <= at || f->value() - at > 64 ||
            !is_padding(*r.sym->sec, at, f->value()))
          continue;
        f->padding = f->value() - at;
      }
    }
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
    mark_padding(*obj);
    link_split_pieces(*obj);
  }
}

}  // namespace kp
