// The parent's symbol table, as printed by `readelf -s --wide`.
//
// Livepatch finds a local symbol of the running kernel by name and position:
// `sympos` is the 1-based rank of the symbol among all symbols of that name,
// in the order kallsyms walks them (address order for vmlinux, symbol table
// order for a module). Static functions share names across files (there are
// dozens of `show` in vmlinux), so the differ first finds the right file: the
// FILE symbol block whose name is the object's source file and whose locals
// include the object's own locals. Then a local's position is counted over the
// whole table.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kp {

// The text fields are views into the symtab text, which the ParentSymtab
// keeps (shared by its copies).
struct ParentSym {
  std::string_view name;
  uint64_t value = 0;
  uint64_t size = 0;
  std::string_view type;  // FUNC, OBJECT, NOTYPE, FILE, SECTION, TLS
  std::string_view bind;  // LOCAL, GLOBAL, WEAK
  bool defined = false;
  size_t order = 0;  // position in the table
  size_t file = 0;   // index of the FILE block it belongs to (0: none)
};

class ParentSymtab {
 public:
  // Throws kp::Fatal naming the file and line for unreadable input.
  static ParentSymtab parse_file(const std::string& path, bool address_order);
  static ParentSymtab parse(const std::string& name, const std::string& text, bool address_order);

  // The FILE blocks named `source` (e.g. "cmdline.c") whose locals contain
  // every name in `locals`. Block ids are 1-based.
  std::vector<size_t> find_file_blocks(const std::string& source, const std::vector<std::string>& locals) const;
  // Position of the local `name` in block `file`: 1-based among same-named
  // symbols in kallsyms order. nullopt if the block has no such local.
  std::optional<uint32_t> local_sympos(size_t file, const std::string& name) const;
  // A defined global (or weak) symbol of this name?
  bool defines_global(const std::string& name) const;
  // Listed only as undefined (the parent imports it)?
  bool imports(const std::string& name) const;
  const std::string& path() const { return path_; }
  size_t size() const { return syms_.size(); }

 private:
  static ParentSymtab parse_text(const std::string& name, std::shared_ptr<const std::string> text, bool address_order);

  std::string path_;
  std::shared_ptr<const std::string> text_;
  bool address_order_ = true;
  std::vector<ParentSym> syms_;
  std::vector<std::string> files_;                             // 1-based: files_[0] unused
  std::unordered_multimap<std::string_view, size_t> by_name_;  // name -> index in syms_
};

}  // namespace kp
