// A thin RAII layer over libelf: owns the file descriptor and the Elf handle,
// and turns every libelf failure into a kp::Fatal naming the file.
#pragma once

#include <gelf.h>
#include <libelf.h>

#include <cstddef>
#include <memory>
#include <span>
#include <string>

namespace kp::elf {

struct ElfDeleter {
  void operator()(Elf* e) const { elf_end(e); }
};

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd();
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }

 private:
  int fd_ = -1;
};

class ElfFile {
 public:
  // Opens `path` read-only. Throws kp::Fatal if it is not a readable ELF file.
  static ElfFile open_read(const std::string& path);
  // Wraps an in-memory image (used by the fuzzer); `image` must outlive it.
  static ElfFile from_memory(const std::string& name, std::span<const std::byte> image);

  const std::string& path() const { return path_; }
  Elf* get() const { return elf_.get(); }

  GElf_Ehdr ehdr() const;
  size_t section_count() const;
  size_t shstrndx() const;
  GElf_Shdr shdr(size_t index) const;
  // The bytes of a section; empty for SHT_NOBITS. Bounds-checked by libelf
  // against the file size.
  std::span<const std::byte> bytes(size_t index) const;
  // A NUL-terminated string from string table `strtab` at `offset`; throws if
  // the offset is outside the table.
  std::string string_at(size_t strtab, size_t offset, const char* what) const;

  [[noreturn]] void fail(const std::string& what) const;

 private:
  ElfFile(std::string path, Fd fd, std::unique_ptr<Elf, ElfDeleter> elf)
      : path_(std::move(path)), fd_(std::move(fd)), elf_(std::move(elf)) {}
  Elf_Scn* scn(size_t index) const;

  std::string path_;
  Fd fd_;
  std::unique_ptr<Elf, ElfDeleter> elf_;
};

}  // namespace kp::elf
