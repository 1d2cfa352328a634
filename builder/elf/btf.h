// Sizes of named structs from BTF, the type information the kernel embeds
// in vmlinux (.BTF, CONFIG_DEBUG_INFO_BTF). See btf.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <span>
#include <string>

namespace kp {

using StructSizes = std::map<std::string, uint32_t, std::less<>>;

// The size of each struct of `names` that the BTF blob `btf` defines
// (structs it lacks are absent). Throws kp::Fatal naming `what` when the
// blob is malformed.
StructSizes btf_struct_sizes(std::span<const std::byte> btf, const std::set<std::string, std::less<>>& names,
                             const std::string& what);

// The same, from the .BTF section of the ELF file at `path`; empty when the
// file has no .BTF.
StructSizes elf_btf_struct_sizes(const std::string& path, const std::set<std::string, std::less<>>& names);

}  // namespace kp
