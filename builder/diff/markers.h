// The classic kpatch markers (kmod/kpatch-macros.h); see markers.cpp.
#pragma once

#include <string_view>

#include "diff/context.h"

namespace kp {

// Is this one of the sections the ignore/force macros fill?
bool is_author_marker(std::string_view name);

}  // namespace kp
