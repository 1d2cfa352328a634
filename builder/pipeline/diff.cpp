// Running the differ on each object pair, in process, and deciding what
// the results mean for the build: any refusal stops it with every reason;
// objects without functional changes drop out; nothing changed at all is
// an error, as in the classic tool.
#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "diff/context.h"
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

void diff_one(BuildCtx& ctx, ObjectJob& o, const std::set<std::string>& patch_globals) {
  DiffConfig cfg;
  cfg.orig_path = o.orig.string();
  cfg.patched_path = o.patched.string();
  cfg.parent_name = o.parent;
  cfg.parent_symtab_path = (o.parent == "vmlinux" ? ctx.target.vmlinux_symtab : module_symtab(ctx, o.parent)).string();
  cfg.symvers_path = ctx.target.symvers.string();
  o.output = ctx.work / "diff" / flat_name(o.path);
  fs::create_directories(o.output.parent_path());
  cfg.output_path = o.output.string();
  cfg.debug = ctx.cfg.debug;
  cfg.patch_globals = patch_globals;
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

void diff_objects(BuildCtx& ctx) {
  std::map<std::string, std::set<std::string>> globals;  // per object: the others' new globals
  for (const ObjectJob& o : ctx.objects)
    for (const std::string& n : new_globals(o))
      for (const ObjectJob& other : ctx.objects)
        if (&other != &o) globals[other.path].insert(n);
  for (ObjectJob& o : ctx.objects) diff_one(ctx, o, globals[o.path]);
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
