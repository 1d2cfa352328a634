#pragma once

#include <ostream>

#include "pipeline/context.h"

namespace kp {

// Runs every stage for ctx.target.release. Returns false after printing
// the error and the log path on `err`. On a stop signal (sys/signals.h)
// it releases the tree, removes the work dir, says so in one line on
// `err` and rethrows kp::Interrupted.
bool build_one(BuildCtx& ctx, std::ostream& progress, std::ostream& err);

// -o DIR, checked before anything is built: DIR is a directory, or can be
// made as one, and may be written. Throws kp::Fatal "kpatch-build: error:
// -o DIR: ..." otherwise. Creates nothing.
void check_output_dir(const fs::path& dir);

}  // namespace kp
