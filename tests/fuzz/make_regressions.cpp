// Makes the fuzzer's past crash inputs from the seed objects compiled at
// test time, instead of keeping binaries in the tree. Each input is a seed
// with one documented mutation (README.md, "Regression inputs"):
//
//   symbol-in-empty-section.o  statics_and_strings.o, .text.message_length
//                              shrunk to size 0 under its 6-byte function
//   symbol-size-wraps.o        kernel_like.o, symbol helper given
//                              st_value 0xfffffffffffffff0, st_size 0x20
//   section-0-not-null.o       debug_groups.o, section 0's header replaced
//                              by a copy of the first SHT_RELA header
//
//   make_regressions SEED_DIR OUT_DIR
//
// Exits 1 naming the seed and what it lacks if a mutation cannot be made.
#include <elf.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// A seed image with typed, bounds-checked access to its headers.
class Image {
 public:
  explicit Image(const fs::path& p) : path_(p) {
    std::ifstream in(p, std::ios::binary);
    bytes_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (bytes_.size() < sizeof(Elf64_Ehdr)) fail("not an ELF object");
  }
  Elf64_Ehdr& ehdr() { return at<Elf64_Ehdr>(0); }
  Elf64_Shdr& shdr(size_t i) { return at<Elf64_Shdr>(ehdr().e_shoff + i * sizeof(Elf64_Shdr)); }
  size_t sections() { return ehdr().e_shnum; }
  std::string name_at(size_t strtab, uint32_t off) { return &bytes_.at(shdr(strtab).sh_offset + off); }
  Elf64_Shdr& section(const std::string& name) {
    for (size_t i = 0; i < sections(); ++i)
      if (name_at(ehdr().e_shstrndx, shdr(i).sh_name) == name) return shdr(i);
    fail("no section " + name);
  }
  Elf64_Shdr& first_of_type(uint32_t type) {
    for (size_t i = 1; i < sections(); ++i)
      if (shdr(i).sh_type == type) return shdr(i);
    fail("no section of type " + std::to_string(type));
  }
  Elf64_Sym& symbol(const std::string& name) {
    Elf64_Shdr& symtab = first_of_type(SHT_SYMTAB);
    for (size_t off = 0; off + sizeof(Elf64_Sym) <= symtab.sh_size; off += sizeof(Elf64_Sym)) {
      Elf64_Sym& s = at<Elf64_Sym>(symtab.sh_offset + off);
      if (name_at(symtab.sh_link, s.st_name) == name) return s;
    }
    fail("no symbol " + name);
  }
  void write(const fs::path& p) { std::ofstream(p, std::ios::binary).write(bytes_.data(), bytes_.size()); }
  [[noreturn]] void fail(const std::string& what) { throw std::runtime_error(path_.string() + ": " + what); }

 private:
  template <class T>
  T& at(uint64_t off) {
    if (off > bytes_.size() || sizeof(T) > bytes_.size() - off) fail("header out of range");
    return *reinterpret_cast<T*>(bytes_.data() + off);
  }
  fs::path path_;
  std::vector<char> bytes_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: make_regressions SEED_DIR OUT_DIR\n";
    return 1;
  }
  fs::path seeds = argv[1], out = argv[2];
  try {
    fs::create_directories(out);
    Image empty(seeds / "statics_and_strings.o");
    empty.section(".text.message_length").sh_size = 0;
    empty.write(out / "symbol-in-empty-section.o");

    Image wraps(seeds / "kernel_like.o");
    wraps.symbol("helper").st_value = 0xfffffffffffffff0;
    wraps.symbol("helper").st_size = 0x20;
    wraps.write(out / "symbol-size-wraps.o");

    Image null0(seeds / "debug_groups.o");
    null0.shdr(0) = null0.first_of_type(SHT_RELA);
    null0.write(out / "section-0-not-null.o");
  } catch (const std::exception& e) {
    std::cerr << "make_regressions: error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
