// Entry sizes of special sections.
//
// The differ keeps or drops special-section entries one by one, so it must
// know where one entry ends and the next begins. The size is a fact of the
// target kernel's headers (struct alt_instr is 12 bytes in 6.1, 14 since
// 6.3), which kpatch passes in its variables: ALT_STRUCT_SIZE,
// BUG_STRUCT_SIZE, EX_STRUCT_SIZE, JUMP_STRUCT_SIZE, ORC_STRUCT_SIZE (the
// size of a .orc_unwind entry; .orc_unwind_ip entries are always an s32),
// PARA_STRUCT_SIZE, STATIC_CALL_STRUCT_SIZE, PRINTK_INDEX_STRUCT_SIZE.
//
// The object carries its own evidence: sh_entsize when the assembler set
// it, and the relocations. Every entry of a table has its relocated fields
// at the same offsets, one of them the key, so a size S fits when every
// S-byte slice of the section has a relocation at the key offset and the
// same relocated offsets as the first. Example: .altinstructions with
// relocations at 0, 4, 14, 18, 28, 32: S = 14 fits (every entry {0, 4}),
// S = 12 does not (the slice at 12 holds 14 and 18, i.e. {2, 6}).
// Where two layouts of one table slice alike, the form of the key tells
// them apart: two 24-byte absolute jump entries (.quad code, target, key)
// also slice into three 16-byte pieces, but the 16-byte layout's code
// field is `.long code - .`, a PC-relative relocation. Likewise two 6.12
// .discard.retpoline_safe entries (`.long 999b`) slice like one of 6.1
// (`.quad 999b`), whose key is a 64-bit pointer.
//
// Order: the variable, or the 6.1 default when it is unset; if that does
// not fit, the section's sh_entsize, then the layouts of other kernels. The
// evidence wins over a variable, with a warning naming both. A section no
// known size fits is an error naming the section, the sizes tried and what
// the section holds: a wrong size would keep pieces of foreign entries.
//
// The last entry may lack its tail padding: entries made by the kernel's
// assembler macros are aligned where they start (a `.balign 8` before each
// 10-byte paravirt site), so the last .parainstructions entry ends 6 bytes
// short of 16. A final partial entry is accepted when it holds every
// relocated field of an entry and lacks less than 8 bytes, the largest
// alignment on x86-64.
//
// Limit: without relocations there is no stride; the size must then divide
// the section's (an empty section fits every size).
#include "diff/entry_size.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace kp {

namespace {

constexpr uint32_t kMaxEntrySize = 4096;
constexpr uint64_t kMaxTailPadding = 8;

std::optional<uint32_t> parse_size(std::string_view v) {
  if (v.empty() || v.size() > 4 || v.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  auto n = static_cast<uint32_t>(std::stoul(std::string(v)));
  if (n == 0 || n > kMaxEntrySize) return std::nullopt;
  return n;
}

// The value of a size variable, or nullopt when unset (or set empty).
std::optional<std::string> variable(const DiffConfig& cfg, std::string_view name) {
  if (name.empty()) return std::nullopt;
  if (cfg.size_variables) {
    auto it = cfg.size_variables->find(std::string(name));
    if (it == cfg.size_variables->end() || it->second.empty()) return std::nullopt;
    return it->second;
  }
  const char* v = std::getenv(std::string(name).c_str());
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

void check_variable(const DiffConfig& cfg, std::string_view name, std::string_view section) {
  auto v = variable(cfg, name);
  if (v && !parse_size(*v))
    throw Fatal(std::string(name) + "=" + *v + ": error: not a positive integer (at most " +
                std::to_string(kMaxEntrySize) + "); expected the size in bytes of one " + std::string(section) +
                " entry [bad-env]");
}

std::vector<uint64_t> relocated_offsets(const Section& sec, uint64_t begin, uint64_t end) {
  std::vector<uint64_t> out;
  for (const Reloc& r : sec.relocs_in(begin, end)) out.push_back(r.offset - begin);
  return out;
}

// The bytes an entry needs up to its last relocated field.
uint64_t used_bytes(const Section& sec, uint64_t begin, uint64_t end) {
  uint64_t used = 0;
  for (const Reloc& r : sec.relocs_in(begin, end))
    used = std::max<uint64_t>(used, r.offset - begin + reloc_width(r.type));
  return used;
}

bool tail_fits(const Section& sec, uint64_t size, uint64_t tail, uint64_t used) {
  if (tail == 0) return true;
  return !sec.relocs.empty() && size - tail < kMaxTailPadding && tail >= used;
}

bool key_form_fits(const Section& sec, uint64_t at, KeyForm form) {
  if (form == KeyForm::Any) return true;
  const Reloc* key = sec.reloc_at(at);
  if (key == nullptr) return false;
  if (form == KeyForm::Relative) return reloc_is_pc_relative(key->type);
  return !reloc_is_pc_relative(key->type) && reloc_width(key->type) == 8;
}

// Do entries of `layout` fit the section's relocations and size?
bool fits(const Section& sec, Layout layout, uint32_t key_offset) {
  uint64_t size = layout.size;
  uint64_t total = sec.size();
  uint64_t tail = total % size;
  if (sec.relocs.empty()) return tail == 0;
  std::vector<uint64_t> pattern = relocated_offsets(sec, 0, std::min(size, total));
  if (std::find(pattern.begin(), pattern.end(), key_offset) == pattern.end()) return false;
  for (uint64_t begin = 0; begin < total; begin += size) {
    if (begin != 0 && relocated_offsets(sec, begin, std::min(begin + size, total)) != pattern) return false;
    if (!key_form_fits(sec, begin + key_offset, layout.key)) return false;
  }
  return tail_fits(sec, size, tail, used_bytes(sec, 0, std::min(size, total)));
}

// What the section holds, for messages: its size and the stride of its
// relocations, the smallest entry size they fit.
std::string evidence(const Section& sec, uint32_t key_offset) {
  std::string s =
      "the section has " + hex(sec.size()) + " bytes and " + std::to_string(sec.relocs.size()) + " relocations";
  if (sec.relocs.empty()) return s;
  for (uint32_t stride = 1; stride <= kMaxEntrySize && stride <= sec.size(); ++stride)
    if (fits(sec, Layout{stride}, key_offset)) return s + ", repeating every " + std::to_string(stride) + " bytes";
  return s + " that repeat at no entry size";
}

std::string list(const std::vector<uint32_t>& sizes) {
  std::string s;
  for (uint32_t n : sizes) s += (s.empty() ? "" : ", ") + std::to_string(n);
  return s;
}

std::string wanted_source(std::string_view env, const std::optional<std::string>& var) {
  return var ? std::string(env) + "=" + *var : "the Linux 6.1 default";
}

// The known layout of `size` bytes, or one that says nothing of its key.
Layout layout_of(const SpecialSection& spec, uint32_t size) {
  if (spec.layout.size == size) return spec.layout;
  for (Layout l : spec.others)
    if (l.size == size) return l;
  return Layout{size};
}

uint32_t decide(DiffCtx& ctx, const Section& sec, const SpecialSection& spec) {
  auto var = variable(ctx.cfg, spec.env);
  uint32_t wanted = var ? *parse_size(*var) : spec.layout.size;
  if (fits(sec, layout_of(spec, wanted), spec.key_offset)) return wanted;
  std::vector<std::pair<uint32_t, std::string>> others;
  if (sec.sh.sh_entsize != 0 && sec.sh.sh_entsize <= kMaxEntrySize)
    others.emplace_back(static_cast<uint32_t>(sec.sh.sh_entsize), "its sh_entsize");
  others.emplace_back(spec.layout.size, "the Linux 6.1 layout");
  for (Layout l : spec.others)
    if (l.size != 0) others.emplace_back(l.size, "the layout of another kernel");
  std::vector<uint32_t> tried{wanted};
  Where where = ctx.where(*ctx.patched, &sec, nullptr);
  for (const auto& [size, why] : others) {
    if (std::find(tried.begin(), tried.end(), size) != tried.end()) continue;
    tried.push_back(size);
    if (!fits(sec, layout_of(spec, size), spec.key_offset)) continue;
    std::string msg = "entries of " + std::to_string(wanted) + " bytes (" + wanted_source(spec.env, var) +
                      ") do not fit: " + evidence(sec, spec.key_offset) + "; using " + std::to_string(size) +
                      " bytes, " + why;
    if (var)
      ctx.diag.warn(where, msg, "entry-size");
    else
      ctx.diag.debug(where.str() + ": " + msg);
    return size;
  }
  throw Fatal(format_message(where, "error",
                             "expected entries of " + list(tried) + " bytes (" + wanted_source(spec.env, var) +
                                 ", then the known layouts); found that " + evidence(sec, spec.key_offset),
                             "bad-entry-size"));
}

}  // namespace

void check_size_variables(const DiffConfig& cfg) {
  for (const SpecialSection& spec : special_sections()) {
    check_variable(cfg, spec.env, spec.name);
    check_variable(cfg, spec.paired.env, spec.paired.name);
  }
}

uint32_t entry_size(DiffCtx& ctx, const Section& sec, const SpecialSection& spec) {
  auto it = ctx.entry_sizes.find(&sec);
  if (it != ctx.entry_sizes.end()) return it->second;
  uint32_t size = decide(ctx, sec, spec);
  ctx.entry_sizes.emplace(&sec, size);
  return size;
}

uint32_t paired_entry_size(DiffCtx& ctx, const Section& table, const Section& sec, const PairedTable& spec,
                           uint64_t count) {
  auto it = ctx.entry_sizes.find(&table);
  if (it != ctx.entry_sizes.end()) return it->second;
  auto var = variable(ctx.cfg, spec.env);
  uint32_t wanted = var ? *parse_size(*var) : spec.default_size;
  uint32_t size = wanted;
  if (table.size() != count * wanted) {
    uint64_t found = count != 0 && table.size() % count == 0 ? table.size() / count : 0;
    std::string what = std::to_string(count) + " entries of " + std::to_string(wanted) + " bytes (" +
                       wanted_source(spec.env, var) + "), one per entry of " + sec.name + "; found " +
                       hex(table.size()) + " bytes";
    Where where = ctx.where(*ctx.patched, &table, nullptr);
    if (found == 0 || (found != spec.default_size && found != table.sh.sh_entsize))
      throw Fatal(format_message(where, "error", "expected " + what, "bad-entry-size"));
    ctx.diag.warn(where, "expected " + what + "; using " + std::to_string(found) + " bytes", "entry-size");
    size = static_cast<uint32_t>(found);
  }
  ctx.entry_sizes.emplace(&table, size);
  return size;
}

}  // namespace kp
