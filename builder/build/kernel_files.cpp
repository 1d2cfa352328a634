// Checking the kernel's files before they are used.
//
// A download cut short leaves a vmlinux that libelf still opens: its
// sections past the cut read as empty, and every replaced function then
// "differs from vmlinux", which blames the tree instead of the file. So a
// binary is first checked to be whole: the ELF header, the section header
// table and every section with contents lie inside the file.
#include "build/kernel_files.h"

#include <elf.h>

#include <cstring>
#include <fstream>

namespace kp {

namespace {

std::string truncated(const fs::path& path, const std::string& what, uint64_t end, uint64_t size,
                      const std::string& advice) {
  return path.string() + ": truncated: " + what + " ends at byte " + std::to_string(end) + " but the file has " +
         std::to_string(size) + " bytes" + advice;
}

template <typename T>
bool read_at(std::ifstream& in, uint64_t offset, T& out) {
  in.seekg(static_cast<std::streamoff>(offset));
  return static_cast<bool>(in.read(reinterpret_cast<char*>(&out), sizeof out));
}

}  // namespace

void check_whole_elf(const fs::path& path, const std::string& advice) {
  std::error_code ec;
  uint64_t size = fs::file_size(path, ec);
  if (ec) throw BuildError(path.string() + ": cannot read: " + ec.message() + advice);
  std::ifstream in(path, std::ios::binary);
  Elf64_Ehdr eh{};
  if (!read_at(in, 0, eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64)
    throw BuildError(path.string() + ": not a 64-bit ELF file (" + std::to_string(size) + " bytes)" + advice);
  if (eh.e_shentsize != sizeof(Elf64_Shdr))
    throw BuildError(path.string() + ": bad section header size " + std::to_string(eh.e_shentsize) + advice);
  uint64_t table_end = eh.e_shoff + uint64_t{eh.e_shnum} * sizeof(Elf64_Shdr);
  if (table_end > size) throw BuildError(truncated(path, "the section header table", table_end, size, advice));
  for (unsigned i = 1; i < eh.e_shnum; ++i) {
    Elf64_Shdr sh{};
    if (!read_at(in, eh.e_shoff + uint64_t{i} * sizeof sh, sh))
      throw BuildError(path.string() + ": cannot read section header " + std::to_string(i) + advice);
    if (sh.sh_type == SHT_NOBITS || sh.sh_type == SHT_NULL) continue;
    if (sh.sh_offset > size || sh.sh_size > size - sh.sh_offset)
      throw BuildError(truncated(path, "section " + std::to_string(i), sh.sh_offset + sh.sh_size, size, advice));
  }
}

}  // namespace kp

namespace kp {

std::string damaged_cache_advice(const BuildCtx& ctx) {
  if (ctx.target.cache.empty()) return "";
  return "; the kernel cache " + ctx.target.cache.string() +
         " is damaged: remove that directory and build again (kernel-tree prepare fetches it anew)";
}

void check_kernel_files(BuildCtx& ctx) {
  check_whole_elf(ctx.target.vmlinux, damaged_cache_advice(ctx));
}

}  // namespace kp
