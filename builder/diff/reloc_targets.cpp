#include "diff/reloc_targets.h"

#include "diff/kernel_data.h"
#include "diff/x86_decode.h"

namespace kp {

Target resolve_target(const Reloc& r) {
  Target t;
  Symbol* s = r.sym;
  int64_t bias = r.in_code && reloc_is_pc_relative(r.type) ? reloc_width(r.type) : 0;
  if (s->is_section()) {
    t.sec = s->sec;
    t.offset = static_cast<uint64_t>(r.addend + bias);
    if (t.sec != nullptr && t.sec->sym != nullptr && t.sec->sym->size() == t.sec->size()) t.sym = t.sec->sym;
    return t;
  }
  t.sym = s;
  t.sec = s->sec;
  t.offset = s->value() + static_cast<uint64_t>(r.addend + bias);
  return t;
}

namespace {

// Distance from a PC-relative field in code to the end of its instruction,
// which is what the addend is biased by: usually the field ends the
// instruction, but an immediate may follow it. The store of a once flag,
// `movb $1, __already_done.3(%rip)`, is C6 05 <disp32> 01, with addend
// -5: taken as -4, it would name the byte before the flag, which is
// another flag or nothing. Instruction boundaries are only known from the
// start of the section, so decode from there, and trust the result only if
// the decoded instruction has its displacement or immediate exactly where
// the relocation is; else (data among hand-written code) keep the usual
// assumption. Quadratic in the section size, which -ffunction-sections
// keeps small.
int64_t pc_field_bias(const Section& where, const Reloc& r) {
  auto width = static_cast<int64_t>(reloc_width(r.type));
  for (uint64_t at = 0; at < where.data.size() && at <= r.offset;) {
    auto insn = x86::decode(where.data.subspan(at));
    if (!insn) break;
    if (r.offset < at + insn->length) {
      uint64_t field = r.offset - at;
      bool exact = (insn->disp_size == width && insn->disp_offset == field) ||
                   (insn->imm_size == width && insn->imm_offset == field);
      return exact ? static_cast<int64_t>(at + insn->length - r.offset) : width;
    }
    at += insn->length;
  }
  return width;
}

}  // namespace

Target resolve_target(const Section& where, const Reloc& r) {
  Target t = resolve_target(r);
  if (!r.in_code || !reloc_is_pc_relative(r.type) || !r.sym->is_section()) return t;
  t.offset += static_cast<uint64_t>(pc_field_bias(where, r) - static_cast<int64_t>(reloc_width(r.type)));
  return t;
}

// Over the section's own symbols (Section::symbols): a scan of the whole
// table per relocation was half the differ's time on net/core/dev.o.
Symbol* symbol_covering(Object&, Section& sec, uint64_t offset) {
  for (Symbol* s : sec.symbols)
    if (offset >= s->value() && offset < s->value() + std::max<uint64_t>(s->size(), 1)) return s;
  return nullptr;
}

Symbol* function_at(Object& obj, const Section* sec, uint64_t offset) {
  if (sec == nullptr) return nullptr;
  for (Symbol& s : obj.symbols())
    if (s.sec == sec && s.is_func() && s.value() == offset) return &s;
  return nullptr;
}

bool is_merge_pieces(const Section& sec) {
  return (sec.sh.sh_flags & SHF_MERGE) != 0 && !sec.is_nobits() && !sec.is_exec() &&
         (sec.is_strings() || sec.sh.sh_entsize > 1);
}

std::pair<uint64_t, uint64_t> merge_piece(const Section& sec, uint64_t offset) {
  if (!sec.is_strings()) {
    uint64_t n = sec.sh.sh_entsize;
    uint64_t begin = offset / n * n;
    return {begin, std::min(begin + n, sec.size())};
  }
  auto nul = [&](uint64_t i) { return sec.data[i] == std::byte{0}; };
  uint64_t begin = offset;
  while (begin > 0 && !nul(begin - 1)) --begin;
  uint64_t end = offset;
  while (end < sec.size() && !nul(end)) ++end;
  return {begin, std::min(end + 1, sec.size())};
}

bool is_copied_whole(const Section& sec) {
  if ((sec.sh.sh_flags & SHF_MERGE) != 0) return true;
  return sec.name == ".altinstr_replacement" || sec.name == ".altinstr_aux";
}

}  // namespace kp
