// What a kpatch-patch package is made from: one livepatch module's identity
// (from its .modinfo and the JSON report kpatch-build writes beside it, or
// from a manifest for source packages), validated once, here, so that every
// later writer (DEB control, RPM spec, maintainer scripts, debian/rules) only
// ever receives strings of a known, inert shape.
//
// The rule for each field is a regular expression or a character check
// below; anything else is refused with the file and the offending value
// (escaped, so that hostile bytes never reach the terminal raw).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/text.h"
#include "manifest/manifest.h"

namespace kp::pkg {

namespace fs = std::filesystem;

struct Patch {
  fs::path ko;           // the module (binary packages)
  std::string module;    // kernel module name, [a-z0-9_]
  std::string id;        // patch id, [a-z0-9_-]
  unsigned version = 1;  // patch version, the package's Version
  std::string summary;   // one line of UTF-8 text, no control characters
  std::vector<std::string> cves;
  std::string build_id;  // hex, empty when not known (source packages)
  std::string release;   // target kernel release

  std::string deb_name() const { return "kpatch-patch-" + release; }
  // RPM names cannot carry the release's dots as Debian's can.
  std::string rpm_name() const;
  // Module name of version 1 of the same id (the module without its _vN
  // suffix): the maintainer scripts tell versions of one patch apart by it.
  std::string base_module() const;
};

// The module's identity from KO's .modinfo, checked against KO's JSON
// report (KO with .json). Throws kp::Fatal naming the file at fault.
Patch read_built_module(const fs::path& ko);

// A manifest's identity for a source package of its single kernel.
Patch patch_from_manifest(const Manifest& m);

// Throws kp::Fatal ("WHERE: bad FIELD 'VALUE'") unless every field of `p`
// has its shape. read_built_module and patch_from_manifest call it.
void validate(const Patch& p, const std::string& where);

// Shapes shared with the other writers.
bool is_module_name(const std::string& s);
bool is_kernel_release(const std::string& s);
bool is_cve_id(const std::string& s);
// Why `text` cannot be a one-line package text (summary, maintainer), or "".
std::string text_line_error(const std::string& text);

// For messages: common/text.h's rule.
using kp::printable;

}  // namespace kp::pkg
