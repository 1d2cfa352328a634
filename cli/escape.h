// Text from a module's .modinfo, from /proc or from the command line, shown
// to an operator or handed to a tool. A summary or a task's comm can hold
// escape sequences that retitle, recolour or rewrite an operator's terminal
// ("\e]2;...\a", "\e[2K"), and a string that is not UTF-8 makes JSON invalid.
//
// printable(): for a terminal. Printable ASCII and UTF-8 characters outside
// the C0 and C1 control ranges are kept; a control character (including tab
// and newline), DEL, a C1 control and a byte that is not part of valid UTF-8
// become \xNN, one per byte, and a backslash becomes \\, so the escaped
// text is unambiguous.
//
// json_string(): a JSON string literal: " and \ escaped, C0 controls, DEL
// and C1 controls as \u00NN (\n as \n), each byte that is not valid UTF-8 as
// \ufffd. The result is valid JSON and safe to print.
#pragma once

#include <string>
#include <string_view>

namespace kpatch {

std::string printable(std::string_view s);
std::string json_string(std::string_view s);

}  // namespace kpatch
