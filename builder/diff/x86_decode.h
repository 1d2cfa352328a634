// x86-64 instruction length decoding, just enough to find instruction
// boundaries in compiler-generated kernel code and to recognise the few
// instruction shapes the differ reasons about (loads of an immediate into a
// register, direct calls).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace kp::x86 {

struct Insn {
  unsigned length = 0;      // total bytes, 1..15
  unsigned imm_offset = 0;  // offset of the immediate inside the instruction (0: none)
  unsigned imm_size = 0;    // bytes of immediate: ENTER's iw+ib count as one 3-byte
                            // field, MOV moffs (A0-A3) report the address here
  unsigned disp_offset = 0; // offset of the ModRM displacement (0: none)
  unsigned disp_size = 0;
  // `mov $imm, %reg` (B8+r with any prefix/REX, or C7 /0 with a register
  // operand): the instruction gcc uses to pass __LINE__ to a function.
  bool mov_imm_to_reg = false;
  int reg = -1;             // destination register 0..15 when mov_imm_to_reg
  bool is_call = false;     // E8 rel32
};

// Decodes the instruction at the start of `code` (64-bit mode). Returns
// nullopt for an encoding it does not know or a truncated instruction.
std::optional<Insn> decode(std::span<const std::byte> code);

}  // namespace kp::x86
