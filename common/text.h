// Text from a module's .modinfo, from /proc or from the command line, shown
// to an operator or handed to a tool. A summary or a task's comm can hold
// escape sequences that retitle, recolour or rewrite an operator's terminal
// ("\e]2;...\a", "\e[2K"), and a string that is not UTF-8 makes JSON invalid.
//
// One home for text rules that the builder, the packaging tool and the
// runtime manager share (this library links into the static kpatch: no
// exceptions, no dependencies beyond libstdc++).
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
#include <vector>

namespace kp {

std::string printable(std::string_view s);
std::string json_string(std::string_view s);

// c_string(): a C string literal for generated sources (MODULE_INFO): " and
// \ escaped, every control byte and DEL as a three-digit octal escape, so
// the literal is one line whatever the text; other bytes (UTF-8) as they are.
std::string c_string(std::string_view s);

// The parts with `sep` between them ("" for none).
std::string join(const std::vector<std::string>& parts, std::string_view sep);

// A JSON array of json_string()s: ["a", "b"].
std::string json_string_list(const std::vector<std::string>& v);

// Whether `s` is valid UTF-8 (no overlong forms, surrogates or truncation).
bool valid_utf8(std::string_view s);

// The byte offset of the first control character (C0, DEL, C1) of UTF-8
// text `s`, or npos: what printable() would escape, besides backslashes
// and invalid bytes.
size_t first_control(std::string_view s);

}  // namespace kp
