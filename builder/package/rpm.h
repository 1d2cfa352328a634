// RPM packages through librpmbuild and librpm, in process.
//
// The spec is assembled in memory from validated identity fields and text
// escaped by package/text.h (so rpmbuild's macro expansion gives back the
// literal text), written into the run's private work dir and parsed and
// built by rpmSpecParse/rpmSpecBuild. Every package made is then read back
// with rpmReadPackageFile and compared field by field (name, version,
// summary, description, Provides, Requires, scriptlets, file list) with
// what was meant; a difference is an error, not a package.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "package/patch.h"
#include "package/settings.h"

namespace kp::pkg {

namespace fs = std::filesystem;

// What a spec means, for rendering and for checking the package built
// from it.
struct RpmIntent {
  std::string name, version, release = "1", summary, description;
  std::vector<std::string> provides, requires_;                 // "NAME = V", "NAME >= V"
  std::vector<std::pair<std::string, std::string>> scriptlets;  // RPMTAG name -> body
  std::vector<std::string> files;                               // absolute paths, sorted
};

RpmIntent rpm_intent(const Patch& p, const Settings& s);

// The spec of a binary package whose payload is staged under `staging`.
std::string binary_spec(const Patch& p, const Settings& s, const fs::path& staging);

// The spec of a source package: Source0 `tarball`, built by kpatch-build
// from manifest.yaml inside it.
std::string source_spec(const Patch& p, const Settings& s, const std::string& tarball);

// Builds `spec` (a file) under `topdir`: the binary package, or the source
// package with sources from `sourcedir`. Returns the package made. Throws
// kp::Fatal with rpmbuild's messages on failure.
fs::path rpmbuild(const fs::path& spec, const fs::path& topdir, const fs::path& sourcedir, bool source);

// Reads `package` back and compares it with `want` (files are not compared
// for source packages: pass an empty list). Throws kp::Fatal naming the
// package and the field.
void verify_rpm(const fs::path& package, const RpmIntent& want);

}  // namespace kp::pkg
