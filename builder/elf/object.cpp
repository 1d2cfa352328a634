#include "elf/object.h"

#include <algorithm>
#include <cstring>

#include "support/diag.h"

namespace kp {

const char* to_string(Status s) {
  switch (s) {
    case Status::Unknown: return "unknown";
    case Status::Same: return "same";
    case Status::Changed: return "changed";
    case Status::New: return "new";
  }
  return "?";
}

std::span<const Reloc> Section::relocs_in(uint64_t begin, uint64_t end) const {
  auto lo = std::lower_bound(relocs.begin(), relocs.end(), begin,
                             [](const Reloc& r, uint64_t off) { return r.offset < off; });
  auto hi = std::lower_bound(lo, relocs.end(), end, [](const Reloc& r, uint64_t off) { return r.offset < off; });
  return {lo, hi};
}

const Reloc* Section::reloc_at(uint64_t offset) const {
  auto r = relocs_in(offset, offset + 1);
  return r.empty() ? nullptr : &r.front();
}

void Object::fail(const Section* sec, const std::string& what) const {
  Where w{path(), sec ? sec->name : std::string(), std::nullopt, {}};
  if (sec && sec->name.empty()) w.section = "section " + std::to_string(sec->index);
  throw Fatal(format_message(w, "error", what, "bad-elf"));
}

Object Object::load(elf::ElfFile file) {
  Object obj(std::move(file));
  GElf_Ehdr eh = obj.file_.ehdr();
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64)
    obj.fail(nullptr, "not an x86-64 object (class " + std::to_string(eh.e_ident[EI_CLASS]) + ", machine " +
                          std::to_string(eh.e_machine) + ")");
  if (eh.e_ident[EI_DATA] != ELFDATA2LSB) obj.fail(nullptr, "not a little-endian object");
  if (eh.e_type != ET_REL) obj.fail(nullptr, "not a relocatable object (e_type " + std::to_string(eh.e_type) + ")");
  obj.read_sections();
  obj.read_symbols();
  obj.link_symbols_to_sections();
  obj.read_relocations();
  obj.read_groups();
  return obj;
}

void Object::read_sections() {
  size_t n = file_.section_count();
  size_t names = file_.shstrndx();
  if (names >= n) fail(nullptr, "section name table index " + std::to_string(names) + " out of range");
  sections_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    Section& s = sections_[i];
    s.index = i;
    s.sh = file_.shdr(i);
    // Section 0 is reserved and its data is never read, so it must not
    // pose as a symbol table, relocation or group section that the later
    // readers would walk (found by the fuzzer, tests/fuzz/regressions/).
    if (i == 0) {
      if (s.sh.sh_type != SHT_NULL)
        fail(&s, "reserved section has type " + std::to_string(s.sh.sh_type) + ", not SHT_NULL");
      continue;
    }
    s.name = file_.string_at(names, s.sh.sh_name, "section");
    s.data = file_.bytes(i);
  }
}

void Object::read_symbols() {
  auto symtab = std::find_if(sections_.begin(), sections_.end(),
                             [](const Section& s) { return s.sh.sh_type == SHT_SYMTAB; });
  if (symtab == sections_.end()) fail(nullptr, "no symbol table (.symtab); was the object stripped?");
  if (symtab->sh.sh_entsize != sizeof(Elf64_Sym) || symtab->size() % sizeof(Elf64_Sym) != 0)
    fail(&*symtab, "symbol table entry size " + std::to_string(symtab->sh.sh_entsize) + " is not " +
                       std::to_string(sizeof(Elf64_Sym)));
  if (symtab->sh.sh_link >= sections_.size() || sections_[symtab->sh.sh_link].sh.sh_type != SHT_STRTAB)
    fail(&*symtab, "sh_link " + std::to_string(symtab->sh.sh_link) + " is not a string table");
  size_t n = symtab->size() / sizeof(Elf64_Sym);
  symbols_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    Symbol& s = symbols_[i];
    s.index = i;
    std::memcpy(&s.sym, symtab->data.data() + i * sizeof(Elf64_Sym), sizeof(Elf64_Sym));
    if (i > 0) s.name = file_.string_at(symtab->sh.sh_link, s.sym.st_name, "symbol");
    if (s.is_file() && source_name_.empty()) source_name_ = s.name;
  }
}

void Object::link_symbols_to_sections() {
  for (Symbol& s : symbols_) {
    uint16_t shndx = s.sym.st_shndx;
    if (shndx == SHN_UNDEF || shndx >= SHN_LORESERVE) continue;
    if (shndx >= sections_.size())
      fail(nullptr, "symbol '" + s.name + "' has section index " + std::to_string(shndx) + " out of range");
    Section& sec = sections_[shndx];
    s.sec = &sec;
    if (s.is_func() || s.is_object()) sec.symbols.push_back(&s);
    if (s.is_section()) {
      s.name = sec.name;
      if (sec.secsym == nullptr) sec.secsym = &s;
    } else if ((s.is_func() || s.is_object()) && s.value() == 0 && sec.sym == nullptr) {
      sec.sym = &s;
    }
    // The differ slices [value, value + size) out of the section's data
    // without checking, so the symbol must fit: also in an empty section,
    // and without value + size wrapping around (inputs for both in
    // tests/fuzz/regressions/).
    if (!s.is_section() && !sec.is_nobits() && (s.value() > sec.size() || s.size() > sec.size() - s.value()))
      fail(&sec, "symbol '" + s.name + "' extends past the end of its section");
  }
}

void Object::read_relocations() {
  for (Section& rela : sections_) {
    if (rela.sh.sh_type == SHT_REL) fail(&rela, "SHT_REL relocations are not supported on x86-64");
    if (!rela.is_rela()) continue;
    if (rela.sh.sh_info == 0 || rela.sh.sh_info >= sections_.size())
      fail(&rela, "sh_info " + std::to_string(rela.sh.sh_info) + " does not name a section");
    if (rela.sh.sh_entsize != sizeof(Elf64_Rela) || rela.size() % sizeof(Elf64_Rela) != 0)
      fail(&rela, "relocation entry size " + std::to_string(rela.sh.sh_entsize) + " is not " +
                      std::to_string(sizeof(Elf64_Rela)));
    Section& base = sections_[rela.sh.sh_info];
    rela.base = &base;
    base.rela = &rela;
    size_t n = rela.size() / sizeof(Elf64_Rela);
    base.relocs.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      Elf64_Rela r;
      std::memcpy(&r, rela.data.data() + i * sizeof(Elf64_Rela), sizeof r);
      size_t symi = GELF_R_SYM(r.r_info);
      if (symi >= symbols_.size())
        fail(&rela, "relocation " + std::to_string(i) + " names symbol " + std::to_string(symi) + " out of range");
      if (r.r_offset > base.size())
        fail(&rela, "relocation " + std::to_string(i) + " at offset " + hex(r.r_offset) + " is past the end of " +
                        base.name);
      base.relocs.push_back(
          {r.r_offset, static_cast<uint32_t>(GELF_R_TYPE(r.r_info)), r.r_addend, &symbols_[symi], base.is_exec()});
    }
    std::stable_sort(base.relocs.begin(), base.relocs.end(),
                     [](const Reloc& a, const Reloc& b) { return a.offset < b.offset; });
  }
}

void Object::read_groups() {
  for (Section& g : sections_) {
    if (!g.is_group()) continue;
    if (g.size() % 4 != 0) fail(&g, "group section size is not a multiple of 4");
    for (uint64_t off = 4; off < g.size(); off += 4) {
      uint32_t member = static_cast<uint32_t>(read_le(*this, g, off, 4));
      if (member == 0 || member >= sections_.size())
        fail(&g, "group member " + std::to_string(member) + " out of range");
      sections_[member].group = &g;
    }
  }
}

Section* Object::find_section(std::string_view name) {
  for (Section& s : sections_)
    if (s.name == name) return &s;
  return nullptr;
}

Symbol* Object::find_symbol(std::string_view name) {
  for (Symbol& s : symbols_)
    if (s.name == name && !s.is_section()) return &s;
  return nullptr;
}

uint64_t read_le(const Object& obj, const Section& sec, uint64_t offset, unsigned width) {
  if (offset > sec.data.size() || width > sec.data.size() - offset)
    obj.fail(&sec, "read of " + std::to_string(width) + " bytes at " + hex(offset) + " is past the end (size " +
                       hex(sec.data.size()) + ")");
  uint64_t v = 0;
  for (unsigned i = 0; i < width; ++i) v |= static_cast<uint64_t>(sec.data[offset + i]) << (8 * i);
  return v;
}

std::string_view string_in(const Object& obj, const Section& sec, uint64_t offset) {
  if (offset >= sec.data.size()) obj.fail(&sec, "string offset " + hex(offset) + " is past the end");
  const char* p = reinterpret_cast<const char*>(sec.data.data()) + offset;
  size_t max = sec.data.size() - offset;
  size_t len = strnlen(p, max);
  if (len == max) obj.fail(&sec, "string at " + hex(offset) + " is not NUL-terminated");
  return {p, len};
}

}  // namespace kp
