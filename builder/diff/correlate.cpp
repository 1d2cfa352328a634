// Correlation: pair every symbol and section of the patched object with its
// twin in the original, so that "changed" can be decided pair by pair.
//
// The hard part is that the compiler renames things between two builds of
// the same file. `static int calls` inside foo() is `calls.1` in one build
// and `calls.4` in the next because another function gained a static; an
// IPA clone is `foo.constprop.0` or `foo.constprop.1` depending on what else
// was cloned. Names alone are not enough, so strategies run in order, most
// certain first, each only over what is still unpaired:
//
//   1. exact name      globals, and locals whose name is unique on both sides
//                      (`cmdline_proc_show` <-> `cmdline_proc_show`)
//   2. normal name     compiler suffix numbers ignored, unique on both sides
//                      (`show_val.constprop.0` <-> `show_val.constprop.1`)
//   3. references      a numbered static used by a paired function family
//                      pairs with the same-based static its twin uses
//                      (foo uses `calls.1`, foo' uses `calls.4`)
//   4. static base     numbered statics whose base name is unique per side
//                      (`buf.2` <-> `buf.7`, the only `buf` on each side)
//
// Sections owned by a symbol (`.text.foo`, `.bss.calls.1`) follow their
// symbol; the rest (`.rodata.str1.1`, `__bug_table`) pair by name.
// Special statics (lockdep keys, once-flags, ...) are never paired: every
// included function gets fresh ones. Nothing is ever paired by position.
#include <algorithm>
#include <map>
#include <set>

#include "diff/context.h"
#include "diff/kernel_data.h"

namespace kp {

namespace {

bool correlatable(const Symbol& s) {
  if (s.index == 0 || s.is_section() || s.is_file() || s.is_undef()) return false;
  if (is_special_static(s)) return false;
  return s.type() == STT_FUNC || s.type() == STT_OBJECT || s.type() == STT_NOTYPE || s.type() == STT_TLS;
}

void pair(DiffCtx& ctx, Symbol& orig, Symbol& patched, const char* strategy) {
  orig.twin = &patched;
  patched.twin = &orig;
  ctx.diag.debug("correlate: " + patched.name + " <-> " + orig.name + " (" + strategy + ")");
}

// Groups candidate symbols by a key; keeps only keys that are unique.
template <class KeyFn>
std::map<std::string, Symbol*> unique_by(Object& obj, KeyFn key) {
  std::map<std::string, Symbol*> out;
  std::set<std::string> dup;
  for (Symbol& s : obj.symbols()) {
    if (!correlatable(s) || s.twin != nullptr) continue;
    std::string k = key(s);
    if (k.empty()) continue;
    if (!out.emplace(k, &s).second) dup.insert(k);
  }
  for (const auto& k : dup) out.erase(k);
  return out;
}

void match_unique(DiffCtx& ctx, const char* strategy, auto key) {
  auto o = unique_by(*ctx.orig, key);
  auto p = unique_by(*ctx.patched, key);
  for (auto& [k, ps] : p) {
    auto it = o.find(k);
    if (it != o.end() && it->second->type() == ps->type()) pair(ctx, *it->second, *ps, strategy);
  }
}

std::string type_prefix(const Symbol& s) { return std::to_string(s.type()) + ":"; }

// Strategy 1. Globals always (a name is unique per object); locals only when
// unique, which unique_by() checks. Numbered statics wait for strategy 3.
void by_exact_name(DiffCtx& ctx) {
  match_unique(ctx, "exact name", [](const Symbol& s) {
    return is_numbered_static(s) ? std::string() : type_prefix(s) + s.name;
  });
}

// Strategy 2.
void by_normal_name(DiffCtx& ctx) {
  match_unique(ctx, "normal name", [](const Symbol& s) {
    return is_numbered_static(s) ? std::string() : type_prefix(s) + normal_name(s.name);
  });
}

// The function a symbol belongs to for reference purposes: foo for
// foo.cold and foo.part.0, so statics moved between the pieces still pair.
const Symbol* family_head(const Symbol* s) {
  while (s->parent != nullptr) s = s->parent;
  return s;
}

// A relocation's target as a symbol: section symbols of sections owned by
// one object (`.bss.calls.1`) stand for that object.
Symbol* named_target(const Reloc& r) {
  Symbol* s = r.sym;
  if (s->is_section() && s->sec != nullptr && s->sec->sym != nullptr) return s->sec->sym;
  return s;
}

// For each function family, the numbered statics it references, by base
// name, in order of first reference.
using StaticRefs = std::map<const Symbol*, std::map<std::string, std::vector<Symbol*>>>;

StaticRefs static_refs(Object& obj) {
  StaticRefs out;
  for (Symbol& f : obj.symbols()) {
    if (!f.is_func() || f.sec == nullptr) continue;
    auto& by_base = out[family_head(&f)];
    for (const Reloc& r : f.sec->relocs_in(f.value(), f.value() + f.size())) {
      Symbol* t = named_target(r);
      if (!is_numbered_static(*t) || is_special_static(*t)) continue;
      auto& v = by_base[std::string(static_base(t->name))];
      if (std::find(v.begin(), v.end(), t) == v.end()) v.push_back(t);
    }
  }
  return out;
}

// Strategy 3.
void by_references(DiffCtx& ctx) {
  StaticRefs orefs = static_refs(*ctx.orig);
  StaticRefs prefs = static_refs(*ctx.patched);
  for (auto& [pf, pbases] : prefs) {
    if (pf->twin == nullptr) continue;
    auto of = orefs.find(family_head(pf->twin));
    if (of == orefs.end()) continue;
    for (auto& [base, pvars] : pbases) {
      auto ov = of->second.find(base);
      if (ov == of->second.end()) continue;
      for (size_t i = 0; i < std::min(pvars.size(), ov->second.size()); ++i) {
        Symbol* p = pvars[i];
        Symbol* o = ov->second[i];
        if (p->twin == nullptr && o->twin == nullptr) pair(ctx, *o, *p, "references");
      }
    }
  }
}

// Strategy 4.
void by_static_base(DiffCtx& ctx) {
  match_unique(ctx, "static base", [](const Symbol& s) {
    return is_numbered_static(s) ? type_prefix(s) + std::string(static_base(s.name)) : std::string();
  });
}

bool owns(const Symbol& s) {
  return s.sec != nullptr && s.sec->sym == &s && s.value() == 0 && s.size() == s.sec->size() &&
         !s.sec->is_group();
}

void pair_sections(DiffCtx& ctx) {
  for (Symbol& p : ctx.patched->symbols()) {
    if (p.twin == nullptr || !owns(p) || !owns(*p.twin)) continue;
    p.sec->twin = p.twin->sec;
    p.twin->sec->twin = p.sec;
  }
  std::map<std::string, Section*> orig_unowned;
  for (Section& s : ctx.orig->sections())
    if (s.index != 0 && (s.sym == nullptr || !owns(*s.sym))) orig_unowned.emplace(s.name, &s);
  for (Section& s : ctx.patched->sections()) {
    if (s.index == 0 || s.twin != nullptr || (s.sym != nullptr && owns(*s.sym))) continue;
    auto it = orig_unowned.find(s.name);
    if (it != orig_unowned.end() && it->second->twin == nullptr) {
      s.twin = it->second;
      it->second->twin = &s;
    }
  }
  for (Section& s : ctx.patched->sections()) {
    if (s.twin == nullptr || s.secsym == nullptr || s.twin->secsym == nullptr) continue;
    s.secsym->twin = s.twin->secsym;
    s.twin->secsym->twin = s.secsym;
  }
}

}  // namespace

void correlate(DiffCtx& ctx) {
  by_exact_name(ctx);
  by_normal_name(ctx);
  by_references(ctx);
  by_static_base(ctx);
  pair_sections(ctx);
}

}  // namespace kp
