#include "elf/elf_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "support/diag.h"

namespace kp::elf {

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

namespace {
void init_libelf() {
  static const bool ok = elf_version(EV_CURRENT) != EV_NONE;
  if (!ok) throw Fatal("libelf: version mismatch");
}
}  // namespace

ElfFile ElfFile::open_read(const std::string& path) {
  init_libelf();
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw Fatal(path + ": error: cannot open: " + std::strerror(errno) + " [unreadable-file]");
  Elf* e = elf_begin(fd.get(), ELF_C_READ_MMAP, nullptr);
  if (e == nullptr) throw Fatal(path + ": error: not an ELF file: " + elf_errmsg(-1) + " [bad-elf]");
  ElfFile f(path, std::move(fd), std::unique_ptr<Elf, ElfDeleter>(e));
  if (elf_kind(e) != ELF_K_ELF) f.fail("not an ELF file");
  return f;
}

ElfFile ElfFile::from_memory(const std::string& name, std::span<const std::byte> image) {
  init_libelf();
  // libelf wants a mutable pointer but ELF_C_READ_MMAP semantics on memory
  // images never write to it.
  auto* p = const_cast<char*>(reinterpret_cast<const char*>(image.data()));
  Elf* e = elf_memory(p, image.size());
  if (e == nullptr) throw Fatal(name + ": error: not an ELF file [bad-elf]");
  ElfFile f(name, Fd(), std::unique_ptr<Elf, ElfDeleter>(e));
  if (elf_kind(e) != ELF_K_ELF) f.fail("not an ELF file");
  return f;
}

void ElfFile::fail(const std::string& what) const {
  const char* why = elf_errmsg(0);
  std::string msg = path_ + ": error: " + what;
  if (why != nullptr) msg += std::string(" (libelf: ") + why + ")";
  throw Fatal(msg + " [bad-elf]");
}

GElf_Ehdr ElfFile::ehdr() const {
  GElf_Ehdr h;
  if (gelf_getehdr(elf_.get(), &h) == nullptr) fail("cannot read the ELF header");
  return h;
}

size_t ElfFile::section_count() const {
  size_t n = 0;
  if (elf_getshdrnum(elf_.get(), &n) != 0) fail("cannot read the section count");
  return n;
}

size_t ElfFile::shstrndx() const {
  size_t n = 0;
  if (elf_getshdrstrndx(elf_.get(), &n) != 0) fail("cannot find the section name table");
  return n;
}

Elf_Scn* ElfFile::scn(size_t index) const {
  Elf_Scn* s = elf_getscn(elf_.get(), index);
  if (s == nullptr) fail("cannot read section " + std::to_string(index));
  return s;
}

GElf_Shdr ElfFile::shdr(size_t index) const {
  GElf_Shdr h;
  if (gelf_getshdr(scn(index), &h) == nullptr) fail("cannot read the header of section " + std::to_string(index));
  return h;
}

std::span<const std::byte> ElfFile::bytes(size_t index) const {
  GElf_Shdr h = shdr(index);
  if (h.sh_type == SHT_NOBITS || h.sh_size == 0) return {};
  Elf_Data* d = elf_rawdata(scn(index), nullptr);
  if (d == nullptr || d->d_buf == nullptr) fail("cannot read the contents of section " + std::to_string(index));
  if (d->d_size != h.sh_size) fail("section " + std::to_string(index) + " is truncated");
  return {static_cast<const std::byte*>(d->d_buf), d->d_size};
}

std::string ElfFile::string_at(size_t strtab, size_t offset, const char* what) const {
  const char* s = elf_strptr(elf_.get(), strtab, offset);
  if (s == nullptr)
    fail(std::string("bad ") + what + " name offset " + std::to_string(offset) + " in string table section " +
         std::to_string(strtab));
  return s;
}

}  // namespace kp::elf
