#include "diff/kernel_data.h"

#include <elf.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include "elf/object.h"
#include "support/diag.h"

namespace kp {

namespace {

// Sorted by name. Sizes are x86-64 Linux 6.1, then those of other kernels
// (0: none):
//   __bug_table       struct bug_entry (relative pointers): disp, file, line,
//                     flags; 8 bytes without CONFIG_DEBUG_BUGVERBOSE
//   __jump_table      struct jump_entry: code, target, key, relative
//                     (.long, .long, .quad); 24 bytes of absolute .quads
//                     before relative jump labels (x86-64 before 5.3)
//   .altinstructions  struct alt_instr: instr, repl, cpuid, lens; 14 bytes
//                     since 6.3 (u32 ft_flags); 13 bytes with a padlen
//                     byte (4.x to 5.x)
//   __ex_table        struct exception_table_entry: insn, fixup, data (a
//                     handler since 4.6, a type since 5.16); 8 bytes
//                     before 4.6 (insn, fixup)
//   .static_call_sites struct static_call_site: addr, key
//   .parainstructions struct paravirt_patch_site: instr, type, len
//   .orc_unwind_ip    s32 per ORC entry; its parallel .orc_unwind holds the
//                     6-byte struct orc_entry, whose size ORC_STRUCT_SIZE is
//   .printk_index     a pointer to a struct pi_entry
//   .discard.func_stack_frame_non_standard  a function pointer
//   .discard.retpoline_safe, .discard.ibt_endbr_noseal  an _ASM_PTR (8);
//                     a .long (4) in 6.12
//   site lists        one s32 each
constexpr std::array<SpecialSection, 20> kSpecial{{
    {".altinstructions", {12}, {{{14}, {13}}}, "ALT_STRUCT_SIZE", 0, {}},
    {".call_sites", {4}, {}, "", 0, {}},
    {".discard.func_stack_frame_non_standard", {8}, {}, "", 0, {}},
    {".discard.ibt_endbr_noseal", {8, KeyForm::Absolute}, {{{4}}}, "", 0, {}},
    {".discard.instr_begin", {4}, {}, "", 0, {}},
    {".discard.instr_end", {4}, {}, "", 0, {}},
    {".discard.reachable", {4}, {}, "", 0, {}},
    {".discard.retpoline_safe", {8, KeyForm::Absolute}, {{{4}}}, "", 0, {}},
    {".discard.unreachable", {4}, {}, "", 0, {}},
    {".orc_unwind_ip", {4}, {}, "", 0, {".orc_unwind", 6, "ORC_STRUCT_SIZE"}},
    {".parainstructions", {16}, {}, "PARA_STRUCT_SIZE", 0, {}},
    {".printk_index", {8}, {}, "PRINTK_INDEX_STRUCT_SIZE", 0, {}},
    {".retpoline_sites", {4}, {}, "", 0, {}},
    {".return_sites", {4}, {}, "", 0, {}},
    {".smp_locks", {4}, {}, "", 0, {}},
    {".static_call_sites", {8}, {}, "STATIC_CALL_STRUCT_SIZE", 0, {}},
    {"__bug_table", {12}, {{{8}}}, "BUG_STRUCT_SIZE", 0, {}},
    {"__ex_table", {12}, {{{8}}}, "EX_STRUCT_SIZE", 0, {}},
    {"__jump_table", {16, KeyForm::Relative}, {{{24, KeyForm::Absolute}}}, "JUMP_STRUCT_SIZE", 0, {}},
    {"__tracepoints_ptrs", {4}, {}, "", 0, {}},
}};

constexpr std::array<std::string_view, 12> kSpecialStaticPrefixes{
    "__already_done", "__func__", "__key",  "__print_once", "__warned",     "_entry",
    "_entry_ptr",     "_rs",      "CSWTCH", "descriptor",   "__UNIQUE_ID_", "__msg"};

constexpr std::array<std::string_view, 16> kLineCallees{
    "__might_sleep",           "__might_resched",   "__might_fault", "__warn_printk",
    "__WARN_printf",           "_printk",           "printk",        "lockdep_rcu_suspicious",
    "__dynamic_pr_debug",      "__dynamic_dev_dbg", "__cant_sleep",  "__cant_migrate",
    "__might_sleep_precision", "warn_slowpath_fmt", "__warn",        "lockdep_init_map_type"};

}  // namespace

const SpecialSection* find_special(std::string_view name) {
  auto it = std::lower_bound(kSpecial.begin(), kSpecial.end(), name,
                             [](const SpecialSection& s, std::string_view n) { return s.name < n; });
  return it != kSpecial.end() && it->name == name ? &*it : nullptr;
}

bool is_prefix_symbol(std::string_view name) {
  return name.starts_with("__pfx_") || name.starts_with("__cfi_");
}

std::optional<std::string> static_call_key_of(std::string_view trampoline) {
  constexpr std::string_view tramp = "__SCT__", key = "__SCK__";  // STATIC_CALL_{TRAMP,KEY}_PREFIX
  if (!trampoline.starts_with(tramp) || trampoline.size() == tramp.size()) return std::nullopt;
  return std::string(key) + std::string(trampoline.substr(tramp.size()));
}

bool is_patchable_entries_section(std::string_view name) {
  return name == "__patchable_function_entries";
}

bool is_mcount_section(std::string_view name) {
  return name == "__mcount_loc";
}

bool is_ignored_section(const Section& sec) {
  std::string_view n = sec.name;
  if (sec.index == 0) return true;
  switch (sec.sh.sh_type) {
    case SHT_SYMTAB:
    case SHT_STRTAB:
    case SHT_RELA:
    case SHT_REL:
    case SHT_GROUP:
    case SHT_NOTE: return true;
    default: break;
  }
  return n.starts_with(".debug") || n.starts_with(".comment") || n == ".note.GNU-stack" || n.starts_with(".BTF") ||
         n.starts_with(".llvm");
}

bool is_fixup_section(const Section& sec) {
  return sec.name == ".fixup" && sec.is_exec();
}

bool is_init_or_exit(std::string_view n) {
  return n.starts_with(".init.") || n.starts_with(".exit.") || n == ".init.text" || n == ".exit.text";
}

bool is_special_static(const Symbol& sym) {
  if (!sym.is_local() || !(sym.is_object() || sym.type() == STT_NOTYPE)) return false;
  std::string_view var = static_var_name(sym.name);
  for (std::string_view p : kSpecialStaticPrefixes) {
    if (p.back() == '_' ? var.starts_with(p) : var == p) return true;
  }
  return false;
}

std::string_view special_static_key(std::string_view name) {
  std::string_view base = static_base(name);
  if (static_var_name(name).starts_with("__UNIQUE_ID_"))
    while (!base.empty() && std::isdigit(static_cast<unsigned char>(base.back()))) base.remove_suffix(1);
  return base;
}

std::string_view static_var_name(std::string_view name) {
  std::string_view base = static_base(name);
  size_t dot = base.find('.');
  return dot != std::string_view::npos && dot > 0 && dot + 1 < base.size() ? base.substr(dot + 1) : base;
}

std::string normal_name(std::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size();) {
    if (name[i] == '.' && i + 1 < name.size() && std::isdigit(static_cast<unsigned char>(name[i + 1]))) {
      size_t j = i + 1;
      while (j < name.size() && std::isdigit(static_cast<unsigned char>(name[j]))) ++j;
      if (j == name.size() || name[j] == '.') {
        out += ".N";
        i = j;
        continue;
      }
    }
    out += name[i++];
  }
  return out;
}

std::string_view static_base(std::string_view name) {
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot + 1 == name.size() || dot == 0) return name;
  for (size_t i = dot + 1; i < name.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) return name;
  return name.substr(0, dot);
}

bool is_numbered_static(const Symbol& sym) {
  return sym.is_local() && sym.is_object() && static_base(sym.name) != sym.name;
}

bool is_static_local(const Symbol& sym) {
  return is_numbered_static(sym) || (sym.is_local() && sym.is_object() && static_var_name(sym.name) != sym.name);
}

std::optional<std::string> split_parent_name(std::string_view name) {
  for (std::string_view marker : {".cold", ".part."}) {
    size_t pos = name.find(marker);
    if (pos != std::string_view::npos && pos > 0) return std::string(name.substr(0, pos));
  }
  return std::nullopt;
}

bool is_cold_piece(std::string_view name) {
  size_t pos = name.find(".cold");
  if (pos == std::string_view::npos) return false;
  std::string_view rest = name.substr(pos + 5);
  return rest.empty() || rest[0] == '.';
}

bool takes_line_argument(std::string_view callee) {
  return std::find(kLineCallees.begin(), kLineCallees.end(), callee) != kLineCallees.end();
}

std::span<const SpecialSection> special_sections() {
  return kSpecial;
}

unsigned reloc_width(uint32_t type) {
  switch (type) {
    case R_X86_64_64:
    case R_X86_64_PC64:
    case R_X86_64_GOTOFF64: return 8;
    case R_X86_64_PC32:
    case R_X86_64_PLT32:
    case R_X86_64_32:
    case R_X86_64_32S:
    case R_X86_64_GOTPCREL:
    case R_X86_64_GOTPCRELX:
    case R_X86_64_REX_GOTPCRELX: return 4;
    case R_X86_64_16:
    case R_X86_64_PC16: return 2;
    case R_X86_64_8:
    case R_X86_64_PC8: return 1;
    default: return 0;
  }
}

bool reloc_is_pc_relative(uint32_t type) {
  return type == R_X86_64_PC32 || type == R_X86_64_PLT32 || type == R_X86_64_PC64 || type == R_X86_64_PC16 ||
         type == R_X86_64_PC8 || type == R_X86_64_GOTPCREL || type == R_X86_64_GOTPCRELX ||
         type == R_X86_64_REX_GOTPCRELX;
}

}  // namespace kp
