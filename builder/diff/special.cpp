// Special sections: keep the entries that belong to included code.
//
// Tables like __bug_table or .return_sites describe sites inside functions:
// each fixed-size entry holds a relocation (the key) naming a code address.
// The patch keeps exactly the entries whose key lands in included code, so
// the module's bug reports, jump labels, alternatives, exception fixups and
// unwind data cover the new functions and nothing else. Kept entries may
// name more things (the file string of a bug entry, the key of a jump
// label, replacement code); those are included through the same closure as
// function references.
//
// .orc_unwind_ip and .orc_unwind are parallel arrays: entry i of one
// describes entry i of the other, so they are filtered together.
//
// __jump_table keys: a key in vmlinux is reached through a relocation that
// the kernel resolves while loading the patch; a key that lives in a module
// cannot be resolved before the jump label code runs, so it is refused.
#include <algorithm>

#include "diff/context.h"
#include "diff/include.h"
#include "diff/kernel_data.h"
#include "diff/targets.h"

namespace kp {

namespace {

constexpr uint32_t kOrcEntrySize = 6;
constexpr uint32_t kJumpKeyOffset = 8;

bool keep_entry(const Ctx& ctx, const Section& sec, uint64_t begin, const SpecialSection& spec) {
  const Reloc* key = sec.reloc_at(begin + spec.key_offset);
  if (key == nullptr) return false;
  Target t = resolve_target(*key);
  if (t.sec == nullptr) return false;
  uint64_t at = key->sym->is_section() ? static_cast<uint64_t>(key->addend) : key->sym->value() + key->addend;
  return is_included_at(ctx, t.sec, at);
}

void check_jump_key(Ctx& ctx, const Section& sec, uint64_t begin) {
  const Reloc* key = sec.reloc_at(begin + kJumpKeyOffset);
  if (key == nullptr || !ctx.is_module_parent()) return;
  Target t = resolve_target(*key);
  std::string name = t.sym != nullptr ? t.sym->name : key->sym->name;
  bool in_module = t.sec != nullptr || ctx.parent->defines_global(name) ||
                   (ctx.symvers.exporter(name) != "" && ctx.symvers.exporter(name) != "vmlinux");
  if (!in_module) return;
  ctx.diag.unsupported(ctx.where(*ctx.patched, &sec, nullptr, begin),
                       "jump label key '" + name + "' is defined in module '" + ctx.cfg.parent_name +
                           "'; livepatch cannot relocate it before jump labels are set up. Use "
                           "static_key_enabled() instead of static_branch_*() in the patched function",
                       "jump-key-module");
}

void filter(Ctx& ctx, Section& sec, const SpecialSection& spec) {
  uint32_t size = special_entry_size(*ctx.patched, sec, spec);
  Section* paired = spec.paired.empty() ? nullptr : ctx.patched->find_section(spec.paired);
  if (paired != nullptr && paired->size() / kOrcEntrySize != sec.size() / size)
    ctx.patched->fail(paired, "has " + std::to_string(paired->size() / kOrcEntrySize) + " entries but " + sec.name +
                                  " has " + std::to_string(sec.size() / size));
  for (uint64_t begin = 0; begin + size <= sec.size(); begin += size) {
    if (is_included_at(ctx, &sec, begin) || !keep_entry(ctx, sec, begin, spec)) continue;
    add_range(ctx, sec, begin, begin + size);
    if (spec.name == "__jump_table") check_jump_key(ctx, sec, begin);
    include_reloc_targets(ctx, sec, begin, begin + size);
    if (paired != nullptr) {
      uint64_t i = begin / size;
      add_range(ctx, *paired, i * kOrcEntrySize, (i + 1) * kOrcEntrySize);
    }
  }
}

size_t included_ranges(const Ctx& ctx) {
  size_t n = 0;
  for (const auto& [sec, ranges] : ctx.included) n += ranges.size();
  return n;
}

}  // namespace

void filter_special_sections(Ctx& ctx) {
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
