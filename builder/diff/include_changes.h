#pragma once

#include <cstdint>

#include "diff/context.h"

namespace kp {

// Includes what the relocations in [begin, end) of `sec` need, transitively.
void include_reloc_targets(DiffCtx& ctx, const Section& sec, uint64_t begin, uint64_t end);
// Is byte `offset` of `sec` part of the output?
bool is_included_at(const DiffCtx& ctx, const Section* sec, uint64_t offset);
// Marks a byte range of `sec` for the output (idempotent).
bool add_range(DiffCtx& ctx, const Section& sec, uint64_t begin, uint64_t end);

}  // namespace kp
