// The .modinfo fields of a patch module: kpatch-build writes them
// (pipeline/module.cpp), kpatch-package (package/patch.cpp) and the
// manager (cli/) read them back, all with these spellings. Lists (CVEs,
// patches, functions, bundle parts) are joined with kListSeparator.
// docs/kpatch-build.md "Metadata in the module" describes each field.
#pragma once

namespace kp::patch_info {

inline constexpr const char* kId = "kpatch_id";
inline constexpr const char* kVersion = "kpatch_version";
inline constexpr const char* kSummary = "kpatch_summary";
inline constexpr const char* kCves = "kpatch_cves";
inline constexpr const char* kKernel = "kpatch_kernel";
inline constexpr const char* kBuildId = "kpatch_build_id";
inline constexpr const char* kReplace = "kpatch_replace";
inline constexpr const char* kPatches = "kpatch_patches";
inline constexpr const char* kFunctions = "kpatch_functions";
inline constexpr const char* kBuilt = "kpatch_built";
inline constexpr const char* kBundle = "kpatch_bundle";
// Every field starts with it (info hides them from the "modinfo" part).
inline constexpr const char* kPrefix = "kpatch_";
inline constexpr char kListSeparator = ',';

}  // namespace kp::patch_info
