#pragma once

#include <string>

namespace kp {

// Hex GNU build ID of an ELF file, or "" if it has none. Throws kp::Fatal
// if the file is unreadable.
std::string read_build_id(const std::string& elf_path);

}  // namespace kp
