// Source packages for build farms: the manifest and its patches, and the
// recipe that runs kpatch-build on them and packages the module exactly as
// kpatch-package packages a prebuilt one (same names, files, scripts).
//
// The recipe is text a farm runs later (rpmbuild --rebuild, dpkg-buildpackage),
// so nothing from the manifest is pasted into it but validated names: the
// manifest is stored as manifest.yaml whatever its own name, and every patch
// keeps its path relative to the manifest's directory, which must not leave
// that directory.
#pragma once

#include <filesystem>

#include "manifest/manifest.h"
#include "package/settings.h"
#include "sys/process.h"

namespace kp::pkg {

namespace fs = std::filesystem;

enum class SourceKind { Srpm, Dsc };

// The patches of `m` relative to its directory; throws kp::Fatal naming a
// patch outside it.
std::vector<fs::path> relative_patches(const Manifest& m);

// Makes the source package of `m` in `work`/out. Returns the files made.
std::vector<fs::path> build_source_package(Runner& run, SourceKind kind, const Manifest& m, const Settings& s,
                                           const fs::path& work);

}  // namespace kp::pkg
