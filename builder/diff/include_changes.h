#pragma once

#include <cstdint>
#include <utility>

#include "diff/context.h"

namespace kp {

// The piece of `fixup` (a .fixup section of `obj`) that starts at
// `offset`: up to the next offset something outside it points at.
std::pair<uint64_t, uint64_t> fixup_piece(DiffCtx& ctx, const Object& obj, const Section& fixup, uint64_t offset);
// Includes what the relocations in [begin, end) of `sec` need, transitively.
void include_reloc_targets(DiffCtx& ctx, const Section& sec, uint64_t begin, uint64_t end);
// Is byte `offset` of `sec` part of the output?
bool is_included_at(const DiffCtx& ctx, const Section* sec, uint64_t offset);
// Marks a byte range of `sec` for the output (idempotent).
bool add_range(DiffCtx& ctx, const Section& sec, uint64_t begin, uint64_t end);

}  // namespace kp
