// The GNU build ID of the target vmlinux: recorded in the patch so the
// runtime manager can refuse a patch built for a different kernel binary
// (the running kernel exposes its own in /sys/kernel/notes).
#include "pipeline/build_id.h"

#include "common/build_id.h"
#include "elf/elf_file.h"

namespace kp {

std::string read_build_id(const std::string& elf_path) {
  elf::ElfFile f = elf::ElfFile::open_read(elf_path);
  for (size_t i = 1; i < f.section_count(); ++i) {
    if (f.shdr(i).sh_type != SHT_NOTE) continue;
    auto data = f.bytes(i);
    std::string id = gnu_build_id(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
    if (!id.empty()) return id;
  }
  return {};
}

}  // namespace kp
