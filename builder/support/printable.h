// Text from manifests, patches and other programs, made safe to print: a
// control character could clear the terminal, move the cursor or forge a
// line, so each is shown as \xNN instead.
#pragma once

#include <string>
#include <string_view>

namespace kp {

// Control characters (and DEL) as \xNN; newline and tab are kept when
// `keep_lines`, so that a multi-line message stays one.
std::string printable(std::string_view text, bool keep_lines = true);

}  // namespace kp
