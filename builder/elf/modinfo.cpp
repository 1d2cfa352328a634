#include "elf/modinfo.h"

namespace kp::elf {

std::optional<std::vector<std::pair<std::string, std::string>>> read_modinfo(const ElfFile& f) {
  for (size_t i = 1; i < f.section_count(); ++i) {
    GElf_Shdr sh = f.shdr(i);
    if (f.string_at(f.shstrndx(), sh.sh_name, "section name") != ".modinfo") continue;
    auto bytes = f.bytes(i);
    std::string_view all(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    std::vector<std::pair<std::string, std::string>> out;
    for (size_t pos = 0; pos < all.size();) {
      size_t end = all.find('\0', pos);
      if (end == std::string_view::npos) end = all.size();
      std::string_view entry = all.substr(pos, end - pos);
      if (size_t eq = entry.find('='); eq != std::string_view::npos)
        out.emplace_back(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
      pos = end + 1;
    }
    return out;
  }
  return std::nullopt;
}

}  // namespace kp::elf
