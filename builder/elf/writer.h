// A relocatable object under construction, and its serialisation.
//
// The differ builds an OutputObject from scratch (it never edits its inputs):
// sections with their bytes and relocations, and symbols that refer to
// sections by their position in `sections`. write() lays out the file:
// the null section, the content sections in order, one .rela section per
// section with relocations, then .symtab, .strtab and .shstrtab; local
// symbols first as ELF requires. The file is written to a temporary name
// and renamed, so a failure never leaves a partial output behind.
#pragma once

#include <gelf.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kp {

struct OutReloc {
  uint64_t offset = 0;
  uint32_t type = 0;
  int64_t addend = 0;
  size_t sym = 0;  // index into OutputObject::symbols
};

struct OutSection {
  std::string name;
  uint32_t type = SHT_PROGBITS;
  uint64_t flags = 0;
  uint64_t addralign = 1;
  uint64_t entsize = 0;
  std::vector<std::byte> data;
  uint64_t nobits_size = 0;  // size of a SHT_NOBITS section
  std::vector<OutReloc> relocs;
  size_t secsym = 0;  // index of its STT_SECTION symbol, 0 if none yet
  // For a relocation section written by name rather than derived from its
  // target (livepatch's .klp.rela.<obj>.<sec>): the target section and flags.
  // Such a section has type SHT_RELA and carries its entries in `relocs`.
  size_t rela_target = 0;

  uint64_t size() const { return type == SHT_NOBITS ? nobits_size : data.size(); }
};

// Linux livepatch ELF extensions (include/uapi/linux/elf.h), not in glibc.
inline constexpr uint16_t kShnLivepatch = 0xff20;
inline constexpr uint64_t kShfRelaLivepatch = 0x00100000;

// Symbols refer to sections by OutSection position, or to these.
inline constexpr int64_t kUndef = -1;
inline constexpr int64_t kAbs = -2;
inline constexpr int64_t kLivepatch = -3;  // SHN_LIVEPATCH: resolved by the livepatch core

struct OutSymbol {
  std::string name;
  unsigned char type = STT_NOTYPE;
  unsigned char bind = STB_LOCAL;
  unsigned char other = STV_DEFAULT;
  int64_t section = kUndef;  // position in sections, or kUndef / kAbs
  uint64_t value = 0;
  uint64_t size = 0;
};

class OutputObject {
 public:
  OutputObject();  // creates the null symbol

  size_t add_section(OutSection s);
  size_t add_symbol(OutSymbol s);
  // The STT_SECTION symbol of section `sec`, created on first use.
  size_t section_symbol(size_t sec);

  std::vector<OutSection>& sections() { return sections_; }
  const std::vector<OutSection>& sections() const { return sections_; }
  std::vector<OutSymbol>& symbols() { return symbols_; }
  const std::vector<OutSymbol>& symbols() const { return symbols_; }

  // Writes atomically; throws kp::Fatal naming `path` on failure.
  void write(const std::string& path) const;

 private:
  std::vector<OutSection> sections_;
  std::vector<OutSymbol> symbols_;
};

}  // namespace kp
