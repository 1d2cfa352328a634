// The compact index of a parent symbol table, made once per kernel.
//
// Problem: the differ needs a few dozen lookups in the parent's symbol table
// (is `printk` a global of vmlinux? which `show` of cmdline.c is ours, and
// what is its sympos?), but the table comes as `readelf -s --wide` text:
// 120,000 lines, 9 MB for Debian's 6.1 vmlinux. Parsing it was ~90 % of the
// differ's instructions and most of its memory on every object, and
// kpatch-build runs the differ once per changed object.
//
// Approach: the table's in-memory form (diff/parent_symtab.h: 32-byte
// records in table order, their indices sorted by name, FILE names, one
// string table) is written to a file as it is, behind a header:
//
//   header (64 bytes): magic "KPSYMIDX", version, counts, the size and
//                      mtime of the text it was made from, a checksum of
//                      everything after the header
//   ParentSym[nsyms] | uint32 by_name[nsyms] | ParentFile[nfiles] | strings
//
// Reading it is mapping it, checking the checksum and every offset, and
// pointing the table's spans into the mapping: no parsing, no allocation
// per symbol, and only the pages a lookup touches stay resident.
//
// Freshness: kpatch-build keeps the index beside the text
// (CACHE/vmlinux.symtab.idx) and reuses it only while the text has the size
// and mtime the header records and the checksum holds; otherwise it remakes
// it from the text (a stale or corrupt index is never used). The differ
// takes an index or the text as PARENT-SYMTAB, told apart by the magic, so
// the classic command line is unchanged; given an index, it refuses a
// corrupt one with a message rather than guess.
//
// Limits: the records are stored in the host's byte order (the format is
// for the cache of the machine that made it; a wrong-endian or other-version
// file fails the magic or version check and is remade).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "diff/parent_symtab.h"

namespace kp {

// The text an index was made from: its size and modification time.
struct SymtabStamp {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const SymtabStamp&) const = default;
};

std::optional<SymtabStamp> symtab_stamp(const std::string& text_path);

// Does the file start with the index's magic bytes?
bool is_symtab_index(const std::string& path);

// Maps and checks an index. Throws kp::Fatal naming the file and what is
// wrong [corrupt-symtab-index].
ParentSymtab load_symtab_index(const std::string& path, bool address_order);

// The stamp an index records, without checking the rest (nullopt: not an
// index of this version).
std::optional<SymtabStamp> symtab_index_source(const std::string& index_path);

// Writes the index of `table`, made from the text stamped `source`,
// atomically (a reader sees the old file or the whole new one).
void write_symtab_index(const ParentSymtab& table, const SymtabStamp& source, const std::string& path);

enum class IndexOutcome { Reused, Made, Remade, Unwritable };

struct IndexResult {
  std::string path;  // what to give the differ: the index, or the text when Unwritable
  IndexOutcome outcome = IndexOutcome::Reused;
  std::string why;  // Remade: what was wrong with the old index; Unwritable: the error
};

// TEXT.idx beside `text_path`: reused when fresh and intact, otherwise made
// (or remade) from the text. Throws kp::Fatal when the text itself is
// unreadable; an index that cannot be written is not an error (the text
// is used).
IndexResult ensure_symtab_index(const std::string& text_path);

}  // namespace kp
