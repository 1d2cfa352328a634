// Whole-file reads for the text inputs the builder parses (manifests,
// Module.symvers, symbol tables, patches, Kbuild .cmd files). Callers turn
// nullopt into their own message naming what the file is.
#pragma once

#include <optional>
#include <string>

namespace kp {

std::optional<std::string> read_file(const std::string& path);

// Writes `text` to a temporary file beside `path` and renames it into
// place, so a reader never sees half of it. Throws Fatal naming `path`.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace kp
