// Refusals: changes that compile and link but that livepatch cannot apply
// safely. Each is reported with the symbol and the reason; all of them are
// collected before the run stops with exit status 2.
//
//   changed-data       existing data cannot be rewritten by a patch: its
//                      value lives in the running kernel, not in the code
//   init-exit          __init code has already run and been freed;
//                      __exit code only runs at unload
//   no-fentry          without an ftrace call site (notrace, or an asm
//                      stub) the old function cannot be redirected
//   comdat             a COMDAT group may be discarded or merged with
//                      another object's copy at link time
//   static-local-lost  a static local the original function used has no
//                      counterpart in the patched one: its state would be lost
#include <set>

#include "diff/context.h"
#include "diff/kernel_data.h"
#include "diff/reloc_targets.h"

namespace kp {

namespace {

bool is_writable_data(const Symbol& s) {
  return s.sec != nullptr && s.sec->is_data() && s.sec->is_write();
}

void check_data(DiffCtx& ctx, const Symbol& p) {
  if (!p.is_object() || p.status != Status::Changed || !is_writable_data(p) || is_special_static(p)) return;
  const Symbol& o = *p.twin;
  std::string what = o.size() != p.size()
                         ? "size changed from " + std::to_string(o.size()) + " to " + std::to_string(p.size())
                         : "initial value changed";
  ctx.diag.unsupported(ctx.where(*ctx.patched, p.sec, &p, p.value()),
                       "data object '" + p.name + "': " + what +
                           "; a live patch cannot change existing data (use a shadow variable or a callback)",
                       "changed-data");
}

void check_function(DiffCtx& ctx, const Symbol& p) {
  if (!p.is_func() || p.sec == nullptr || p.status != Status::Changed) return;
  Where w = ctx.where(*ctx.patched, p.sec, &p, p.value());
  if (is_init_or_exit(p.sec->name)) {
    ctx.diag.unsupported(w,
                         "function '" + p.name + "' is " + (p.sec->name.starts_with(".init") ? "__init" : "__exit") +
                             "; it cannot be patched live",
                         "init-exit");
    return;
  }
  if (p.sec->group != nullptr) {
    ctx.diag.unsupported(w, "function '" + p.name + "' is in COMDAT group " + p.sec->group->name, "comdat");
    return;
  }
  if (!p.has_fentry && !is_cold_piece(p.name) && !(p.twin && p.twin->has_fentry))
    ctx.diag.unsupported(w, "function '" + p.name + "' has no ftrace call site (notrace?); it cannot be redirected",
                         "no-fentry");
}

// Statics an original function family used, by base name.
void check_static_locals(DiffCtx& ctx, const Symbol& p) {
  if (!p.is_func() || p.status != Status::Changed || p.sec == nullptr) return;
  const Symbol& o = *p.twin;
  if (o.sec == nullptr) return;
  for (const Reloc& r : o.sec->relocs_in(o.value(), o.value() + o.size())) {
    Target t = resolve_target(*o.sec, r);
    if (t.sym == nullptr || !is_static_local(*t.sym) || is_special_static(*t.sym) || t.sym->twin != nullptr)
      continue;
    ctx.diag.unsupported(ctx.where(*ctx.patched, p.sec, &p, p.value()),
                         "static local '" + t.sym->name + "' used by the original '" + o.name +
                             "' is no longer used by the patched function; its state would be lost",
                         "static-local-lost");
  }
}

}  // namespace

void check_patchability(DiffCtx& ctx) {
  for (const Symbol& p : ctx.patched->symbols()) {
    check_data(ctx, p);
    check_function(ctx, p);
    check_static_locals(ctx, p);
  }
  ctx.diag.checkpoint();
}

}  // namespace kp
