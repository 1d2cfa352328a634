// What became of each kernel of a run: the --check report, and the table
// and summary.json of a build for several kernels.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "pipeline/context.h"

namespace kp {

struct KernelResult {
  std::string release;
  std::string result;  // "built", "patchable", "refused", "unchanged", "error"
  size_t changed = 0, added = 0;
  double seconds = 0;
  std::string detail;  // why it failed (first line), or the module path
  std::vector<ObjectJob> objects;
};

// The verdict of a --check run so far: "patchable" when some object has
// changes and none was refused, "refused" when one was, "unchanged" when
// none has functional changes, "error" when the differ failed on one.
std::string check_result(const BuildCtx& ctx);

// The result of one finished build_one (ok: its return value).
KernelResult kernel_result(const BuildCtx& ctx, bool ok);

// --check's report: per kernel the verdict, each object's changed and new
// functions and refusals.
void print_check(const std::vector<KernelResult>& results, std::ostream& out);

// After a build for several kernels: one row per kernel.
void print_summary(const std::vector<KernelResult>& results, std::ostream& out);

// Both as one JSON document ({"kernels": [...]}): --check --json on
// stdout, DIR/summary.json after a build for several kernels.
std::string results_json(const std::vector<KernelResult>& results);

}  // namespace kp
