// Running the differ on each object pair, in process, and deciding what
// the results mean for the build: any refusal stops it with every reason;
// objects without functional changes drop out; nothing changed at all is
// an error, as in the classic tool.
//
// Entry sizes: the differ keeps special-section entries one by one, so it
// needs each entry's size on the target kernel. kpatch-build reads them
// from the kernel's own type information (the .BTF of vmlinux) and passes
// them as kpatch's variables; the differ still checks each against the
// section's evidence. .printk_index is not among them: its entries are
// pointers, whatever the size of struct pi_entry.
//
// Parent symbol tables: each object's differ run reads its parent's symbol
// table. kpatch-build gives it the table's compact index
// (diff/symtab_index.h), made once beside the text in the kernel cache and
// remade when the text changed or the index is damaged.
#include <algorithm>
#include <array>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

#include "diff/context.h"
#include "diff/symtab_index.h"
#include "elf/btf.h"
#include "pipeline/context.h"

namespace kp {

namespace {

std::string flat_name(const std::string& path) {
  std::string s = path;
  for (char& c : s)
    if (c == '/') c = '_';
  return s;
}

// Globals a patched object defines that its original does not: a patch may
// add a function in one file and call it from another.
std::set<std::string> new_globals(const ObjectJob& o) {
  auto defined = [](const Object& obj) {
    std::set<std::string> names;
    for (const Symbol& s : obj.symbols())
      if (s.is_global() && s.sec != nullptr && (s.is_func() || s.is_object())) names.insert(s.name);
    return names;
  };
  std::set<std::string> before = defined(Object::load(o.orig.string()));
  std::set<std::string> out;
  for (const std::string& n : defined(Object::load(o.patched.string())))
    if (!before.contains(n)) out.insert(n);
  return out;
}

struct SizeVariable {
  const char* variable;
  const char* type;  // the struct whose size it is
};

constexpr std::array<SizeVariable, 7> kSizeVariables{{
    {"ALT_STRUCT_SIZE", "alt_instr"},
    {"BUG_STRUCT_SIZE", "bug_entry"},
    {"EX_STRUCT_SIZE", "exception_table_entry"},
    {"JUMP_STRUCT_SIZE", "jump_entry"},
    {"ORC_STRUCT_SIZE", "orc_entry"},
    {"PARA_STRUCT_SIZE", "paravirt_patch_site"},
    {"STATIC_CALL_STRUCT_SIZE", "static_call_site"},
}};

// Every variable the differ reads: the environment's value, if any.
constexpr std::array<const char*, 8> kDifferVariables{
    "ALT_STRUCT_SIZE", "BUG_STRUCT_SIZE",         "EX_STRUCT_SIZE",          "JUMP_STRUCT_SIZE",
    "ORC_STRUCT_SIZE", "PARA_STRUCT_SIZE", "STATIC_CALL_STRUCT_SIZE", "PRINTK_INDEX_STRUCT_SIZE"};

// The symbol table to give the differ for `parent`: its index, made or
// remade as needed (a warning says why an index was remade or could not be
// written).
std::string parent_symtab(BuildCtx& ctx, const std::string& parent) {
  fs::path text = parent == "vmlinux" ? ctx.target.vmlinux_symtab : module_symtab(ctx, parent);
  IndexResult r = ensure_symtab_index(text.string());
  if (r.outcome == IndexOutcome::Remade)
    ctx.warnings.push_back("remade the symbol table index " + text.string() + ".idx: " + r.why);
  else if (r.outcome == IndexOutcome::Unwritable)
    ctx.warnings.push_back("cannot write the symbol table index of " + text.string() +
                           ", reading the text instead: " + r.why);
  return r.path;
}

void diff_one(BuildCtx& ctx, ObjectJob& o, const std::set<std::string>& patch_globals,
              const std::map<std::string, std::string>& sizes, const std::string& symtab) {
  DiffConfig cfg;
  cfg.orig_path = o.orig.string();
  cfg.patched_path = o.patched.string();
  cfg.parent_name = o.parent;
  cfg.parent_symtab_path = symtab;
  cfg.symvers_path = ctx.target.symvers.string();
  o.output = ctx.work / "diff" / flat_name(o.path);
  fs::create_directories(o.output.parent_path());
  cfg.output_path = o.output.string();
  cfg.debug = ctx.cfg.debug;
  cfg.patch_globals = patch_globals;
  cfg.size_variables = sizes;
  std::ostringstream out, err;
  Diag diag(out, err);
  diag.set_debug(cfg.debug);
  DiffCtx dctx(cfg, diag);
  o.diff_status = static_cast<int>(run_differ_reporting(dctx, err));
  o.changed = dctx.changed_functions;
  o.added = dctx.new_functions;
  o.messages = err.str();
}

}  // namespace

std::map<std::string, std::string> kernel_size_variables(const fs::path& vmlinux) {
  std::set<std::string, std::less<>> types;
  for (const SizeVariable& v : kSizeVariables) types.insert(v.type);
  StructSizes found = elf_btf_struct_sizes(vmlinux.string(), types);
  std::map<std::string, std::string> out;
  for (const SizeVariable& v : kSizeVariables)
    if (auto it = found.find(v.type); it != found.end()) out[v.variable] = std::to_string(it->second);
  for (const char* name : kDifferVariables)
    if (const char* env = std::getenv(name); env != nullptr && *env != '\0') out[name] = env;
  return out;
}

void diff_objects(BuildCtx& ctx) {
  std::map<std::string, std::string> sizes = kernel_size_variables(ctx.target.vmlinux);
  std::map<std::string, std::set<std::string>> globals;  // per object: the others' new globals
  for (const ObjectJob& o : ctx.objects)
    for (const std::string& n : new_globals(o))
      for (const ObjectJob& other : ctx.objects)
        if (&other != &o) globals[other.path].insert(n);
  std::map<std::string, std::string> symtabs;  // parent -> what the differ reads
  for (ObjectJob& o : ctx.objects) {
    auto it = symtabs.find(o.parent);
    if (it == symtabs.end()) it = symtabs.emplace(o.parent, parent_symtab(ctx, o.parent)).first;
    diff_one(ctx, o, globals[o.path], sizes, it->second);
  }
}

void judge_diffs(BuildCtx& ctx) {
  std::string refusals;
  for (const ObjectJob& o : ctx.objects)
    if (o.diff_status == static_cast<int>(ExitCode::Unsupported) || o.diff_status == static_cast<int>(ExitCode::Error))
      refusals += o.messages;
  if (!refusals.empty()) {
    if (refusals.back() == '\n') refusals.pop_back();
    throw BuildError("the patch cannot be applied live:\n" + refusals);
  }
  bool any = std::any_of(ctx.objects.begin(), ctx.objects.end(),
                         [](const ObjectJob& o) { return o.diff_status == static_cast<int>(ExitCode::Ok); });
  if (!any) throw BuildError("no functional changes found");
}

}  // namespace kp
