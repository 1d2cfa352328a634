// The module link's compiled objects, kept per kernel and reused when
// every input is the same (module_objects.cpp explains).
#pragma once

#include <map>
#include <string>

#include "pipeline/context.h"
#include "pipeline/originals.h"

namespace kp {

// Digests ("SIZE FNV") of the input files read so far in one link, by
// path: the objects of a link include mostly the same headers.
using InputDigests = std::map<std::string, std::string>;

// CACHE/module-objects, or empty when the target has no cache (-s).
fs::path module_objects_dir(const BuildCtx& ctx);

// The entry for the compile `command` (run in the tree, writing `out` in
// the module dir `dir`): Hit (and `out` written) when it was compiled
// before with the same command and compiler from inputs that all still
// have the recorded contents; Miss when it was not, or when it cannot be
// told (a command without a dependency file, a patch that adds files);
// Stale when an input differs; Corrupt when the stored object is damaged.
CacheLookup reuse_module_object(BuildCtx& ctx, const std::string& command, const fs::path& dir, const fs::path& out,
                                InputDigests& digests);

// Keeps `out`, just compiled by `command`, with the inputs its dependency
// file lists. "" or a warning (a cache that cannot be written).
std::string keep_module_object(BuildCtx& ctx, const std::string& command, const fs::path& dir, const fs::path& out,
                               InputDigests& digests);

}  // namespace kp
