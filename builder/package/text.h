// Package text that carries user strings: the long description both formats
// share, folded for DEB control files and RPM specs, and the escaping each
// format needs so that the text stays text.
//
// The hazards are format-specific. In an RPM spec every line is macro
// expanded (`%(cmd)` runs a shell, `%{lua:}` runs Lua), and a line whose
// expansion begins with `%` may open a section (`%post`), a conditional
// (`%if`, even after blanks) or an `%include`: so `%` is doubled, and folding
// never starts a line with a word that begins with `%`. In a DEB control file
// a continuation line that begins with `.` is special (" ." is an empty
// line), so no folded line starts with `.` either. User text never contains
// a newline or control character (package/patch.h refuses those), so folding
// is the only place where lines are made.
#pragma once

#include <string>
#include <vector>

#include "package/patch.h"

namespace kp::pkg {

// Paragraphs of the long description: the summary, the module sentence,
// the CVEs. Each paragraph is one unwrapped line.
std::vector<std::string> description_paragraphs(const Patch& p);

// Words of `text` folded at `width` columns; a word that starts with '%'
// or '.' never begins a line (it stays with the word before it).
std::vector<std::string> fold(const std::string& text, size_t width);

// `%` doubled: the literal text after RPM's macro expansion.
std::string rpm_escape(const std::string& s);

// The DEB control "Description:" field: synopsis, then the paragraphs
// folded at 72 columns, " ." between paragraphs.
std::string deb_description(const std::string& synopsis, const std::vector<std::string>& paragraphs);

// The paragraphs folded at 72 columns, an empty line between them, each
// line ending in a newline: the RPM description as meant.
std::string description_text(const std::vector<std::string>& paragraphs);

// The RPM %description body: description_text() escaped.
std::string rpm_description(const std::vector<std::string>& paragraphs);

// Synopsis / RPM Summary: "Live patch ID version V for Linux REL".
std::string synopsis(const Patch& p);

// The changelog line of both formats.
std::string changelog_text(const Patch& p);

}  // namespace kp::pkg
