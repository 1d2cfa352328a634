// What a module name and a kernel release may be. Both come from places an
// attacker can fill (a module's .modinfo, the command line, a package's
// scripts) and both become parts of paths: /var/lib/kpatch/RELEASE/NAME.ko,
// /sys/kernel/livepatch/NAME/enabled, /sys/module/NAME. A name like
// "../../../tmp/x" must never get that far, so every name and release is
// checked here before it is joined into a path.
//
// The naming rules of patch modules live here too, for kpatch-build, the
// packaging tool and the manager alike.
//
// A module name is what kpatch-build makes of a manifest id ("kpatch_" +
// [a-z0-9_], docs/kpatch-build.md), bounded by the kernel's MODULE_NAME_LEN.
// A release is conservative: what distributions put in `uname -r`
// ("6.1.0-56-cloud-amd64", "4.18.0-513.5.1.el8_9.x86_64", "6.6.1+"), starting
// with a letter or digit, so never "", ".", ".." or anything with a "/".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kp {

inline constexpr std::size_t kMaxModuleName = 55;  // MODULE_NAME_LEN - 1 on 64-bit
inline constexpr std::size_t kMaxRelease = 64;     // struct utsname's release, without the NUL

// The differ's name for a reference that livepatch applies with the
// patched module P but resolves in another module M (an export of M):
// `.klp.sym.P.M:NAME,0`; module/klp_convert.cpp makes it a .klp.rela.P
// relocation against `.klp.sym.M.NAME,0`. No object or symbol name holds
// a ':'.
inline constexpr char kKlpOtherObject = ':';

// For messages: what a valid value looks like.
inline constexpr const char* kModuleNameRule = "a module name is 1 to 55 of a-z, 0-9 and _";
inline constexpr const char* kReleaseRule =
    "a kernel release is 1 to 64 of A-Z, a-z, 0-9 and . _ + ~ -, starting with a letter or digit";

bool valid_module_name(std::string_view s);
bool valid_release(std::string_view s);

// A kernel selector (a manifest's kernels: entry, --kernel) is an exact
// release or a pattern over the releases the archive has: shell-style '*'
// and '?' among a release's characters ("6.1.0-*-cloud-amd64"), "latest"
// (the newest release of each flavour) or "latest:PATTERN" (the newest of
// each flavour among those PATTERN matches). Resolved by kpatch-build
// (pipeline/kernels.h).
inline constexpr const char* kKernelSelectorRule =
    "a kernel release (like 6.1.0-56-cloud-amd64), a pattern over releases with * and ? "
    "(like 6.1.0-*-cloud-amd64), latest, or latest:PATTERN";
bool is_kernel_pattern(std::string_view s);
bool valid_kernel_pattern(std::string_view s);

// The kernel's name for a module file name: Kbuild turns '-' into '_'.
std::string kbuild_module_name(std::string_view file_name);

// The module kpatch-build makes for patch `id` at `version`: the id in
// Kbuild form, "kpatch_" in front unless it is there, and "_v<version>"
// from version 2 on (during an atomic replace the old and the new version
// are loaded side by side, so their names must differ).
std::string patch_module_name(std::string_view id, unsigned version);

// The module name of version 1 of the same patch: `module` without its
// "_v<version>" suffix (what package scripts compare versions by).
std::string base_module_name(std::string_view module, unsigned version);

}  // namespace kp
