// Checking that the patch module would load, before it is written.
//
// A module the kernel refuses, or one it loads with a WARN, is worse than
// none: the first 6.12 build said "wrote t.ko", and insmod then WARNed in
// ftrace_verify_code (the module's __mcount_loc entry pointed at endbr64,
// not at the call after it), ftrace turned itself off, and the livepatch
// core failed with "failed to set ftrace filter for function
// 'cmdline_proc_show' (-19)". So the linked module is checked for what
// the kernel will check:
//
//   1. its own ftrace sites. When a module loads, ftrace_process_locs()
//      reads each __mcount_loc entry and expects the five bytes there to be
//      `call __fentry__` (ftrace_init_nop -> ftrace_make_nop ->
//      ftrace_verify_code); anything else is a WARN and ftrace_bug(),
//      which disables ftrace for the whole system. Each entry must land on
//      e8 with a relocation to __fentry__ at +1 (or on the 5-byte NOP a
//      build with -mnop-mcount leaves).
//   2. its vermagic, which the module loader compares with the kernel's
//      own: it must be the shipped modules' (the target module's, or any
//      shipped module's for a vmlinux patch). It differs when the tree was
//      not configured as the shipped kernel: linux-source-6.12 lacks the
//      rt featureset's patches, olddefconfig drops CONFIG_PREEMPT_BUILD
//      from the rt-amd64 config, and the build says "preempt_rt" where the
//      kernel says "preempt".
//   3. each replaced function, as klp_find_object_symbol() resolves it:
//      every symbol of the name in the target, in kallsyms order (address
//      order for vmlinux, symbol table order for a module); sympos 0 must
//      find exactly one, sympos N at least N; the one found must be a
//      function, and it must have an ftrace site (an __mcount_loc entry
//      inside it) or klp_patch_func() cannot set its ftrace filter.
//   4. its return thunks. A kernel built with return thunks
//      (CONFIG_MITIGATION_RETHUNK) rewrites every `jmp __x86_return_thunk`
//      that .return_sites lists when the module loads (apply_returns);
//      one it does not list still jumps to the thunk, which on 6.12
//      WARNs "Unpatched return thunk in use" the first time it runs.
//      objtool writes .return_sites at the module link, and writes nothing
//      when it stops at something it cannot read (6.12: an annotation
//      entry against a symbol other than a section), so every such jump
//      of the module's code must be listed.
//   5. its static call sites. objtool writes .static_call_sites at the
//      module link on 6.12; a site whose key the module does not name gets
//      the trampoline in its place, and static_call_add_module() then
//      looks the trampoline up in vmlinux's static_call_tramp_key table,
//      which lists only trampolines exported alone
//      (EXPORT_STATIC_CALL_TRAMP): any other is "Failed to fixup
//      __raw_static_call() usage" and -EINVAL. (The differ names the key
//      of an exported static call for that reason: diff/klp_relocs.cpp.)
//
// The target is the unstripped vmlinux (its __mcount_loc is the table
// between __start_mcount_loc and __stop_mcount_loc, final addresses), or
// the module as shipped (ET_REL: __mcount_loc relocations), decompressed
// when it is a .ko.xz. A failure refuses the build, naming each function.
#include "pipeline/load_check.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>

#include "diff/kernel_data.h"
#include "elf/elf_file.h"
#include "elf/modinfo.h"
#include "pipeline/kernel_files.h"
#include "pipeline/verify.h"
#include "support/diag.h"

namespace kp {

namespace {

constexpr uint64_t kFuncEntrySize = 32;

// The offset in its symbol's section that a relocation points at.
uint64_t target_offset(const Reloc& r) {
  return (r.sym->is_section() ? 0 : r.sym->value()) + static_cast<uint64_t>(r.addend);
}

// Every defined symbol of a linked binary's symbol table, with its name.
template <typename Fn>
void for_each_defined_symbol(const elf::ElfFile& f, Fn&& fn) {
  for (size_t i = 1; i < f.section_count(); ++i) {
    GElf_Shdr sh = f.shdr(i);
    if (sh.sh_type != SHT_SYMTAB || sh.sh_entsize != sizeof(Elf64_Sym)) continue;
    Elf_Data* d = elf_getdata(elf_getscn(f.get(), i), nullptr);
    for (size_t k = 1; d != nullptr && k < sh.sh_size / sh.sh_entsize; ++k) {
      GElf_Sym s;
      if (gelf_getsym(d, static_cast<int>(k), &s) == nullptr || s.st_shndx == SHN_UNDEF) continue;
      fn(f.string_at(sh.sh_link, s.st_name, "symbol"), s);
    }
  }
}

std::string bytes_text(std::span<const std::byte> b) {
  std::string s;
  for (std::byte x : b) {
    char h[4];
    std::snprintf(h, sizeof h, "%02x", std::to_integer<unsigned>(x));
    s += (s.empty() ? "" : " ") + std::string(h);
  }
  return s;
}

// The function (not __pfx_ padding) holding byte `at` of `sec`.
const Symbol* function_holding(const Section& sec, uint64_t at) {
  for (const Symbol* s : sec.symbols)
    if (s->is_func() && !s->name.starts_with("__pfx_") && !s->name.starts_with("__cfi_") && at >= s->value() &&
        at < s->value() + std::max<uint64_t>(s->size(), 1))
      return s;
  return nullptr;
}

const char* type_name(unsigned t) {
  switch (t) {
    case STT_FUNC: return "function";
    case STT_OBJECT: return "data object";
    case STT_TLS: return "TLS object";
    default: return "symbol without type";
  }
}

bool kallsyms_type(unsigned t) {
  return t == STT_FUNC || t == STT_OBJECT || t == STT_NOTYPE || t == STT_TLS;
}

// CONFIG_ lines of a .config, "# CONFIG_X is not set" as "n".
std::map<std::string, std::string> read_config(const fs::path& p) {
  std::map<std::string, std::string> out;
  std::ifstream in(p);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("CONFIG_")) {
      size_t eq = line.find('=');
      if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
    } else if (line.starts_with("# CONFIG_") && line.ends_with(" is not set")) {
      out[line.substr(2, line.size() - 13)] = "n";
    }
  }
  return out;
}

// What olddefconfig changed in the distribution's config, the options a
// kernel compiles with (the toolchain's own version numbers aside).
std::string config_changes(const fs::path& distro, const fs::path& tree) {
  if (distro.empty() || tree.empty() || !fs::exists(distro) || !fs::exists(tree)) return "";
  std::map<std::string, std::string> a = read_config(distro), b = read_config(tree);
  std::vector<std::string> changes;
  auto toolchain = [](const std::string& k) {
    return k.starts_with("CONFIG_RUSTC_") || k.starts_with("CONFIG_CC_") || k.starts_with("CONFIG_GCC_") ||
           k.starts_with("CONFIG_CLANG_") || k.starts_with("CONFIG_LD_") || k.starts_with("CONFIG_AS_") ||
           k.starts_with("CONFIG_PAHOLE_") || k.starts_with("CONFIG_RUST_");
  };
  for (const auto& [k, v] : a) {
    if (toolchain(k)) continue;
    auto it = b.find(k);
    std::string now = it == b.end() ? "n" : it->second;
    if (now != v && !(v == "n" && it == b.end())) changes.push_back(k + "=" + v + " became " + now);
  }
  for (const auto& [k, v] : b)
    if (!toolchain(k) && !a.contains(k) && v != "n") changes.push_back(k + "=" + v + " is new");
  if (changes.empty()) return "";
  std::string out = "; olddefconfig changed " + std::to_string(changes.size()) + " options of it (";
  for (size_t i = 0; i < changes.size() && i < 4; ++i) out += (i ? ", " : "") + changes[i];
  return out + (changes.size() > 4 ? ", ...)" : ")");
}

}  // namespace

std::optional<fs::path> some_shipped_module(const fs::path& dir) {
  std::optional<fs::path> first;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return first;
  for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (ec) break;
    if (!it->is_regular_file(ec) || !module_name_of_file(it->path().filename().string())) continue;
    if (!first || it->path() < *first) first = it->path();
  }
  return first;
}

std::string module_vermagic(const std::string& path) {
  auto entries = elf::read_modinfo(elf::ElfFile::open_read(path));
  if (entries)
    for (const auto& [key, value] : *entries)
      if (key == "vermagic") return value;
  return {};
}

std::string vermagic_problem(const std::string& ours, const std::string& theirs, const std::string& shipped) {
  auto trim = [](std::string v) {
    while (!v.empty() && v.back() == ' ') v.pop_back();
    return v;
  };
  if (theirs.empty() || trim(ours) == trim(theirs)) return "";
  return "vermagic: the patch module says '" + trim(ours) + "', the kernel's modules '" + trim(theirs) + "' (" +
         shipped +
         "); the kernel would refuse to load it. The tree is not configured as the shipped kernel, as when the "
         "source package lacks the flavour's patches (Debian's rt-amd64: linux-source has no rt featureset)";
}

std::vector<ReplacedFunction> replaced_functions(const Object& module) {
  std::vector<ReplacedFunction> out;
  const Section* funcs = nullptr;
  for (const Section& s : module.sections())
    if (s.name == ".kpatch.funcs") funcs = &s;
  if (funcs == nullptr) return out;
  // kpatch.lds ends the table with 8 zero bytes: whole entries only.
  for (uint64_t off = 0; off + kFuncEntrySize <= funcs->size(); off += kFuncEntrySize) {
    const Reloc* fn = funcs->reloc_at(off);
    const Reloc* name = funcs->reloc_at(off + 8);
    const Reloc* obj = funcs->reloc_at(off + 16);
    if (fn == nullptr || name == nullptr || obj == nullptr || fn->offset != off || name->offset != off + 8 ||
        obj->offset != off + 16 || name->sym->sec == nullptr || obj->sym->sec == nullptr)
      throw BuildError(module.path() + ": .kpatch.funcs entry at +" + hex(off) + " lacks its relocations");
    auto str = [&](const Reloc& r) { return std::string(string_in(module, *r.sym->sec, target_offset(r))); };
    ReplacedFunction f;
    f.new_func = fn->sym->name;
    if (fn->sym->is_section() && fn->sym->sec != nullptr)
      if (const Symbol* s = function_holding(*fn->sym->sec, static_cast<uint64_t>(fn->addend))) f.new_func = s->name;
    f.name = str(*name);
    f.object = str(*obj);
    f.sympos = read_le(module, *funcs, off + 24, 8);
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<std::string> check_module_ftrace_sites(const Object& module) {
  std::vector<std::string> problems;
  for (const Section& mc : module.sections()) {
    if (mc.name != "__mcount_loc") continue;
    for (const Reloc& r : mc.relocs) {
      const Section* sec = r.sym->sec;
      uint64_t at = target_offset(r);
      std::string where = "__mcount_loc+" + hex(r.offset);
      if (r.type != R_X86_64_64 || sec == nullptr || !sec->is_exec() || at + 5 > sec->data.size()) {
        problems.push_back("the patch module's ftrace site " + where + " does not point into its code");
        continue;
      }
      const Symbol* fn = function_holding(*sec, at);
      std::string site = sec->name + "+" + hex(at);
      std::string who = fn != nullptr ? fn->name + ": " : "";
      if (fn != nullptr) site += " (" + fn->name + "+" + hex(at - fn->value()) + ")";
      auto five = sec->data.subspan(at, 5);
      if (std::equal(five.begin(), five.end(), std::begin(kNop5))) continue;
      const Reloc* call = sec->reloc_at(at + 1);
      if (five[0] == std::byte{0xe8} && call != nullptr && call->offset == at + 1 && call->sym != nullptr &&
          call->sym->name == "__fentry__")
        continue;
      problems.push_back(who + "the patch module's ftrace site at " + site + " is not a `call __fentry__` (" +
                         bytes_text(five) +
                         "); the kernel would WARN in ftrace_verify_code loading the module and turn ftrace off");
    }
  }
  return problems;
}

std::vector<std::string> check_module_return_sites(const Object& module) {
  std::set<std::pair<const Section*, uint64_t>> listed;
  for (const Section& rs : module.sections()) {
    if (rs.name != ".return_sites") continue;
    for (const Reloc& r : rs.relocs)
      if (r.sym->sec != nullptr) listed.emplace(r.sym->sec, target_offset(r));
  }
  size_t missing = 0;
  std::vector<std::string> names;
  for (const Section& sec : module.sections()) {
    if (!sec.is_exec()) continue;
    for (const Reloc& r : sec.relocs) {
      // `jmp __x86_return_thunk`: e9 and a PC-relative relocation at +1.
      if (r.sym == nullptr || r.sym->name != "__x86_return_thunk" || r.offset == 0 ||
          sec.data[r.offset - 1] != std::byte{0xe9} || listed.contains({&sec, r.offset - 1}))
        continue;
      ++missing;
      const Symbol* fn = function_holding(sec, r.offset - 1);
      std::string name = fn != nullptr ? fn->name : sec.name + "+" + hex(r.offset - 1);
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }
  if (missing == 0) return {};
  std::string list;
  for (size_t i = 0; i < names.size() && i < 5; ++i) list += (i ? ", " : "") + names[i];
  if (names.size() > 5) list += ", ... (" + std::to_string(names.size()) + " functions)";
  return {std::to_string(missing) + " `jmp __x86_return_thunk` of the patch module (in " + list +
          ") not listed in .return_sites; the kernel would not patch them and WARN \"Unpatched return thunk in "
          "use\" (objtool wrote no or too few sites at the module link: see its warnings in the build log)"};
}

namespace {

// The trampolines vmlinux's static_call_tramp_key table lists (entries of
// two 32-bit offsets, trampoline and key, each from its own field, between
// __start_static_call_tramp_key and __stop_static_call_tramp_key).
std::set<std::string> trampolines_with_keys(const std::string& vmlinux) {
  elf::ElfFile f = elf::ElfFile::open_read(vmlinux);
  std::optional<uint64_t> start, stop;
  std::map<uint64_t, std::string> trampolines;  // address -> __SCT__ name
  for_each_defined_symbol(f, [&](std::string name, const GElf_Sym& s) {
    if (name == "__start_static_call_tramp_key") start = s.st_value;
    if (name == "__stop_static_call_tramp_key") stop = s.st_value;
    if (static_call_key_of(name)) trampolines.emplace(s.st_value, std::move(name));
  });
  std::set<std::string> out;
  if (!start || !stop || *stop < *start) return out;
  for (size_t i = 1; i < f.section_count(); ++i) {
    GElf_Shdr sh = f.shdr(i);
    if (sh.sh_type != SHT_PROGBITS || *start < sh.sh_addr || *stop > sh.sh_addr + sh.sh_size) continue;
    auto bytes = f.bytes(i);
    for (uint64_t at = *start - sh.sh_addr; at + 8 <= *stop - sh.sh_addr && at + 8 <= bytes.size(); at += 8) {
      uint32_t rel = 0;
      for (unsigned b = 0; b < 4; ++b) rel |= std::to_integer<uint32_t>(bytes[at + b]) << (8 * b);
      uint64_t tramp = sh.sh_addr + at + static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(rel)));
      if (auto it = trampolines.find(tramp); it != trampolines.end()) out.insert(it->second);
    }
    break;
  }
  return out;
}

}  // namespace

std::vector<std::string> check_module_static_calls(const Object& module, const std::string& vmlinux) {
  std::vector<std::pair<std::string, std::string>> sites;  // function, trampoline
  for (const Section& sc : module.sections()) {
    if (sc.name != ".static_call_sites") continue;
    std::map<uint64_t, const Reloc*> at;
    for (const Reloc& r : sc.relocs) at[r.offset] = &r;
    for (const auto& [off, r] : at) {
      if (off % 8 != 4 || r->sym == nullptr || !r->sym->is_undef() || !static_call_key_of(r->sym->name)) continue;
      const Reloc* addr = at.contains(off - 4) ? at[off - 4] : nullptr;
      const Symbol* fn = addr != nullptr && addr->sym->sec != nullptr
                             ? function_holding(*addr->sym->sec, target_offset(*addr))
                             : nullptr;
      sites.emplace_back(fn != nullptr ? fn->name : sc.name + "+" + hex(off - 4), r->sym->name);
    }
  }
  if (sites.empty()) return {};
  std::set<std::string> mapped = trampolines_with_keys(vmlinux);
  std::vector<std::string> problems;
  for (const auto& [fn, tramp] : sites)
    if (!mapped.contains(tramp))
      problems.push_back(fn + ": its static call site is recorded with the trampoline " + tramp + " for a key (" +
                         *static_call_key_of(tramp) +
                         " is not named by the module), which the kernel maps back only for a trampoline "
                         "exported alone; it would refuse the module (\"Failed to fixup __raw_static_call() "
                         "usage\")");
  return problems;
}

TargetSymbols TargetSymbols::read(const std::string& path, const std::string& label,
                                  const std::vector<std::string>& names) {
  TargetSymbols t;
  t.label_ = label;
  std::set<std::string, std::less<>> wanted(names.begin(), names.end());
  elf::ElfFile f = elf::ElfFile::open_read(path);
  GElf_Ehdr eh = f.ehdr();
  t.exec_ = eh.e_type != ET_REL;
  if (!t.exec_) {
    // A module: symbol table order, sites from the __mcount_loc relocations.
    Object obj = Object::load(std::move(f));
    for (const Symbol& s : obj.symbols()) {
      if (s.sec == nullptr || !kallsyms_type(s.type()) || !wanted.contains(s.name)) continue;
      t.syms_[s.name].push_back({s.value(), s.size(), s.type(), s.sec->index});
    }
    for (const Section& mc : obj.sections()) {
      if (mc.name != "__mcount_loc") continue;
      for (const Reloc& r : mc.relocs)
        if (r.sym->sec != nullptr) t.sites_[r.sym->sec->index].push_back(target_offset(r));
    }
  } else {
    // vmlinux: address order; the sites are the words between
    // __start_mcount_loc and __stop_mcount_loc.
    std::optional<uint64_t> start, stop;
    for_each_defined_symbol(f, [&](const std::string& name, const GElf_Sym& s) {
      if (name == "__start_mcount_loc") start = s.st_value;
      if (name == "__stop_mcount_loc") stop = s.st_value;
      if (s.st_shndx >= SHN_LORESERVE) return;  // absolute: not in kallsyms
      unsigned type = GELF_ST_TYPE(s.st_info);
      if (!kallsyms_type(type) || !wanted.contains(name)) return;
      t.syms_[name].push_back({s.st_value, s.st_size, type, 0});
    });
    for (auto& [name, v] : t.syms_)
      std::stable_sort(v.begin(), v.end(), [](const Sym& a, const Sym& b) { return a.value < b.value; });
    std::vector<uint64_t>& sites = t.sites_[0];
    for (size_t i = 1; i < f.section_count(); ++i) {
      GElf_Shdr sh = f.shdr(i);
      if (sh.sh_type != SHT_PROGBITS) continue;
      uint64_t lo = 0, hi = 0;
      if (start && stop && *start >= sh.sh_addr && *stop <= sh.sh_addr + sh.sh_size && *start <= *stop) {
        lo = *start - sh.sh_addr;
        hi = *stop - sh.sh_addr;
      } else if (!start && f.string_at(f.shstrndx(), sh.sh_name, "section") == "__mcount_loc") {
        hi = sh.sh_size;  // a kernel-like binary without the bracketing symbols
      } else {
        continue;
      }
      auto bytes = f.bytes(i);
      for (uint64_t at = lo; at + 8 <= hi && at + 8 <= bytes.size(); at += 8) {
        uint64_t v = 0;
        for (unsigned b = 0; b < 8; ++b) v |= std::to_integer<uint64_t>(bytes[at + b]) << (8 * b);
        sites.push_back(v);
      }
    }
  }
  for (auto& [sec, v] : t.sites_) std::sort(v.begin(), v.end());
  return t;
}

std::string TargetSymbols::check(const ReplacedFunction& f) const {
  std::string who = f.name + (f.sympos != 0 ? "," + std::to_string(f.sympos) : "") + " in " + label_ + ": ";
  auto it = syms_.find(f.name);
  size_t n = it == syms_.end() ? 0 : it->second.size();
  if (n == 0) return who + "no symbol of that name there; the livepatch core would not find the function to replace";
  if (f.sympos == 0 && n > 1)
    return who + std::to_string(n) +
           " symbols of that name and no position to tell them apart; the livepatch core would refuse the "
           "ambiguity";
  if (f.sympos > n)
    return who + "position " + std::to_string(f.sympos) + ", but there are only " + std::to_string(n) +
           " symbols of that name";
  const Sym& s = it->second[f.sympos == 0 ? 0 : f.sympos - 1];
  if (s.type != STT_FUNC) return who + "names a " + type_name(s.type) + " at " + hex(s.value) + ", not a function";
  auto sites = sites_.find(s.section);
  bool traced = false;
  if (sites != sites_.end()) {
    auto at = std::lower_bound(sites->second.begin(), sites->second.end(), s.value);
    traced = at != sites->second.end() && *at < s.value + std::max<uint64_t>(s.size, 1);
  }
  if (!traced)
    return who + "the function (at " + hex(s.value) + ", " + std::to_string(s.size) +
           " bytes) has no ftrace site; the livepatch core could not redirect it (failed to set ftrace filter)";
  return "";
}

void check_module_loads(BuildCtx& ctx) {
  fs::path built = ctx.module_dir / (ctx.module_name() + ".ko");
  Object module = Object::load(built.string());
  std::vector<std::string> problems = check_module_ftrace_sites(module);
  for (std::string& p : check_module_return_sites(module)) problems.push_back(std::move(p));
  for (std::string& p : check_module_static_calls(module, ctx.target.vmlinux.string()))
    problems.push_back(std::move(p));
  std::vector<ReplacedFunction> funcs = replaced_functions(module);
  std::map<std::string, std::vector<const ReplacedFunction*>> by_object;
  for (const ReplacedFunction& f : funcs) by_object[f.object].push_back(&f);
  // The vermagic: of the module patched, else of any module the kernel ships.
  std::optional<fs::path> shipped;
  for (const auto& [object, list] : by_object)
    if (object != "vmlinux" && !shipped) shipped = shipped_module(ctx, object);
  if (!shipped) shipped = some_shipped_module(ctx.target.modules);
  if (shipped) {
    std::string why = vermagic_problem(module_vermagic(built.string()),
                                       module_vermagic(module_elf(ctx, *shipped).string()), shipped->string());
    if (!why.empty() && !ctx.target.cache.empty()) why += config_changes(ctx.target.config, ctx.target.src / ".config");
    if (!why.empty()) problems.push_back(why);
  }
  for (const auto& [object, list] : by_object) {
    fs::path path;
    if (object == "vmlinux") {
      path = ctx.target.vmlinux;
    } else {
      std::optional<fs::path> ko = shipped_module(ctx, object);
      if (!ko) throw BuildError(no_module_message(ctx, object) + " to check the patch module against");
      path = module_elf(ctx, *ko);
    }
    std::vector<std::string> names;
    for (const ReplacedFunction* f : list) names.push_back(f->name);
    TargetSymbols target =
        TargetSymbols::read(path.string(), object == "vmlinux" ? "vmlinux" : "module " + object, names);
    for (const ReplacedFunction* f : list)
      if (std::string why = target.check(*f); !why.empty()) problems.push_back(why);
  }
  if (!ctx.log.empty())
    std::ofstream(ctx.log, std::ios::app) << "kpatch-build: load check: " << funcs.size()
                                          << " replaced functions resolved in their targets, the module's "
                                             "ftrace sites checked; "
                                          << problems.size() << " problems\n";
  if (problems.empty()) return;
  std::string msg = "the patch module would not load, so it is not written:";
  for (const std::string& p : problems) msg += "\n  " + p;
  throw BuildError(msg);
}

}  // namespace kp
