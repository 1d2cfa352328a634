// Tests for the x86-64 length decoder: hand-written encodings with known
// field positions, truncation, rejected encodings, random bytes, and a
// cross-check against objdump (boundaries, and every relocation landing on
// the displacement or immediate field) over code gcc generates at test time
// (kernel flags, distribution hardening flags, userspace AVX2 and AVX-512
// builds, an inline-asm zoo of system instructions), over system static
// archives, and over a prepared kernel tree's objects when the cache has one.
#include "diff/x86_decode.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace kp::x86 {
namespace {

namespace fs = std::filesystem;

std::vector<std::byte> bytes(std::initializer_list<int> list) {
  std::vector<std::byte> out;
  for (int b : list) out.push_back(std::byte(b));
  return out;
}

std::string hex(std::span<const std::byte> code) {
  std::string out;
  char buf[4];
  for (std::byte b : code) {
    std::snprintf(buf, sizeof buf, "%02x ", std::to_integer<unsigned>(b));
    out += buf;
  }
  if (!out.empty()) out.pop_back();
  return out;
}

// ---------------------------------------------------------------------------
// Hand-written encodings.

struct Case {
  const char* text;
  std::vector<std::byte> code;
  unsigned length;
  unsigned imm_offset = 0, imm_size = 0;
  unsigned disp_offset = 0, disp_size = 0;
};

const std::vector<Case>& cases() {
  static const std::vector<Case> kCases = {
      {"mov $42,%esi", bytes({0xbe, 0x2a, 0, 0, 0}), 5, 1, 4},
      {"mov $42,%r8d", bytes({0x41, 0xb8, 0x2a, 0, 0, 0}), 6, 2, 4},
      {"mov $42,%rax", bytes({0x48, 0xc7, 0xc0, 0x2a, 0, 0, 0}), 7, 3, 4},
      {"mov $-1,%r12", bytes({0x49, 0xc7, 0xc4, 0xff, 0xff, 0xff, 0xff}), 7, 3, 4},
      {"movabs $imm64,%rax", bytes({0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8}), 10, 2, 8},
      {"mov $0x1234,%ax", bytes({0x66, 0xb8, 0x34, 0x12}), 4, 2, 2},
      {"call rel32", bytes({0xe8, 0, 0, 0, 0}), 5, 1, 4},
      {"cs call rel32", bytes({0x2e, 0xe8, 0, 0, 0, 0}), 6, 2, 4},
      {"jmp rel32", bytes({0xe9, 0, 0, 0, 0}), 5, 1, 4},
      {"je rel32", bytes({0x0f, 0x84, 0, 0, 0, 0}), 6, 2, 4},
      {"je rel8", bytes({0x74, 0x05}), 2, 1, 1},
      {"mov 0(%rip),%rax", bytes({0x48, 0x8b, 0x05, 0, 0, 0, 0}), 7, 0, 0, 3, 4},
      {"movl $5,0(%rip)", bytes({0xc7, 0x05, 0, 0, 0, 0, 5, 0, 0, 0}), 10, 6, 4, 2, 4},
      {"mov 0x100(%rsp),%eax", bytes({0x8b, 0x84, 0x24, 0, 1, 0, 0}), 7, 0, 0, 3, 4},
      {"mov 0x8(%rsp),%eax", bytes({0x8b, 0x44, 0x24, 0x08}), 4, 0, 0, 3, 1},
      {"mov 0x12345678,%eax", bytes({0x8b, 0x04, 0x25, 0x78, 0x56, 0x34, 0x12}), 7, 0, 0, 3, 4},
      {"mov (%r13),%eax", bytes({0x41, 0x8b, 0x45, 0x00}), 4, 0, 0, 3, 1},
      {"mov (%r12),%eax", bytes({0x41, 0x8b, 0x04, 0x24}), 4},
      {"jmp *0(,%rax,8)", bytes({0xff, 0x24, 0xc5, 0, 0, 0, 0}), 7, 0, 0, 3, 4},
      {"mov %gs:0x28,%rax", bytes({0x65, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0}), 9, 0, 0, 5, 4},
      {"add $0x1234,%bx", bytes({0x66, 0x81, 0xc3, 0x34, 0x12}), 5, 3, 2},
      {"movw $0x1234,0x8(%rsp)", bytes({0x66, 0xc7, 0x44, 0x24, 0x08, 0x34, 0x12}), 7, 5, 2, 4, 1},
      {"pushw $0x1234", bytes({0x66, 0x68, 0x34, 0x12}), 4, 2, 2},
      {"imul $1000,%eax,%ecx", bytes({0x69, 0xc8, 0xe8, 0x03, 0, 0}), 6, 2, 4},
      {"nopl 0x0(%rax,%rax,1)", bytes({0x0f, 0x1f, 0x44, 0, 0}), 5, 0, 0, 4, 1},
      {"nopw 0x0(%rax,%rax,1)", bytes({0x66, 0x0f, 0x1f, 0x44, 0, 0}), 6, 0, 0, 5, 1},
      {"cs nopw 0x0(%rax,%rax,1)",
       bytes({0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0}), 10, 0, 0, 6, 4},
      {"endbr64", bytes({0xf3, 0x0f, 0x1e, 0xfa}), 4},
      {"ud2", bytes({0x0f, 0x0b}), 2},
      {"int3", bytes({0xcc}), 1},
      {"ret", bytes({0xc3}), 1},
      {"ret $8", bytes({0xc2, 0x08, 0x00}), 3, 1, 2},
      {"enter $16,$0", bytes({0xc8, 0x10, 0x00, 0x00}), 4, 1, 3},
      {"test $1,%bl", bytes({0xf6, 0xc3, 0x01}), 3, 2, 1},
      {"not %bl", bytes({0xf6, 0xd3}), 2},
      {"test $0x100,%edi", bytes({0xf7, 0xc7, 0, 1, 0, 0}), 6, 2, 4},
      {"testw $1,(%rdi)", bytes({0x66, 0xf7, 0x07, 1, 0}), 5, 3, 2},
      {"neg %eax", bytes({0xf7, 0xd8}), 2},
      {"movabs 0x1122334455667788,%rax",
       bytes({0x48, 0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}), 10, 2, 8},
      {"addr32 mov 0x12345678,%eax", bytes({0x67, 0xa1, 0x78, 0x56, 0x34, 0x12}), 6, 2, 4},
      {"lock cmpxchg %rdx,(%rdi)", bytes({0xf0, 0x48, 0x0f, 0xb1, 0x17}), 5},
      {"push %r12", bytes({0x41, 0x54}), 2},
      {"mov %cr3,%rax", bytes({0x0f, 0x20, 0xd8}), 3},
      {"swapgs", bytes({0x0f, 0x01, 0xf8}), 3},
      {"bt $5,%eax", bytes({0x0f, 0xba, 0xe0, 0x05}), 4, 3, 1},
      {"popcnt %rax,%rbx", bytes({0xf3, 0x48, 0x0f, 0xb8, 0xd8}), 5},
      {"movbe (%rdi),%eax", bytes({0x0f, 0x38, 0xf0, 0x07}), 4},
      {"palignr $8,%xmm1,%xmm0", bytes({0x66, 0x0f, 0x3a, 0x0f, 0xc1, 0x08}), 6, 5, 1},
      {"xbegin rel32", bytes({0xc7, 0xf8, 0, 0, 0, 0}), 6, 2, 4},
      {"vzeroupper", bytes({0xc5, 0xf8, 0x77}), 3},
      {"vbroadcastss (%rdi),%xmm0", bytes({0xc4, 0xe2, 0x79, 0x18, 0x07}), 5},
      {"vpalignr $8,%xmm1,%xmm0,%xmm0", bytes({0xc4, 0xe3, 0x79, 0x0f, 0xc1, 0x08}), 6, 5, 1},
      {"vpshufd $0x1b,0x10(%rip),%xmm0",
       bytes({0xc5, 0xf9, 0x70, 0x05, 0x10, 0, 0, 0, 0x1b}), 9, 8, 1, 4, 4},
      {"vmovaps %zmm1,%zmm0", bytes({0x62, 0xf1, 0x7c, 0x48, 0x28, 0xc1}), 6},
      {"vmovdqa64 0x0(%rip),%zmm0", bytes({0x62, 0xf1, 0xfd, 0x48, 0x6f, 0x05, 0, 0, 0, 0}), 10,
       0, 0, 6, 4},
      {"vprold $0x10,%ymm3,%ymm3", bytes({0x62, 0xf1, 0x65, 0x28, 0x72, 0xcb, 0x10}), 7, 6, 1},
      {"vpternlogd $0x96,0x40(%rdi),%zmm1,%zmm2",
       bytes({0x62, 0xf3, 0x75, 0x48, 0x25, 0x57, 0x01, 0x96}), 8, 7, 1, 6, 1},
      {"data16 data16 rex.W call (TLS GD)", bytes({0x66, 0x66, 0x48, 0xe8, 0, 0, 0, 0}), 8, 4, 4},
      // The CPU's limit is 15 bytes; objdump stops at 13 prefixes.
      {"14 x 66 + nop (15 bytes)",
       bytes({0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
              0x66, 0x90}),
       15},
  };
  return kCases;
}

TEST(X86Decode, KnownEncodings) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(std::string(c.text) + ": " + hex(c.code));
    auto insn = decode(c.code);
    ASSERT_TRUE(insn.has_value());
    EXPECT_EQ(insn->length, c.length);
    EXPECT_EQ(insn->imm_offset, c.imm_offset);
    EXPECT_EQ(insn->imm_size, c.imm_size);
    EXPECT_EQ(insn->disp_offset, c.disp_offset);
    EXPECT_EQ(insn->disp_size, c.disp_size);
  }
}

TEST(X86Decode, TrailingBytesDoNotChangeTheResult) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.text);
    auto longer = c.code;
    for (int i = 0; i < 16; ++i) longer.push_back(std::byte(0x90));
    auto a = decode(c.code), b = decode(longer);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->length, b->length);
    EXPECT_EQ(a->imm_offset, b->imm_offset);
    EXPECT_EQ(a->disp_offset, b->disp_offset);
  }
}

TEST(X86Decode, EveryTruncatedPrefixIsRejected) {
  for (const Case& c : cases()) {
    for (std::size_t n = 0; n < c.length; ++n) {
      // An exactly-sized heap copy, so a read past the span is a real
      // out-of-bounds access for sanitizers and valgrind.
      std::vector<std::byte> cut(c.code.begin(), c.code.begin() + n);
      EXPECT_FALSE(decode(cut).has_value()) << c.text << " cut to " << n << " bytes";
    }
  }
}

TEST(X86Decode, MovImmToReg) {
  struct Mov {
    std::vector<std::byte> code;
    int reg;  // -1: not a mov of an immediate into a register
  };
  const std::vector<Mov> movs = {
      {bytes({0xbe, 0x2a, 0, 0, 0}), 6},                         // mov $42,%esi
      {bytes({0x41, 0xb8, 0x2a, 0, 0, 0}), 8},                   // mov $42,%r8d
      {bytes({0x41, 0xbf, 0x2a, 0, 0, 0}), 15},                  // mov $42,%r15d
      {bytes({0x48, 0xc7, 0xc0, 0x2a, 0, 0, 0}), 0},             // mov $42,%rax
      {bytes({0x49, 0xc7, 0xc4, 0x2a, 0, 0, 0}), 12},            // mov $42,%r12
      {bytes({0xc7, 0xc2, 0x2a, 0, 0, 0}), 2},                   // mov $42,%edx
      {bytes({0x49, 0xbb, 1, 2, 3, 4, 5, 6, 7, 8}), 11},         // movabs $..,%r11
      {bytes({0x66, 0xb9, 0x34, 0x12}), 1},                      // mov $0x1234,%cx
      {bytes({0xc7, 0x07, 0x2a, 0, 0, 0}), -1},                  // movl $42,(%rdi)
      {bytes({0xc7, 0x44, 0x24, 0x08, 0x2a, 0, 0, 0}), -1},      // movl $42,8(%rsp)
      {bytes({0xb0, 0x2a}), -1},                                 // mov $42,%al
      {bytes({0x89, 0xc6}), -1},                                 // mov %eax,%esi
  };
  for (const Mov& m : movs) {
    SCOPED_TRACE(hex(m.code));
    auto insn = decode(m.code);
    ASSERT_TRUE(insn.has_value());
    EXPECT_EQ(insn->length, m.code.size());
    EXPECT_EQ(insn->mov_imm_to_reg, m.reg >= 0);
    EXPECT_EQ(insn->reg, m.reg);
    EXPECT_FALSE(insn->is_call);
  }
}

TEST(X86Decode, IsCallOnlyForE8) {
  EXPECT_TRUE(decode(bytes({0xe8, 0, 0, 0, 0}))->is_call);
  EXPECT_TRUE(decode(bytes({0x2e, 0xe8, 0, 0, 0, 0}))->is_call);
  EXPECT_FALSE(decode(bytes({0xe9, 0, 0, 0, 0}))->is_call);
  EXPECT_FALSE(decode(bytes({0xff, 0xd0}))->is_call);  // call *%rax
  EXPECT_FALSE(decode(bytes({0x0f, 0xe8, 0xc0}))->is_call);  // psubsb, 0F map
}

TEST(X86Decode, FwaitFoldsIntoX87) {
  const std::vector<std::pair<std::vector<std::byte>, unsigned>> waits = {
      {bytes({0x9b, 0xdb, 0xe3}), 3},              // finit
      {bytes({0x9b, 0xdf, 0xe0}), 3},              // fstsw %ax
      {bytes({0x9b, 0xd9, 0x7c, 0x24, 0x08}), 5},  // fstcw 0x8(%rsp)
      {bytes({0x66, 0x9b, 0xdd, 0x38}), 4},        // data16 fstsw (%rax)
      {bytes({0x9b, 0x9b, 0xdb, 0xe3}), 4},        // finit, twice waited
      {bytes({0x9b, 0x90}), 1},                    // fwait; nop
      {bytes({0xf0, 0x9b, 0xc3}), 2},              // lock fwait; ret
      {bytes({0x9b}), 1},
  };
  for (const auto& [code, length] : waits) {
    auto insn = decode(code);
    ASSERT_TRUE(insn.has_value()) << hex(code);
    EXPECT_EQ(insn->length, length) << hex(code);
  }
  EXPECT_EQ(decode(bytes({0x9b, 0xd9, 0x7c, 0x24, 0x08}))->disp_offset, 4u);
}

// Random bytes: whatever decode() accepts, it accepts from its own bytes
// alone, with the same fields, and the fields lie inside the instruction.
TEST(X86Decode, RandomBytesAreSelfConsistent) {
  std::mt19937 rng(12345);
  std::size_t accepted = 0;
  for (int i = 0; i < 200000; ++i) {
    std::vector<std::byte> code(1 + rng() % 16);
    for (auto& b : code) b = std::byte(rng());
    auto insn = decode(code);
    if (!insn) continue;
    ++accepted;
    SCOPED_TRACE(hex(code));
    ASSERT_GE(insn->length, 1u);
    ASSERT_LE(insn->length, std::min<std::size_t>(code.size(), 15));
    EXPECT_LE(insn->imm_offset + insn->imm_size, insn->length);
    EXPECT_LE(insn->disp_offset + insn->disp_size, insn->length);
    auto again = decode(std::span(code).first(insn->length));
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->length, insn->length);
    EXPECT_EQ(again->imm_offset, insn->imm_offset);
    EXPECT_EQ(again->disp_offset, insn->disp_offset);
  }
  EXPECT_GT(accepted, 100000u);
}

TEST(X86Decode, RejectsWhatItDoesNotKnow) {
  const std::vector<std::pair<const char*, std::vector<std::byte>>> bad = {
      {"empty", {}},
      {"push %es (invalid in 64-bit)", bytes({0x06})},
      {"daa", bytes({0x27})},
      {"pusha", bytes({0x60})},
      {"EVEX with the fixed bit clear", bytes({0x62, 0xf1, 0x78, 0x48, 0x28, 0xc1})},
      {"EVEX map 4", bytes({0x62, 0xf4, 0x7c, 0x48, 0x28, 0xc1})},
      {"EVEX vzeroupper", bytes({0x62, 0xf1, 0x7c, 0x48, 0x77})},
      {"lcall ptr16:32", bytes({0x9a, 0, 0, 0, 0, 0, 0})},
      {"aam", bytes({0xd4, 0x0a})},
      {"3DNow!", bytes({0x0f, 0x0f, 0xc0, 0x9e})},
      {"AMD XOP", bytes({0x8f, 0xe8, 0x78, 0xc2, 0xc1, 0x01})},
      {"callw rel16", bytes({0x66, 0xe8, 0, 0})},
      {"jew rel16", bytes({0x66, 0x0f, 0x84, 0, 0})},
      {"REX then a legacy prefix", bytes({0x48, 0x66, 0x90})},
      {"JMPE (0F B8 without F3)", bytes({0x0f, 0xb8, 0xc0})},
      {"SSE4a extrq imm", bytes({0x66, 0x0f, 0x78, 0xc0, 1, 2})},
      {"VEX after 66", bytes({0x66, 0xc5, 0xf8, 0x77})},
      {"VEX after REX", bytes({0x40, 0xc5, 0xf8, 0x77})},
      {"VEX map 0", bytes({0xc4, 0xe0, 0x79, 0x18, 0x07})},
      {"VEX branch", bytes({0xc5, 0xf8, 0x84, 0, 0, 0, 0})},
      {"ff /7", bytes({0xff, 0xf8})},
      {"lcall *%rax", bytes({0xff, 0xd8})},
      {"lea %rax,%rax", bytes({0x48, 0x8d, 0xc0})},
      {"fe /2", bytes({0xfe, 0xd0})},
      {"c7 /1", bytes({0xc7, 0xc8, 0, 0, 0, 0})},
      {"0f 04", bytes({0x0f, 0x04})},
      {"0f 3b", bytes({0x0f, 0x3b})},
      {"15 x 66 + nop (16 bytes)",
       bytes({0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
              0x66, 0x66, 0x90})},
      {"prefixes only", bytes({0x66, 0xf0, 0x48})},
  };
  for (const auto& [what, code] : bad)
    EXPECT_FALSE(decode(code).has_value()) << what << ": " << hex(code);
}

// ---------------------------------------------------------------------------
// Cross-check against objdump.

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "x86_decode_XXXXXX").string();
    if (mkdtemp(tmpl.data())) path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

struct RunResult {
  int status = -1;
  std::string output;
};

RunResult run(const std::string& command) {
  RunResult r;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return r;
  std::array<char, 65536> buf;
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) r.output.append(buf.data(), n);
  int status = pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string quote(const fs::path& p) { return "'" + p.string() + "'"; }

RunResult objdump(const fs::path& object) {
  return run("objdump -d -r -w -z " + quote(object));
}

struct Reloc {
  std::uint64_t addr;
  std::string type;
};

struct DumpedInsn {
  std::uint64_t addr;
  std::vector<std::byte> code;
  std::string text;
};

struct DumpedSection {
  std::string where;  // object file and section name
  std::vector<DumpedInsn> insns;
  std::vector<Reloc> relocs;
  std::vector<std::uint64_t> symbols;  // addresses of `<name>:` lines
};

bool parse_hex(std::string_view s, std::uint64_t& out) {
  if (s.empty()) return false;
  out = 0;
  for (char ch : s) {
    int v = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
    if (v < 0) return false;
    out = out << 4 | unsigned(v);
  }
  return true;
}

// With -w, objdump puts an instruction and its relocations on one line:
// `   4:\t8b 3d 00 00 00 00    \tmov    0x0(%rip),%edi  # a <g+0xa>\t6: R_X86_64_PC32\tx-0x4`
void parse_relocs(std::string_view text, DumpedSection& sec) {
  for (std::size_t at = text.find(": R_X86_64_"); at != std::string_view::npos;
       at = text.find(": R_X86_64_", at + 1)) {
    std::size_t start = text.rfind('\t', at) + 1;  // npos + 1 == 0
    std::size_t end = text.find('\t', at);
    std::uint64_t addr;
    if (parse_hex(text.substr(start, at - start), addr))
      sec.relocs.push_back({addr, std::string(text.substr(at + 2, end - at - 2))});
  }
}

void parse_line(const std::string& line, DumpedSection& sec) {
  std::uint64_t addr;
  if (line.ends_with(">:") && parse_hex(line.substr(0, line.find(' ')), addr)) {
    sec.symbols.push_back(addr);
    return;
  }
  std::size_t colon = line.find(":\t");
  if (colon == std::string::npos) return;
  std::size_t start = line.find_first_not_of(' ');
  if (!parse_hex(std::string_view(line).substr(start, colon - start), addr)) return;
  std::size_t tab = line.find('\t', colon + 2);
  std::istringstream in(line.substr(colon + 2, tab - colon - 2));
  DumpedInsn insn{addr, {}, tab == std::string::npos ? "" : line.substr(tab + 1)};
  std::string b;
  while (in >> b) {
    std::uint64_t v;
    if (b.size() != 2 || !parse_hex(b, v)) return;
    insn.code.push_back(std::byte(v));
  }
  if (insn.code.empty()) return;
  parse_relocs(insn.text, sec);
  if (std::size_t at = insn.text.find(": R_X86_64_"); at != std::string::npos)
    insn.text.resize(insn.text.rfind('\t', at));
  sec.insns.push_back(std::move(insn));
}

// Sections of 64-bit x86 objects only: an archive or a kernel tree also
// holds 32-bit objects, which objdump disassembles in 32-bit mode.
std::vector<DumpedSection> parse_objdump(const std::string& text) {
  std::vector<DumpedSection> out;
  std::istringstream in(text);
  std::string line, file;
  bool x86_64 = false;
  while (std::getline(in, line)) {
    if (auto at = line.find(":     file format "); at != std::string::npos) {
      file = line.substr(0, at);
      x86_64 = line.ends_with(" elf64-x86-64");
    } else if (line.starts_with("Disassembly of section ")) {
      if (x86_64) out.push_back({file + " " + line.substr(23, line.size() - 24), {}, {}, {}});
    } else if (x86_64 && !out.empty()) {
      parse_line(line, out.back());
    }
  }
  return out;
}

unsigned reloc_size(const std::string& type) {
  static const std::map<std::string, unsigned> kSizes = {
      {"R_X86_64_64", 8},       {"R_X86_64_PC64", 8},           {"R_X86_64_32", 4},
      {"R_X86_64_32S", 4},      {"R_X86_64_PC32", 4},           {"R_X86_64_PLT32", 4},
      {"R_X86_64_GOTPCREL", 4}, {"R_X86_64_GOTPCRELX", 4},      {"R_X86_64_REX_GOTPCRELX", 4},
      {"R_X86_64_TPOFF32", 4},  {"R_X86_64_GOTTPOFF", 4},       {"R_X86_64_TLSGD", 4},
      {"R_X86_64_TLSLD", 4},    {"R_X86_64_DTPOFF32", 4},       {"R_X86_64_GOTPC32", 4},
      {"R_X86_64_GOTOFF64", 8}, {"R_X86_64_16", 2},             {"R_X86_64_PC16", 2},
      {"R_X86_64_8", 1},        {"R_X86_64_PC8", 1},
  };
  auto it = kSizes.find(type);
  return it == kSizes.end() ? 0 : it->second;
}

struct CrossCheck {
  std::size_t insns = 0, relocs = 0;
  std::vector<std::string> problems;
  // Where objdump, not the decoder, is off; see check_section().
  std::vector<std::string> objdump_quirks;

  static std::string at(const DumpedSection& sec, const DumpedInsn& insn, const std::string& what) {
    std::ostringstream s;
    s << sec.where << "+0x" << std::hex << insn.addr << ": " << what << " [" << hex(insn.code)
      << "] " << insn.text;
    return s.str();
  }
};

// Every relocation inside an instruction must sit on its displacement or
// its immediate, with the field's size.
void check_relocs(CrossCheck& out, const DumpedSection& sec, const DumpedInsn& d,
                  const Insn& insn, std::size_t& next_reloc) {
  const auto& relocs = sec.relocs;
  while (next_reloc < relocs.size() && relocs[next_reloc].addr < d.addr + d.code.size()) {
    const Reloc& r = relocs[next_reloc++];
    unsigned off = unsigned(r.addr - d.addr), size = reloc_size(r.type);
    if (!size || r.addr < d.addr) continue;
    ++out.relocs;
    bool on_disp = off == insn.disp_offset && size == insn.disp_size;
    bool on_imm = off == insn.imm_offset && size == insn.imm_size;
    if (!on_disp && !on_imm)
      out.problems.push_back(CrossCheck::at(
          sec, d,
          r.type + " at +" + std::to_string(off) + " is neither disp (+" +
              std::to_string(insn.disp_offset) + ") nor imm (+" +
              std::to_string(insn.imm_offset) + ")"));
  }
}

bool symbol_inside(const DumpedSection& sec, std::uint64_t from, std::uint64_t to) {
  return std::any_of(sec.symbols.begin(), sec.symbols.end(),
                     [&](std::uint64_t s) { return s > from && s < to; });
}

// Walks objdump's instructions over the section's bytes. Two objdump habits
// are not disagreements: it prints "(bad)" for one byte it cannot decode
// (after which it may be decoding data, so relocations are not checked up to
// the next symbol), and it cuts an instruction short at a symbol inside it,
// as in the kernel's retbleed_untrain_ret (f6 | c3 cc: `test $0xcc,%bl`
// hiding `ret; int3`).
void check_section(CrossCheck& out, const DumpedSection& sec) {
  // decode() sees the rest of the run of instructions, so a decoder that
  // overshoots is caught. A run ends where objdump dumps data instead (an
  // object symbol in code, as in OpenSSL's assembly).
  std::size_t n = sec.insns.size();
  std::vector<std::byte> code;
  std::vector<std::size_t> start(n), run_end(n);
  for (std::size_t i = 0; i < n; ++i) {
    start[i] = code.size();
    code.insert(code.end(), sec.insns[i].code.begin(), sec.insns[i].code.end());
  }
  for (std::size_t i = n; i-- > 0;) {
    const DumpedInsn& d = sec.insns[i];
    bool joined = i + 1 < n && sec.insns[i + 1].addr == d.addr + d.code.size();
    run_end[i] = joined ? run_end[i + 1] : start[i] + d.code.size();
  }
  std::size_t next_reloc = 0;
  std::uint64_t data_until = 0;  // after a "(bad)": the next symbol
  for (std::size_t i = 0; i < n; ++i) {
    const DumpedInsn& d = sec.insns[i];
    ++out.insns;
    auto insn = decode(std::span(code).subspan(start[i], run_end[i] - start[i]));
    bool bad = d.text.find("(bad)") != std::string::npos;
    if (insn && insn->length == d.code.size() && !bad) {
      if (d.addr >= data_until) check_relocs(out, sec, d, *insn, next_reloc);
    } else if (!insn && bad) {
      auto next = std::upper_bound(sec.symbols.begin(), sec.symbols.end(), d.addr);
      data_until = next == sec.symbols.end() ? UINT64_MAX : *next;
      out.objdump_quirks.push_back(CrossCheck::at(sec, d, "both reject"));
    } else if (insn && insn->length > d.code.size() &&
               symbol_inside(sec, d.addr, d.addr + insn->length)) {
      out.objdump_quirks.push_back(CrossCheck::at(sec, d, "cut at a symbol"));
    } else {
      out.problems.push_back(CrossCheck::at(
          sec, d, insn ? "decode() length " + std::to_string(insn->length) : "decode() rejects"));
    }
  }
}

CrossCheck cross_check(const std::string& objdump_output) {
  CrossCheck out;
  for (const DumpedSection& sec : parse_objdump(objdump_output)) check_section(out, sec);
  return out;
}

void expect_agreement(const CrossCheck& check, std::size_t min_insns, bool allow_quirks) {
  EXPECT_GE(check.insns, min_insns) << "too few instructions: is the objdump parse broken?";
  EXPECT_TRUE(check.problems.empty()) << check.problems.size() << " disagreements";
  for (std::size_t i = 0; i < check.problems.size() && i < 40; ++i)
    ADD_FAILURE() << check.problems[i];
  if (!allow_quirks) {
    for (std::size_t i = 0; i < check.objdump_quirks.size() && i < 40; ++i)
      ADD_FAILURE() << "unexpected in compiler output: " << check.objdump_quirks[i];
  }
}

bool have_tools() {
  return run("gcc --version").status == 0 && run("objdump --version").status == 0;
}

// Everything gcc emits for kernel C: switches (jump tables and compare
// chains), 64-bit constants, bit operations, __int128 carries, atomics,
// string operations, big stack frames, 16- and 8-bit arithmetic, per-CPU
// style %gs accesses, computed goto, and builtins that become ud2/prefetch.
constexpr const char* kKernelishC = R"C(
#include <stddef.h>
#include <stdint.h>

struct dev { uint64_t flags; uint32_t count; uint16_t small; uint8_t byte;
             unsigned bit0 : 1, bit1 : 3, field : 12; char name[64]; struct dev *next; };

extern void warn_slowpath(const char *file, int line, ...);
extern int printk(const char *fmt, ...);
extern void consume(void *p, size_t n);
extern struct dev global_dev;
extern __seg_gs unsigned long pcpu_counter;
extern __seg_gs struct dev *pcpu_dev;
static struct dev local_dev;
static volatile int sink;

#define WARN_ON(c) ({ int __c = !!(c); if (__builtin_expect(__c, 0)) warn_slowpath(__FILE__, __LINE__); __c; })

__attribute__((noinline)) int classify(int x) {
  switch (x) {
  case 0: return 11; case 1: return 27; case 2: return 31; case 3: return 49;
  case 4: return 52; case 5: return 68; case 6: return 71; case 7: return 88;
  case 9: return 97; case 12: return 100; default: return -1;
  }
}

const char *names(unsigned x) {
  switch (x) {
  case 100: return "a"; case 200: return "b"; case 300: return "c";
  case 1000: return "d"; case 123456: return "e"; default: return "?";
  }
}

uint64_t constants(uint64_t x) {
  x ^= 0x9e3779b97f4a7c15ULL;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 31;
  x += 0xffffffff00000000ULL;
  return x & 0x00ff00ff00ff00ffULL;
}

int bits(uint64_t x, uint32_t y, uint16_t z) {
  int r = __builtin_ctzll(x | 1) + __builtin_clzll(x | 1) + __builtin_popcountll(x);
  r += __builtin_bswap32(y) >> 7;
  r += (uint16_t)((z << 3) | (z >> 13));
  r += (int)((x << 17) | (x >> 47));
  r ^= (int)(x >> (y & 63));
  if (x & (1ULL << 40)) r++;
  if (y & 0x80000000u) r--;
  return r;
}

unsigned __int128 wide(unsigned __int128 a, unsigned __int128 b, unsigned s) {
  return (a * b + (a >> (s & 127))) ^ (b << 3);
}

long atomics(long *p, int *q, unsigned long *bits) {
  long old = __atomic_fetch_add(p, 5, __ATOMIC_SEQ_CST);
  __atomic_fetch_sub(q, 1, __ATOMIC_RELAXED);
  __atomic_or_fetch(bits, 1UL << 7, __ATOMIC_SEQ_CST);
  if (__atomic_fetch_or(bits, 1UL << 9, __ATOMIC_SEQ_CST) & (1UL << 9)) old++;
  if (__atomic_fetch_and(bits, ~(1UL << 3), __ATOMIC_SEQ_CST) & (1UL << 3)) old--;
  long expected = old;
  __atomic_compare_exchange_n(p, &expected, old + 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  old += __atomic_exchange_n(q, 42, __ATOMIC_SEQ_CST);
  old += __sync_val_compare_and_swap(q, 3, 4);
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  __atomic_store_n(q, 7, __ATOMIC_RELEASE);
  __atomic_add_fetch((short *)q, 1000, __ATOMIC_SEQ_CST);
  __atomic_add_fetch((char *)q, 3, __ATOMIC_SEQ_CST);
  return old + __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline unsigned long cmpxchg_asm(unsigned long *ptr, unsigned long old, unsigned long new) {
  unsigned long prev;
  asm volatile("lock; cmpxchgq %2,%1" : "=a"(prev), "+m"(*ptr) : "r"(new), "0"(old) : "memory");
  return prev;
}

unsigned long use_asm(unsigned long *ptr) {
  unsigned long lo, hi, v;
  asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
  v = cmpxchg_asm(ptr, lo, hi);
  asm volatile("mov %%cr3, %0" : "=r"(v) :: "memory");
  asm volatile("lock; incl %0" : "+m"(*(int *)ptr));
  asm volatile("rep movsb" : "+D"(ptr), "+S"(lo), "+c"(hi) :: "memory");
  return v + lo + hi;
}

void strings(struct dev *d, const struct dev *s, char *buf, size_t n) {
  __builtin_memcpy(d, s, sizeof(*d));
  __builtin_memset(buf, 0, 256);
  __builtin_memset(d->name, 0xaa, sizeof(d->name));
  __builtin_memcpy(buf + 300, s->name, n & 31);
  d->name[n & 63] = 0;
}

int big_frame(int i) {
  char buf[4096];
  volatile int arr[300];
  consume(buf, sizeof(buf));
  arr[i & 255] = i;
  arr[299] = buf[i & 4095];
  return arr[(i + 1) & 255] + buf[100] + buf[4000];
}

void narrow(struct dev *d, short s, signed char c) {
  d->small += 1000;
  d->small |= 0x8001;
  d->byte ^= 0x5a;
  d->count = d->count * 3 + 7;
  d->bit1 = s & 7;
  d->field = c;
  if ((short)d->small > s) d->byte = c;
  if (d->small == 0x1234) d->count = 0x12345678;
}

int warns(struct dev *d, int x) {
  int r = 0;
  if (WARN_ON(!d)) return -22;
  if (WARN_ON(d->count > 1000)) r |= 1;
  if (WARN_ON(x < 0)) r |= 2;
  printk("%s %d %lu\n", d->name, x, (unsigned long)d->flags);
  return r;
}

unsigned long percpu(void) {
  pcpu_counter += 1;
  pcpu_dev->count++;
  return pcpu_counter + global_dev.flags + local_dev.count;
}

int computed_goto(int op, int x) {
  static void *const table[] = { &&add, &&sub, &&mul, &&out };
  goto *table[op & 3];
add: x += 3; goto *table[(op >> 2) & 3];
sub: x -= 7; goto *table[(op >> 4) & 3];
mul: x *= 9; goto out;
out: return x;
}

void traps(struct dev *d) {
  __builtin_prefetch(d->next);
  __builtin_prefetch(d, 1);
  if (!d->next) __builtin_trap();
  if (d->count == 77) __builtin_unreachable();
  sink = d->count;
}

uint64_t loops(const uint32_t *a, const uint8_t *b, int n) {
  uint64_t s = 0;
  for (int i = 0; i < n; i++) s += a[i] * (uint64_t)b[i] + (a[i] >> 3);
  for (int i = n; i > 0; i -= 3) s ^= s << 5 | i;
  for (struct dev *d = &local_dev; d; d = d->next) s += d->flags;
  return s;
}

long divides(long a, unsigned long b, int c) {
  return a / 7 + b % 13 + c / 3 + (a / (c | 1)) + (long)(b / (unsigned)(c | 1)) + a * 5 + b * 9;
}

struct dev *listy(struct dev *head, uint32_t key) {
  struct dev *d;
  for (d = head; d; d = d->next)
    if (d->count == key && d->small != 0xffff && (d->flags & 0x100000000ULL))
      return d;
  return (struct dev *)0;
}

#ifdef __SSE2__
double floats(double a, float b, int c) {
  return a * b + c / 3.0 + (float)a * 0.5f;
}

void vectorize(float *restrict dst, const float *restrict src, const int *restrict idx, int n) {
  for (int i = 0; i < n; i++) dst[i] = src[i] * 3.0f + (float)idx[i];
}
#endif

#ifndef __KERNEL__
__thread int tls_var;
int tls(void) { return tls_var++; }
#endif
)C";

// Privileged, SIMD and rarely used instructions gcc never emits itself but
// kernel inline asm and .S files do. Also `ret $8`, `enter` and moffs.
constexpr const char* kAsmZooC = R"C(
void asm_zoo(void) {
  asm volatile(
    "lock; cmpxchg %%rdx, (%%rdi)\n lock; xaddl %%eax, 8(%%rdi)\n lock; incq (%%rdi)\n"
    "lock; btsq $3, (%%rdi)\n xchg %%rax, (%%rdi)\n cmpxchg16b (%%rdi)\n cmpxchg8b (%%rdi)\n"
    "rep movsb\n rep stosq\n repne scasb\n cld\n std\n rep movsq\n movsl\n cmpsb\n lodsw\n"
    "rdmsr\n wrmsr\n rdtsc\n rdtscp\n rdpmc\n cpuid\n swapgs\n sysretq\n syscall\n sysenter\n"
    "mov %%cr3, %%rax\n mov %%rax, %%cr3\n mov %%cr4, %%rcx\n mov %%dr7, %%rax\n"
    "mov %%rax, %%cr8\n mov %%rax, %%dr0\n"
    "invlpg (%%rdi)\n invpcid (%%rdi), %%rax\n lfence\n mfence\n sfence\n"
    "clflush (%%rdi)\n clflushopt (%%rdi)\n clwb (%%rdi)\n stac\n clac\n"
    "ud2\n int3\n int $0x80\n hlt\n pause\n nop\n wbinvd\n invd\n serialize\n int1\n"
    "lgdt (%%rdi)\n sgdt (%%rdi)\n lidt (%%rdi)\n ltr %%ax\n lldt %%ax\n str %%ax\n"
    "verr %%ax\n lar %%ax, %%cx\n lsl %%eax, %%ecx\n"
    "iretq\n enter $16, $0\n enter $0x1000, $1\n leave\n ret $8\n lretq\n lretq $8\n"
    "movabs 0x1122334455667788, %%al\n movabs %%eax, 0x1122334455667788\n"
    "movabs 0x1122334455667788, %%rax\n .byte 0x67, 0xa1, 0x78, 0x56, 0x34, 0x12\n"
    "movabs $0x1122334455667788, %%r11\n mov $0x12345678, %%r9d\n mov $-1, %%r10\n"
    "mov %%gs:0x28, %%rax\n mov %%fs:(%%rax), %%rbx\n mov %%ss:(%%rax), %%eax\n"
    "mov %%ds, %%ax\n mov %%ax, %%es\n"
    "bswap %%eax\n bswap %%r9\n popcnt %%rax, %%rbx\n lzcnt %%eax, %%ecx\n tzcnt %%eax, %%ecx\n"
    "bt %%rax, %%rbx\n btr $5, %%eax\n btcq $63, (%%rdi)\n shld $3, %%rax, %%rbx\n"
    "shrd %%cl, %%rax, %%rbx\n bsf %%eax, %%ecx\n bsr (%%rdi), %%rcx\n"
    "movbe (%%rdi), %%eax\n crc32b %%al, %%ecx\n crc32q %%rax, %%rcx\n"
    "xbegin 1f\n xabort $3\n xend\n xtest\n 1:\n"
    "vmcall\n vmlaunch\n vmresume\n vmxoff\n vmread %%rax, %%rbx\n vmwrite %%rax, %%rbx\n"
    "vmptrld (%%rdi)\n vmclear (%%rdi)\n vmxon (%%rdi)\n invept (%%rdi), %%rax\n invvpid (%%rdi), %%rax\n"
    "vmrun\n vmload\n vmsave\n stgi\n clgi\n vmmcall\n"
    "xgetbv\n xsetbv\n xsave (%%rdi)\n xrstor (%%rdi)\n xsaveopt (%%rdi)\n xsaves (%%rdi)\n"
    "fxsave (%%rdi)\n fxrstor64 (%%rdi)\n"
    "fninit\n fnstsw %%ax\n fnstcw (%%rdi)\n fldcw (%%rdi)\n fld1\n faddp\n fildl 8(%%rsp)\n"
    "finit\n fstsw %%ax\n fstcw 8(%%rsp)\n fwait\n nop\n fwait\n fwait\n fnclex\n"
    "rdrand %%rax\n rdseed %%eax\n rdpid %%rax\n rdfsbase %%rax\n wrgsbase %%rcx\n"
    "movdiri %%eax, (%%rdi)\n movdir64b (%%rdi), %%rax\n enqcmd (%%rdi), %%rax\n"
    "endbr64\n endbr32\n notrack jmp *%%rax\n bnd jmp *%%rax\n cs call *%%rax\n"
    "jrcxz 2f\n loop 2f\n 2:\n"
    "movslq %%eax, %%rbx\n movzbl %%al, %%ecx\n movswq %%ax, %%rcx\n cbw\n cwtl\n cltq\n cqto\n"
    "imul $1000, %%eax, %%ecx\n imul $10, %%rax, %%rcx\n imul %%rax, %%rcx\n"
    "mul %%rcx\n div %%rcx\n idivl (%%rdi)\n"
    "setne %%al\n cmovbe %%rax, %%rcx\n sete (%%rdi)\n"
    "testb $1, (%%rdi)\n testw $0x1234, 4(%%rdi)\n testl $0x12345678, 0x100(%%rdi,%%rsi,4)\n"
    "testq $-1, %%rax\n test $0x12, %%al\n test $0x1234, %%ax\n notb (%%rdi)\n negq %%rax\n"
    "addw $0x1234, %%ax\n addw $0x1234, (%%rdi)\n movw $0x1234, (%%rdi,%%rcx,2)\n"
    "pushw $0x1234\n pushq $0x12345678\n push $1\n popw %%ax\n pop %%r15\n popq (%%rdi)\n"
    "incl 0x12345678(,%%rax,8)\n decq 0x11(%%rip)\n incw (%%rbp)\n decb (%%r13)\n"
    "in $0x60, %%al\n out %%al, $0x80\n inb %%dx, %%al\n outl %%eax, %%dx\n insb\n outsw\n"
    "sahf\n lahf\n pushf\n popf\n cmc\n clc\n stc\n cli\n sti\n xlat\n"
    "rolb $3, (%%rdi)\n shr %%cl, %%eax\n sar $1, %%rax\n rcl $1, %%ebx\n shl $5, %%r12\n"
    "movdqu (%%rdi), %%xmm0\n pxor %%xmm1, %%xmm1\n pshufd $0x1b, %%xmm0, %%xmm1\n"
    "psrldq $4, %%xmm0\n palignr $8, %%xmm1, %%xmm0\n pclmulqdq $0x11, %%xmm1, %%xmm0\n"
    "aesenc %%xmm1, %%xmm0\n aeskeygenassist $1, %%xmm1, %%xmm0\n sha256rnds2 %%xmm1, %%xmm2\n"
    "pinsrw $2, %%eax, %%xmm0\n pextrw $1, %%xmm0, %%eax\n shufps $0x44, %%xmm1, %%xmm0\n"
    "cmpps $1, %%xmm1, %%xmm0\n movnti %%eax, (%%rdi)\n pextrq $1, %%xmm0, %%rax\n"
    "emms\n movq %%mm0, %%mm1\n paddb %%mm1, %%mm0\n"
    "vpxor %%ymm0, %%ymm1, %%ymm2\n vzeroupper\n vzeroall\n vpshufb (%%rdi), %%ymm0, %%ymm1\n"
    "vpalignr $4, %%ymm0, %%ymm1, %%ymm2\n vpermq $0x4e, %%ymm0, %%ymm1\n"
    "vmovdqu 0x20(%%rdi,%%rax,2), %%ymm8\n vpblendvb %%ymm3, %%ymm0, %%ymm1, %%ymm2\n"
    "vmovdqu %%ymm9, 0x12345678(%%rip)\n vpsrldq $8, %%ymm1, %%ymm2\n"
    "andn %%rax, %%rbx, %%rcx\n shlx %%rax, %%rbx, %%rcx\n rorx $3, %%rax, %%rbx\n"
    "pdep %%rax, %%rbx, %%rcx\n pext %%eax, %%ebx, %%ecx\n bextr %%rax, (%%rdi), %%rcx\n"
    "kmovw %%k1, %%k2\n vcvtph2ps %%xmm0, %%ymm1\n vfmadd231ps %%ymm0, %%ymm1, %%ymm2\n"
    "vmovd %%eax, %%xmm0\n vpextrq $1, %%xmm0, %%rax\n vinserti128 $1, %%xmm0, %%ymm1, %%ymm1\n"
    "vpbroadcastd %%xmm0, %%ymm1\n vpclmulqdq $0x10, %%ymm1, %%ymm2, %%ymm3\n"
    "vaesenc %%ymm1, %%ymm2, %%ymm3\n vpinsrd $1, %%eax, %%xmm0, %%xmm1\n"
    "ud1 %%eax, %%ecx\n ud0 (%%rax), %%ecx\n"
    "nopw 0x0(%%rax,%%rax,1)\n nopl 0x0(%%rax)\n .nops 15\n .nops 11\n .nops 7\n"
    "prefetchw (%%rdi)\n prefetcht0 (%%rdi)\n prefetchnta 0x40(%%rdi)\n"
    "jmp *0x10(%%rax,%%rbx,8)\n call *(%%rax)\n jmp *%%r11\n call *0x0(%%rip)\n"
    "ljmp *(%%rax)\n lcall *(%%rax)\n xchg %%ax, %%ax\n xchg %%eax, %%r8d\n"
    "lea 0x10(%%rip), %%rdx\n .byte 0x48, 0x8d, 0x34, 0x25, 0, 0, 0, 0\n"
    ::: "memory");
}
)C";

constexpr const char* kKernelFlags =
    "-O2 -ffunction-sections -mcmodel=kernel -mno-red-zone -fno-pic -mno-sse -mno-mmx "
    "-D__KERNEL__";

// What a distribution kernel adds: fentry calls, endbr64, retpolines and
// return thunks with CS prefixes, SLS int3s, %gs stack protector.
constexpr const char* kHardenedFlags =
    "-mno-sse2 -mno-avx -mno-80387 -mno-fp-ret-in-387 -mskip-rax-setup "
    "-fno-asynchronous-unwind-tables -pg -mfentry -fcf-protection=branch "
    "-mindirect-branch=thunk-extern -mindirect-branch-register -mindirect-branch-cs-prefix "
    "-mfunction-return=thunk-extern -mharden-sls=all -fno-jump-tables "
    "-fstack-protector-strong -mstack-protector-guard-reg=gs "
    "-mstack-protector-guard-symbol=__stack_chk_guard -fno-strict-aliasing -fno-common "
    "-falign-functions=16 -fzero-call-used-regs=used-gpr";

// Compiles `source` with `flags` and cross-checks every code section.
void check_build(const std::string& flags, const char* source, std::size_t min_insns) {
  if (!have_tools()) GTEST_SKIP() << "gcc or objdump not found";
  TempDir dir;
  ASSERT_FALSE(dir.path.empty());
  std::ofstream(dir.path / "t.c") << source;
  RunResult cc = run("gcc " + flags + " -c " + quote(dir.path / "t.c") + " -o " +
                     quote(dir.path / "t.o"));
  ASSERT_EQ(cc.status, 0) << "gcc " << flags << "\n" << cc.output;
  RunResult dump = objdump(dir.path / "t.o");
  ASSERT_EQ(dump.status, 0) << dump.output;
  expect_agreement(cross_check(dump.output), min_insns, false);
}

TEST(X86DecodeObjdump, KernelFlags) {
  check_build(kKernelFlags, kKernelishC, 400);
}

TEST(X86DecodeObjdump, KernelFlagsOs) {
  check_build(std::string(kKernelFlags) + " -Os", kKernelishC, 300);
}

TEST(X86DecodeObjdump, KernelHardeningFlags) {
  check_build(std::string(kKernelFlags) + " " + kHardenedFlags, kKernelishC, 500);
}

TEST(X86DecodeObjdump, UserspaceAvx2) {
  check_build("-O3 -march=haswell -fPIC -ffunction-sections", kKernelishC, 500);
}

TEST(X86DecodeObjdump, UserspaceAvx512) {
  check_build("-O3 -march=icelake-server -mprefer-vector-width=512 -fPIC", kKernelishC, 500);
}

TEST(X86DecodeObjdump, InlineAsmZoo) {
  check_build(kKernelFlags, kAsmZooC, 250);
}

// Debian-built C libraries, when installed: code the test did not choose.
TEST(X86DecodeObjdump, SystemArchives) {
  if (!have_tools()) GTEST_SKIP() << "gcc or objdump not found";
  int checked = 0;
  for (const char* archive :
       {"/usr/lib/x86_64-linux-gnu/libelf.a", "/usr/lib/x86_64-linux-gnu/libz.a",
        "/usr/lib/x86_64-linux-gnu/libbz2.a", "/usr/lib/x86_64-linux-gnu/libexpat.a"}) {
    if (!fs::exists(archive)) continue;
    SCOPED_TRACE(archive);
    RunResult dump = objdump(archive);
    ASSERT_EQ(dump.status, 0) << dump.output.substr(0, 2000);
    expect_agreement(cross_check(dump.output), 1000, false);
    ++checked;
  }
  if (!checked) GTEST_SKIP() << "no system static archives installed";
}

// Up to `max` files ending in `suffix` under `dir`, spread over the sorted
// list so that every subsystem has a chance.
std::vector<fs::path> sample_files(const fs::path& dir, const std::string& suffix,
                                   std::size_t max) {
  std::vector<fs::path> all;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().string().ends_with(suffix) && it->is_regular_file(ec)) all.push_back(*it);
  }
  std::sort(all.begin(), all.end());
  std::vector<fs::path> out;
  for (std::size_t i = 0; i < max && i < all.size(); ++i)
    out.push_back(all[i * all.size() / std::min(max, all.size())]);
  return out;
}

// Objects of the kernel trees the builder prepared in its cache, if any:
// modules of the distribution kernel and objects built from its source.
TEST(X86DecodeObjdump, KernelTreeObjects) {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  fs::path cache = xdg && *xdg ? fs::path(xdg) / "kpatch"
                   : home      ? fs::path(home) / ".cache/kpatch"
                               : fs::path();
  std::error_code ec;
  if (cache.empty() || !fs::is_directory(cache, ec) || !have_tools())
    GTEST_SKIP() << "no kernel trees in " << cache;
  std::vector<fs::path> objects;
  for (const auto& tree : fs::directory_iterator(cache, ec)) {
    for (const auto& o : sample_files(tree.path() / "modules", ".ko", 40)) objects.push_back(o);
    for (const char* sub : {"src/kernel", "src/mm", "src/arch/x86/kernel"})
      for (const auto& o : sample_files(tree.path() / sub, ".o", 20)) objects.push_back(o);
  }
  if (objects.empty()) GTEST_SKIP() << "no kernel objects under " << cache;
  for (const fs::path& o : objects) {
    SCOPED_TRACE(o.string());
    RunResult dump = objdump(o);
    if (dump.status == 0) expect_agreement(cross_check(dump.output), 0, true);
  }
}

}  // namespace
}  // namespace kp::x86
