// The patch author's markers (kmod/kpatch-macros.h, the classic kpatch
// macros): what they ask for, applied to the comparison's result before
// the refusals are checked.
//
// Each marker is a pointer-sized entry in a section of its own, left in the
// patched object by a macro:
//
//   .kpatch.ignore.functions  KPATCH_IGNORE_FUNCTION(fn): a changed fn (and
//                             its .cold/.part pieces) counts as unchanged,
//                             so it is neither patched nor refused
//   .kpatch.ignore.sections   KPATCH_IGNORE_SECTION(".name"): the entry
//                             points at the name, a string; every changed
//                             symbol in a section of that name counts as
//                             unchanged
//   .kpatch.force             KPATCH_FORCE_UNSAFE(fn): told the old kpatch
//                             core module to skip its stack check; the
//                             livepatch core has no such switch, so a
//                             warning says it has no effect
//
// An entry that does not point where its macro would (a function, a string)
// is an error naming the entry: a hand-written marker that means nothing is
// better refused than silently dropped. The marker sections themselves are
// new, unreferenced data and never reach the output.
#include <string>

#include "diff/context.h"
#include "diff/reloc_targets.h"

namespace kp {

namespace {

constexpr std::string_view kIgnoreFunctions = ".kpatch.ignore.functions";
constexpr std::string_view kIgnoreSections = ".kpatch.ignore.sections";
constexpr std::string_view kForce = ".kpatch.force";

void mark_unchanged(DiffCtx& ctx, Symbol& s, const std::string& why) {
  if (s.status != Status::Changed) return;
  ctx.diag.debug("unchanged: " + s.name + " (" + why + ")");
  s.status = Status::Same;
  if (s.sec != nullptr && s.sec->sym == &s) s.sec->status = Status::Same;
  for (Symbol* piece : s.children) mark_unchanged(ctx, *piece, why);
}

// The function an entry of a function marker points at.
Symbol& marked_function(DiffCtx& ctx, const Section& marker, const Reloc& r) {
  Target t = resolve_target(marker, r);
  Symbol* fn = t.sym;
  if (fn == nullptr && t.sec != nullptr) fn = function_at(*ctx.patched, t.sec, t.offset);
  if (fn == nullptr || !fn->is_func())
    ctx.diag.fatal(ctx.where(*ctx.patched, &marker, nullptr, r.offset), "marker entry does not point at a function",
                   "bad-marker");
  return *fn;
}

// The NUL-terminated string an entry of .kpatch.ignore.sections points at.
std::string marked_name(DiffCtx& ctx, const Section& marker, const Reloc& r) {
  Target t = resolve_target(marker, r);
  std::string name;
  if (t.sec != nullptr && !t.sec->is_nobits()) {
    for (uint64_t i = t.offset; i < t.sec->data.size(); ++i) {
      char c = static_cast<char>(t.sec->data[i]);
      if (c == '\0') return name;
      name += c;
    }
  }
  ctx.diag.fatal(ctx.where(*ctx.patched, &marker, nullptr, r.offset),
                 "KPATCH_IGNORE_SECTION entry does not point at a section name string", "bad-marker");
}

void ignore_functions(DiffCtx& ctx, const Section& marker) {
  for (const Reloc& r : marker.relocs) {
    Symbol& fn = marked_function(ctx, marker, r);
    if (fn.status == Status::New)
      ctx.diag.warn(
          ctx.where(*ctx.patched, fn.sec, &fn),
          "KPATCH_IGNORE_FUNCTION(" + fn.name + "): the function is new in the patch; ignoring it has no effect",
          "ignore-new");
    mark_unchanged(ctx, fn, "KPATCH_IGNORE_FUNCTION");
  }
}

void ignore_sections(DiffCtx& ctx, const Section& marker) {
  for (const Reloc& r : marker.relocs) {
    std::string name = marked_name(ctx, marker, r);
    bool found = false;
    for (Section& sec : ctx.patched->sections()) {
      if (sec.name != name) continue;
      found = true;
      if (sec.status == Status::Changed) sec.status = Status::Same;
    }
    for (Symbol& s : ctx.patched->symbols())
      if (s.sec != nullptr && s.sec->name == name) mark_unchanged(ctx, s, "KPATCH_IGNORE_SECTION");
    if (!found) ctx.diag.debug("KPATCH_IGNORE_SECTION(\"" + name + "\"): no such section in " + ctx.objname);
  }
}

void force_unsafe(DiffCtx& ctx, const Section& marker) {
  for (const Reloc& r : marker.relocs) {
    Symbol& fn = marked_function(ctx, marker, r);
    ctx.diag.warn(ctx.where(*ctx.patched, fn.sec, &fn),
                  "KPATCH_FORCE_UNSAFE(" + fn.name +
                      ") has no effect: the kernel's livepatch core switches each task at a safe point and "
                      "has no per-function override; the function is patched as usual",
                  "force-unsafe");
  }
}

}  // namespace

void apply_author_markers(DiffCtx& ctx) {
  for (const Section& sec : ctx.patched->sections()) {
    if (sec.name == kIgnoreFunctions)
      ignore_functions(ctx, sec);
    else if (sec.name == kIgnoreSections)
      ignore_sections(ctx, sec);
    else if (sec.name == kForce)
      force_unsafe(ctx, sec);
  }
}

}  // namespace kp
