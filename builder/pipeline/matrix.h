// A build for several kernels at once (a "matrix": one manifest, many
// releases).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "pipeline/context.h"
#include "pipeline/summary.h"

namespace kp {

// How the -j budget is shared: `width` kernels build at once, each make
// with `jobs_each` jobs.
struct MatrixPlan {
  unsigned width = 1;
  unsigned jobs_each = 1;
};
inline constexpr unsigned kMaxConcurrentKernels = 16;
MatrixPlan plan_matrix(size_t kernels, unsigned jobs);

// Builds `kernels` with `m` (each in its own work directory, outputs in
// cfg.output_dir/RELEASE/ when there are several), `width` at a time, and
// returns one result per kernel in the order given. A failure is that
// kernel's result; the others go on. Progress and errors go to `err` a
// whole line at a time. On a stop signal every running build cleans up and
// kp::Interrupted is rethrown once all have.
std::vector<KernelResult> build_kernels(const BuildConfig& cfg, const Manifest& m,
                                        const std::vector<std::string>& kernels, std::ostream& err);

}  // namespace kp
