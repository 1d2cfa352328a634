// The .modinfo strings of a kernel module, read with a minimal ELF64
// reader (the manager is linked statically and needs no libelf).
#pragma once

#include <map>
#include <optional>
#include <string>

namespace kpatch {

struct ModInfo {
  std::multimap<std::string, std::string> fields;  // key -> value, in file order

  std::string get(const std::string& key) const;
  bool is_livepatch() const { return get("livepatch") == "Y"; }
  std::string name() const { return get("name"); }
  // "6.1.0-56-cloud-amd64 SMP preempt mod_unload modversions " -> release
  std::string vermagic_release() const;
  unsigned version() const;
};

// Parses `image` (a whole .ko). Returns nullopt and sets `err` if it is not
// an x86-64 ELF relocatable object with a .modinfo section.
std::optional<ModInfo> parse_modinfo(const std::string& image, std::string& err);

}  // namespace kpatch
