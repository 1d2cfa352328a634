#include "modinfo.h"

#include <elf.h>

#include <cstring>

#include "common/patch_info.h"

namespace kpatch {

namespace pi = kp::patch_info;

std::string ModInfo::get(const std::string& key) const {
  auto it = fields.find(key);
  return it == fields.end() ? std::string() : it->second;
}

std::string ModInfo::vermagic_release() const {
  std::string v = get("vermagic");
  return v.substr(0, v.find(' '));
}

unsigned ModInfo::version() const {
  std::string v = get(pi::kVersion);
  unsigned n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + static_cast<unsigned>(c - '0');
  }
  return n;
}

namespace {

template <class T>
bool read_at(const std::string& img, uint64_t off, T& out) {
  if (off > img.size() || sizeof(T) > img.size() - off) return false;
  std::memcpy(&out, img.data() + off, sizeof(T));
  return true;
}

}  // namespace

std::optional<ModInfo> parse_modinfo(const std::string& img, std::string& err) {
  Elf64_Ehdr eh;
  if (!read_at(img, 0, eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) {
    err = "not an ELF file";
    return std::nullopt;
  }
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64 || eh.e_type != ET_REL ||
      eh.e_shentsize != sizeof(Elf64_Shdr)) {
    err = "not an x86-64 kernel module";
    return std::nullopt;
  }
  Elf64_Shdr names;
  if (!read_at(img, eh.e_shoff + uint64_t{eh.e_shstrndx} * sizeof(Elf64_Shdr), names)) {
    err = "truncated section headers";
    return std::nullopt;
  }
  for (unsigned i = 0; i < eh.e_shnum; ++i) {
    Elf64_Shdr sh;
    if (!read_at(img, eh.e_shoff + uint64_t{i} * sizeof(Elf64_Shdr), sh)) break;
    uint64_t name_off = names.sh_offset + sh.sh_name;
    if (name_off >= img.size() || img.compare(name_off, 9, ".modinfo\0", 9) != 0) continue;
    if (sh.sh_offset > img.size() || sh.sh_size > img.size() - sh.sh_offset) break;
    ModInfo mi;
    std::string data = img.substr(sh.sh_offset, sh.sh_size);
    for (size_t pos = 0; pos < data.size();) {
      size_t end = data.find('\0', pos);
      if (end == std::string::npos) end = data.size();
      std::string kv = data.substr(pos, end - pos);
      size_t eq = kv.find('=');
      if (eq != std::string::npos) mi.fields.emplace(kv.substr(0, eq), kv.substr(eq + 1));
      pos = end + 1;
    }
    return mi;
  }
  err = "no .modinfo section; not a kernel module";
  return std::nullopt;
}

}  // namespace kpatch
