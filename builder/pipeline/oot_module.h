// Out-of-tree module patches (--oot-module FILE.ko --oot-module-src DIR),
// as classic kpatch-build takes them. See oot_module.cpp.
#pragma once

#include <filesystem>
#include <string>

#include "pipeline/context.h"

namespace kp {

// What the built module says of itself: its module name (.modinfo name=,
// the livepatch object the patch names) and its vermagic.
struct OotModuleInfo {
  std::string name, vermagic;
};

// Reads `ko`. Throws kp::Fatal "--oot-module FILE: ..." when it is missing,
// compressed, not an ELF file, or not a kernel module (.modinfo without
// name= or vermagic=).
OotModuleInfo read_oot_module(const fs::path& ko);
// Throws kp::Fatal "--oot-module-src DIR: ..." when DIR is not a directory
// with a Kbuild or Makefile.
void check_oot_source(const fs::path& dir);
// The release a vermagic starts with ("6.1.0-56-cloud-amd64 SMP ..." ->
// "6.1.0-56-cloud-amd64").
std::string vermagic_release(const std::string& vermagic);

// Whether a file of a module source directory is something Kbuild made
// (objects, .cmd files, the .ko, modules.order, Module.symvers, ...): the
// private copy leaves them behind, so every object is compiled there with
// the live-patch flags.
bool is_kbuild_product(const std::string& filename);

// The build's stages for the module (ctx.oot set from ctx.cfg):
// its vermagic is the target kernel's, else BuildError naming the .ko
// (kernel ready); the private copy of its source dir (private tree ready).
void check_oot_module(BuildCtx& ctx);
void copy_oot_source(BuildCtx& ctx);
// `readelf -s` of the given .ko, in the work dir (the differ's parent
// symbol table for the module).
fs::path oot_module_symtab(BuildCtx& ctx);

}  // namespace kp
