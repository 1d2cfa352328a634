// A patch manifest: what a security team writes under specs/ to describe
// one live patch. Parsed from YAML into typed fields in one place; every
// error names file:line:col and quotes the offending line.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace kp {

struct Manifest {
  std::filesystem::path path;  // the manifest file
  std::string id;              // [a-z0-9_-]+
  std::string summary;
  std::string description;
  std::vector<std::string> cves;
  std::vector<std::string> references;
  std::vector<std::filesystem::path> patches;  // resolved against the manifest's directory
  std::vector<std::string> kernels;
  unsigned version = 1;
  bool replace = true;
  // A bundle's parts, "ID:VERSION" each (manifest/bundle.h); empty for a
  // plain manifest.
  std::vector<std::string> bundled;
  // The classic command line names the module itself (-n NAME, default
  // livepatch-<patch>); used as given for the .ko file, as Kbuild does.
  std::string module_file_name;

  // The kernel module name: patch_module_name() of common/names.h (the
  // rule kpatch-package and kpatch share). The classic form's
  // module_file_name wins when set.
  std::string module_name() const;
};

// Why `p` cannot be a patch file ("not found", "is a directory, not a
// patch file", "is not a regular file"), or nullopt if it can.
std::optional<std::string> patch_file_problem(const std::filesystem::path& p);
// The classic command line's PATCH arguments: throws kp::Fatal
// "PATCH: error: patch file is a directory, not a patch file" etc.
void check_patch_files(const std::vector<std::filesystem::path>& patches);

// Reads and validates a manifest. Throws kp::Fatal with
// "FILE:LINE:COL: error: MESSAGE" followed by the offending line.
Manifest load_manifest(const std::filesystem::path& file);
Manifest parse_manifest(const std::filesystem::path& file, const std::string& text);

// The manifest of the classic command line (`kpatch-build [-n NAME]
// PATCH...`), named as the classic tool names its modules: NAME.ko, else
// livepatch-<first patch's stem>.ko, characters Kbuild cannot take in a
// module name turned into '-'; the id is the module name. Throws kp::Fatal
// for a name over 55 characters.
Manifest classic_manifest(const std::string& name, const std::vector<std::filesystem::path>& patches,
                          const std::string& release);

}  // namespace kp
