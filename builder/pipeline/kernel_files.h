// The kernel's own files the build relies on (vmlinux, the image, the
// headers' config) checked before they are used: whole, and all of the
// one release the build is for. See kernel_files.cpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "pipeline/context.h"

namespace kp {

// Throws BuildError "PATH: truncated: ..." when the ELF file at `path`
// ends before its section headers or one of its sections does, or
// "PATH: not an ELF file" when it is not one; `advice` ends the message.
void check_whole_elf(const fs::path& path, const std::string& advice);

// The release in vmlinux's linux_banner ("" if it has none), and in a
// bzImage's header ("" if it is none).
std::string vmlinux_release(const fs::path& vmlinux);
// vmlinux's release and, with CONFIG_MODVERSIONS, the CRC of each export.
struct VmlinuxIdentity {
  std::string release;
  std::map<std::string, uint32_t> crcs;
};
VmlinuxIdentity read_vmlinux_identity(const fs::path& vmlinux);
std::string bzimage_release(const fs::path& image);

// Kernel modules as distributions ship them: NAME.ko, or compressed by
// Kbuild's modules_install (CONFIG_MODULE_COMPRESS_*) as NAME.ko.xz,
// NAME.ko.zst or NAME.ko.gz (Debian's 6.12 packages: .ko.xz).
// The module name of a module file ("binfmt_misc" for binfmt-misc.ko.xz:
// '-' is '_' in module names), nullopt for any other file.
std::optional<std::string> module_name_of_file(const std::string& filename);
// The suffix after ".ko" of a compressed module file (".xz"), "" for a
// plain .ko.
std::string module_compression(const fs::path& file);
// The ELF of a shipped module: `file` itself when it is a plain .ko, else
// the module decompressed (once per build) into the work dir with xz, zstd
// or gzip through ctx.run. Throws BuildError naming `file` when the tool is
// missing, the data does not decompress, or what comes out is not a whole
// ELF file.
fs::path module_elf(BuildCtx& ctx, const fs::path& file);

// "; the kernel cache DIR is damaged: remove ... and build again" for a
// file of the cache, "" for the user's own files (-s).
std::string damaged_cache_advice(const BuildCtx& ctx);

}  // namespace kp
