// DEB packages: the control data checked with libdpkg (package name,
// versions), the package tree staged by us, and dpkg-deb given only that
// tree (it never sees user text anywhere but in the files we wrote).
#pragma once

#include <filesystem>
#include <string>

#include "package/patch.h"
#include "package/settings.h"
#include "sys/process.h"

namespace kp::pkg {

namespace fs = std::filesystem;

// "Depends: kpatch (>= V), linux-image-REL".
std::string deb_depends(const Patch& p, const Settings& s);

// DEBIAN/control of the binary package; `installed_kib` as dpkg counts it.
std::string deb_control(const Patch& p, const Settings& s, uint64_t installed_kib);

// debian/control of the source package.
std::string dsc_control(const Patch& p, const Settings& s);

// debian/changelog (plain text) of version V-1.
std::string deb_changelog(const Patch& p, const Settings& s);

// /usr/share/doc/PKG/copyright.
std::string deb_copyright(const std::string& pkg);

// Builds the .deb of `p` in `work` and returns its path in `work`.
fs::path build_deb(Runner& run, const Patch& p, const Settings& s, const fs::path& work);

// Modes of the files the packages hold: 0644 and 0755.
inline constexpr fs::perms kFileMode =
    fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;
inline constexpr fs::perms kExecMode =
    kFileMode | fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec;

// Writes `text` to `path` with `mode`, creating parent directories.
void write_text(const fs::path& path, const std::string& text, fs::perms mode);

// Runs `cmd`; throws kp::Fatal naming `what`, the command and its output
// when it fails.
void run_checked(Runner& run, const Command& cmd, const std::string& what);

}  // namespace kp::pkg
