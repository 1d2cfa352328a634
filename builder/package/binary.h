// Binary packages from kpatch-build output: each input dir holds MODULE.ko
// and MODULE.json (or per-release subdirs of them); one .deb and/or one
// .rpm per module, each read back and checked before it counts as made.
#pragma once

#include <filesystem>
#include <vector>

#include "package/settings.h"
#include "sys/process.h"

namespace kp::pkg {

namespace fs = std::filesystem;

// The modules of the input dirs, in a stable order. Throws kp::Fatal for an
// input that is not a directory or holds no module.
std::vector<fs::path> find_modules(const std::vector<fs::path>& dirs);

struct Formats {
  bool deb = false, rpm = false;
};

// Builds the packages of every module into `work`/out; returns them.
std::vector<fs::path> build_binary_packages(Runner& run, const std::vector<fs::path>& dirs, Formats f,
                                            const Settings& s, const fs::path& work);

}  // namespace kp::pkg
