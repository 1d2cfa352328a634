// Special sections: keep the entries that belong to included code.
//
// Tables like __bug_table or .return_sites describe sites inside functions:
// each fixed-size entry holds a relocation (the key) naming a code address.
// The patch keeps exactly the entries whose key lands in included code, so
// the module's bug reports, jump labels, alternatives, exception fixups and
// unwind data cover the new functions and nothing else. Kept entries may
// name more things (the file string of a bug entry, the key of a jump
// label, replacement code); those are included through the same closure as
// function references. A site may also be the very end of a function: an
// annotation after a call that does not return (.discard.unreachable).
//
// .printk_index is the exception: its entries point at a per-site
// `struct pi_entry` that no code references, and that names its function
// only by the __func__ string in its `func` field.
//
// .orc_unwind_ip and .orc_unwind are parallel arrays: entry i of one
// describes entry i of the other, so they are filtered together. Entry
// sizes, and what happens when kpatch's size variables disagree with the
// section, are entry_size.cpp's.
//
// __jump_table keys: a key in vmlinux is reached through a relocation that
// the kernel resolves while loading the patch; a key that lives in a module
// cannot be resolved before the jump label code runs, so it is refused;
// a key the patch defines itself (inside a dynamic-debug descriptor) is
// the patch module's own and fine.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "diff/context.h"
#include "diff/entry_size.h"
#include "diff/include_changes.h"
#include "diff/kernel_data.h"
#include "diff/reloc_targets.h"

namespace kp {

namespace {

// struct jump_entry, relative (x86-64 since 5.3) and absolute (before).
// The key is the last field, a 64-bit one, in both.
struct JumpEntryRelative {
  int32_t code;
  int32_t target;
  int64_t key;  // `.quad key + branch - .`
};
struct JumpEntryAbsolute {
  uint64_t code;
  uint64_t target;
  uint64_t key;  // `.quad key + branch`
};
constexpr uint32_t kJumpKeyWidth = sizeof(JumpEntryRelative::key);
static_assert(offsetof(JumpEntryRelative, key) + kJumpKeyWidth == sizeof(JumpEntryRelative));
static_assert(offsetof(JumpEntryAbsolute, key) + kJumpKeyWidth == sizeof(JumpEntryAbsolute));
// struct jump_entry keeps the branch and init flags in the low bits of the
// key field.
constexpr uint64_t kJumpKeyFlags = 3;
// The start of struct pi_entry (include/linux/printk.h).
struct PiEntryHead {
  uint64_t fmt;   // const char *
  uint64_t func;  // const char *, the function's __func__
};
constexpr uint64_t kPiEntryFuncOffset = offsetof(PiEntryHead, func);

// What the entry field at `offset` points to: a section and an offset in
// it, or nothing for an undefined symbol. Entries are data (`.long site -
// .`, `.quad ptr`), so the addend is not biased.
struct Pointee {
  Section* sec;
  uint64_t offset;
};

std::optional<Pointee> pointee(const Section& sec, uint64_t offset) {
  const Reloc* r = sec.reloc_at(offset);
  if (r == nullptr || r->sym->sec == nullptr) return std::nullopt;
  uint64_t at = r->sym->is_section() ? static_cast<uint64_t>(r->addend) : r->sym->value() + r->addend;
  return Pointee{r->sym->sec, at};
}

// A site at the very end of an included function, where no other function
// starts: annotations after a call that does not return
// (.discard.unreachable) point there.
bool ends_included_function(const DiffCtx& ctx, const Pointee& site) {
  if (!site.sec->is_exec() || site.offset == 0 || !is_included_at(ctx, site.sec, site.offset - 1) ||
      is_included_at(ctx, site.sec, site.offset))
    return false;
  return std::none_of(ctx.patched->symbols().begin(), ctx.patched->symbols().end(),
                      [&](const Symbol& s) { return s.sec == site.sec && s.is_func() && s.value() == site.offset; });
}

// .printk_index entries point at a per-site `struct pi_entry`, which is
// not referenced by code: the only link to its function is the `func`
// field, that function's __func__ string. The entry is kept when a
// function of that name, or a clone or piece of it (foo.isra.0, foo.cold,
// whose __func__ is "foo"), is included.
bool printk_site_included(const DiffCtx& ctx, const Pointee& entry) {
  auto func = pointee(*entry.sec, entry.offset + kPiEntryFuncOffset);
  if (!func || func->sec->is_nobits()) return false;
  std::string_view name = string_in(*ctx.patched, *func->sec, func->offset);
  return std::any_of(ctx.patched->symbols().begin(), ctx.patched->symbols().end(), [&](const Symbol& s) {
    return s.is_func() && s.include && std::string_view(s.name).substr(0, s.name.find('.')) == name;
  });
}

bool keep_entry(const DiffCtx& ctx, const Section& sec, uint64_t begin, const SpecialSection& spec) {
  auto site = pointee(sec, begin + spec.key_offset);
  if (!site) return false;
  if (spec.name == ".printk_index") return printk_site_included(ctx, *site);
  return is_included_at(ctx, site->sec, site->offset) || ends_included_function(ctx, *site);
}

void check_jump_key(DiffCtx& ctx, const Section& sec, uint64_t begin, uint32_t entry_size) {
  const Reloc* key = entry_size >= kJumpKeyWidth ? sec.reloc_at(begin + entry_size - kJumpKeyWidth) : nullptr;
  if (key == nullptr || !ctx.is_module_parent()) return;
  Target t = resolve_target(*key);
  uint64_t at = t.offset & ~kJumpKeyFlags;
  // A key the patch defines itself is set up with the patch's own jump
  // labels: the key inside a dynamic-debug descriptor, which every
  // included pr_debug() site brings along.
  if (t.sec != nullptr && is_included_at(ctx, t.sec, at)) return;
  Symbol* named = t.sym != nullptr ? t.sym : t.sec != nullptr ? symbol_covering(*ctx.patched, *t.sec, at) : nullptr;
  std::string name = named != nullptr ? named->name : key->sym->name;
  bool in_module = t.sec != nullptr || ctx.parent->defines_global(name) ||
                   (ctx.symvers.exporter(name) != "" && ctx.symvers.exporter(name) != "vmlinux");
  if (!in_module) return;
  ctx.diag.unsupported(ctx.where(*ctx.patched, &sec, nullptr, begin),
                       "jump label key '" + name + "' is defined in module '" + ctx.cfg.parent_name +
                           "'; livepatch cannot relocate it before jump labels are set up. Use "
                           "static_key_enabled() instead of static_branch_*() in the patched function",
                       "jump-key-module");
}

// Entries are [begin, begin + size), the last one possibly shorter: it may
// lack its tail padding (entry_size.cpp).
void filter(DiffCtx& ctx, Section& sec, const SpecialSection& spec) {
  uint32_t size = entry_size(ctx, sec, spec);
  uint64_t count = (sec.size() + size - 1) / size;
  Section* paired = spec.paired.name.empty() ? nullptr : ctx.patched->find_section(spec.paired.name);
  uint32_t paired_size = paired != nullptr ? paired_entry_size(ctx, *paired, sec, spec.paired, count) : 0;
  for (uint64_t begin = 0; begin < sec.size(); begin += size) {
    uint64_t end = std::min<uint64_t>(begin + size, sec.size());
    if (is_included_at(ctx, &sec, begin) || !keep_entry(ctx, sec, begin, spec)) continue;
    add_range(ctx, sec, begin, end);
    include_reloc_targets(ctx, sec, begin, end);
    if (spec.name == "__jump_table") check_jump_key(ctx, sec, begin, size);
    if (paired != nullptr) {
      uint64_t i = begin / size;
      add_range(ctx, *paired, i * paired_size, (i + 1) * paired_size);
    }
  }
}

size_t included_ranges(const DiffCtx& ctx) {
  size_t n = 0;
  for (const auto& [sec, ranges] : ctx.included) n += ranges.size();
  return n;
}

}  // namespace

void filter_special_sections(DiffCtx& ctx) {
  // Kept entries can include more code (replacement instructions), whose
  // own entries must then be kept: repeat until nothing new is included.
  for (size_t before = SIZE_MAX; before != included_ranges(ctx);) {
    before = included_ranges(ctx);
    for (Section& sec : ctx.patched->sections())
      if (const SpecialSection* spec = find_special(sec.name)) filter(ctx, sec, *spec);
  }
  ctx.diag.checkpoint();
}

}  // namespace kp
