#include "elf/writer.h"

#include <fcntl.h>
#include <libelf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>

#include "elf/elf_file.h"
#include "support/diag.h"

namespace kp {

OutputObject::OutputObject() { symbols_.push_back(OutSymbol{}); }

size_t OutputObject::add_section(OutSection s) {
  sections_.push_back(std::move(s));
  return sections_.size() - 1;
}

size_t OutputObject::add_symbol(OutSymbol s) {
  symbols_.push_back(std::move(s));
  return symbols_.size() - 1;
}

size_t OutputObject::section_symbol(size_t sec) {
  if (sections_.at(sec).secsym != 0) return sections_[sec].secsym;
  OutSymbol s;
  s.type = STT_SECTION;
  s.section = static_cast<int64_t>(sec);
  size_t i = add_symbol(s);
  sections_[sec].secsym = i;
  return i;
}

namespace {

// A string table being built: offset 0 is the empty string.
class StrTab {
 public:
  StrTab() { bytes_.push_back(std::byte{0}); }
  uint32_t add(const std::string& s) {
    if (s.empty()) return 0;
    auto it = offsets_.find(s);
    if (it != offsets_.end()) return it->second;
    auto off = static_cast<uint32_t>(bytes_.size());
    for (char c : s) bytes_.push_back(static_cast<std::byte>(c));
    bytes_.push_back(std::byte{0});
    offsets_.emplace(s, off);
    return off;
  }
  std::vector<std::byte>& bytes() { return bytes_; }

 private:
  std::vector<std::byte> bytes_;
  std::map<std::string, uint32_t> offsets_;
};

// Everything the file needs, laid out, before libelf is involved.
struct Layout {
  struct Sec {
    std::string name;
    GElf_Shdr sh{};
    const void* data = nullptr;
    size_t size = 0;
    Elf_Type dtype = ELF_T_BYTE;
  };
  std::vector<Sec> secs;  // without the null section
  std::vector<Elf64_Sym> syms;
  std::vector<std::vector<Elf64_Rela>> relas;
  StrTab strtab, shstrtab;
};

class Writer {
 public:
  Writer(const OutputObject& obj, const std::string& path) : obj_(obj), path_(path) {}
  void run();

 private:
  void order_symbols();
  void lay_out();
  void emit(int fd);
  [[noreturn]] void fail(const std::string& what) const {
    const char* why = elf_errmsg(0);
    throw Fatal(path_ + ": error: cannot write: " + what + (why ? std::string(" (libelf: ") + why + ")" : "") +
                " [write-failed]");
  }

  const OutputObject& obj_;
  std::string path_;
  std::vector<size_t> new_index_;  // old symbol index -> written index
  std::vector<size_t> order_;      // written index -> old symbol index
  size_t first_global_ = 0;
  Layout l_;
};

void Writer::order_symbols() {
  const auto& syms = obj_.symbols();
  new_index_.assign(syms.size(), 0);
  order_.clear();
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t i = 0; i < syms.size(); ++i) {
      bool local = syms[i].bind == STB_LOCAL;
      if (local != (pass == 0)) continue;
      new_index_[i] = order_.size();
      order_.push_back(i);
    }
    if (pass == 0) first_global_ = order_.size();
  }
}

void Writer::lay_out() {
  const auto& secs = obj_.sections();
  size_t nsec = secs.size();
  size_t nrela = std::count_if(secs.begin(), secs.end(),
                               [](const OutSection& s) { return !s.relocs.empty() && s.type != SHT_RELA; });
  size_t symtab_index = nsec + nrela + 1;
  for (size_t i = 0; i < nsec; ++i) {
    const OutSection& s = secs[i];
    Layout::Sec ls;
    ls.name = s.name;
    if (s.type == SHT_RELA) {
      auto& rv = l_.relas.emplace_back();
      for (const OutReloc& r : s.relocs) rv.push_back({r.offset, GELF_R_INFO(new_index_.at(r.sym), r.type), r.addend});
      ls.sh.sh_type = SHT_RELA;
      ls.sh.sh_flags = s.flags | SHF_INFO_LINK;
      ls.sh.sh_addralign = 8;
      ls.sh.sh_entsize = sizeof(Elf64_Rela);
      ls.sh.sh_link = static_cast<uint32_t>(symtab_index);
      ls.sh.sh_info = static_cast<uint32_t>(s.rela_target + 1);
      ls.data = rv.data();
      ls.size = rv.size() * sizeof(Elf64_Rela);
      ls.dtype = ELF_T_RELA;
      l_.secs.push_back(ls);
      continue;
    }
    ls.sh.sh_type = s.type;
    ls.sh.sh_flags = s.flags;
    ls.sh.sh_addralign = s.addralign;
    ls.sh.sh_entsize = s.entsize;
    ls.sh.sh_size = s.size();
    ls.data = s.type == SHT_NOBITS ? nullptr : s.data.data();
    ls.size = s.size();
    l_.secs.push_back(ls);
  }
  l_.relas.reserve(nsec + nrela);  // pointers into it must stay valid
  for (size_t i = 0; i < nsec; ++i) {
    const OutSection& s = secs[i];
    if (s.relocs.empty() || s.type == SHT_RELA) continue;
    auto& rv = l_.relas.emplace_back();
    for (const OutReloc& r : s.relocs)
      rv.push_back({r.offset, GELF_R_INFO(new_index_.at(r.sym), r.type), r.addend});
    Layout::Sec ls;
    ls.name = ".rela" + s.name;
    ls.sh.sh_type = SHT_RELA;
    ls.sh.sh_flags = SHF_INFO_LINK;
    ls.sh.sh_addralign = 8;
    ls.sh.sh_entsize = sizeof(Elf64_Rela);
    ls.sh.sh_link = static_cast<uint32_t>(symtab_index);
    ls.sh.sh_info = static_cast<uint32_t>(i + 1);
    ls.data = rv.data();
    ls.size = rv.size() * sizeof(Elf64_Rela);
    ls.dtype = ELF_T_RELA;
    l_.secs.push_back(ls);
  }
  for (size_t old : order_) {
    const OutSymbol& s = obj_.symbols()[old];
    Elf64_Sym es{};
    es.st_name = s.type == STT_SECTION ? 0 : l_.strtab.add(s.name);
    es.st_info = static_cast<unsigned char>(GELF_ST_INFO(s.bind, s.type));
    es.st_other = s.other;
    es.st_shndx = s.section == kUndef       ? SHN_UNDEF
                  : s.section == kAbs       ? SHN_ABS
                  : s.section == kLivepatch ? kShnLivepatch
                                            : static_cast<uint16_t>(s.section + 1);
    es.st_value = s.value;
    es.st_size = s.size;
    l_.syms.push_back(es);
  }
  Layout::Sec symtab;
  symtab.name = ".symtab";
  symtab.sh.sh_type = SHT_SYMTAB;
  symtab.sh.sh_addralign = 8;
  symtab.sh.sh_entsize = sizeof(Elf64_Sym);
  symtab.sh.sh_link = static_cast<uint32_t>(symtab_index + 1);
  symtab.sh.sh_info = static_cast<uint32_t>(first_global_);
  symtab.data = l_.syms.data();
  symtab.size = l_.syms.size() * sizeof(Elf64_Sym);
  symtab.dtype = ELF_T_SYM;
  l_.secs.push_back(symtab);
  Layout::Sec strtab;
  strtab.name = ".strtab";
  strtab.sh.sh_type = SHT_STRTAB;
  strtab.sh.sh_addralign = 1;
  l_.secs.push_back(strtab);
  Layout::Sec shstrtab;
  shstrtab.name = ".shstrtab";
  shstrtab.sh.sh_type = SHT_STRTAB;
  shstrtab.sh.sh_addralign = 1;
  l_.secs.push_back(shstrtab);
  for (auto& s : l_.secs) s.sh.sh_name = l_.shstrtab.add(s.name);
  auto& st = l_.secs[l_.secs.size() - 2];
  st.data = l_.strtab.bytes().data();
  st.size = l_.strtab.bytes().size();
  auto& sh = l_.secs.back();
  sh.data = l_.shstrtab.bytes().data();
  sh.size = l_.shstrtab.bytes().size();
}

void Writer::emit(int fd) {
  std::unique_ptr<Elf, elf::ElfDeleter> e(elf_begin(fd, ELF_C_WRITE, nullptr));
  if (!e) fail("elf_begin");
  if (gelf_newehdr(e.get(), ELFCLASS64) == nullptr) fail("gelf_newehdr");
  GElf_Ehdr eh;
  gelf_getehdr(e.get(), &eh);
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
  eh.e_type = ET_REL;
  eh.e_machine = EM_X86_64;
  eh.e_version = EV_CURRENT;
  eh.e_shstrndx = static_cast<uint16_t>(l_.secs.size());
  for (auto& s : l_.secs) {
    Elf_Scn* scn = elf_newscn(e.get());
    if (scn == nullptr) fail("elf_newscn");
    Elf_Data* d = elf_newdata(scn);
    if (d == nullptr) fail("elf_newdata");
    d->d_buf = const_cast<void*>(s.data);
    d->d_size = s.size;
    d->d_type = s.dtype;
    d->d_align = s.sh.sh_addralign ? s.sh.sh_addralign : 1;
    d->d_version = EV_CURRENT;
    GElf_Shdr sh = s.sh;
    sh.sh_size = s.size;
    if (!gelf_update_shdr(scn, &sh)) fail("gelf_update_shdr " + s.name);
  }
  if (!gelf_update_ehdr(e.get(), &eh)) fail("gelf_update_ehdr");
  if (elf_update(e.get(), ELF_C_WRITE) < 0) fail("elf_update");
}

void Writer::run() {
  order_symbols();
  lay_out();
  std::string tmp = path_ + ".tmp.XXXXXX";
  int fd = mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) throw Fatal(path_ + ": error: cannot create: " + std::strerror(errno) + " [write-failed]");
  elf::Fd owner(fd);
  try {
    emit(fd);
    if (fchmod(fd, 0644) != 0 || fsync(fd) != 0) fail(std::strerror(errno));
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
  if (::rename(tmp.c_str(), path_.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw Fatal(path_ + ": error: cannot rename into place: " + std::strerror(err) + " [write-failed]");
  }
}

}  // namespace

void OutputObject::write(const std::string& path) const {
  elf_version(EV_CURRENT);
  Writer(*this, path).run();
}

}  // namespace kp
