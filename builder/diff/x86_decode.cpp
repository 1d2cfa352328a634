// x86-64 instruction length decoding.
//
// The differ walks function bodies one instruction at a time: to find the
// __LINE__ immediates gcc passes to WARN/BUG helpers, and to tell a changed
// call from a changed constant. That needs instruction boundaries and the
// positions of the immediate and displacement fields, not the meaning of
// the instruction. For example
//
//   41 b8 2a 00 00 00      mov $42,%r8d        length 6, imm at 2 (4 bytes)
//   48 8b 05 00 00 00 00   mov x(%rip),%rax    length 7, disp at 3 (4 bytes)
//
// An instruction is: legacy prefixes, an optional REX byte, an opcode in one
// of four maps (one-byte, 0F, 0F 38, 0F 3A), an optional ModRM byte (with a
// SIB byte and displacement that ModRM alone decides), and an immediate whose
// size the opcode decides, for some opcodes together with the 66 (operand
// size), 67 (address size) or REX.W prefix. So each of the first two maps
// has a table giving, per opcode byte, whether it exists in 64-bit mode,
// whether it has ModRM and what kind of immediate follows; the code adds only
// the irregular cases (TEST hiding in F6/F7 /0 and /1, group members that are
// another instruction, prefixes that make another instruction). The 0F 38
// map is uniformly ModRM and 0F 3A uniformly ModRM + imm8, so they need no
// table. VEX (C4, C5) and EVEX (62) replace REX and 66/F2/F3 and name the
// map; their instructions reuse the legacy shapes.
//
// Limits. Decoding is by shape: a reserved opcode inside a map that has the
// map's usual shape is accepted. Rejected (nullopt) is what compilers never
// emit and the CPU or objdump reads differently or not at all:
//   - encodings invalid in 64-bit mode (06, 27, 60, 9A, D4, EA, ...),
//     undefined group members (FE /2, FF /7, C7 /1, ...), LEA and far
//     CALL/JMP with a register operand, 3DNow! (0F 0E, 0F 0F) and AMD XOP
//     (8F with ModRM.reg != 0);
//   - 66 without REX.W on a rel32 branch (E8, E9, 0F 8x): Intel ignores it,
//     AMD and objdump read a rel16;
//   - a legacy prefix after REX: the CPU drops the REX, objdump prints it as
//     an instruction of its own;
//   - 0F B8 without F3 (JMPE) and SSE4a EXTRQ/INSERTQ with immediates;
//   - (E)VEX after a 66/F2/F3/F0/REX prefix or with a reserved map, and
//     (E)VEX opcodes without ModRM or with an immediate other than imm8
//     (except VZEROUPPER/VZEROALL);
//   - anything longer than 15 bytes or running past the end of `code`.
// ENTER's two immediates (iw, ib) are reported as one 3-byte field, and the
// address of MOV moffs (A0-A3) as the immediate, as in Linux's decoder.
// FWAIT (9B) followed by an x87 instruction is one instruction (9B DB E3 is
// FINIT), as in the SDM's opcode tables and objdump; before anything else it
// is FWAIT alone.
#include "diff/x86_decode.h"

#include <algorithm>
#include <array>

namespace kp::x86 {
namespace {

constexpr std::size_t kMaxLength = 15;

// Immediate kinds: z is 16 or 32 bits by operand size, v adds 64 with REX.W
// (only B8+r), j is a rel32 branch, moffs a 32/64-bit address by address size.
enum Imm : std::uint8_t { kNone, kB, kW, kZ, kV, kJ, kMoffs, kEnter };

// One opcode's shape: flag bits, plus the immediate kind in bits 4..6.
constexpr std::uint8_t kValid = 1;     // defined in 64-bit mode
constexpr std::uint8_t kModrm = 2;     // ModRM follows the opcode
constexpr std::uint8_t kTestImm = 4;   // immediate only for ModRM.reg 0, 1
constexpr std::uint8_t kRegOnly = 8;   // ModRM.mod ignored: no SIB, no disp
constexpr std::uint8_t kPrefix = 128;  // a legacy prefix, never an opcode
constexpr std::uint8_t imm(Imm k) { return std::uint8_t(kValid | k << 4); }
constexpr Imm imm_kind(std::uint8_t shape) { return Imm((shape >> 4) & 7); }

// Names of the table entries, two letters so the tables line up by column.
constexpr std::uint8_t xx = 0;  // invalid in 64-bit mode, or rejected
constexpr std::uint8_t ES = 0;  // escape (0F, C4, C5, 62), handled before lookup
constexpr std::uint8_t RX = 0;  // REX, handled before lookup
constexpr std::uint8_t PF = kPrefix;
constexpr std::uint8_t NO = kValid;  // the opcode alone
constexpr std::uint8_t MR = kValid | kModrm;
constexpr std::uint8_t CR = MR | kRegOnly;  // MOV to/from CRn/DRn
constexpr std::uint8_t IB = imm(kB), IW = imm(kW), IZ = imm(kZ);
constexpr std::uint8_t IV = imm(kV), JZ = imm(kJ), MO = imm(kMoffs);
constexpr std::uint8_t EN = imm(kEnter);
constexpr std::uint8_t MB = MR | IB, MZ = MR | IZ;
constexpr std::uint8_t TB = MB | kTestImm, TZ = MZ | kTestImm;

constexpr std::array<std::uint8_t, 256> kOneByte = {
    //  0   1   2   3   4   5   6   7   8   9   A   B   C   D   E   F
    MR, MR, MR, MR, IB, IZ, xx, xx, MR, MR, MR, MR, IB, IZ, xx, ES,  // 0
    MR, MR, MR, MR, IB, IZ, xx, xx, MR, MR, MR, MR, IB, IZ, xx, xx,  // 1
    MR, MR, MR, MR, IB, IZ, PF, xx, MR, MR, MR, MR, IB, IZ, PF, xx,  // 2
    MR, MR, MR, MR, IB, IZ, PF, xx, MR, MR, MR, MR, IB, IZ, PF, xx,  // 3
    RX, RX, RX, RX, RX, RX, RX, RX, RX, RX, RX, RX, RX, RX, RX, RX,  // 4
    NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO,  // 5
    xx, xx, ES, MR, PF, PF, PF, PF, IZ, MZ, IB, MB, NO, NO, NO, NO,  // 6
    IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB,  // 7
    MB, MZ, xx, MB, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,  // 8
    NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, xx, NO, NO, NO, NO, NO,  // 9
    MO, MO, MO, MO, NO, NO, NO, NO, IB, IZ, NO, NO, NO, NO, NO, NO,  // A
    IB, IB, IB, IB, IB, IB, IB, IB, IV, IV, IV, IV, IV, IV, IV, IV,  // B
    MB, MB, IW, NO, ES, ES, MB, MZ, EN, NO, IW, NO, NO, IB, xx, NO,  // C
    MR, MR, MR, MR, xx, xx, xx, NO, MR, MR, MR, MR, MR, MR, MR, MR,  // D
    IB, IB, IB, IB, IB, IB, IB, IB, JZ, JZ, xx, IB, NO, NO, NO, NO,  // E
    PF, NO, PF, PF, NO, NO, TB, TZ, NO, NO, NO, NO, NO, NO, MR, MR,  // F
};

constexpr std::array<std::uint8_t, 256> kTwoByte = {
    //  0   1   2   3   4   5   6   7   8   9   A   B   C   D   E   F
    MR, MR, MR, MR, xx, NO, NO, NO, NO, NO, xx, NO, xx, MR, xx, xx,  // 0
    MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,  // 1
    CR, CR, CR, CR, xx, xx, xx, xx, MR, MR, MR, MR, MR, MR, MR, MR,  // 2
    NO, NO, NO, NO, NO, NO, xx, NO, ES, xx, ES, xx, xx, xx, xx, xx,  // 3
    MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,  // 4
    MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,  // 5
    MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,  // 6
    MB, MB, MB, MB, MR, MR, MR, NO, MR, MR, xx, xx, MR, MR, MR, MR,  // 7
    JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ,  // 8
    MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,  // 9
    NO, NO, NO, MR, MB, MR, xx, xx, NO, NO, NO, MR, MB, MR, MR, MR,  // A
    MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MB, MR, MR, MR, MR, MR,  // B
    MR, MR, MB, MR, MB, MB, MB, MR, NO, NO, NO, NO, NO, NO, NO, NO,  // C
    MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,  // D
    MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,  // E
    MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,  // F
};

enum class Map { kOne, k0F, k0F38, k0F3A };

struct Prefixes {
  bool opsize = false;  // 66
  bool addrsize = false;  // 67
  bool lock = false;  // F0
  bool repne = false;  // F2
  bool rep = false;  // F3
  std::uint8_t vex = 0;  // C4, C5 or 62 (EVEX): stands for REX and 66/F2/F3
  std::uint8_t rex = 0;
};

struct Opcode {
  Map map = Map::kOne;
  std::uint8_t byte = 0;
  std::uint8_t shape = 0;
  std::uint8_t modrm = 0;  // when shape has kModrm
};

// Reads at most kMaxLength bytes and never past the end of the code.
class Cursor {
 public:
  explicit Cursor(std::span<const std::byte> code)
      : code_(code.first(std::min(code.size(), kMaxLength))) {}
  std::optional<std::uint8_t> peek() const {
    if (pos_ == code_.size()) return std::nullopt;
    return std::to_integer<std::uint8_t>(code_[pos_]);
  }
  std::optional<std::uint8_t> next() {
    auto b = peek();
    pos_ += b.has_value();
    return b;
  }
  bool skip(unsigned n) {
    if (n > code_.size() - pos_) return false;
    pos_ += n;
    return true;
  }
  unsigned pos() const { return unsigned(pos_); }

 private:
  std::span<const std::byte> code_;
  std::size_t pos_ = 0;
};

std::optional<Prefixes> read_prefixes(Cursor& c) {
  Prefixes p;
  while (auto b = c.peek()) {
    if ((*b & 0xF0) == 0x40) {
      p.rex = *b;
    } else if (kOneByte[*b] == PF) {
      if (p.rex) return std::nullopt;  // the CPU drops the REX; objdump splits
      p.opsize |= *b == 0x66;
      p.addrsize |= *b == 0x67;
      p.lock |= *b == 0xF0;
      p.repne |= *b == 0xF2;
      p.rep |= *b == 0xF3;
    } else {
      return p;
    }
    c.next();
  }
  return std::nullopt;
}

// The payload of C5 (one byte), C4 (two) or EVEX 62 (three) names the map.
std::optional<Map> read_vex(Cursor& c, std::uint8_t escape, Prefixes& p) {
  if (p.rex || p.opsize || p.lock || p.repne || p.rep) return std::nullopt;
  p.vex = escape;
  std::array<std::uint8_t, 3> payload{};
  for (unsigned i = 0; i < (escape == 0xC5 ? 1u : escape == 0xC4 ? 2u : 3u); ++i) {
    auto b = c.next();
    if (!b) return std::nullopt;
    payload[i] = *b;
  }
  if (escape == 0xC5) return Map::k0F;
  bool evex = escape == 0x62;
  if (evex && !(payload[1] & 4)) return std::nullopt;  // a fixed 1 bit
  switch (payload[0] & (evex ? 0x0F : 0x1F)) {
    case 1: return Map::k0F;
    case 2: return Map::k0F38;
    case 3: return Map::k0F3A;
    case 5: case 6:  // AVX512-FP16 maps, shaped like 0F 38
      return evex ? std::optional(Map::k0F38) : std::nullopt;
    default: return std::nullopt;
  }
}

std::uint8_t shape_of(Map map, std::uint8_t byte) {
  switch (map) {
    case Map::kOne: return kOneByte[byte];
    case Map::k0F: return kTwoByte[byte];
    case Map::k0F38: return MR;
    case Map::k0F3A: return MB;
  }
  return xx;
}

std::optional<Opcode> read_opcode(Cursor& c, Prefixes& p) {
  Opcode op;
  auto b = c.next();
  if (b == 0xC4 || b == 0xC5 || b == 0x62) {
    auto map = read_vex(c, *b, p);
    if (!map) return std::nullopt;
    op.map = *map;
    b = c.next();
  } else if (b == 0x0F) {
    op.map = Map::k0F;
    b = c.next();
    if (b == 0x38 || b == 0x3A) {
      op.map = b == 0x38 ? Map::k0F38 : Map::k0F3A;
      b = c.next();
    }
  }
  if (!b) return std::nullopt;
  op.byte = *b;
  op.shape = shape_of(op.map, *b);
  return op;
}

// Reads the SIB byte and the displacement that the ModRM byte calls for.
bool read_address(Cursor& c, std::uint8_t modrm, Insn& insn) {
  unsigned mod = modrm >> 6, rm = modrm & 7;
  if (mod == 3) return true;
  unsigned disp = mod == 1 ? 1 : mod == 2 ? 4 : 0;
  if (rm == 4) {
    auto sib = c.next();
    if (!sib) return false;
    if (mod == 0 && (*sib & 7) == 5) disp = 4;  // no base register
  } else if (mod == 0 && rm == 5) {
    disp = 4;  // RIP-relative
  }
  if (disp) {
    insn.disp_offset = c.pos();
    insn.disp_size = disp;
  }
  return c.skip(disp);
}

// One-byte opcodes that are defined for some ModRM values only.
bool modrm_defines(std::uint8_t byte, std::uint8_t modrm) {
  unsigned reg = (modrm >> 3) & 7;
  bool memory = modrm < 0xC0;
  switch (byte) {
    case 0x8D: return memory;  // LEA
    case 0x8F: return reg == 0;  // else AMD XOP
    case 0xC6: case 0xC7: return reg == 0 || modrm == 0xF8;  // XABORT, XBEGIN
    case 0xFE: return reg <= 1;
    case 0xFF: return reg != 7 && (memory || (reg != 3 && reg != 5));  // far
    default: return true;
  }
}

bool vex_defines(const Opcode& op, const Prefixes& p) {
  if (op.map == Map::k0F && op.byte == 0x77) return p.vex != 0x62;  // VZEROUPPER
  Imm k = imm_kind(op.shape);
  return (op.shape & kModrm) && !(op.shape & kRegOnly) && (k == kNone || k == kB);
}

// The irregular cases the tables cannot express.
bool defines(const Opcode& op, const Prefixes& p) {
  if (!(op.shape & kValid)) return false;
  if (p.vex) return vex_defines(op, p);
  if (imm_kind(op.shape) == kJ && p.opsize && !(p.rex & 8))
    return false;  // rel16 or rel32 by vendor
  if (op.map == Map::kOne && (op.shape & kModrm))
    return modrm_defines(op.byte, op.modrm);
  if (op.map == Map::k0F && op.byte == 0xB8) return p.rep;  // POPCNT
  if (op.map == Map::k0F && op.byte == 0x78)
    return !p.opsize && !p.repne;  // else SSE4a EXTRQ/INSERTQ ib, ib
  return true;
}

unsigned imm_size(const Opcode& op, const Prefixes& p) {
  if ((op.shape & kTestImm) && ((op.modrm >> 3) & 7) > 1) return 0;
  bool w = p.rex & 8;
  switch (imm_kind(op.shape)) {
    case kNone: return 0;
    case kB: return 1;
    case kW: return 2;
    case kZ: case kJ: return p.opsize && !w ? 2 : 4;
    case kV: return w ? 8 : p.opsize ? 2 : 4;
    case kMoffs: return p.addrsize ? 4 : 8;
    case kEnter: return 3;
  }
  return 0;
}

bool read_operands(Cursor& c, const Prefixes& p, Opcode& op, Insn& insn) {
  if (op.shape & kModrm) {
    auto modrm = c.next();
    if (!modrm) return false;
    op.modrm = *modrm;
    if (!(op.shape & kRegOnly) && !read_address(c, op.modrm, insn)) return false;
  }
  if (!defines(op, p)) return false;
  unsigned n = imm_size(op, p);
  if (n) {
    insn.imm_offset = c.pos();
    insn.imm_size = n;
  }
  return c.skip(n);
}

// The shapes the differ reasons about: `mov $imm, %reg` and `call rel32`.
void classify(const Opcode& op, const Prefixes& p, Insn& insn) {
  if (op.map != Map::kOne) return;
  int rex_b = p.rex & 1 ? 8 : 0;
  if ((op.byte & 0xF8) == 0xB8) {
    insn.mov_imm_to_reg = true;
    insn.reg = (op.byte & 7) | rex_b;
  } else if (op.byte == 0xC7 && (op.modrm & 0xF8) == 0xC0) {
    insn.mov_imm_to_reg = true;
    insn.reg = (op.modrm & 7) | rex_b;
  }
  insn.is_call = op.byte == 0xE8;
}

struct Decoded {
  Insn insn;
  Opcode op;
};

std::optional<Decoded> decode_one(std::span<const std::byte> code) {
  Cursor c(code);
  auto prefixes = read_prefixes(c);
  if (!prefixes) return std::nullopt;
  auto op = read_opcode(c, *prefixes);
  if (!op) return std::nullopt;
  Decoded d{{}, *op};
  if (!read_operands(c, *prefixes, d.op, d.insn)) return std::nullopt;
  d.insn.length = c.pos();
  classify(d.op, *prefixes, d.insn);
  return d;
}

// FWAIT (9B) and the x87 instruction after it are one instruction: the SDM
// lists FINIT as 9B DB E3, and objdump prints it so. Each call shortens
// `code`, so a run of 9B bytes recurses at most kMaxLength deep.
std::optional<Decoded> decode_folding_fwait(std::span<const std::byte> code) {
  auto wait = decode_one(code);
  if (!wait || wait->op.map != Map::kOne || wait->op.byte != 0x9B) return wait;
  auto x87 = decode_folding_fwait(code.subspan(wait->insn.length));
  if (!x87 || x87->op.map != Map::kOne || (x87->op.byte & 0xF8) != 0xD8 ||
      wait->insn.length + x87->insn.length > kMaxLength)
    return wait;
  Insn& insn = x87->insn;
  unsigned shift = wait->insn.length;
  insn.length += shift;
  if (insn.disp_size) insn.disp_offset += shift;
  if (insn.imm_size) insn.imm_offset += shift;
  return x87;
}

}  // namespace

std::optional<Insn> decode(std::span<const std::byte> code) {
  auto d = decode_folding_fwait(code.first(std::min(code.size(), kMaxLength)));
  if (!d) return std::nullopt;
  return d->insn;
}

}  // namespace kp::x86
