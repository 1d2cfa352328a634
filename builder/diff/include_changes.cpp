// Inclusion: which bytes of the patched object go into the patch.
//
// The roots are the changed and new functions. From there every relocation
// is followed: a target that exists unchanged in the running kernel is not
// copied but referenced (output.cpp turns the reference into a normal or a
// klp relocation); a target that is new, changed read-only data, a special
// static, or mergeable constants (string literals) is copied and its own
// relocations followed in turn; of a mergeable section only the strings or
// constants referenced are taken. A function brings its .cold pieces along,
// since they have no entry point of their own to be reached through.
//
// The patch author's tables (kmod/kpatch.h) are roots as well: callback
// entries (.kpatch.callbacks.<kind>) and states (.kpatch.states) are new
// sections nothing references, yet the patch module reads them. Taking
// them whole brings the callback functions and object names along.
//
// Kernels before 5.17 put the fixup code of a faulting instruction in
// .fixup, a code section without symbols: the __ex_table entry's fixup
// field is the only thing that points into it, at an offset no symbol
// names. A kept entry takes the piece of .fixup it points at, which ends
// where the next piece something else points at begins (or at the end of
// the section): the fixup code one asm statement wrote, ending in its jump
// back into its function. Those pieces are packed into the output's own
// .fixup (output.cpp).
//
// The result is a set of byte ranges per patched section (DiffCtx::included):
// whole sections for copied sections, symbol ranges for functions and
// objects, so that a function living in a shared section (.sched.text)
// can be taken alone.
#include "diff/include_changes.h"

#include <algorithm>
#include <string_view>

#include "diff/kernel_data.h"
#include "diff/reloc_targets.h"

namespace kp {

namespace {

struct Work {
  const Section* sec;
  uint64_t begin;
  uint64_t end;
};

class Closure {
 public:
  explicit Closure(DiffCtx& ctx) : ctx_(ctx) {}

  void add(const Section& sec, uint64_t begin, uint64_t end) {
    if (add_range(ctx_, sec, begin, end)) work_.push_back({&sec, begin, end});
  }
  void add_symbol(Symbol& s) {
    if (s.sec == nullptr || s.include) return;
    s.include = true;
    uint64_t size = s.size() != 0 ? s.size() : s.sec->size() - s.value();
    add(*s.sec, s.value() - s.padding, s.value() + size);  // with its padding (__pfx_)
    for (Symbol* c : s.children)
      if (is_cold_piece(c->name)) add_symbol(*c);
  }
  // One string, or one fixed-size constant, of a mergeable section: clang
  // puts every string literal of an object in one .rodata.str1.1 (and
  // same-sized constants in .rodata.cst16), so copying the section would
  // bring every other function's strings along.
  void add_merge_piece(const Section& sec, uint64_t offset) {
    if (offset >= sec.size()) return add(sec, 0, sec.size());
    auto [begin, end] = merge_piece(sec, offset);
    add(sec, begin, end);
  }
  // Follows the relocations of a range the caller has already placed.
  void walk(const Section& sec, uint64_t begin, uint64_t end) { work_.push_back({&sec, begin, end}); }
  void add_section(Section& sec) {
    sec.include = true;
    add(sec, 0, sec.size());
  }
  void run() {
    while (!work_.empty()) {
      Work w = work_.back();
      work_.pop_back();
      for (const Reloc& r : w.sec->relocs_in(w.begin, w.end)) follow(*w.sec, r);
    }
  }

 private:
  void follow(const Section& where, const Reloc& r) {
    Target t = resolve_target(where, r);
    if (t.sec == nullptr || is_ignored_section(*t.sec)) return;
    if (is_merge_pieces(*t.sec)) return add_merge_piece(*t.sec, t.offset);
    if (is_copied_whole(*t.sec)) return add_section(*t.sec);
    if (t.sym != nullptr) return follow_symbol(*t.sym);
    if (is_fixup_section(*t.sec)) return add_fixup_piece(*t.sec, t.offset);
    if (t.sec->status == Status::New || (t.sec->is_data() && !t.sec->is_write())) return add_section(*t.sec);
    // A section symbol into shared code or data: the covering symbol, if
    // any, decides; output.cpp reports the ones it cannot name.
    Object& obj = *ctx_.patched;
    if (Symbol* s = symbol_covering(obj, *t.sec, t.offset)) follow_symbol(*s);
  }
  void add_fixup_piece(const Section& sec, uint64_t offset) {
    auto [begin, end] = fixup_piece(ctx_, *ctx_.patched, sec, offset);
    add(sec, begin, end);
  }
  void follow_symbol(Symbol& s) {
    if (s.sec == nullptr) return;
    bool copy = s.status == Status::New || is_special_static(s) ||
                (s.status == Status::Changed && (s.is_func() || !s.sec->is_write()));
    if (copy) add_symbol(s);
  }

  DiffCtx& ctx_;
  std::vector<Work> work_;
};

// Sections kmod/kpatch.h fills in a patched source; patch-hook.c reads them
// through the bracketing symbols of kmod/kpatch.lds.
bool is_author_table(std::string_view name) {
  return name.starts_with(".kpatch.callbacks.") || name == ".kpatch.states";
}

}  // namespace

// Where the pieces of a .fixup section begin: every offset a relocation
// outside it points at, found once per section.
std::pair<uint64_t, uint64_t> fixup_piece(DiffCtx& ctx, const Object& obj, const Section& fixup, uint64_t offset) {
  auto [it, fresh] = ctx.fixup_starts.try_emplace(&fixup);
  std::vector<uint64_t>& starts = it->second;
  if (fresh) {
    for (const Section& sec : obj.sections()) {
      if (&sec == &fixup) continue;
      for (const Reloc& r : sec.relocs) {
        Target t = resolve_target(sec, r);
        if (t.sec == &fixup) starts.push_back(t.offset);
      }
    }
    std::sort(starts.begin(), starts.end());
  }
  auto next = std::upper_bound(starts.begin(), starts.end(), offset);
  return {offset, next != starts.end() ? std::min(*next, fixup.size()) : fixup.size()};
}

bool add_range(DiffCtx& ctx, const Section& sec, uint64_t begin, uint64_t end) {
  auto& ranges = ctx.included[&sec];
  for (auto& [b, e] : ranges)
    if (begin >= b && end <= e && !(begin == end && b != begin)) return false;
  ranges.emplace_back(begin, end);
  std::sort(ranges.begin(), ranges.end());
  return true;
}

bool is_included_at(const DiffCtx& ctx, const Section* sec, uint64_t offset) {
  auto it = ctx.included.find(sec);
  if (it == ctx.included.end()) return false;
  return std::any_of(it->second.begin(), it->second.end(),
                     [&](const auto& r) { return offset >= r.first && offset < std::max(r.second, r.first + 1); });
}

void include_reloc_targets(DiffCtx& ctx, const Section& sec, uint64_t begin, uint64_t end) {
  Closure c(ctx);
  c.walk(sec, begin, end);
  c.run();
}

void include_changes(DiffCtx& ctx) {
  Closure c(ctx);
  for (Symbol& s : ctx.patched->symbols()) {
    if (!s.is_func() || s.sec == nullptr || is_init_or_exit(s.sec->name)) continue;
    if (s.status == Status::Changed || s.status == Status::New) c.add_symbol(s);
  }
  for (Section& sec : ctx.patched->sections())
    if (is_author_table(sec.name)) c.add_section(sec);
  c.run();
}

}  // namespace kp
