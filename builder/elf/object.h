// The domain model of one relocatable object: sections, symbols and
// relocations, built once from libelf and then only annotated.
//
// Everything lives in vectors addressed by index and never resized after
// load, so the raw pointers between elements (a relocation's target symbol, a
// symbol's section, a section's twin in the other object) stay valid for the
// life of the Object. Diff state (twin, status, include) is stored on the
// elements because every pass of the differ reads and writes it.
#pragma once

#include <gelf.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "elf/elf_file.h"

namespace kp {

enum class Status { Unknown, Same, Changed, New };
const char* to_string(Status s);

struct Symbol;

struct Reloc {
  uint64_t offset = 0;
  uint32_t type = 0;
  int64_t addend = 0;
  Symbol* sym = nullptr;
  bool in_code = false;  // applies to an executable section
};

struct Section {
  size_t index = 0;
  std::string name;
  GElf_Shdr sh{};
  std::span<const std::byte> data;  // empty for NOBITS

  Section* rela = nullptr;  // the SHT_RELA section that applies to this one
  Section* base = nullptr;  // for a SHT_RELA section: the section it applies to
  std::vector<Reloc> relocs;  // on the base section, sorted by offset
  Symbol* secsym = nullptr;   // the STT_SECTION symbol
  Symbol* sym = nullptr;      // the FUNC/OBJECT symbol at offset 0, if any
  Section* group = nullptr;   // the SHT_GROUP section holding it (COMDAT)
  std::vector<Symbol*> symbols;  // its FUNC and OBJECT symbols, in symbol-table order

  // Diff state.
  Section* twin = nullptr;
  Status status = Status::Unknown;
  bool include = false;

  uint64_t size() const { return sh.sh_size; }
  bool is_rela() const { return sh.sh_type == SHT_RELA; }
  bool is_group() const { return sh.sh_type == SHT_GROUP; }
  bool is_nobits() const { return sh.sh_type == SHT_NOBITS; }
  bool is_alloc() const { return (sh.sh_flags & SHF_ALLOC) != 0; }
  bool is_exec() const { return (sh.sh_flags & SHF_EXECINSTR) != 0; }
  bool is_write() const { return (sh.sh_flags & SHF_WRITE) != 0; }
  bool is_strings() const { return (sh.sh_flags & SHF_STRINGS) != 0; }
  bool is_text() const { return is_alloc() && is_exec(); }
  bool is_data() const { return is_alloc() && !is_exec(); }
  // Relocations whose offset lies in [begin, end).
  std::span<const Reloc> relocs_in(uint64_t begin, uint64_t end) const;
  const Reloc* reloc_at(uint64_t offset) const;
};

struct Symbol {
  size_t index = 0;
  std::string name;
  GElf_Sym sym{};
  Section* sec = nullptr;  // null for undefined, absolute and common symbols

  // Diff state.
  Symbol* twin = nullptr;
  Status status = Status::Unknown;
  bool include = false;
  bool has_fentry = false;         // has an ftrace call site near its start
  uint64_t fentry_offset = 0;      // where that site is, from the start (4 after endbr64)
  uint64_t padding = 0;            // bytes before it that belong to it (__pfx_, see inputs.cpp)
  Symbol* parent = nullptr;        // foo for foo.cold / foo.part.N
  std::vector<Symbol*> children;   // the reverse of parent

  unsigned type() const { return GELF_ST_TYPE(sym.st_info); }
  unsigned bind() const { return GELF_ST_BIND(sym.st_info); }
  uint64_t value() const { return sym.st_value; }
  uint64_t size() const { return sym.st_size; }
  bool is_func() const { return type() == STT_FUNC; }
  bool is_object() const { return type() == STT_OBJECT; }
  bool is_section() const { return type() == STT_SECTION; }
  bool is_file() const { return type() == STT_FILE; }
  bool is_local() const { return bind() == STB_LOCAL; }
  bool is_global() const { return bind() == STB_GLOBAL || bind() == STB_WEAK; }
  bool is_undef() const { return sym.st_shndx == SHN_UNDEF && index != 0; }
};

class Object {
 public:
  // Reads and validates a relocatable x86-64 object. Throws kp::Fatal naming
  // the file and the problem for anything else.
  static Object load(elf::ElfFile file);
  static Object load(const std::string& path) { return load(elf::ElfFile::open_read(path)); }

  const std::string& path() const { return file_.path(); }
  std::vector<Section>& sections() { return sections_; }
  const std::vector<Section>& sections() const { return sections_; }
  std::vector<Symbol>& symbols() { return symbols_; }
  const std::vector<Symbol>& symbols() const { return symbols_; }

  Section* find_section(std::string_view name);
  Symbol* find_symbol(std::string_view name);
  // The name given by the first STT_FILE symbol ("cmdline.c"), or "".
  const std::string& source_name() const { return source_name_; }

  [[noreturn]] void fail(const Section* sec, const std::string& what) const;

 private:
  explicit Object(elf::ElfFile file) : file_(std::move(file)) {}
  void read_sections();
  void read_symbols();
  void read_relocations();
  void read_groups();
  void link_symbols_to_sections();

  elf::ElfFile file_;
  std::vector<Section> sections_;
  std::vector<Symbol> symbols_;
  std::string source_name_;
};

// Checked, little-endian reads of section contents. A read outside the
// section is a corrupt object and throws kp::Fatal naming it.
uint64_t read_le(const Object& obj, const Section& sec, uint64_t offset, unsigned width);
std::string_view string_in(const Object& obj, const Section& sec, uint64_t offset);

}  // namespace kp
