// Adding a line near the top of a file shifts __LINE__ in every later
// might_sleep(), WARN() or printk location, so functions whose logic did not
// change still differ in one immediate:
//
//     mov $0x2b,%esi           mov $0x2c,%esi
//     mov $.LC0,%rdi           mov $.LC0,%rdi
//     call __might_sleep       call __might_sleep
//
// Patching all of them would bloat the patch and widen its risk, so such
// functions count as unchanged. The test is strict: the two ranges decode to
// instructions of identical length; every differing instruction is a
// `mov $imm,%reg` on both sides with the same register; and a call to a
// known line-taking function (kernel_data.cpp) follows within a few
// instructions. A real constant change (`return 42` -> `return 43`) has no
// such call and stays a change. Relocated fields are compared elsewhere.
// The call may be a tail call: `pr_info(...)` as a function's last
// statement is `jmp _printk`.
//
// The line may also be in a string: __FILE__ ":" __stringify(__LINE__)
// makes "arch/x86/kvm/x86.c:8493" a literal (the fortified memcpy's
// field-spanning warning in every function that copies into a struct
// field). Two strings are then the same if they differ only in digit runs
// right after a source file name's ".c:", ".h:" or ".S:".
#include "diff/line_macros.h"

#include <cctype>
#include <cstring>
#include <optional>

#include "diff/kernel_data.h"
#include "diff/x86_decode.h"

namespace kp {

namespace {

constexpr int kCallWindow = 6;

std::span<const std::byte> code(const Range& r, uint64_t at) { return r.masked.subspan(at); }

// `call rel32`, or the `jmp rel32` of a tail call (E9, 5 bytes).
bool is_direct_call(const Range& r, uint64_t at, const x86::Insn& insn) {
  return insn.is_call || (insn.length == 5 && code(r, at)[0] == std::byte{0xe9});
}

bool calls_line_taker(const Range& r, uint64_t at) {
  for (int i = 0; i < kCallWindow && at < r.size; ++i) {
    auto insn = x86::decode(code(r, at));
    if (!insn) return false;
    if (is_direct_call(r, at, *insn)) {
      const Reloc* rel = r.sec->reloc_at(r.begin + at + 1);
      return rel != nullptr && takes_line_argument(rel->sym->name);
    }
    at += insn->length;
  }
  return false;
}

bool same_bytes(const Range& a, const Range& b, uint64_t at, unsigned len) {
  return std::memcmp(a.masked.data() + at, b.masked.data() + at, len) == 0;
}

// Does a line number start at `i` of `s`: digits after "X.c:"?
bool at_file_line(std::string_view s, size_t i) {
  if (i < 3 || i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i])) || s[i - 1] != ':' ||
      s[i - 3] != '.')
    return false;
  char ext = s[i - 2];
  return ext == 'c' || ext == 'h' || ext == 'S';
}

size_t digits_from(std::string_view s, size_t i) {
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  return i;
}

}  // namespace

bool only_file_lines_differ(std::string_view o, std::string_view p) {
  size_t i = 0, j = 0;
  bool any = false;
  while (i < o.size() && j < p.size()) {
    if (at_file_line(o, i) && at_file_line(p, j)) {
      size_t ei = digits_from(o, i), ej = digits_from(p, j);
      any = any || o.substr(i, ei - i) != p.substr(j, ej - j);
      i = ei;
      j = ej;
      continue;
    }
    if (o[i] != p[j]) return false;
    ++i;
    ++j;
  }
  return any && i == o.size() && j == p.size();
}

bool only_line_numbers_differ(const Range& o, const Range& p) {
  if (o.size != p.size || o.masked.size() != o.size || p.masked.size() != p.size) return false;
  bool any = false;
  for (uint64_t at = 0; at < o.size;) {
    auto io = x86::decode(code(o, at));
    auto ip = x86::decode(code(p, at));
    if (!io || !ip || io->length != ip->length) return false;
    if (!same_bytes(o, p, at, io->length)) {
      bool line_load = io->mov_imm_to_reg && ip->mov_imm_to_reg && io->reg == ip->reg &&
                       io->imm_offset == ip->imm_offset && same_bytes(o, p, at, io->imm_offset);
      if (!line_load || !calls_line_taker(p, at + ip->length)) return false;
      any = true;
    }
    at += io->length;
  }
  return any;
}

}  // namespace kp
