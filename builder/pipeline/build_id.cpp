// The GNU build ID of the target vmlinux: recorded in the patch so the
// runtime manager can refuse a patch built for a different kernel binary
// (the running kernel exposes its own in /sys/kernel/notes).
#include "pipeline/build_id.h"

#include <cstring>

#include "elf/elf_file.h"

namespace kp {

std::string read_build_id(const std::string& elf_path) {
  elf::ElfFile f = elf::ElfFile::open_read(elf_path);
  for (size_t i = 1; i < f.section_count(); ++i) {
    if (f.shdr(i).sh_type != SHT_NOTE) continue;
    auto data = f.bytes(i);
    for (size_t off = 0; off + 12 <= data.size();) {
      uint32_t namesz, descsz, type;
      std::memcpy(&namesz, data.data() + off, 4);
      std::memcpy(&descsz, data.data() + off + 4, 4);
      std::memcpy(&type, data.data() + off + 8, 4);
      size_t name_off = off + 12, desc_off = name_off + ((namesz + 3) & ~3u);
      size_t next = desc_off + ((descsz + 3) & ~3u);
      if (next > data.size()) break;
      if (type == NT_GNU_BUILD_ID && namesz == 4 && std::memcmp(data.data() + name_off, "GNU", 4) == 0) {
        static const char* hexd = "0123456789abcdef";
        std::string hex;
        for (size_t k = 0; k < descsz; ++k) {
          auto b = static_cast<unsigned char>(data[desc_off + k]);
          hex += hexd[b >> 4];
          hex += hexd[b & 15];
        }
        return hex;
      }
      off = next;
    }
  }
  return {};
}

}  // namespace kp
