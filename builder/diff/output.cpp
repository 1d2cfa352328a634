// Building the patch object from the included ranges.
//
// Each included range of a patched section becomes output bytes: a whole
// section is copied as is; a function taken out of a shared code section
// (.sched.text) gets a section of its own, `.text.<name>`; ranges of a data
// or special section, or of .fixup (code without symbols), are packed into
// one section of the same name. A
// Placement records where each range went, and every relocation and symbol
// is moved through the placements. Relocation targets that were not
// included are references to the running kernel (klp_relocs.cpp).
//
// Then the metadata the module builder needs:
//   .kpatch.funcs    one entry per changed function, 4 x 8 bytes:
//                    new function (R_X86_64_64), old name and object name
//                    (R_X86_64_64 into .kpatch.strings), old sympos (value)
//   __mcount_loc     one entry per included function with an ftrace site,
//                    at the site itself (after endbr64 with IBT: +4)
//   .modinfo         the import_ns= entries of the patched object
#include <algorithm>
#include <cstddef>
#include <cstring>

#include "diff/context.h"
#include "diff/kernel_data.h"
#include "diff/klp_relocs.h"
#include "diff/reloc_targets.h"

namespace kp {

namespace {

// struct kpatch_func_entry of kmod/kpatch-patch.h, which patch-hook.c
// reads from .kpatch.funcs, on x86-64.
struct KpatchFuncEntry {
  uint64_t new_func;  // R_X86_64_64 to the new function
  uint64_t old_name;  // R_X86_64_64 into .kpatch.strings
  uint64_t objname;   // R_X86_64_64 into .kpatch.strings
  uint64_t sympos;
};
static_assert(sizeof(KpatchFuncEntry) == 32);
constexpr uint64_t kSectionFlagsKept = SHF_ALLOC | SHF_WRITE | SHF_EXECINSTR | SHF_MERGE | SHF_STRINGS | SHF_TLS;

OutSection like(const Section& s, std::string name) {
  OutSection o;
  o.name = std::move(name);
  o.type = s.sh.sh_type;
  o.flags = s.sh.sh_flags & kSectionFlagsKept;
  o.addralign = std::max<uint64_t>(s.sh.sh_addralign, 1);
  o.entsize = s.sh.sh_entsize;
  return o;
}

void append(OutSection& o, const Section& s, uint64_t begin, uint64_t end) {
  if (s.is_nobits()) {
    o.nobits_size += end - begin;
    return;
  }
  auto src = s.data.subspan(begin, end - begin);
  o.data.insert(o.data.end(), src.begin(), src.end());
}

void pad_to(OutSection& o, uint64_t align) {
  uint64_t size = o.size();
  uint64_t want = (size + align - 1) / align * align;
  if (o.type == SHT_NOBITS) o.nobits_size = want;
  else o.data.resize(want, std::byte{0});
}

// The included function whose range (with its padding) starts at `begin`.
const Symbol* function_starting(const Section& sec, uint64_t begin) {
  for (const Symbol* s : sec.symbols)
    if (s->is_func() && !is_prefix_symbol(s->name) && s->value() >= s->padding && s->value() - s->padding == begin)
      return s;
  return nullptr;
}

void place_section(DiffCtx& ctx, const Section& sec, const std::vector<std::pair<uint64_t, uint64_t>>& ranges) {
  auto& placements = ctx.placement[&sec];
  bool whole = ranges.size() == 1 && ranges[0].first == 0 && ranges[0].second == sec.size();
  if (whole || !sec.is_exec() || is_fixup_section(sec)) {
    size_t out = ctx.out.add_section(like(sec, sec.name));
    for (auto [b, e] : ranges) {
      OutSection& o = ctx.out.sections()[out];
      pad_to(o, o.addralign);
      placements.push_back({b, e, out, o.size()});
      append(o, sec, b, e);
    }
    return;
  }
  for (auto [b, e] : ranges) {
    const Symbol* f = function_starting(sec, b);
    std::string name = ".text." + (f != nullptr ? f->name : sec.name + "." + std::to_string(b));
    size_t out = ctx.out.add_section(like(sec, name));
    placements.push_back({b, e, out, 0});
    append(ctx.out.sections()[out], sec, b, e);
  }
}

const Placement* placed(const DiffCtx& ctx, const Section* sec, uint64_t offset) {
  auto it = ctx.placement.find(sec);
  if (it == ctx.placement.end()) return nullptr;
  for (const Placement& p : it->second)
    if (offset >= p.begin && (offset < p.end || (offset == p.end && p.begin == p.end))) return &p;
  // A reference to the very end of a range (an end marker) stays with it.
  for (const Placement& p : it->second)
    if (offset == p.end) return &p;
  return nullptr;
}

unsigned char out_bind(const Symbol& s) {
  if (s.status == Status::Changed || is_special_static(s) || is_prefix_symbol(s.name)) return STB_LOCAL;
  return static_cast<unsigned char>(s.bind());
}

void place_symbols(DiffCtx& ctx) {
  for (const Symbol& s : ctx.patched->symbols()) {
    if (s.sec == nullptr || s.is_section() || s.is_file() || s.index == 0) continue;
    const Placement* p = placed(ctx, s.sec, s.value());
    if (p == nullptr || (s.value() == p->end && p->end != p->begin)) continue;
    OutSymbol o;
    o.name = s.name;
    o.type = static_cast<unsigned char>(s.type());
    o.bind = out_bind(s);
    o.other = s.sym.st_other;
    o.section = static_cast<int64_t>(p->out);
    o.value = s.value() - p->begin + p->out_offset;
    o.size = s.size();
    ctx.out_symbol[&s] = ctx.out.add_symbol(o);
  }
}

// The output symbol and addend for a relocation's target.
std::optional<std::pair<size_t, int64_t>> translate(DiffCtx& ctx, const Section& sec, const Reloc& r, const Where& where) {
  Symbol* s = r.sym;
  if (s->is_section()) {
    Target t = resolve_target(sec, r);
    if (const Placement* p = placed(ctx, s->sec, t.offset)) {
      int64_t shift = static_cast<int64_t>(p->out_offset) - static_cast<int64_t>(p->begin);
      return std::pair(ctx.out.section_symbol(p->out), r.addend + shift);
    }
    Symbol* named = t.sym != nullptr ? t.sym : symbol_covering(*ctx.patched, *s->sec, t.offset);
    if (named == nullptr) {
      ctx.diag.unsupported(where, "reference to " + s->sec->name + "+" + hex(t.offset) +
                                      ", which no symbol names; the patch cannot reach it",
                           "unnamed-reference");
      return std::nullopt;
    }
    auto sym = reference_symbol(ctx, *named, where);
    if (!sym) return std::nullopt;
    return std::pair(*sym, r.addend - static_cast<int64_t>(named->value()));
  }
  if (auto it = ctx.out_symbol.find(s); it != ctx.out_symbol.end()) return std::pair(it->second, r.addend);
  auto sym = reference_symbol(ctx, *s, where);
  if (!sym) return std::nullopt;
  return std::pair(*sym, r.addend);
}

void place_relocations(DiffCtx& ctx) {
  for (const auto& [sec, placements] : ctx.placement) {
    for (const Placement& p : placements) {
      for (const Reloc& r : sec->relocs_in(p.begin, p.end)) {
        Where w = ctx.where(*ctx.patched, sec, r.sym->is_section() ? nullptr : r.sym, r.offset);
        auto t = translate(ctx, *sec, r, w);
        if (!t) continue;
        ctx.out.sections()[p.out].relocs.push_back({r.offset - p.begin + p.out_offset, r.type, t->second, t->first});
      }
    }
  }
}

uint64_t add_string(OutSection& strings, const std::string& s) {
  uint64_t off = strings.data.size();
  for (char c : s) strings.data.push_back(static_cast<std::byte>(c));
  strings.data.push_back(std::byte{0});
  return off;
}

void put_u64(std::vector<std::byte>& v, uint64_t x) {
  for (int i = 0; i < 8; ++i) v.push_back(static_cast<std::byte>(x >> (8 * i)));
}

bool is_patch_target(const Symbol& s) {
  return s.is_func() && s.status == Status::Changed && s.twin != nullptr && !is_cold_piece(s.name) &&
         s.sec != nullptr && !is_init_or_exit(s.sec->name);
}

void emit_funcs(DiffCtx& ctx) {
  OutSection funcs;
  funcs.name = ".kpatch.funcs";
  funcs.flags = SHF_ALLOC;
  funcs.addralign = 8;
  OutSection strings;
  strings.name = ".kpatch.strings";
  strings.flags = SHF_ALLOC | SHF_MERGE | SHF_STRINGS;
  strings.entsize = 1;
  std::vector<std::tuple<uint64_t, size_t>> func_refs;
  std::vector<std::pair<uint64_t, uint64_t>> string_refs;
  for (const Symbol& s : ctx.patched->symbols()) {
    if (!is_patch_target(s)) continue;
    auto out = ctx.out_symbol.find(&s);
    if (out == ctx.out_symbol.end()) continue;
    auto pos = parent_sympos(ctx, *s.twin, ctx.where(*ctx.orig, s.twin->sec, s.twin));
    if (!pos) continue;
    uint64_t base = funcs.data.size();
    func_refs.emplace_back(base + offsetof(KpatchFuncEntry, new_func), out->second);
    string_refs.emplace_back(base + offsetof(KpatchFuncEntry, old_name), add_string(strings, s.twin->name));
    string_refs.emplace_back(base + offsetof(KpatchFuncEntry, objname), add_string(strings, ctx.cfg.parent_name));
    funcs.data.resize(base + offsetof(KpatchFuncEntry, sympos), std::byte{0});
    put_u64(funcs.data, *pos);
    static_assert(offsetof(KpatchFuncEntry, sympos) + sizeof(uint64_t) == sizeof(KpatchFuncEntry));
  }
  if (funcs.data.empty()) return;
  size_t fi = ctx.out.add_section(std::move(funcs));
  size_t si = ctx.out.add_section(std::move(strings));
  size_t ssym = ctx.out.section_symbol(si);
  for (auto [off, sym] : func_refs) ctx.out.sections()[fi].relocs.push_back({off, R_X86_64_64, 0, sym});
  for (auto [off, str] : string_refs)
    ctx.out.sections()[fi].relocs.push_back({off, R_X86_64_64, static_cast<int64_t>(str), ssym});
}

void emit_mcount(DiffCtx& ctx) {
  OutSection mc;
  mc.name = "__mcount_loc";
  mc.flags = SHF_ALLOC;
  mc.addralign = 8;
  std::vector<OutReloc> relocs;
  for (const auto& [sym, out] : ctx.out_symbol) {
    if (!sym->is_func() || !sym->has_fentry) continue;
    relocs.push_back({mc.data.size(), R_X86_64_64, static_cast<int64_t>(sym->fentry_offset), out});
    put_u64(mc.data, 0);
  }
  if (mc.data.empty()) return;
  mc.relocs = std::move(relocs);
  ctx.out.add_section(std::move(mc));
}

void emit_modinfo(DiffCtx& ctx) {
  const Section* mi = ctx.patched->find_section(".modinfo");
  if (mi == nullptr) return;
  OutSection out = like(*mi, ".modinfo");
  for (uint64_t off = 0; off < mi->data.size();) {
    std::string_view s = string_in(*ctx.patched, *mi, off);
    if (s.starts_with("import_ns=")) add_string(out, std::string(s));
    off += s.size() + 1;
  }
  if (!out.data.empty()) ctx.out.add_section(std::move(out));
}

}  // namespace

void build_output(DiffCtx& ctx) {
  for (const Section& sec : ctx.patched->sections()) {
    auto it = ctx.included.find(&sec);
    if (it != ctx.included.end() && !is_mcount_section(sec.name) && !is_ignored_section(sec))
      place_section(ctx, sec, it->second);
  }
  place_symbols(ctx);
  place_relocations(ctx);
  emit_funcs(ctx);
  emit_mcount(ctx);
  emit_modinfo(ctx);
  ctx.diag.checkpoint();
}

void write_output(DiffCtx& ctx) { ctx.out.write(ctx.cfg.output_path); }

}  // namespace kp
