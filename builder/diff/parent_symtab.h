// The parent's symbol table: `readelf -s --wide` text, or its compact index.
//
// Livepatch finds a local symbol of the running kernel by name and position:
// `sympos` is the 1-based rank of the symbol among all symbols of that name,
// in the order kallsyms walks them (address order for vmlinux, symbol table
// order for a module). Static functions share names across files (there are
// dozens of `show` in vmlinux), so the differ first finds the right file: the
// FILE symbol block whose name is the object's source file and whose locals
// include the object's own locals. Then a local's position is counted over the
// whole table.
//
// The table is held in one compact form whether it came from text or from an
// index (diff/symtab_index.h): fixed-size records, one string table, and the
// records' indices sorted by name, so that a lookup is a binary search and an
// index file is used where it lies, without parsing. vmlinux.symtab is some
// 120,000 lines (9 MB of text); parsing it was most of the differ's time and
// memory on every object.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kp {

enum class SymType : uint8_t { NoType, Func, Object, File, Section, Tls, Other };
enum class SymBind : uint8_t { Local, Global, Weak, Other };

// One symbol, as held in memory and as stored in the index file.
struct ParentSym {
  uint64_t value = 0;
  uint64_t size = 0;
  uint32_t name_off = 0;  // in the string table
  uint32_t name_len = 0;
  uint32_t file = 0;  // index of the FILE block it belongs to (0: none)
  SymType type = SymType::NoType;
  SymBind bind = SymBind::Local;
  uint8_t defined = 0;
  uint8_t reserved = 0;
};
static_assert(sizeof(ParentSym) == 32, "the index stores ParentSym records as they are");

// A FILE symbol's name.
struct ParentFile {
  uint32_t name_off = 0;
  uint32_t name_len = 0;
};
static_assert(sizeof(ParentFile) == 8);

// The arrays of a table, wherever they live (its own vectors, or an index
// file mapped into memory). Record order is table order.
struct SymtabArrays {
  std::span<const ParentSym> syms;
  std::span<const uint32_t> by_name;  // indices into syms, sorted by (name, table order)
  std::span<const ParentFile> files;  // [0] is "no file"
  std::string_view strings;
};

class ParentSymtab {
 public:
  // A `readelf -s --wide` text or an index (told apart by the index's magic
  // bytes). Throws kp::Fatal naming the file (and line, for text) for
  // unreadable input, and a corrupt index.
  static ParentSymtab parse_file(const std::string& path, bool address_order);
  static ParentSymtab parse(const std::string& name, const std::string& text, bool address_order);
  // A table over arrays that `storage` keeps alive (the index reader's).
  static ParentSymtab adopt(const std::string& name, std::shared_ptr<const void> storage, SymtabArrays arrays,
                            bool address_order);

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
  size_t size() const { return a_.syms.size(); }
  const SymtabArrays& arrays() const { return a_; }

 private:
  std::string_view name_of(const ParentSym& s) const { return a_.strings.substr(s.name_off, s.name_len); }
  std::span<const uint32_t> named(std::string_view name) const;  // by_name's run of `name`

  std::string path_;
  std::shared_ptr<const void> storage_;
  bool address_order_ = true;
  SymtabArrays a_;
};

}  // namespace kp
