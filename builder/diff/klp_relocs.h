#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "diff/context.h"

namespace kp {

// The output symbol through which the patch refers to `sym`, a symbol of
// the patched object that exists unchanged in the running kernel (or is
// undefined): a plain undefined symbol when the module loader can resolve
// it (exported), otherwise `.klp.sym.<obj>.<name>,<pos>` for livepatch to
// resolve. Reports and returns nullopt when the symbol cannot be found.
std::optional<size_t> reference_symbol(DiffCtx& ctx, const Symbol& sym, const Where& where);

// sympos of an original local symbol in the parent (1-based), or 0 for a
// global. Reports and returns nullopt when it is not in the parent.
std::optional<uint32_t> parent_sympos(DiffCtx& ctx, const Symbol& orig_sym, const Where& where);

}  // namespace kp
