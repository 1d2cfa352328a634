// The result lines, in the classic tool's wording so scripts that grep for
// them keep working.
#include "diff/context.h"
#include "diff/kernel_data.h"

namespace kp {

void report(DiffCtx& ctx) {
  for (const Symbol& s : ctx.patched->symbols()) {
    if (!s.is_func() || s.sec == nullptr || is_cold_piece(s.name) || is_init_or_exit(s.sec->name)) continue;
    if (s.status != Status::Changed) continue;
    ctx.changed_functions.push_back(s.name);
    ctx.diag.result(ctx.objname + ": changed function: " + s.name);
  }
  for (const Symbol& s : ctx.patched->symbols()) {
    if (!s.is_func() || s.sec == nullptr || is_cold_piece(s.name) || is_init_or_exit(s.sec->name)) continue;
    if (s.status != Status::New) continue;
    ctx.new_functions.push_back(s.name);
    ctx.diag.result(ctx.objname + ": new function: " + s.name);
  }
}

}  // namespace kp
