// Running the differ on each object pair, in process, and deciding what
// the results mean for the build: any refusal stops it with every reason;
// objects without functional changes drop out; nothing changed at all is
// an error, as in the classic tool.
#include <algorithm>
#include <sstream>

#include "build/context.h"
#include "diff/context.h"

namespace kp {

namespace {

std::string flat_name(const std::string& path) {
  std::string s = path;
  for (char& c : s)
    if (c == '/') c = '_';
  return s;
}

void diff_one(BuildCtx& ctx, ObjectJob& o) {
  Config cfg;
  cfg.orig_path = o.orig.string();
  cfg.patched_path = o.patched.string();
  cfg.parent_name = o.parent;
  cfg.parent_symtab_path = (o.parent == "vmlinux" ? ctx.target.vmlinux_symtab : module_symtab(ctx, o.parent)).string();
  cfg.symvers_path = ctx.target.symvers.string();
  cfg.patch_name = ctx.module_name();
  o.output = ctx.work / "diff" / flat_name(o.path);
  fs::create_directories(o.output.parent_path());
  cfg.output_path = o.output.string();
  cfg.debug = ctx.cfg.debug;
  std::ostringstream out, err;
  Diag diag(out, err);
  diag.set_debug(cfg.debug);
  Ctx dctx(cfg, diag);
  o.diff_status = static_cast<int>(run_differ_reporting(dctx, err));
  o.changed = dctx.changed_functions;
  o.added = dctx.new_functions;
  o.messages = err.str();
}

}  // namespace

void diff_objects(BuildCtx& ctx) {
  std::string refusals;
  for (ObjectJob& o : ctx.objects) {
    diff_one(ctx, o);
    if (o.diff_status == static_cast<int>(ExitCode::Unsupported) || o.diff_status == static_cast<int>(ExitCode::Error))
      refusals += o.messages;
  }
  if (!refusals.empty()) {
    if (refusals.back() == '\n') refusals.pop_back();
    throw BuildError("the patch cannot be applied live:\n" + refusals);
  }
  bool any = std::any_of(ctx.objects.begin(), ctx.objects.end(),
                         [](const ObjectJob& o) { return o.diff_status == static_cast<int>(ExitCode::Ok); });
  if (!any) throw BuildError("no functional changes found");
}

}  // namespace kp
