// Where a relocation points: the named symbol it stands for and the
// location (section, offset) it addresses.
#pragma once

#include <cstdint>

#include "elf/object.h"

namespace kp {

struct Target {
  Symbol* sym = nullptr;    // a named symbol: the reloc's own, or the owner of the section it names
  Section* sec = nullptr;   // where it points, null for undefined symbols
  uint64_t offset = 0;      // estimated offset in sec
};

// For PC-relative relocations the addend is also biased by the distance
// from the field to the end of the instruction; this assumes the field ends
// the instruction, which holds for calls, jumps and rip-relative loads.
Target resolve_target(const Reloc& r);

// The function or object in `sec` that covers `offset`, if any.
Symbol* symbol_covering(Object& obj, Section& sec, uint64_t offset);

// Is the section content that should be copied whole wherever it is used
// (mergeable constants and strings, alternative replacement code)?
bool is_copied_whole(const Section& sec);

}  // namespace kp
