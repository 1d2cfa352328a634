// The GNU build ID in a block of ELF notes: an ELF file's SHT_NOTE
// sections for the builder, /sys/kernel/notes of the running kernel for the
// manager. One walk for both, so that a patch's recorded ID and the
// running kernel's are read by the same rule.
#pragma once

#include <string>
#include <string_view>

namespace kp {

// NT_GNU_BUILD_ID, the note type of owner "GNU" that holds the ID.
inline constexpr unsigned kNoteGnuBuildId = 3;

// The build ID as lowercase hex, or "" when `notes` (a sequence of Elf64
// note records: namesz, descsz, type, name, desc, each padded to 4 bytes)
// holds none. A truncated record ends the walk.
std::string gnu_build_id(std::string_view notes);

}  // namespace kp
