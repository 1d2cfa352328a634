#include "diff/targets.h"

#include "diff/kernel_data.h"

namespace kp {

Target resolve_target(const Reloc& r) {
  Target t;
  Symbol* s = r.sym;
  int64_t bias = reloc_is_pc_relative(r.type) ? reloc_width(r.type) : 0;
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

Symbol* symbol_covering(Object& obj, Section& sec, uint64_t offset) {
  for (Symbol& s : obj.symbols()) {
    if (s.sec != &sec || s.is_section() || !(s.is_func() || s.is_object())) continue;
    if (offset >= s.value() && offset < s.value() + std::max<uint64_t>(s.size(), 1)) return &s;
  }
  return nullptr;
}

bool is_copied_whole(const Section& sec) {
  if ((sec.sh.sh_flags & SHF_MERGE) != 0) return true;
  return sec.name == ".altinstr_replacement" || sec.name == ".altinstr_aux";
}

}  // namespace kp
