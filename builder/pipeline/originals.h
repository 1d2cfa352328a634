// The per-kernel cache of original objects (originals.cpp explains).
#pragma once

#include <string>

#include "pipeline/context.h"

namespace kp {

enum class CacheLookup { Hit, Miss, Stale, Corrupt };

struct CachedOriginal {
  std::string object;    // the .o bytes
  std::string cmd_text;  // Kbuild's .cmd of it
};

// The names and contents of the kpatch include dir's files, as one digest.
std::string kmod_digest(const fs::path& dir);

// The first line of `CC --version`, asked once per build.
const std::string& compiler_version(BuildCtx& ctx);

// CACHE/originals, or empty when the target has no cache (-s) or the
// build is for an out-of-tree module (--oot-module).
fs::path originals_dir(const BuildCtx& ctx);

// What an original object of `object` is compiled with, as the entry's key.
std::string original_key(BuildCtx& ctx, const std::string& object);

// Looks `object` up; fills `out` on a hit.
CacheLookup find_original(BuildCtx& ctx, const std::string& object, CachedOriginal& out);

// Stores the freshly compiled `built` (and its .cmd text) for `object`,
// replacing a stale or corrupt entry. Returns "" or a warning.
std::string store_original(BuildCtx& ctx, const std::string& object, const fs::path& built,
                           const std::string& cmd_text);

}  // namespace kp
