// Checking that the build reproduces the shipped kernel.
//
// A livepatch replaces whole functions, and the differ decides what changed
// by comparing our compile of the tree before and after the patch. That is
// only right if "before" is what the running kernel executes: a tree of the
// wrong Debian revision, another .config or another compiler compiles
// different code, and the patched function would silently carry those
// differences into the running kernel. So, after the differ, every function
// to be replaced is compared with its copy in the distribution's binary
// (the unstripped vmlinux, or the module's .ko as shipped, decompressed
// first when it is a .ko.xz, .ko.zst or .ko.gz):
//
//   fs/proc/cmdline.o   .text.cmdline_proc_show   e8 00000000 53 48 8b 35 00000000 ...
//   vmlinux             ffffffff813f5980          e8 ab5dc7ff 53 48 8b 35 7b16ec01 ...
//
// The bytes must be equal outside the fields the object's relocations cover (on both sides: the object holds zeros and
// an addend, the binary the linked value). The ftrace site near the entry (+0, or +4 after endbr64 with IBT) is also
// masked when the object has `call __fentry__` there: the binary may hold the call or the 5-byte NOP that ftrace or
// objtool leave.
//
// Nothing else differs on Debian 12. Measured on 6.1.0-56-cloud-amd64 with
// every function of 39 vmlinux objects (4,946, among them kernel/sched/
// core.o, fair.o, net/core/dev.o, kernel/bpf/core.o, entry_64.o) and of 6
// module objects (1,279; kvm, xfs, nf_conntrack, virtio_net): all match
// except 25 weak definitions the kernel overrides. objtool edits objects
// before they are linked; `call __fentry__` is still a call in the file
// (ftrace NOPs it at boot); alternatives, static calls, retpolines
// (`call __x86_indirect_thunk_rax`) and return thunks (`jmp
// __x86_return_thunk`) are patched at boot, so the files agree. What
// -ffunction-sections does change is jumps: see compare_instructions().
//
// On 6.12 (CONFIG_X86_KERNEL_IBT) objtool no longer runs on each object:
// kbuild delays it to vmlinux.o, so our objects are as the compiler left
// them, and one thing objtool rewrites differs: a static branch
// (arch_static_branch, "jmp %l[l_yes] # objtool NOPs this") is a 2- or
// 5-byte jmp here and a NOP of the same length in vmlinux (objtool's
// jump_label hack; the kernel patches the site at boot and at module load
// either way). So at the code address of each of the object's __jump_table
// entries, our jmp matches their NOP of its length (6.12's fs/proc/base.o,
// __set_oom_adj.isra.0 +0x8d).
//
// A local function is looked for in the FILE blocks of the object's source
// file (there are 21 core.c in vmlinux); if several blocks have one of that
// name, one matching copy is enough. Shipped modules have no FILE symbols,
// so there every function of the name is a candidate. A weak definition
// that the binary replaced with a strong one is refused: patching it by
// name would put its code in place of the override.
#include "pipeline/verify.h"

#include <algorithm>
#include <fstream>

#include "diff/kernel_data.h"
#include "diff/reloc_targets.h"
#include "diff/x86_decode.h"
#include "pipeline/kernel_files.h"
#include "support/diag.h"

namespace kp {

namespace {

constexpr std::byte kCall{0xe8};

bool starts_with(std::span<const std::byte> s, uint64_t at, std::span<const std::byte> what) {
  return at + what.size() <= s.size() && std::equal(what.begin(), what.end(), s.begin() + at);
}

// Where the ftrace call of a function starting at `value` in `sec` is, if the
// object has one: the `call __fentry__` (e8 and a relocation to __fentry__)
// near the entry, at +0, or at +4 after endbr64 with IBT (6.12).
std::optional<uint64_t> fentry_site(const Section& sec, uint64_t value, uint64_t size) {
  for (const Reloc& r : sec.relocs_in(value + 1, value + std::min<uint64_t>(size, 16))) {
    if (r.sym == nullptr || r.sym->name != "__fentry__") continue;
    uint64_t at = r.offset - 1 - value;
    if (at + 5 > size || sec.data[r.offset - 1] != kCall) return std::nullopt;
    return at;
  }
  return std::nullopt;
}

const std::string kRefuse =
    "; the tree does not reproduce the shipped kernel (wrong source version, config or compiler?)";

const Symbol* find_function(const Object& obj, const std::string& name) {
  for (const Symbol& s : obj.symbols())
    if (s.is_func() && s.sec != nullptr && s.name == name) return &s;
  return nullptr;
}

}  // namespace

ParentBinary ParentBinary::open(const std::string& path, std::string label) {
  ParentBinary p(elf::ElfFile::open_read(path));
  p.label_ = std::move(label);
  GElf_Ehdr eh = p.file_.ehdr();
  p.exec_ = eh.e_type == ET_EXEC || eh.e_type == ET_DYN;
  size_t n = p.file_.section_count();
  for (size_t i = 1; i < n; ++i) {
    GElf_Shdr sh = p.file_.shdr(i);
    if (sh.sh_type != SHT_SYMTAB) continue;
    if (sh.sh_entsize != sizeof(Elf64_Sym) || sh.sh_size % sizeof(Elf64_Sym) != 0)
      p.file_.fail("section " + std::to_string(i) + ": bad symbol table entry size " + std::to_string(sh.sh_entsize));
    Elf_Data* d = elf_getdata(elf_getscn(p.file_.get(), i), nullptr);
    if (d == nullptr) p.file_.fail("cannot read the symbol table");
    std::string file;
    for (size_t k = 1; k < sh.sh_size / sizeof(Elf64_Sym); ++k) {
      GElf_Sym s;
      if (gelf_getsym(d, static_cast<int>(k), &s) == nullptr) p.file_.fail("cannot read symbol " + std::to_string(k));
      unsigned type = GELF_ST_TYPE(s.st_info);
      if (type == STT_FILE) {
        file = p.file_.string_at(sh.sh_link, s.st_name, "symbol");
        p.has_files_ = true;
        continue;
      }
      if (type != STT_FUNC || s.st_shndx == SHN_UNDEF || s.st_shndx >= SHN_LORESERVE) continue;
      Func f;
      f.local = GELF_ST_BIND(s.st_info) == STB_LOCAL;
      f.weak = GELF_ST_BIND(s.st_info) == STB_WEAK;
      f.file = f.local ? file : std::string();
      f.value = s.st_value;
      f.size = s.st_size;
      f.shndx = s.st_shndx;
      p.funcs_.emplace(p.file_.string_at(sh.sh_link, s.st_name, "symbol"), std::move(f));
    }
  }
  return p;
}

std::vector<const ParentBinary::Func*> ParentBinary::candidates(const std::string& name, bool local,
                                                                const std::string& source) const {
  std::vector<const Func*> out;
  auto [lo, hi] = funcs_.equal_range(name);
  for (auto it = lo; it != hi; ++it) {
    const Func& f = it->second;
    if (f.local != local) continue;
    if (local && has_files_ && f.file != source) continue;
    out.push_back(&f);
  }
  return out;
}

std::span<const std::byte> ParentBinary::bytes(const Func& f) const {
  if (f.shndx >= file_.section_count()) return {};
  GElf_Shdr sh = file_.shdr(f.shndx);
  if (sh.sh_type == SHT_NOBITS) return {};
  uint64_t base = exec_ ? sh.sh_addr : 0;
  if (f.value < base || f.value - base > sh.sh_size || f.size > sh.sh_size - (f.value - base)) return {};
  return file_.bytes(f.shndx).subspan(f.value - base, f.size);
}

namespace {

// A function of the original object, with what may legitimately differ in
// the binary: the relocated fields and the ftrace site.
struct Original {
  const Section& sec;
  uint64_t value, size;
  std::span<const std::byte> bytes;
  std::vector<bool> relocated;  // per byte
  std::optional<uint64_t> fentry;
  std::vector<uint64_t> jump_sites;  // static branches, function-relative, sorted

  Original(const Section& s, uint64_t v, uint64_t n, const std::vector<uint64_t>& sites)
      : sec(s), value(v), size(n), bytes(s.data.subspan(v, n)), relocated(n, false), fentry(fentry_site(s, v, n)) {
    for (const Reloc& r : sec.relocs_in(value, value + size)) {
      unsigned width = reloc_width(r.type);
      if (width == 0 && r.type != R_X86_64_NONE) width = 4;  // unknown to us: a displacement's worth
      for (uint64_t i = r.offset - value; i < r.offset - value + width && i < size; ++i) relocated[i] = true;
    }
    for (uint64_t at : sites)
      if (at >= value && at < value + size) jump_sites.push_back(at - value);
  }

  // The length of our jmp at `at` if it is a static branch that `theirs`
  // (the bytes from `at` on) holds as a NOP of that length.
  unsigned nopped_jump(uint64_t at, std::span<const std::byte> theirs) const {
    if (!std::binary_search(jump_sites.begin(), jump_sites.end(), at) || at >= size) return 0;
    unsigned len = bytes[at] == std::byte{0xeb} ? 2 : bytes[at] == std::byte{0xe9} ? 5 : 0;
    if (len == 0 || at + len > size) return 0;
    constexpr std::byte kNop2[] = {std::byte{0x66}, std::byte{0x90}};
    return starts_with(theirs, 0, len == 2 ? std::span<const std::byte>(kNop2) : std::span<const std::byte>(kNop5))
               ? len
               : 0;
  }

  // Our bytes [from, from + n) against `theirs` (n bytes), masked.
  // The ftrace site, when it lies in the range, is masked if theirs has
  // the call or the 5-byte NOP there.
  std::optional<uint64_t> compare(uint64_t from, std::span<const std::byte> theirs) const {
    std::optional<uint64_t> site;
    if (fentry && *fentry >= from && *fentry - from + 5 <= theirs.size()) {
      uint64_t at = *fentry - from;
      if (theirs[at] == kCall || starts_with(theirs, at, kNop5)) site = at;
    }
    for (uint64_t i = 0; i < theirs.size(); ++i) {
      if (unsigned nop = nopped_jump(from + i, theirs.subspan(i))) {
        i += nop - 1;
        continue;
      }
      if (!relocated[from + i] && !(site && i >= *site && i < *site + 5) && bytes[from + i] != theirs[i])
        return from + i;
    }
    return std::nullopt;
  }
};

// A relative jump: JMP or Jcc with an 8- or 32-bit displacement, after
// branch-hint prefixes (2E, 3E).
struct Jump {
  int cond = -1;  // -1: JMP, else the condition code
  unsigned disp_at = 0, disp_size = 0;
};

std::optional<Jump> jump_of(std::span<const std::byte> insn) {
  size_t i = 0;
  while (i < insn.size() && (insn[i] == std::byte{0x2e} || insn[i] == std::byte{0x3e})) ++i;
  if (i >= insn.size()) return std::nullopt;
  auto op = std::to_integer<unsigned>(insn[i]);
  Jump j;
  if (op == 0xeb || op == 0xe9) {
    j.disp_at = i + 1;
    j.disp_size = op == 0xeb ? 1 : 4;
  } else if (op >= 0x70 && op <= 0x7f) {
    j = {static_cast<int>(op & 15), static_cast<unsigned>(i + 1), 1};
  } else if (op == 0x0f && i + 1 < insn.size() && (std::to_integer<unsigned>(insn[i + 1]) & 0xf0) == 0x80) {
    j = {static_cast<int>(std::to_integer<unsigned>(insn[i + 1]) & 15), static_cast<unsigned>(i + 2), 4};
  } else {
    return std::nullopt;
  }
  if (j.disp_at + j.disp_size != insn.size()) return std::nullopt;
  return j;
}

int64_t displacement(std::span<const std::byte> insn, const Jump& j) {
  if (j.disp_size == 1) return static_cast<int8_t>(std::to_integer<uint8_t>(insn[j.disp_at]));
  uint32_t v = 0;
  for (unsigned k = 0; k < 4; ++k) v |= std::to_integer<uint32_t>(insn[j.disp_at + k]) << (8 * k);
  return static_cast<int32_t>(v);
}

// Instruction boundaries, or nullopt if the decoder does not know an encoding.
std::optional<std::vector<uint64_t>> boundaries(std::span<const std::byte> code) {
  std::vector<uint64_t> out;
  for (uint64_t at = 0; at < code.size();) {
    std::optional<x86::Insn> insn = x86::decode(code.subspan(at));
    if (!insn) return std::nullopt;
    out.push_back(at);
    at += insn->length;
  }
  out.push_back(code.size());  // the end, as a jump target
  return out;
}

// The instruction-level comparison, for when the binary's function has
// another size or layout: the assembler relaxes a jump whose target is in
// the same section to its 2-byte form, and a tail call `jmp memcmp` from
// bcmp is relocated with -ffunction-sections (e9 + rel32) but a short jump
// in the distribution's single .text (eb ae). So a jump in ours matches a
// jump of the same condition in theirs of any width, to the same target:
// the same instruction index inside the function, or anywhere when our
// displacement is relocated (outside the function). Everything else must
// have the same length and the same masked bytes.
std::optional<uint64_t> compare_instructions(const Original& ours, std::span<const std::byte> theirs) {
  auto a = boundaries(ours.bytes);
  auto b = boundaries(theirs);
  if (!a || !b) return 0;
  auto index = [](const std::vector<uint64_t>& v, int64_t off) -> int64_t {
    auto it = std::lower_bound(v.begin(), v.end(), static_cast<uint64_t>(off));
    return off < 0 || it == v.end() || *it != static_cast<uint64_t>(off) ? -1 : it - v.begin();
  };
  size_t n = std::min(a->size(), b->size()) - 1;
  for (size_t i = 0; i < n; ++i) {
    uint64_t ao = (*a)[i], alen = (*a)[i + 1] - ao, bo = (*b)[i], blen = (*b)[i + 1] - bo;
    std::span<const std::byte> ai = ours.bytes.subspan(ao, alen), bi = theirs.subspan(bo, blen);
    if (ours.nopped_jump(ao, bi) == alen && blen == alen) continue;
    auto ja = jump_of(ai), jb = jump_of(bi);
    if (ja && jb && ja->cond == jb->cond) {
      if (ours.relocated[ao + ja->disp_at]) continue;
      int64_t ta = index(*a, static_cast<int64_t>(ao + alen) + displacement(ai, *ja));
      int64_t tb = index(*b, static_cast<int64_t>(bo + blen) + displacement(bi, *jb));
      if (ta < 0 || ta != tb) return ao;
      continue;
    }
    if (alen != blen) return ao;
    if (auto at = ours.compare(ao, bi)) return at;
  }
  if (a->size() != b->size()) return (*a)[n];
  return std::nullopt;
}

}  // namespace

std::vector<uint64_t> jump_label_sites(const Object& obj, const Section& sec) {
  std::vector<uint64_t> out;
  auto it = std::find_if(obj.sections().begin(), obj.sections().end(),
                         [](const Section& s) { return s.name == "__jump_table"; });
  if (it == obj.sections().end() || it->relocs.empty()) return out;
  const Section* table = &*it;
  // struct jump_entry: code, target, key; relative (s32, s32, long: 16
  // bytes) or, before 5.3, absolute (three longs: 24), told by its first
  // relocation.
  uint64_t entry = table->relocs.front().type == R_X86_64_64 ? 24 : 16;
  for (const Reloc& r : table->relocs) {
    if (r.offset % entry != 0 || r.sym == nullptr) continue;
    Target t = resolve_target(r);
    if (t.sec == &sec) out.push_back(t.offset);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<uint64_t> first_difference(const Section& sec, uint64_t value, uint64_t size,
                                         std::span<const std::byte> parent, const std::vector<uint64_t>& jump_sites) {
  Original ours(sec, value, size, jump_sites);
  if (size == parent.size() && !ours.compare(0, parent)) return std::nullopt;
  return compare_instructions(ours, parent);
}

std::vector<std::string> verify_functions(const Object& orig, const std::string& objname,
                                          const std::vector<std::string>& functions, const ParentBinary& parent) {
  // ld names the FILE block of an object without one (assembly) after the object.
  std::string source = orig.source_name().empty() ? fs::path(objname).filename().string() : orig.source_name();
  std::vector<std::string> problems;
  auto check = [&](const Symbol& fn) {
    std::string where = objname + ": " + fn.name + ": ";
    if (fn.value() > fn.sec->data.size() || fn.size() > fn.sec->data.size() - fn.value()) {
      problems.push_back(where + "the function lies outside its section " + fn.sec->name);
      return;
    }
    std::vector<const ParentBinary::Func*> cands = parent.candidates(fn.name, fn.is_local(), source);
    if (cands.empty()) {
      std::string in = fn.is_local() && parent.has_file_symbols() ? " (among the functions of " + source + ")" : "";
      problems.push_back(where + "not found in " + parent.label() + in + kRefuse);
      return;
    }
    if (fn.bind() == STB_WEAK && std::none_of(cands.begin(), cands.end(), [](auto* c) { return c->weak; })) {
      problems.push_back(where + "a weak definition that " + parent.label() +
                         " overrides with another function of that name; patch that one instead");
      return;
    }
    // Several candidates: one that matches is enough; otherwise report the
    // one that differs latest.
    std::optional<uint64_t> latest;
    uint64_t their_size = 0;
    for (const ParentBinary::Func* c : cands) {
      std::span<const std::byte> theirs = parent.bytes(*c);
      if (theirs.size() != c->size) continue;  // outside its section: nothing to compare with
      std::optional<uint64_t> at =
          first_difference(*fn.sec, fn.value(), fn.size(), theirs, jump_label_sites(orig, *fn.sec));
      if (!at) return;  // reproduces
      if (!latest || *at > *latest) {
        latest = at;
        their_size = c->size;
      }
    }
    std::string why = latest ? "the compiled original differs from " + parent.label() + " at +" + hex(*latest)
                             : "the function in " + parent.label() + " lies outside its section";
    if (latest && their_size != fn.size())
      why += " (" + std::to_string(fn.size()) + " bytes here, " + std::to_string(their_size) + " there)";
    // Every definition is weak when the prototype says __weak
    // (arch_perf_update_userpage), and the linker kept the first one.
    if (fn.bind() == STB_WEAK)
      why += "; a weak definition: " + parent.label() +
             " may use another function of that name (patch that one instead), or the tree does not reproduce "
             "the shipped kernel";
    else
      why += kRefuse;
    problems.push_back(where + why);
  };
  for (const std::string& name : functions) {
    const Symbol* fn = find_function(orig, name);
    if (fn == nullptr) continue;  // new in the patched object: nothing shipped to compare with
    check(*fn);
    if (const Symbol* cold = find_function(orig, name + ".cold")) check(*cold);
  }
  return problems;
}

std::optional<fs::path> shipped_module(const BuildCtx& ctx, const std::string& module) {
  if (ctx.oot && ctx.oot->name == module) return ctx.oot->ko;  // --oot-module: the module as given
  const fs::path& dir = ctx.target.modules;
  std::optional<fs::path> found;
  if (fs::is_directory(dir))
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      std::string n = e.path().filename().string();
      if (module_name_of_file(n) != module) continue;
      // A plain .ko beside a compressed one (a tree after make modules and
      // modules_install) is the one to read.
      if (module_compression(e.path()).empty()) return e.path();
      if (!found) found = e.path();
    }
  return found;
}

std::string no_module_message(const BuildCtx& ctx, const std::string& module) {
  return "module '" + module + "': no " + module + ".ko (nor .ko.xz, .ko.zst, .ko.gz) in " +
         ctx.target.modules.string();
}

void verify_originals(BuildCtx& ctx) {
  std::map<std::string, ParentBinary> parents;
  std::vector<std::string> problems;
  size_t checked = 0;
  for (const ObjectJob& o : ctx.objects) {
    if (o.diff_status != static_cast<int>(ExitCode::Ok) || o.changed.empty()) continue;
    auto it = parents.find(o.parent);
    if (it == parents.end()) {
      std::optional<fs::path> path = o.parent == "vmlinux" ? ctx.target.vmlinux : shipped_module(ctx, o.parent);
      if (!path)
        throw BuildError(no_module_message(ctx, o.parent) +
                         " to check the build against; is the kernel cache complete (or, with -s, the module built)?");
      path = module_elf(ctx, *path);
      check_whole_elf(*path, damaged_cache_advice(ctx));
      ParentBinary p = ParentBinary::open(path->string(), o.parent == "vmlinux" ? "vmlinux" : "module " + o.parent);
      it = parents.emplace(o.parent, std::move(p)).first;
    }
    Object orig = Object::load(o.orig.string());
    for (std::string& p : verify_functions(orig, o.path, o.changed, it->second)) problems.push_back(std::move(p));
    checked += o.changed.size();
  }
  if (!ctx.log.empty())
    std::ofstream(ctx.log, std::ios::app) << "kpatch-build: " << checked << " replaced functions checked against "
                                          << "the shipped kernel, " << problems.size() << " differ\n";
  if (problems.empty()) return;
  std::string msg;
  for (const std::string& p : problems) msg += (msg.empty() ? "" : "\n") + p;
  throw BuildError(msg);
}

}  // namespace kp
