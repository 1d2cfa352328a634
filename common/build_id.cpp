#include "common/build_id.h"

#include <cstdint>
#include <cstring>

namespace kp {

std::string gnu_build_id(std::string_view n) {
  auto align4 = [](size_t v) { return (v + 3) & ~size_t{3}; };
  for (size_t off = 0; off + 12 <= n.size();) {
    uint32_t namesz, descsz, type;
    std::memcpy(&namesz, n.data() + off, 4);
    std::memcpy(&descsz, n.data() + off + 4, 4);
    std::memcpy(&type, n.data() + off + 8, 4);
    size_t desc = off + 12 + align4(namesz);
    size_t next = desc + align4(descsz);
    if (desc > n.size() || next > n.size() || next <= off) break;
    if (type == kNoteGnuBuildId && namesz == 4 && n.substr(off + 12, 4) == std::string_view("GNU\0", 4)) {
      static const char* hexd = "0123456789abcdef";
      std::string hex;
      for (size_t i = 0; i < descsz; ++i) {
        auto b = static_cast<unsigned char>(n[desc + i]);
        hex += hexd[b >> 4];
        hex += hexd[b & 15];
      }
      return hex;
    }
    off = next;
  }
  return {};
}

}  // namespace kp
