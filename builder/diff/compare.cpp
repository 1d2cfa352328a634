// The one definition of "changed".
//
// A patched function or data object is compared with its twin in two parts,
// as lld's identical code folding does:
//
//   constant part  size, section type and flags, the bytes with every
//                  relocated field zeroed, and each relocation's offset and
//                  type;
//   variable part  what each relocation points at, compared through the
//                  correlation, at the same offset inside the symbol (a
//                  section-relative reference stands for the object it
//                  lands in): the twin of the original target, the same
//                  undefined name, the same string for string literals, the
//                  same base name for special statics (lockdep keys, once
//                  flags) which are never paired.
//
// Two relaxations, both for __LINE__ shifts: an immediate argument in code,
// and a string literal whose only difference is the line of a "FILE.c:LINE"
// (line_macros.cpp); nothing else. Anything else that differs is a
// change. Symbols without a twin are new.
//
// A function that reads a constant object the patch changed (a `static
// const` lookup table) is changed as well, though its own bytes are not:
// only by being patched does it get to see the new table, which the
// inclusion then copies along. The same holds for a constant object that
// points to one.
//
// Code that no symbol covers is compared by the piece a function points
// at, not by its offset: cpu_feature_enabled() (_static_cpu_has) jumps to
// a `testb; jnz; jmp` piece of .altinstr_aux, which every function of the
// object appends to in the order the compiler emits them. A patch that
// changes that order (an inline that is now called from elsewhere, a
// function that gained a check) moves the pieces of unchanged functions,
// so their offsets differ while their code does not; and a piece whose
// code differs at the same offset (another feature bit) is a change the
// function's own bytes do not show. A piece runs from where the function
// points to where the next piece something points at begins (as for
// .fixup below); inside a piece, a reference to another piece is compared
// by offset.
//
// Kernels before 5.17 keep a function's exception fixup code in .fixup,
// which has no symbols; only the function's __ex_table entries point at
// it. A function whose fixup code changed is changed, though its own bytes
// are not: its fixup pieces (include_changes.cpp) are compared in order.
//
// A split piece (foo.cold) cannot be patched by itself: when it changes, is
// added or removed, its parent changes. Section status follows the symbol
// that owns the section, or a whole-section comparison for sections
// without one.
#include <algorithm>
#include <cstring>
#include <map>
#include <vector>

#include "diff/context.h"
#include "diff/entry_size.h"
#include "diff/include_changes.h"
#include "diff/kernel_data.h"
#include "diff/line_macros.h"
#include "diff/reloc_targets.h"

namespace kp {

namespace {

struct Span {
  Object* obj;
  const Section* sec;
  uint64_t begin;
  uint64_t size;
  bool in_piece = false;  // a piece of symbol-less code (see the essay)
};

bool same_span(DiffCtx& ctx, const Span& o, const Span& p);

std::vector<std::byte> masked_bytes(const Span& s) {
  std::vector<std::byte> out;
  if (s.sec->is_nobits()) return out;
  auto src = s.sec->data.subspan(s.begin, s.size);
  out.assign(src.begin(), src.end());
  for (const Reloc& r : s.sec->relocs_in(s.begin, s.begin + s.size)) {
    uint64_t off = r.offset - s.begin;
    unsigned w = reloc_width(r.type);
    for (unsigned i = 0; i < w && off + i < out.size(); ++i) out[off + i] = std::byte{0};
  }
  return out;
}

std::string_view merged_value(const Target& t) {
  const Section& sec = *t.sec;
  if (t.offset >= sec.data.size()) return {};
  auto* p = reinterpret_cast<const char*>(sec.data.data()) + t.offset;
  size_t max = sec.data.size() - t.offset;
  if (sec.is_strings()) return {p, strnlen(p, max)};
  size_t n = std::min<uint64_t>(sec.sh.sh_entsize ? sec.sh.sh_entsize : 1, max);
  return {p, n};
}

bool same_named(const Symbol* o, const Symbol* p) {
  if (o->twin == p) return true;
  if (o->is_undef() && p->is_undef()) return o->name == p->name;
  if (is_special_static(*o) && is_special_static(*p)) return special_static_key(o->name) == special_static_key(p->name);
  return false;
}

// A section symbol into a section that holds several objects stands for
// the object covering the address, as it does for a section one object
// owns. Objects in such sections (`__tracepoints_strings`, `.data.once`)
// move when the patch adds one, so the section offset alone would call
// every reference to them changed.
Target named_target(Object& obj, Target t) {
  if (t.sym == nullptr && t.sec != nullptr) t.sym = symbol_covering(obj, *t.sec, t.offset);
  return t;
}

// Code without symbols of its own (.altinstr_aux, .fixup): what a
// relocation points at there is a piece, not an object.
bool is_symbolless_code(const Section* sec) {
  return sec != nullptr && sec->is_exec() && sec->symbols.empty() && sec->sym == nullptr;
}

// The two pieces of twin symbol-less code sections that `to` and `tp`
// start, compared as code.
bool same_piece(DiffCtx& ctx, const Span& o, const Target& to, const Span& p, const Target& tp) {
  auto [ob, oe] = fixup_piece(ctx, *o.obj, *to.sec, to.offset);
  auto [pb, pe] = fixup_piece(ctx, *p.obj, *tp.sec, tp.offset);
  return same_span(ctx, Span{o.obj, to.sec, ob, oe - ob, true}, Span{p.obj, tp.sec, pb, pe - pb, true});
}

// Variable part for one relocation pair.
bool same_target(DiffCtx& ctx, const Span& o, const Reloc& ro, const Span& p, const Reloc& rp) {
  Target to = resolve_target(*o.sec, ro);
  Target tp = resolve_target(*p.sec, rp);
  bool merged = tp.sec != nullptr && to.sec != nullptr && (tp.sec->sh.sh_flags & SHF_MERGE) != 0 &&
                (to.sec->sh.sh_flags & SHF_MERGE) != 0 && rp.sym->is_section() && ro.sym->is_section();
  if (merged) {
    std::string_view vo = merged_value(to), vp = merged_value(tp);
    return vo == vp || (tp.sec->is_strings() && to.sec->is_strings() && only_file_lines_differ(vo, vp));
  }
  if (ro.sym->is_section() && rp.sym->is_section()) {
    to = named_target(*o.obj, to);
    tp = named_target(*p.obj, tp);
  }
  // The same symbol, at the same place inside it.
  if (to.sym != nullptr && tp.sym != nullptr)
    return same_named(to.sym, tp.sym) && to.offset - to.sym->value() == tp.offset - tp.sym->value();
  bool pieces = !o.in_piece && !p.in_piece && ro.sym->is_section() && rp.sym->is_section() &&
                is_symbolless_code(to.sec) && is_symbolless_code(tp.sec) && to.sec->twin == tp.sec;
  if (pieces) return same_piece(ctx, o, to, p, tp);
  if (ro.addend != rp.addend) return false;
  if (ro.sym->is_section() && rp.sym->is_section()) return ro.sym->sec->twin == rp.sym->sec;
  return false;
}

bool same_relocs(DiffCtx& ctx, const Span& o, const Span& p) {
  auto ro = o.sec->relocs_in(o.begin, o.begin + o.size);
  auto rp = p.sec->relocs_in(p.begin, p.begin + p.size);
  if (ro.size() != rp.size()) return false;
  for (size_t i = 0; i < ro.size(); ++i) {
    if (ro[i].offset - o.begin != rp[i].offset - p.begin || ro[i].type != rp[i].type) return false;
    if (!same_target(ctx, o, ro[i], p, rp[i])) return false;
  }
  return true;
}

bool same_header(const Section& o, const Section& p) {
  return o.sh.sh_type == p.sh.sh_type && o.sh.sh_flags == p.sh.sh_flags;
}

// Constant and variable part over one span pair; code may differ in
// __LINE__ immediates only.
bool same_span(DiffCtx& ctx, const Span& o, const Span& p) {
  if (o.size != p.size || !same_header(*o.sec, *p.sec)) return false;
  if (!same_relocs(ctx, o, p)) return false;
  auto mo = masked_bytes(o);
  auto mp = masked_bytes(p);
  if (mo == mp) return true;
  return p.sec->is_exec() && only_line_numbers_differ(Range{o.sec, o.begin, o.size, mo}, Range{p.sec, p.begin, p.size, mp});
}

Status symbol_status(DiffCtx& ctx, Symbol& p) {
  // Padding before a function (__pfx_foo) goes with the function
  // (inputs.cpp); it is never a change of its own.
  if (p.is_func() && is_prefix_symbol(p.name)) return Status::Same;
  if (p.twin == nullptr) return Status::New;
  Symbol& o = *p.twin;
  if (o.sec == nullptr || p.sec == nullptr) return Status::Same;
  if (p.is_func() && (p.size() == 0 || o.size() == 0)) return Status::Same;
  bool same =
      same_span(ctx, Span{&*ctx.orig, o.sec, o.value(), o.size()}, Span{&*ctx.patched, p.sec, p.value(), p.size()});
  if (!same) ctx.diag.debug("changed: " + p.name);
  return same ? Status::Same : Status::Changed;
}

bool is_constant_object(const Symbol& s) {
  return s.is_object() && s.sec != nullptr && s.sec->is_data() && !s.sec->is_write();
}

// Repeated until nothing more changes: constant tables may point to each
// other.
void propagate_changed_constants(DiffCtx& ctx) {
  for (bool more = true; more;) {
    more = false;
    for (Symbol& p : ctx.patched->symbols()) {
      if (p.status != Status::Same || p.sec == nullptr || !(p.is_func() || is_constant_object(p))) continue;
      for (const Reloc& r : p.sec->relocs_in(p.value(), p.value() + p.size())) {
        Target t = named_target(*ctx.patched, resolve_target(*p.sec, r));
        if (t.sym == nullptr || t.sym == &p || t.sym->status != Status::Changed || !is_constant_object(*t.sym))
          continue;
        ctx.diag.debug("changed: " + p.name + " (it reads the changed constant " + t.sym->name + ")");
        p.status = Status::Changed;
        more = true;
        break;
      }
    }
  }
}

struct FixupPiece {
  const Section* sec;
  uint64_t begin;
  uint64_t end;
};

// Each function's .fixup pieces, in __ex_table order. The entry size is
// the patched object's (the same kernel built both).
std::map<const Symbol*, std::vector<FixupPiece>> fixup_pieces(DiffCtx& ctx, Object& obj, uint32_t entry_size) {
  std::map<const Symbol*, std::vector<FixupPiece>> out;
  Section* table = obj.find_section("__ex_table");
  if (table == nullptr) return out;
  for (uint64_t begin = 0; begin + 8 <= table->size(); begin += entry_size) {
    const Reloc* insn = table->reloc_at(begin);
    const Reloc* fixup = table->reloc_at(begin + 4);
    if (insn == nullptr || fixup == nullptr) continue;
    Target site = resolve_target(*insn);
    Target code = resolve_target(*fixup);
    if (site.sec == nullptr || code.sec == nullptr || !is_fixup_section(*code.sec)) continue;
    Symbol* f = symbol_covering(obj, *site.sec, site.offset);
    if (f == nullptr || !f->is_func()) continue;
    auto [b, e] = fixup_piece(ctx, obj, *code.sec, code.offset);
    out[f].push_back({code.sec, b, e});
  }
  return out;
}

void propagate_fixup_changes(DiffCtx& ctx) {
  Section* table = ctx.patched->find_section("__ex_table");
  const SpecialSection* spec = find_special("__ex_table");
  const Section* fixup = ctx.patched->find_section(".fixup");
  if (table == nullptr || spec == nullptr || fixup == nullptr || !is_fixup_section(*fixup) ||
      ctx.orig->find_section("__ex_table") == nullptr)
    return;
  uint32_t size = entry_size(ctx, *table, *spec);
  auto orig = fixup_pieces(ctx, *ctx.orig, size);
  auto patched = fixup_pieces(ctx, *ctx.patched, size);
  for (auto& [sym, pieces] : patched) {
    Symbol& p = *const_cast<Symbol*>(sym);
    if (p.status != Status::Same || p.twin == nullptr) continue;
    const std::vector<FixupPiece>& twin = orig[p.twin];
    bool same = twin.size() == pieces.size();
    for (size_t i = 0; same && i < pieces.size(); ++i)
      same = same_span(ctx, Span{&*ctx.orig, twin[i].sec, twin[i].begin, twin[i].end - twin[i].begin, true},
                       Span{&*ctx.patched, pieces[i].sec, pieces[i].begin, pieces[i].end - pieces[i].begin, true});
    if (same) continue;
    ctx.diag.debug("changed: " + p.name + " (its .fixup code changed)");
    p.status = Status::Changed;
  }
}

void propagate_split_pieces(DiffCtx& ctx) {
  for (Symbol& p : ctx.patched->symbols()) {
    if (p.parent == nullptr || !is_cold_piece(p.name) || p.status == Status::Same) continue;
    if (p.parent->status == Status::Same) {
      ctx.diag.debug("changed: " + p.parent->name + " (its piece " + p.name + " is " + to_string(p.status) + ")");
      p.parent->status = Status::Changed;
    }
  }
  // A piece removed from the original changes its parent as well.
  for (Symbol& o : ctx.orig->symbols()) {
    if (o.parent == nullptr || !is_cold_piece(o.name) || o.twin != nullptr || o.parent->twin == nullptr) continue;
    if (o.parent->twin->status == Status::Same) o.parent->twin->status = Status::Changed;
  }
}

void section_status(DiffCtx& ctx, Section& s) {
  if (s.twin == nullptr) {
    s.status = Status::New;
  } else if (s.sym != nullptr && s.sym->size() == s.size()) {
    s.status = s.sym->status;
  } else {
    bool same =
        same_span(ctx, Span{&*ctx.orig, s.twin, 0, s.twin->size(), true}, Span{&*ctx.patched, &s, 0, s.size(), true});
    s.status = same ? Status::Same : Status::Changed;
  }
}

}  // namespace

void compare(DiffCtx& ctx) {
  for (Symbol& p : ctx.patched->symbols()) {
    if (p.index == 0 || p.is_section() || p.is_file() || p.is_undef()) continue;
    p.status = symbol_status(ctx, p);
  }
  propagate_changed_constants(ctx);
  propagate_fixup_changes(ctx);
  propagate_split_pieces(ctx);
  for (Section& s : ctx.patched->sections())
    if (s.index != 0) section_status(ctx, s);
}

bool has_functional_change(const DiffCtx& ctx) {
  return std::any_of(ctx.patched->symbols().begin(), ctx.patched->symbols().end(), [](const Symbol& s) {
    return s.is_func() && s.sec != nullptr && (s.status == Status::Changed || s.status == Status::New) &&
           !is_init_or_exit(s.sec->name);
  });
}

}  // namespace kp
