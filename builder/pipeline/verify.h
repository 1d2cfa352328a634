// Does the tree reproduce the shipped kernel? Before a function is replaced,
// its original as compiled here must be the code the distribution shipped:
// same size, same bytes with relocated fields masked. See verify.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "elf/elf_file.h"
#include "elf/object.h"
#include "pipeline/context.h"

namespace kp {

// The 5-byte NOP (nopl 0x0(%rax,%rax,1)) at an ftrace site the kernel has
// not enabled: what the shipped binaries and a loadable module hold there.
inline constexpr std::byte kNop5[] = {std::byte{0x0f}, std::byte{0x1f}, std::byte{0x44}, std::byte{0x00},
                                      std::byte{0x00}};

// The functions of a linked binary: vmlinux (ET_EXEC), a module (ET_REL,
// possibly without FILE symbols), or any ET_DYN stand-in in tests.
class ParentBinary {
 public:
  struct Func {
    std::string file;  // the FILE block it is in ("cmdline.c"), "" if none
    uint64_t value = 0, size = 0;
    size_t shndx = 0;
    bool local = false;
    bool weak = false;
  };

  // Throws kp::Fatal for an unreadable binary. `label` names it in messages
  // ("vmlinux", "module binfmt_misc").
  static ParentBinary open(const std::string& path, std::string label);

  const std::string& label() const { return label_; }
  bool has_file_symbols() const { return has_files_; }
  // The functions named `name` that may be the original of a function of
  // source file `source`: a local only in FILE blocks named `source` (when
  // the binary has FILE symbols), a global anywhere.
  std::vector<const Func*> candidates(const std::string& name, bool local, const std::string& source) const;
  // The function's bytes, or an empty span if its section holds none.
  std::span<const std::byte> bytes(const Func& f) const;

 private:
  explicit ParentBinary(elf::ElfFile f) : file_(std::move(f)) {}
  elf::ElfFile file_;
  std::string label_;
  bool exec_ = false;  // addresses are virtual addresses, not section offsets
  bool has_files_ = false;
  std::multimap<std::string, Func, std::less<>> funcs_;
};

// Compares `functions` of the original object `orig` (named `objname` in
// messages) with their copies in `parent`. One message per function that
// does not reproduce; empty when all do.
std::vector<std::string> verify_functions(const Object& orig, const std::string& objname,
                                          const std::vector<std::string>& functions, const ParentBinary& parent);

// Where the original function at `value` (`size` bytes) in `sec` first
// differs from `parent`, its copy in the binary, as an offset into the
// original; nullopt when they match with relocated fields, the ftrace site,
// relaxed jumps and static branches at `jump_sites` (offsets in `sec`,
// sorted: jump_label_sites()) that the binary holds as NOPs allowed for
// (see verify.cpp).
std::optional<uint64_t> first_difference(const Section& sec, uint64_t value, uint64_t size,
                                         std::span<const std::byte> parent,
                                         const std::vector<uint64_t>& jump_sites = {});
// The code addresses in `sec` of `obj`'s __jump_table entries, sorted.
std::vector<uint64_t> jump_label_sites(const Object& obj, const Section& sec);

// The module's file as the distribution ships it (module names use '_' for
// '-'), if the kernel cache has it: NAME.ko, or NAME.ko.xz/.zst/.gz (read
// it through module_elf(), kernel_files.h); a plain .ko is preferred. The
// --oot-module's name gives the .ko the user gave.
std::optional<fs::path> shipped_module(const BuildCtx& ctx, const std::string& module);
// "module 'NAME': no NAME.ko (nor .ko.xz, .ko.zst, .ko.gz) in DIR".
std::string no_module_message(const BuildCtx& ctx, const std::string& module);

}  // namespace kp
