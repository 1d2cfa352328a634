// A builder message made safe for the terminal as a whole: it may quote
// other programs' output (make, patch, kernel-tree), where a control
// character could clear the terminal, move the cursor or forge a line, so
// each is shown as \xNN instead. Unlike common/text.h's printable(), for
// single values, newlines and tabs are kept and a backslash is left alone,
// so a message whose values printable() already escaped passes unchanged.
#pragma once

#include <string>
#include <string_view>

namespace kp {

// Control characters (and DEL) as \xNN; newline and tab are kept when
// `keep_lines`, so that a multi-line message stays one.
std::string terminal_safe(std::string_view text, bool keep_lines = true);

}  // namespace kp
