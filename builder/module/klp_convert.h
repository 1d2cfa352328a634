// Post-link step of a patch module: turn the differ's .klp.sym references
// into the livepatch ELF format. See klp_convert.cpp.
#pragma once

#include <string>

#include "elf/object.h"
#include "elf/writer.h"

namespace kp {

struct KlpConvertStats {
  size_t klp_symbols = 0;
  size_t klp_relocs = 0;
  size_t klp_sections = 0;
};

// Rewrites `ko` (a linked patch module) into an OutputObject in which every
// relocation against a `.klp.sym.<obj>.<name>,<pos>` symbol sits in a
// `.klp.rela.<obj>.<section>` section flagged SHF_RELA_LIVEPATCH, and those
// symbols are SHN_LIVEPATCH. Throws kp::Fatal naming the module for
// malformed symbol names.
OutputObject convert_klp_relocations(const Object& ko, KlpConvertStats& stats);

}  // namespace kp
