// Where a relocation points: the named symbol it stands for and the
// location (section, offset) it addresses.
#pragma once

#include <cstdint>
#include <utility>

#include "elf/object.h"

namespace kp {

struct Target {
  Symbol* sym = nullptr;   // a named symbol: the reloc's own, or the owner of the section it names
  Section* sec = nullptr;  // where it points, null for undefined symbols
  uint64_t offset = 0;     // estimated offset in sec
};

// For PC-relative relocations in code the addend is also biased by the
// distance from the field to the end of the instruction; this assumes the
// field ends the instruction, which holds for calls, jumps and rip-relative
// loads. In data (`.long target - .` in special sections) there is no bias.
Target resolve_target(const Reloc& r);
// The same for a relocation of `where`, with the bias of a PC-relative
// field in code decoded from the instruction rather than assumed: it is
// larger when an immediate follows the field (`movb $1, flag(%rip)`).
// Only section-symbol relocations are adjusted; for a named symbol the
// offset does not decide anything.
Target resolve_target(const Section& where, const Reloc& r);

// The function or object in `sec` that covers `offset`, if any.
Symbol* symbol_covering(Object& obj, Section& sec, uint64_t offset);
// The function that starts exactly at `offset` of `sec`, if any.
Symbol* function_at(Object& obj, const Section* sec, uint64_t offset);

// Is the section content that should be copied whole wherever it is used
// (mergeable constants and strings, alternative replacement code)?
bool is_copied_whole(const Section& sec);
// A mergeable section of strings or fixed-size constants, which is copied
// piece by piece: only what is referenced.
bool is_merge_pieces(const Section& sec);
// The piece of such a section holding `offset`: the NUL-terminated string,
// or the sh_entsize-byte constant.
std::pair<uint64_t, uint64_t> merge_piece(const Section& sec, uint64_t offset);

}  // namespace kp
