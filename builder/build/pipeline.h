#pragma once

#include <ostream>

#include "build/context.h"

namespace kp {

// Runs every stage for ctx.target.release. Returns false after printing
// the error and the log path on `err`.
bool build_one(BuildCtx& ctx, std::ostream& progress, std::ostream& err);

}  // namespace kp
