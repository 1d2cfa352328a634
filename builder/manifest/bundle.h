// A bundle: the fixes of several manifests in one cumulative, replace-mode
// livepatch module for one kernel, the way a distribution ships one
// kpatch-patch-<kernel> package that holds every live fix for it. Each new
// bundle version lists the fixes of the one before plus the new ones; its
// module replaces the running one atomically.
//
// BUNDLE.yaml (or DIR/bundle.yaml):
//
//   id: cloud-fixes                 # the bundle's patch id
//   version: 2                      # its version: the package version
//   summary: Live fixes for ...     # optional
//   manifests: [cmdline/cmdline.yaml, meminfo/meminfo.yaml]
//
// Manifests are relative to the bundle file and applied in the order
// given. The combined manifest has the bundle's id and version, every
// part's patches in order, the union of their CVEs and references, and
// `bundled` = "ID:VERSION" of each part (the module's kpatch_bundle).
#pragma once

#include <filesystem>
#include <string>

#include "manifest/manifest.h"

namespace kp {

// Reads the bundle at `path` (a file, or a directory holding bundle.yaml)
// for `release` (empty: the kernels every part lists). Throws kp::Fatal
// naming FILE:LINE:COL, or the part's manifest that does not list the
// kernel, or two parts of the same id.
Manifest load_bundle(const std::filesystem::path& path, const std::string& release);

}  // namespace kp
