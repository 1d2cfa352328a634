// The differ as a list of passes over one context; see context.h for what
// each pass does and docs/create-diff-object.md for the whole.
#include <ostream>

#include "diff/context.h"

namespace kp {

ExitCode run_differ(DiffCtx& ctx) {
  load_inputs(ctx);         // both objects, the parent symtab, Module.symvers
  classify(ctx);            // ftrace sites, .cold/.part pieces
  correlate(ctx);           // twins, strategy by strategy
  compare(ctx);             // same / changed / new
  apply_author_markers(ctx);  // ignored functions and sections, forced ones
  check_patchability(ctx);  // refusals stop here with exit 2
  if (!has_functional_change(ctx)) {
    ctx.diag.result(ctx.objname + ": no functional changes found");
    return ExitCode::NoChange;
  }
  include_changes(ctx);          // changed functions and their closure
  filter_special_sections(ctx);  // entries of included functions only
  report(ctx);                   // changed/new function lines
  build_output(ctx);             // placements, klp references, .kpatch.funcs
  write_output(ctx);             // temp file, then rename
  return ExitCode::Ok;
}

ExitCode run_differ_reporting(DiffCtx& ctx, std::ostream& err) {
  try {
    return run_differ(ctx);
  } catch (const Refused& e) {
    err << ctx.objname << ": " << e.what() << '\n';
    return ExitCode::Unsupported;
  } catch (const Fatal& e) {
    err << e.what() << '\n';
    return ExitCode::Error;
  }
}

}  // namespace kp
