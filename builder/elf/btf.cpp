// Reading struct sizes from BTF.
//
// kpatch-build must tell the differ how big an entry of each special
// section is on the target kernel (struct alt_instr is 12 bytes in 6.1 and
// 14 since 6.3). The kernel says so itself: a vmlinux built with
// CONFIG_DEBUG_INFO_BTF (every Debian kernel) carries a .BTF section, a
// compact table of its C types. Only the size of a few named structs is
// needed, so this reader walks the type table once and decodes nothing
// but each type's kind, name and size; every other kind is skipped by the
// length of its trailing data.
//
// Layout (include/uapi/linux/btf.h): a header { u16 magic 0xeB9F, u8
// version, u8 flags, u32 hdr_len, u32 type_off, u32 type_len, u32 str_off,
// u32 str_len }, offsets relative to the end of the header; then types,
// each a struct btf_type { u32 name_off, u32 info, u32 size_or_type } with
// kind = info >> 24 & 0x1f and vlen = info & 0xffff, followed by
// kind-specific data. Little-endian only (x86-64).
#include "elf/btf.h"

#include <cstring>
#include <string_view>

#include "elf/elf_file.h"
#include "support/diag.h"

namespace kp {

namespace {

constexpr uint16_t kMagic = 0xeb9f;
constexpr size_t kHeaderSize = 24;
constexpr size_t kTypeSize = 12;

enum Kind : uint32_t {
  kInt = 1, kPtr, kArray, kStruct, kUnion, kEnum, kFwd, kTypedef, kVolatile, kConst, kRestrict,
  kFunc, kFuncProto, kVar, kDatasec, kFloat, kDeclTag, kTypeTag, kEnum64,
};

uint32_t u32_at(std::span<const std::byte> b, size_t at) {
  uint32_t v;
  std::memcpy(&v, b.data() + at, sizeof v);
  return v;
}

// Bytes of kind-specific data after a btf_type of `kind` with `vlen`
// members, or SIZE_MAX for a kind this reader does not know.
size_t trailing(uint32_t kind, uint32_t vlen) {
  switch (kind) {
    case kInt:
    case kVar:
    case kDeclTag: return 4;
    case kArray: return 12;
    case kStruct:
    case kUnion:
    case kDatasec:
    case kEnum64: return 12 * size_t{vlen};
    case kEnum:
    case kFuncProto: return 8 * size_t{vlen};
    case kPtr:
    case kFwd:
    case kTypedef:
    case kVolatile:
    case kConst:
    case kRestrict:
    case kFunc:
    case kFloat:
    case kTypeTag: return 0;
    default: return SIZE_MAX;
  }
}

}  // namespace

StructSizes btf_struct_sizes(std::span<const std::byte> btf, const std::set<std::string, std::less<>>& names,
                             const std::string& what) {
  auto bad = [&](const std::string& why) { return Fatal(what + ": error: malformed BTF: " + why + " [bad-btf]"); };
  if (btf.size() < kHeaderSize) throw bad("shorter than its header");
  uint16_t magic;
  std::memcpy(&magic, btf.data(), sizeof magic);
  if (magic != kMagic) throw bad("no BTF magic");
  uint32_t hdr_len = u32_at(btf, 4);
  uint32_t type_off = u32_at(btf, 8), type_len = u32_at(btf, 12);
  uint32_t str_off = u32_at(btf, 16), str_len = u32_at(btf, 20);
  if (hdr_len < kHeaderSize || hdr_len > btf.size() || uint64_t{type_off} + type_len > btf.size() - hdr_len ||
      uint64_t{str_off} + str_len > btf.size() - hdr_len)
    throw bad("header offsets beyond the section");
  auto types = btf.subspan(hdr_len + type_off, type_len);
  auto strings = btf.subspan(hdr_len + str_off, str_len);
  auto name_at = [&](uint32_t off) -> std::string_view {
    if (off >= strings.size()) throw bad("type name outside the string table");
    auto* p = reinterpret_cast<const char*>(strings.data()) + off;
    return {p, strnlen(p, strings.size() - off)};
  };
  StructSizes out;
  for (size_t at = 0; at < types.size();) {
    if (types.size() - at < kTypeSize) throw bad("a type runs past the end of the type table");
    uint32_t info = u32_at(types, at + 4);
    uint32_t kind = info >> 24 & 0x1f;
    size_t extra = trailing(kind, info & 0xffff);
    if (extra == SIZE_MAX) throw bad("unknown type kind " + std::to_string(kind));
    if (kind == kStruct) {
      std::string_view name = name_at(u32_at(types, at));
      if (auto it = names.find(name); it != names.end()) out.emplace(*it, u32_at(types, at + 8));
    }
    at += kTypeSize + extra;
  }
  return out;
}

StructSizes elf_btf_struct_sizes(const std::string& path, const std::set<std::string, std::less<>>& names) {
  elf::ElfFile f = elf::ElfFile::open_read(path);
  size_t shstrndx = f.shstrndx();
  for (size_t i = 1; i < f.section_count(); ++i) {
    GElf_Shdr sh = f.shdr(i);
    if (f.string_at(shstrndx, sh.sh_name, "section name") == ".BTF")
      return btf_struct_sizes(f.bytes(i), names, path + ": .BTF");
  }
  return {};
}

}  // namespace kp
