// The differ as one table of passes over one context.
//
// Each pass reads what the passes before it left in DiffCtx and adds its
// own part; none calls another. The table below is the only place their
// order is written: run_differ() runs it, `--debug` names and times each
// pass as it runs, and docs/create-diff-object.md lists the same names and
// reasons, which a unit test (tests/differ/passes_test.cpp) compares with
// differ_passes(). One pass may end the run early: a patch with no
// functional change stops after the refusals, with exit 3.
#include <array>
#include <chrono>
#include <cstdio>
#include <ostream>

#include "diff/context.h"

namespace kp {

namespace {

// A pass that always hands on to the next.
template <void (*F)(DiffCtx&)>
PassResult step(DiffCtx& ctx) {
  F(ctx);
  return PassResult::Next;
}

PassResult stop_if_unchanged(DiffCtx& ctx) {
  if (has_functional_change(ctx)) return PassResult::Next;
  ctx.diag.result(ctx.objname + ": no functional changes found");
  return PassResult::NoChange;
}

constexpr std::array<Pass, 12> kPasses{{
    {"load-inputs", step<load_inputs>,
     "read both objects, the parent symtab and Module.symvers once; the size variables are checked first"},
    {"classify", step<classify>,
     "find each function's ftrace site and the function each .cold/.part piece was split from"},
    {"correlate", step<correlate>, "pair every patched symbol and section with its original twin"},
    {"compare", step<compare>, "mark each symbol same, changed or new, by the one definition of changed"},
    {"apply-author-markers", step<apply_author_markers>,
     "KPATCH_IGNORE_FUNCTION/SECTION count as unchanged before the refusals; KPATCH_FORCE_UNSAFE warns"},
    {"check-patchability", step<check_patchability>,
     "refuse what livepatch cannot apply, every reason at once (exit 2)"},
    {"stop-if-unchanged", stop_if_unchanged, "no changed or new function: no patch (exit 3)"},
    {"include-changes", step<include_changes>,
     "the changed and new functions and everything they need that the running kernel lacks"},
    {"filter-special-sections", step<filter_special_sections>,
     "keep the special-section entries of included code only"},
    {"report", step<report>, "print the changed and new functions"},
    {"build-output", step<build_output>,
     "lay out the included ranges, symbols and relocations, klp references, .kpatch.funcs"},
    {"write-output", step<write_output>, "write the object to a temporary file, then rename it into place"},
}};

std::string milliseconds(std::chrono::steady_clock::duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f ms", std::chrono::duration<double, std::milli>(d).count());
  return buf;
}

}  // namespace

std::span<const Pass> differ_passes() {
  return kPasses;
}

ExitCode run_differ(DiffCtx& ctx) {
  for (const Pass& pass : kPasses) {
    ctx.diag.debug("pass " + std::string(pass.name));
    auto start = std::chrono::steady_clock::now();
    PassResult r = pass.run(ctx);
    ctx.diag.debug("pass " + std::string(pass.name) + " done in " +
                   milliseconds(std::chrono::steady_clock::now() - start));
    if (r == PassResult::NoChange) return ExitCode::NoChange;
  }
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
