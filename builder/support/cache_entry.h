// Entries of kpatch-build's on-disk caches (the originals, the module
// link's objects): a directory of named files that appears whole or not
// at all, and the checksum that tells a whole file from a damaged one.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kp {

// FNV-1a 64 of `data` as 16 hex digits: a checksum against damage, not
// against an adversary (the cache is the user's own directory).
std::string fnv1a_hex(std::string_view data);

// "SIZE FNV\n": what an entry records of a file to recognise it.
std::string size_and_digest(std::string_view data);

// Writes `files` (name, contents) into a scratch directory under `root`
// and renames it to root/name, replacing an entry already there, so a
// reader sees the old entry, the new one or none. "" or why it could not.
std::string store_cache_entry(const std::filesystem::path& root, const std::string& name,
                              const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace kp
