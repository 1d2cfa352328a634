// What the differ knows about the kernel, as data plus named predicates.
//
// Special sections are tables whose entries point into functions (bug
// entries, jump labels, alternatives, exception fixups, ORC, call-site lists).
// The differ keeps only the entries that belong to functions in the patch, so
// it must know each table's entry size and which relocation in an entry names
// the function. Entry sizes change between kernel versions (alt_instr is 12
// bytes in 6.1 and 14 in 6.12): the table gives the known layouts and
// kpatch's size variable for each; entry_size.cpp checks them against the
// section's own evidence.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace kp {

struct Object;
struct Section;
struct Symbol;

// A table parallel to a special section, entry i describing entry i of it
// (.orc_unwind beside .orc_unwind_ip). It has no relocations of its own.
struct PairedTable {
  std::string_view name;  // empty: none
  uint32_t default_size = 0;
  std::string_view env;  // kpatch's size variable for its entries
};

// How the key field of an entry names its code site: `.long site - .`
// (relative) or `.quad site` (absolute: a 64-bit pointer). Only where
// layouts of the same table differ in it (struct jump_entry; the objtool
// annotations, `.quad` in 6.1 and `.long` in 6.12) does the form tell them
// apart.
enum class KeyForm : uint8_t { Any, Relative, Absolute };

// One kernel's layout of a table's entries.
struct Layout {
  uint32_t size = 0;  // 0: none
  KeyForm key = KeyForm::Any;
};

struct SpecialSection {
  std::string_view name;
  Layout layout;                 // x86-64, Linux 6.1
  std::array<Layout, 2> others;  // layouts of other kernels
  std::string_view env;          // kpatch's size variable, may be empty
  uint32_t key_offset;           // offset of the relocation naming the code site
  PairedTable paired;
};

// The sorted table of special sections, or null for an ordinary section.
const SpecialSection* find_special(std::string_view section_name);
// Sections the differ regenerates rather than copies.
bool is_mcount_section(std::string_view section_name);
// Sections never copied to the output (debug info, notes, comments, the
// input's own relocation and symbol tables).
bool is_ignored_section(const Section& sec);
// .fixup of kernels before 5.17: exception fixup code, no symbols; the
// __ex_table entries point into it (include_changes.cpp).
bool is_fixup_section(const Section& sec);
// .init.text / .exit.text and their data: run once, never patchable.
bool is_init_or_exit(std::string_view section_name);

// Statics that hold per-site state created by kernel macros (lockdep keys,
// ratelimit state, once-flags, dynamic-debug descriptors, printk index
// entries). They are never correlated: an included function gets a fresh
// copy, and their renumbering never counts as a change.
bool is_special_static(const Symbol& sym);
// What stays the same when the compiler renumbers a special static:
// "__key.12" -> "__key", "__UNIQUE_ID_ddebug415" -> "__UNIQUE_ID_ddebug",
// clang's "debug_a.__UNIQUE_ID_ddebug0" -> "debug_a.__UNIQUE_ID_ddebug".
std::string_view special_static_key(std::string_view name);
// The variable's own name in a compiler's name for a static local: gcc's
// "__key.12" -> "__key"; clang's "function.variable", "setup_a.__key" ->
// "__key", and "once_b.__already_done.2" -> "__already_done".
std::string_view static_var_name(std::string_view name);
// "foo.123" -> "foo"; "foo.isra.0" -> "foo.isra.N"-style normal form used
// to correlate compiler-renamed symbols: every ".<digits>" becomes ".N".
std::string normal_name(std::string_view name);
// The name without a trailing ".<digits>", for static locals.
std::string_view static_base(std::string_view name);
bool is_numbered_static(const Symbol& sym);
// A function's static variable, as gcc ("seen.0") or clang ("observe.seen")
// names it.
bool is_static_local(const Symbol& sym);
// foo.cold / foo.part.N pieces and the function they were split from.
std::optional<std::string> split_parent_name(std::string_view name);
bool is_cold_piece(std::string_view name);
// The padding symbol objtool puts before a function with
// CONFIG_PREFIX_SYMBOLS ("__pfx_foo" for foo), or clang's kCFI type hash
// ("__cfi_foo"): part of the function, never a function to patch.
bool is_prefix_symbol(std::string_view name);
// The key of a static call trampoline ("__SCK__foo" for "__SCT__foo"),
// nullopt for any other name.
std::optional<std::string> static_call_key_of(std::string_view trampoline);
// The section gcc's -fpatchable-function-entry=N,M records the padding of
// each function in (CONFIG_CALL_PADDING: 16 NOPs before every function).
bool is_patchable_entries_section(std::string_view name);

// Functions a __LINE__ argument flows into (might_sleep, WARN, printk, ...).
bool takes_line_argument(std::string_view callee);

// Every entry of the table, for the checks of the size variables.
std::span<const SpecialSection> special_sections();

// Width in bytes of the field a relocation type patches, or 0 if unknown.
unsigned reloc_width(uint32_t type);
bool reloc_is_pc_relative(uint32_t type);

}  // namespace kp
