// The entry size of a special section: kpatch's size variables, the known
// layouts, and the section's own evidence. See entry_size.cpp.
#pragma once

#include <cstdint>

#include "diff/context.h"
#include "diff/kernel_data.h"

namespace kp {

// Refuses (kp::Fatal, exit 1) a size variable (ALT_STRUCT_SIZE, ...) set to
// anything but a positive decimal integer, before anything is read; the
// message names the section the variable describes.
void check_size_variables(const DiffConfig& cfg);

// The size of one entry of `sec`, a special section of the patched object,
// decided once per section. Warns when the section's evidence overrules a
// size variable; throws kp::Fatal naming the section when no size fits.
uint32_t entry_size(DiffCtx& ctx, const Section& sec, const SpecialSection& spec);

// The size of one entry of `table`, the table parallel to `sec`
// (.orc_unwind beside .orc_unwind_ip), which has `count` entries.
uint32_t paired_entry_size(DiffCtx& ctx, const Section& table, const Section& sec, const PairedTable& spec, uint64_t count);

}  // namespace kp
