// From a linked patch module to a livepatch module.
//
// The differ marks every reference that the module loader must not resolve
// with an undefined symbol named `.klp.sym.<obj>.<name>,<pos>`. Kbuild links
// and modposts the module like any other (the symbols are weak, so modpost
// lets them be). This step then moves each relocation against such a symbol
// out of its ordinary `.rela<sec>` into `.klp.rela.<obj>.<sec>`, a section
// the module loader skips and the livepatch core applies once <obj> is
// present (at load for vmlinux, when the module loads otherwise), and gives
// the symbols the section index SHN_LIVEPATCH. A reference the differ
// resolves in another module M (`.klp.sym.<obj>.M:<name>,<pos>`, an export
// of M used by the patched <obj>) goes to .klp.rela.<obj> like the others,
// against a symbol renamed `.klp.sym.M.<name>,<pos>`. Documentation:
// Documentation/livepatch/module-elf-format.rst in the kernel.
//
// The module is rewritten whole: every section and symbol is carried over
// into a new object, relocation sections are regenerated from the model.
#include "module/klp_convert.h"

#include <map>

#include "common/names.h"
#include "support/diag.h"

namespace kp {

namespace {

constexpr std::string_view kKlpSym = ".klp.sym.";
constexpr size_t kMaxObjName = 55;  // MODULE_NAME_LEN - 1, as the core parses it

bool is_klp_symbol(const Symbol& s) { return s.name.starts_with(kKlpSym); }

// ".klp.sym.vmlinux.foo,1" -> "vmlinux"
std::string klp_object_of(const Object& ko, const Symbol& s) {
  std::string_view rest = std::string_view(s.name).substr(kKlpSym.size());
  size_t dot = rest.find('.');
  size_t comma = rest.rfind(',');
  if (dot == 0 || dot == std::string_view::npos || comma == std::string_view::npos || comma < dot ||
      comma + 1 == rest.size() || dot > kMaxObjName)
    throw Fatal(ko.path() + ": error: malformed livepatch symbol '" + s.name +
                "' (expected .klp.sym.<object>.<name>,<pos>) [bad-klp-symbol]");
  return std::string(rest.substr(0, dot));
}

// The name livepatch resolves: ".klp.sym.raid1.md_mod:md_write,0" ->
// ".klp.sym.md_mod.md_write,0"; any other name as it is.
std::string resolved_name(const Object& ko, const Symbol& s) {
  std::string_view rest = std::string_view(s.name).substr(kKlpSym.size());
  size_t dot = rest.find('.');
  size_t sep = rest.find(kKlpOtherObject, dot);
  if (sep == std::string_view::npos) return s.name;
  std::string_view other = rest.substr(dot + 1, sep - dot - 1);
  if (other.empty() || other.size() > kMaxObjName || other.find('.') != std::string_view::npos)
    throw Fatal(ko.path() + ": error: malformed livepatch symbol '" + s.name +
                "' (expected .klp.sym.<object>.<module>:<name>,<pos>) [bad-klp-symbol]");
  return std::string(kKlpSym) + std::string(other) + "." + std::string(rest.substr(sep + 1));
}

bool is_copied(const Section& s) {
  if (s.index == 0) return false;
  return s.sh.sh_type != SHT_SYMTAB && s.sh.sh_type != SHT_STRTAB && s.sh.sh_type != SHT_RELA;
}

OutSection copy_of(const Section& s) {
  OutSection o;
  o.name = s.name;
  o.type = s.sh.sh_type;
  o.flags = s.sh.sh_flags;
  o.addralign = std::max<uint64_t>(s.sh.sh_addralign, 1);
  o.entsize = s.sh.sh_entsize;
  if (s.is_nobits()) o.nobits_size = s.size();
  else o.data.assign(s.data.begin(), s.data.end());
  return o;
}

}  // namespace

OutputObject convert_klp_relocations(const Object& ko, KlpConvertStats& stats) {
  OutputObject out;
  std::map<size_t, size_t> sec_map;  // input section index -> output position
  for (const Section& s : ko.sections())
    if (is_copied(s)) sec_map[s.index] = out.add_section(copy_of(s));

  std::vector<size_t> sym_map(ko.symbols().size(), 0);
  for (const Symbol& s : ko.symbols()) {
    if (s.index == 0) continue;
    if (s.is_section()) {
      if (s.sec != nullptr && sec_map.contains(s.sec->index)) sym_map[s.index] = out.section_symbol(sec_map[s.sec->index]);
      continue;
    }
    OutSymbol o;
    o.name = s.name;
    o.type = static_cast<unsigned char>(s.type());
    o.bind = static_cast<unsigned char>(s.bind());
    o.other = s.sym.st_other;
    o.value = s.value();
    o.size = s.size();
    if (is_klp_symbol(s)) {
      klp_object_of(ko, s);  // validates the name
      o.name = resolved_name(ko, s);
      o.section = kLivepatch;
      o.bind = STB_GLOBAL;
      ++stats.klp_symbols;
    } else if (s.sec != nullptr && sec_map.contains(s.sec->index)) {
      o.section = static_cast<int64_t>(sec_map[s.sec->index]);
    } else {
      o.section = s.sym.st_shndx == SHN_ABS ? kAbs : kUndef;
    }
    sym_map[s.index] = out.add_symbol(o);
  }

  std::map<std::pair<std::string, size_t>, size_t> klp_secs;  // (obj, target) -> output position
  for (const Section& s : ko.sections()) {
    if (!sec_map.contains(s.index)) continue;
    size_t target = sec_map[s.index];
    for (const Reloc& r : s.relocs) {
      OutReloc o{r.offset, r.type, r.addend, sym_map[r.sym->index]};
      if (!is_klp_symbol(*r.sym)) {
        out.sections()[target].relocs.push_back(o);
        continue;
      }
      auto key = std::pair(klp_object_of(ko, *r.sym), target);
      auto it = klp_secs.find(key);
      if (it == klp_secs.end()) {
        OutSection k;
        k.name = ".klp.rela." + key.first + "." + s.name;
        k.type = SHT_RELA;
        k.flags = SHF_ALLOC | kShfRelaLivepatch;
        k.rela_target = target;
        it = klp_secs.emplace(key, out.add_section(std::move(k))).first;
        ++stats.klp_sections;
      }
      out.sections()[it->second].relocs.push_back(o);
      ++stats.klp_relocs;
    }
  }
  return out;
}

}  // namespace kp
