// A kernel module's .modinfo: key=value strings, NUL-separated, as modpost
// writes them and the module loader and modinfo(8) read them.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "elf/elf_file.h"

namespace kp::elf {

// The entries in file order (a key may repeat; readers take the first),
// strings without '=' skipped; nullopt when there is no .modinfo section.
std::optional<std::vector<std::pair<std::string, std::string>>> read_modinfo(const ElfFile& f);

}  // namespace kp::elf
