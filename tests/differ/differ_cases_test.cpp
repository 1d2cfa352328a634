// The behaviour corpus of create-diff-object: one test per source file in
// tests/differ/cases.
//
// A case is one C (or preprocessed assembly, .S) file compiled twice with the
// kernel's flags (harness.cpp), once as is and once with -DPATCHED, so the
// change under test is an #ifdef away from the original. Each case runs with
// gcc and, as NAME_clang, with clang (COMPILERS: below):
//
//     // EXPECT-EXIT: 0
//     // EXPECT-CHANGED: show
//     #include <kshim.h>
//     int show(void) {
//     #ifdef PATCHED
//             return 43;
//     #else
//             return 42;
//     #endif
//     }
//
// The harness then runs
//
//     create-diff-object orig/NAME.o patched/NAME.o PARENT parent.symtab SYMVERS patch output.o
//
// with parent.symtab the `readelf -s --wide` text of the original object,
// which stands for the running kernel, and SYMVERS include/kshim.symvers,
// the exports of the kernel functions kshim.h calls (so a patch may start
// calling _printk), and checks what the directives say.
// A directive is a comment line `// KEYWORD: arguments` (or `# KEYWORD:`,
// `/* KEYWORD: */`), anywhere in the file; `// [gcc] KEYWORD: ...` or
// `// [clang] KEYWORD: ...` counts for that compiler's run only (clang names
// a static local `func.var` where gcc says `var.N`):
//
//   EXPECT-EXIT: N             exit status; required
//   EXPECT-CHANGED: F...       the exact set of "changed function" lines;
//                              repeatable, space separated; absent: none
//   EXPECT-NEW: F...           the same for "new function" lines
//   EXPECT-STDERR: TEXT        a substring of stderr. Every diagnostic line
//                              (`error:`, `unsupported:`, `warning:`) must
//                              be matched by one of these: an unexpected
//                              diagnostic fails the case
//   EXPECT-SYMBOL: GLOB [Q...]     the output has a symbol matching the glob
//   EXPECT-NO-SYMBOL: GLOB [Q...]  ... has none. Qualifiers Q: defined, undef,
//                              local, global, weak, func, object, notype,
//                              section=GLOB
//   EXPECT-SECTION: GLOB       the output has a section matching the glob
//   EXPECT-NO-SECTION: GLOB
//   EXPECT-ENTRIES: SEC N [F...]   SEC holds N entries (its size over the
//                              Linux 6.1 entry size in kEntrySizes, or over
//                              SIZE for SEC@SIZE, the last entry possibly
//                              short of its tail padding; absent counts as
//                              0); with F, the first relocation of
//                              every entry points into one of the symbols F
//                              (globs): the function a bug entry describes,
//                              the tracepoint a pointer names
//   EXPECT-RELOCS: SEC N       SEC has N relocations
//   EXPECT-FTRACE-SITES: N [F...]  __mcount_loc has N entries, each inside
//                              one of the functions F (globs) when given
//                              (every entry of every output must land on
//                              an ftrace site, see below)
//   EXPECT-PADDING: N F...     each function F of the output is preceded
//                              in its section by N bytes of NOP padding
//                              (CONFIG_CALL_PADDING)
//   EXPECT-CONTENT: GLOB TEXT  the bytes of a section matching GLOB contain
//   EXPECT-NO-CONTENT: GLOB TEXT   TEXT (or, NO-: of none); \xHH is a byte
//   REQUIRE-ORIG-SYMBOL: GLOB [Q...]    preconditions on the compiled
//   REQUIRE-PATCHED-SYMBOL: GLOB [Q...] inputs, so a case cannot pass because
//   REQUIRE-NO-ORIG-SYMBOL: ...         the compiler did not produce the
//   REQUIRE-NO-PATCHED-SYMBOL: ...      shape it is about (foo.cold, ...)
//   REQUIRE-DIFFERENT: GLOB    the bytes of a section matching GLOB differ
//                              between the two builds (a __LINE__ shift
//                              really moved an immediate)
//   PARENT: NAME               vmlinux (default) or a module name
//   CFLAGS: FLAGS...           extra compiler flags for both builds
//   ENV: NAME=VALUE            set for the differ's run (ALT_STRUCT_SIZE=12)
//   COMPILERS: gcc [clang]     the compilers the case runs with; default
//                              both (NAME and NAME_clang). `gcc` alone for a
//                              shape only gcc makes (.cold, .isra, .N
//                              statics), with a NOTE: saying why
//   SYMVERS: SYMBOL MODULE     a Module.symvers line, added to the exports
//                              of the kernel functions kshim.h calls
//                              (include/kshim.symvers)
//
// Whatever the directives, every run must also: write an output file exactly
// when it exits 0 and leave nothing else behind; print only well-formed
// result lines, "no functional changes found" exactly when it exits 3;
// and, on success, write an object that kp::Object::load accepts, whose
// relocations fit in their sections, whose .kpatch.funcs has one entry
// per changed function, naming its parent object, and each of whose
// __mcount_loc entries lands on an ftrace site of a function: a `call
// __fentry__` (e8 with a relocation to __fentry__ at +1) or a 5-byte NOP,
// as the kernel checks when it loads the module.
//
// On failure the test prints every command it ran, so a case can be
// reproduced by hand, and the differ's stdout and stderr.
#include <fnmatch.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "diff/kernel_data.h"
#include "elf/object.h"
#include "harness.h"
#include "support/diag.h"

namespace kp::test {
namespace {

namespace fs = std::filesystem;

// The case files, from the CONFIGURE_DEPENDS glob in CMakeLists.txt.
const std::vector<std::string> kCaseFiles = {
#include "differ_cases.inc"
};

// Entry sizes of Linux 6.1 x86-64 tables, for EXPECT-ENTRIES. Kept apart
// from the differ's own table (kernel_data.cpp) so that a wrong size there
// shows up here.
const std::map<std::string, uint64_t, std::less<>> kEntrySizes = {
    {"__bug_table", 12},
    {"__jump_table", 16},
    {"__ex_table", 12},
    {".altinstructions", 12},
    {".static_call_sites", 8},
    {".parainstructions", 16},
    {".orc_unwind", 6},
    {".orc_unwind_ip", 4},
    {".return_sites", 4},
    {".retpoline_sites", 4},
    {".call_sites", 4},
    {".smp_locks", 4},
    {".printk_index", 8},
    {"__tracepoints_ptrs", 4},
    {".discard.reachable", 4},
    {".discard.unreachable", 4},
    {".discard.instr_begin", 4},
    {".discard.instr_end", 4},
    {".discard.retpoline_safe", 8},
    {".discard.func_stack_frame_non_standard", 8},
    {"__mcount_loc", 8},
    {".kpatch.funcs", 32},
    {"__dyndbg", 56},
};

bool glob(const std::string& pattern, const std::string& s) {
  return fnmatch(pattern.c_str(), s.c_str(), FNM_NOESCAPE) == 0;
}

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// TEXT of EXPECT-CONTENT: `\xHH` is a byte, `\\` a backslash.
std::string unescape(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size() && text[i + 1] == 'x' &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 3]))) {
      out += static_cast<char>(std::stoi(text.substr(i + 2, 2), nullptr, 16));
      i += 3;
    } else if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == '\\') {
      out += '\\';
      i += 1;
    } else {
      out += text[i];
    }
  }
  return out;
}

struct SymbolPattern {
  std::string glob;
  std::vector<std::string> quals;
  std::string text;  // as written, for messages
};

struct Entries {
  std::string section;
  uint64_t size = 0;
  uint64_t count = 0;
  std::vector<std::string> owners;
};

struct Case {
  std::string file;  // path of the source
  std::string stem;  // file name without extension
  std::optional<int> exit;
  std::set<std::string> changed;
  std::set<std::string> fresh;
  std::vector<std::string> stderr_has;
  std::vector<SymbolPattern> symbols, no_symbols;
  std::vector<std::string> sections, no_sections;
  std::vector<Entries> entries;
  std::vector<std::pair<std::string, uint64_t>> relocs;
  std::optional<Entries> ftrace_sites;  // section "__mcount_loc"
  std::vector<std::pair<uint64_t, std::string>> padding;
  std::vector<std::pair<std::string, std::string>> content, no_content;
  std::vector<SymbolPattern> req_orig, req_patched, req_no_orig, req_no_patched;
  std::vector<std::string> req_different;
  std::string parent = "vmlinux";
  std::vector<std::string> cflags;
  std::vector<std::string> symvers;
  std::vector<std::string> env;
};

// Parses the directives; problems are returned as "file:line: message".
// A directive written `[gcc] KEYWORD: ...` or `[clang] KEYWORD: ...` only
// counts for that compiler's run.
Case parse_case(const std::string& path, Compiler cc, std::vector<std::string>& errors) {
  Case c;
  c.file = path;
  c.stem = fs::path(path).stem().string();
  static const std::regex directive(
      R"(^\s*(?://|#|/?\*)\s*(?:\[(gcc|clang)\]\s*)?([A-Z][A-Z-]*[A-Z]):\s*(.*?)\s*(?:\*/)?\s*$)");
  std::ifstream in(path);
  if (!in) errors.push_back(path + ": cannot read");
  std::string line;
  for (int lineno = 1; std::getline(in, line); ++lineno) {
    std::smatch m;
    if (!std::regex_match(line, m, directive)) continue;
    if (m[1].matched && m[1].str() != (cc == Compiler::Clang ? "clang" : "gcc")) continue;
    std::string key = m[2];
    std::string arg = m[3];
    auto fail = [&](const std::string& what) {
      errors.push_back(path + ":" + std::to_string(lineno) + ": " + what + ": " + line);
    };
    if (!key.starts_with("EXPECT-") && !key.starts_with("REQUIRE-") && key != "PARENT" && key != "CFLAGS" &&
        key != "SYMVERS" && key != "ENV" && key != "COMPILERS")
      continue;  // an ordinary comment such as "NOTE: ..."
    std::vector<std::string> w = words(arg);
    auto pattern = [&]() {
      SymbolPattern p;
      p.text = arg;
      if (w.empty())
        fail("missing symbol pattern");
      else
        p.glob = w[0], p.quals.assign(w.begin() + 1, w.end());
      return p;
    };
    auto sec_and_count = [&](uint64_t& n) -> bool {
      if (w.size() < 2) return fail("expected SECTION COUNT"), false;
      try {
        n = std::stoull(w[1]);
      } catch (const std::exception&) {
        return fail("not a count"), false;
      }
      return true;
    };
    if (key == "EXPECT-EXIT") {
      if (w.size() != 1 || w[0].find_first_not_of("0123456789") != std::string::npos)
        fail("expected a number");
      else
        c.exit = std::stoi(w[0]);
    } else if (key == "EXPECT-CHANGED") {
      c.changed.insert(w.begin(), w.end());
    } else if (key == "EXPECT-NEW") {
      c.fresh.insert(w.begin(), w.end());
    } else if (key == "EXPECT-STDERR") {
      if (arg.empty())
        fail("empty pattern");
      else
        c.stderr_has.push_back(arg);
    } else if (key == "EXPECT-SYMBOL") {
      c.symbols.push_back(pattern());
    } else if (key == "EXPECT-NO-SYMBOL") {
      c.no_symbols.push_back(pattern());
    } else if (key == "EXPECT-SECTION" || key == "EXPECT-NO-SECTION") {
      if (w.size() != 1)
        fail("expected one section name");
      else
        (key == "EXPECT-SECTION" ? c.sections : c.no_sections).push_back(w[0]);
    } else if (key == "EXPECT-ENTRIES") {
      Entries e;
      if (!sec_and_count(e.count)) continue;
      e.section = w[0].substr(0, w[0].find('@'));
      e.owners.assign(w.begin() + 2, w.end());
      if (size_t at = w[0].find('@'); at != std::string::npos)
        e.size = std::strtoull(w[0].c_str() + at + 1, nullptr, 10);
      else if (auto known = kEntrySizes.find(e.section); known != kEntrySizes.end())
        e.size = known->second;
      if (e.size == 0)
        fail("no entry size known for " + e.section + " (see kEntrySizes, or write SEC@SIZE)");
      else
        c.entries.push_back(e);
    } else if (key == "EXPECT-RELOCS") {
      uint64_t n = 0;
      if (sec_and_count(n)) c.relocs.emplace_back(w[0], n);
    } else if (key == "EXPECT-FTRACE-SITES") {
      Entries e;
      e.section = "__mcount_loc";
      if (w.empty() || w[0].find_first_not_of("0123456789") != std::string::npos) {
        fail("expected COUNT [FUNCTION...]");
        continue;
      }
      e.count = std::stoull(w[0]);
      e.owners.assign(w.begin() + 1, w.end());
      c.ftrace_sites = e;
    } else if (key == "EXPECT-PADDING") {
      if (w.size() < 2 || w[0].find_first_not_of("0123456789") != std::string::npos) {
        fail("expected BYTES FUNCTION...");
        continue;
      }
      for (size_t i = 1; i < w.size(); ++i) c.padding.emplace_back(std::stoull(w[0]), w[i]);
    } else if (key == "EXPECT-CONTENT" || key == "EXPECT-NO-CONTENT") {
      size_t sp = arg.find(' ');
      if (sp == std::string::npos)
        fail("expected SECTION TEXT");
      else
        (key == "EXPECT-CONTENT" ? c.content : c.no_content)
            .emplace_back(arg.substr(0, sp), unescape(arg.substr(sp + 1)));
    } else if (key == "REQUIRE-ORIG-SYMBOL") {
      c.req_orig.push_back(pattern());
    } else if (key == "REQUIRE-PATCHED-SYMBOL") {
      c.req_patched.push_back(pattern());
    } else if (key == "REQUIRE-NO-ORIG-SYMBOL") {
      c.req_no_orig.push_back(pattern());
    } else if (key == "REQUIRE-NO-PATCHED-SYMBOL") {
      c.req_no_patched.push_back(pattern());
    } else if (key == "REQUIRE-DIFFERENT") {
      if (w.size() != 1)
        fail("expected one section name");
      else
        c.req_different.push_back(w[0]);
    } else if (key == "PARENT") {
      if (w.size() != 1)
        fail("expected one name");
      else
        c.parent = w[0];
    } else if (key == "CFLAGS") {
      c.cflags.insert(c.cflags.end(), w.begin(), w.end());
    } else if (key == "COMPILERS") {
      for (const std::string& cc : w)
        if (cc != "gcc" && cc != "clang") fail("expected gcc and/or clang");
      if (w.empty()) fail("expected gcc and/or clang");
    } else if (key == "ENV") {
      if (w.size() != 1 || w[0].find('=') == std::string::npos || w[0].front() == '=')
        fail("expected NAME=VALUE");
      else
        c.env.push_back(w[0]);
    } else if (key == "SYMVERS") {
      if (w.size() != 2)
        fail("expected SYMBOL MODULE");
      else
        c.symvers.push_back("0x00000000\t" + w[0] + "\t" + w[1] + "\tEXPORT_SYMBOL\t");
    } else {
      fail("unknown directive " + key);
    }
  }
  if (!c.exit) errors.push_back(path + ": no EXPECT-EXIT directive");
  return c;
}

// ---- matching against the project's own ELF model ----------------------

bool symbol_matches(const Symbol& s, const SymbolPattern& p, std::string& error) {
  if (s.index == 0 || !glob(p.glob, s.name)) return false;
  for (const std::string& q : p.quals) {
    bool ok;
    if (q == "defined")
      ok = s.sym.st_shndx != SHN_UNDEF;
    else if (q == "undef")
      ok = s.sym.st_shndx == SHN_UNDEF;
    else if (q == "local")
      ok = s.bind() == STB_LOCAL;
    else if (q == "global")
      ok = s.bind() == STB_GLOBAL;
    else if (q == "weak")
      ok = s.bind() == STB_WEAK;
    else if (q == "func")
      ok = s.is_func();
    else if (q == "object")
      ok = s.is_object();
    else if (q == "notype")
      ok = s.type() == STT_NOTYPE;
    else if (q.starts_with("section="))
      ok = s.sec != nullptr && glob(q.substr(8), s.sec->name);
    else {
      error = "unknown symbol qualifier '" + q + "'";
      return false;
    }
    if (!ok) return false;
  }
  return true;
}

bool has_symbol(const Object& obj, const SymbolPattern& p, std::vector<std::string>& failures) {
  std::string error;
  bool found = std::any_of(obj.symbols().begin(), obj.symbols().end(),
                           [&](const Symbol& s) { return symbol_matches(s, p, error); });
  if (!error.empty()) failures.push_back(error);
  return found;
}

std::string symbol_list(const Object& obj) {
  std::string s;
  for (const Symbol& sym : obj.symbols()) {
    if (sym.index == 0 || sym.is_section()) continue;
    s += "    " + sym.name + (sym.sym.st_shndx == SHN_UNDEF ? " (undef)" : "") + "\n";
  }
  return s;
}

const Section* section_named(const Object& obj, const std::string& name) {
  for (const Section& s : obj.sections())
    if (s.name == name) return &s;
  return nullptr;
}

// Does a section matching the glob hold `text`?
bool contains(const Object& obj, const std::string& section_glob, const std::string& text) {
  return std::any_of(obj.sections().begin(), obj.sections().end(), [&](const Section& s) {
    std::string_view bytes(reinterpret_cast<const char*>(s.data.data()), s.data.size());
    return s.index != 0 && glob(section_glob, s.name) && bytes.find(text) != std::string_view::npos;
  });
}

// Does a section matching the glob differ between the two objects?
bool differs(const Object& o, const Object& p, const std::string& section_glob) {
  auto bytes = [](const Section& s) {
    return std::string(reinterpret_cast<const char*>(s.data.data()), s.data.size()) + "/" + std::to_string(s.size());
  };
  for (const Section& a : o.sections()) {
    if (a.index == 0 || !glob(section_glob, a.name)) continue;
    const Section* b = section_named(p, a.name);
    if (b == nullptr || bytes(a) != bytes(*b)) return true;
  }
  return std::any_of(p.sections().begin(), p.sections().end(), [&](const Section& b) {
    return b.index != 0 && glob(section_glob, b.name) && section_named(o, b.name) == nullptr;
  });
}

// The symbol a relocation points into: its own name for a named symbol, the
// function or object covering the addressed byte for a section symbol, or
// the function it is the end of (a .discard.unreachable site after a call
// that does not return).
std::string reloc_owner(const Object& obj, const Reloc& r) {
  const Symbol* s = r.sym;
  if (!s->is_section()) return s->name;
  uint64_t at = static_cast<uint64_t>(r.addend);
  const Symbol* ending = nullptr;
  for (const Symbol& c : obj.symbols()) {
    if (c.sec != s->sec || !(c.is_func() || c.is_object())) continue;
    if (at >= c.value() && at < c.value() + std::max<uint64_t>(c.size(), 1)) return c.name;
    if (c.is_func() && at == c.value() + c.size()) ending = &c;
  }
  return ending != nullptr ? ending->name : s->sec->name + "+" + hex(at);
}

// The last entry may lack up to 7 bytes of tail padding.
void check_entries(const Object& out, const Entries& e, std::vector<std::string>& failures) {
  const Section* sec = section_named(out, e.section);
  uint64_t size = e.size;
  uint64_t have = sec != nullptr ? (sec->size() + size - 1) / size : 0;
  if (sec != nullptr && sec->size() % size != 0 && size - sec->size() % size >= 8)
    failures.push_back(e.section + ": size " + std::to_string(sec->size()) + " is not a multiple of " +
                       std::to_string(size) + ", nor an entry short of its tail padding");
  if (have != e.count)
    failures.push_back(e.section + ": expected " + std::to_string(e.count) + " entries, found " + std::to_string(have));
  if (sec == nullptr || e.owners.empty()) return;
  for (uint64_t i = 0; i < have; ++i) {
    auto rs = sec->relocs_in(i * size, (i + 1) * size);
    if (rs.empty() || rs.front().offset != i * size) {
      failures.push_back(e.section + ": entry " + std::to_string(i) + " has no relocation at its start");
      continue;
    }
    std::string owner = reloc_owner(out, rs.front());
    if (std::none_of(e.owners.begin(), e.owners.end(), [&](const std::string& g) { return glob(g, owner); }))
      failures.push_back(e.section + ": entry " + std::to_string(i) + " points into " + owner + ", expected one of " +
                         [&] {
                           std::string l;
                           for (const auto& o : e.owners) l += (l.empty() ? "" : ", ") + o;
                           return l;
                         }());
  }
}

// The function (not __pfx_ padding) of `obj` holding byte `at` of `sec`.
const Symbol* function_holding(const Object& obj, const Section* sec, uint64_t at) {
  for (const Symbol& s : obj.symbols())
    if (s.sec == sec && s.is_func() && !s.name.starts_with("__pfx_") && at >= s.value() && at < s.value() + s.size())
      return &s;
  return nullptr;
}

// Each __mcount_loc entry of the output: where it points, and the function
// there; a failure for an entry that is not on an ftrace site.
std::vector<std::string> ftrace_site_owners(const Object& out, std::vector<std::string>& failures) {
  std::vector<std::string> owners;
  const Section* mc = section_named(out, "__mcount_loc");
  if (mc == nullptr) return owners;
  if (mc->size() != mc->relocs.size() * 8)
    failures.push_back("__mcount_loc: " + std::to_string(mc->size()) + " bytes for " +
                       std::to_string(mc->relocs.size()) + " relocations");
  static const std::byte kNop5[] = {std::byte{0x0f}, std::byte{0x1f}, std::byte{0x44}, std::byte{0x00},
                                    std::byte{0x00}};
  for (const Reloc& r : mc->relocs) {
    std::string entry = "__mcount_loc+" + hex(r.offset);
    const Section* sec = r.sym->sec;
    uint64_t at = (r.sym->is_section() ? 0 : r.sym->value()) + static_cast<uint64_t>(r.addend);
    if (r.type != R_X86_64_64 || sec == nullptr || !sec->is_exec() || at + 5 > sec->data.size()) {
      failures.push_back(entry + ": does not point into code");
      owners.emplace_back();
      continue;
    }
    const Symbol* fn = function_holding(out, sec, at);
    std::string where = sec->name + "+" + hex(at) + (fn ? " (" + fn->name + "+" + hex(at - fn->value()) + ")" : "");
    owners.push_back(fn ? fn->name : where);
    if (fn == nullptr) failures.push_back(entry + ": " + where + " is in no function");
    auto bytes = sec->data.subspan(at, 5);
    bool nop = std::equal(bytes.begin(), bytes.end(), std::begin(kNop5));
    const Reloc* call = sec->reloc_at(at + 1);
    bool fentry_call = bytes[0] == std::byte{0xe8} && call != nullptr && call->offset == at + 1 &&
                       call->sym != nullptr && call->sym->name == "__fentry__";
    if (!nop && !fentry_call)
      failures.push_back(entry + ": " + where + " is neither `call __fentry__` nor a 5-byte NOP (" + [&] {
        std::string h;
        for (std::byte b : bytes) {
          char x[4];
          std::snprintf(x, sizeof x, "%02x", std::to_integer<unsigned>(b));
          h += (h.empty() ? "" : " ") + std::string(x);
        }
        return h;
      }() + "); the kernel would refuse the module's ftrace site");
  }
  return owners;
}

void check_ftrace_sites(const Object& out, const Entries& e, std::vector<std::string>& failures) {
  std::vector<std::string> ignored;
  std::vector<std::string> owners = ftrace_site_owners(out, ignored);
  if (owners.size() != e.count)
    failures.push_back("__mcount_loc: expected " + std::to_string(e.count) + " ftrace sites, found " +
                       std::to_string(owners.size()));
  if (e.owners.empty()) return;
  for (const std::string& o : owners)
    if (std::none_of(e.owners.begin(), e.owners.end(), [&](const std::string& g) { return glob(g, o); }))
      failures.push_back("__mcount_loc: an ftrace site in " + o + ", which is not one of the expected functions");
}

void check_padding(const Object& out, uint64_t n, const std::string& name, std::vector<std::string>& failures) {
  const Symbol* f = nullptr;
  for (const Symbol& s : out.symbols())
    if (s.is_func() && s.sec != nullptr && s.name == name) f = &s;
  if (f == nullptr) return failures.push_back("EXPECT-PADDING: no function " + name + " in the output");
  if (f->value() < n) {
    failures.push_back(name + ": at +" + hex(f->value()) + " of " + f->sec->name + ", no room for " +
                       std::to_string(n) + " bytes of padding before it");
    return;
  }
  for (uint64_t i = f->value() - n; i < f->value(); ++i)
    if (f->sec->data[i] != std::byte{0x90}) {
      failures.push_back(name + ": byte " + hex(i) + " of " + f->sec->name + ", in the " + std::to_string(n) +
                         " bytes before it, is not a NOP");
      return;
    }
}

// Invariants of every output object.
void check_output_object(const Object& out, const Case& c, std::vector<std::string>& failures) {
  ftrace_site_owners(out, failures);
  for (const Section& s : out.sections()) {
    for (const Reloc& r : s.relocs) {
      unsigned w = reloc_width(r.type);
      if (w == 0 || r.offset + w > s.size())
        failures.push_back(s.name + ": relocation at " + hex(r.offset) + " (type " + std::to_string(r.type) +
                           ") does not fit in the section (size " + hex(s.size()) + ")");
    }
  }
  // .kpatch.funcs: {new func, old name, objname, sympos}, one per changed function.
  const Section* funcs = section_named(out, ".kpatch.funcs");
  const Section* strings = section_named(out, ".kpatch.strings");
  std::set<std::string> targets;
  if (funcs != nullptr) {
    if (funcs->size() % 32 != 0) failures.push_back(".kpatch.funcs: size is not a multiple of 32");
    for (uint64_t off = 0; off + 32 <= funcs->size(); off += 32) {
      const Reloc* fn = funcs->reloc_at(off);
      const Reloc* obj = funcs->reloc_at(off + 16);
      if (fn == nullptr || obj == nullptr || strings == nullptr) {
        failures.push_back(".kpatch.funcs: entry at " + hex(off) + " lacks its relocations");
        continue;
      }
      targets.insert(fn->sym->name);
      auto objname = string_in(out, *strings, static_cast<uint64_t>(obj->addend));
      if (objname != c.parent)
        failures.push_back(".kpatch.funcs: entry for " + fn->sym->name + " names object '" + std::string(objname) +
                           "', expected '" + c.parent + "'");
    }
  }
  if (targets != c.changed) {
    std::string have, want;
    for (const auto& t : targets) have += " " + t;
    for (const auto& t : c.changed) want += " " + t;
    failures.push_back(".kpatch.funcs: entries for {" + have + " }, expected the changed functions {" + want + " }");
  }
}

// The differ's environment: the case's ENV lines, and kpatch's size
// variables of the developer's shell emptied (the differ reads an empty one
// as unset), so that they cannot change the other cases' results.
std::vector<std::string> differ_env(const Case& c) {
  std::vector<std::string> env = c.env;
  for (const char* v : {"ALT_STRUCT_SIZE", "BUG_STRUCT_SIZE", "EX_STRUCT_SIZE", "JUMP_STRUCT_SIZE", "ORC_STRUCT_SIZE",
                        "PARA_STRUCT_SIZE", "STATIC_CALL_STRUCT_SIZE", "PRINTK_INDEX_STRUCT_SIZE"}) {
    std::string prefix = std::string(v) + "=";
    if (std::none_of(env.begin(), env.end(), [&](const std::string& e) { return e.starts_with(prefix); }))
      env.push_back(prefix);
  }
  return env;
}

// ---- the test -----------------------------------------------------------

// One run of a case: its file, compiled by one compiler.
struct CaseRun {
  std::string file;
  Compiler cc = Compiler::Gcc;
};

void PrintTo(const CaseRun& r, std::ostream* os) {
  *os << r.file << (r.cc == Compiler::Clang ? " (clang)" : "");
}

class DifferCase : public testing::TestWithParam<CaseRun> {};

TEST_P(DifferCase, Run) {
  const Tools& t = tools();
  const Compiler cc = GetParam().cc;
  if (compiler_path(cc).empty()) GTEST_SKIP() << "no clang found (KP_TEST_CLANG)";
  std::vector<std::string> failures;
  Case c = parse_case((fs::path(t.cases_dir) / GetParam().file).string(), cc, failures);
  ASSERT_TRUE(failures.empty()) << [&] {
    std::string s;
    for (const auto& f : failures) s += f + "\n";
    return s;
  }();

  fs::path dir = fresh_dir("cases/" + c.stem + (cc == Compiler::Clang ? "-clang" : ""));
  fs::path orig = dir / "orig" / (c.stem + ".o");
  fs::path patched = dir / "patched" / (c.stem + ".o");
  fs::path symtab = dir / "parent.symtab";
  fs::path output = dir / "output.o";
  fs::path symvers = dir / "Module.symvers";
  fs::create_directories(orig.parent_path());
  fs::create_directories(patched.parent_path());
  {
    std::string text = read_file(fs::path(t.include_dir) / "kshim.symvers");
    for (const auto& l : c.symvers) text += l + "\n";
    write_file(symvers, text);
  }

  std::string transcript;
  auto step = [&](const Command& cmd) {
    transcript += "  $ " + shell_line(cmd) + "\n";
    return run(cmd);
  };
  auto compile = [&](const fs::path& obj, bool is_patched) {
    Command cmd{{compiler_path(cc)}, ""};
    for (const auto& f : kernel_cflags(cc)) cmd.argv.push_back(f);
    for (const auto& f : c.cflags) cmd.argv.push_back(f);
    if (is_patched) cmd.argv.push_back("-DPATCHED");
    cmd.argv.insert(cmd.argv.end(), {"-c", c.file, "-o", obj.string()});
    return step(cmd);
  };
  for (bool p : {false, true}) {
    RunResult r = compile(p ? patched : orig, p);
    ASSERT_EQ(r.status, 0) << "compiling " << (p ? "the patched" : "the original") << " object failed:\n"
                           << transcript << r.err;
  }
  RunResult re = step(Command{{t.readelf, "-s", "--wide", orig.string()}, symtab.string()});
  ASSERT_EQ(re.status, 0) << transcript << re.err;

  // Preconditions: the compiler produced the shapes the case is about.
  {
    Object o = Object::load(orig.string());
    Object p = Object::load(patched.string());
    std::vector<std::string> unmet;
    for (const auto& r : c.req_orig)
      if (!has_symbol(o, r, unmet)) unmet.push_back("the original has no symbol " + r.text);
    for (const auto& r : c.req_patched)
      if (!has_symbol(p, r, unmet)) unmet.push_back("the patched object has no symbol " + r.text);
    for (const auto& r : c.req_no_orig)
      if (has_symbol(o, r, unmet)) unmet.push_back("the original has a symbol " + r.text);
    for (const auto& r : c.req_no_patched)
      if (has_symbol(p, r, unmet)) unmet.push_back("the patched object has a symbol " + r.text);
    for (const auto& g : c.req_different)
      if (!differs(o, p, g)) unmet.push_back("no section " + g + " differs between the two objects");
    std::string msg;
    for (const auto& u : unmet) msg += "  precondition: " + u + "\n";
    ASSERT_TRUE(unmet.empty()) << "the compiler did not produce what the case needs:\n"
                               << msg << "original symbols:\n"
                               << symbol_list(o) << "patched symbols:\n"
                               << symbol_list(p) << transcript;
  }

  RunResult r = step(Command{{t.differ, orig.string(), patched.string(), c.parent, symtab.string(), symvers.string(),
                              "patch", output.string()},
                             "",
                             differ_env(c)});

  // Exit status and the files left behind.
  if (r.status != *c.exit)
    failures.push_back("exit status " + std::to_string(r.status) + ", expected " + std::to_string(*c.exit));
  bool written = fs::exists(output);
  if (written != (r.status == 0))
    failures.push_back(written ? "an output file was written although the run failed"
                               : "no output file although the run succeeded");
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string n = e.path().filename().string();
    if (n != "orig" && n != "patched" && n != "parent.symtab" && n != "Module.symvers" && n != "output.o")
      failures.push_back("stray file left behind: " + n);
  }

  // stdout: result lines only, and exactly the expected ones.
  std::set<std::string> changed, fresh;
  bool no_change = false;
  {
    std::istringstream out(r.out);
    std::string prefix = orig.filename().string() + ": ";
    for (std::string line; std::getline(out, line);) {
      if (line.starts_with(prefix + "changed function: "))
        changed.insert(line.substr(prefix.size() + 18));
      else if (line.starts_with(prefix + "new function: "))
        fresh.insert(line.substr(prefix.size() + 14));
      else if (line == prefix + "no functional changes found")
        no_change = true;
      else
        failures.push_back("unexpected stdout line: '" + line + "'");
    }
  }
  auto set_str = [](const std::set<std::string>& s) {
    std::string o = "{";
    for (const auto& x : s) o += " " + x;
    return o + " }";
  };
  if (changed != c.changed)
    failures.push_back("changed functions " + set_str(changed) + ", expected " + set_str(c.changed));
  if (fresh != c.fresh) failures.push_back("new functions " + set_str(fresh) + ", expected " + set_str(c.fresh));
  if (no_change != (r.status == 3))
    failures.push_back(no_change ? "\"no functional changes found\" with exit status " + std::to_string(r.status)
                                 : "exit status 3 without \"no functional changes found\"");

  // stderr: every expected substring present, every diagnostic expected.
  for (const auto& s : c.stderr_has)
    if (r.err.find(s) == std::string::npos) failures.push_back("stderr lacks '" + s + "'");
  {
    std::istringstream err(r.err);
    for (std::string line; std::getline(err, line);) {
      bool diagnostic = line.find(" error: ") != std::string::npos || line.find("unsupported: ") != std::string::npos ||
                        line.find(" warning: ") != std::string::npos;
      bool expected = std::any_of(c.stderr_has.begin(), c.stderr_has.end(),
                                  [&](const std::string& s) { return line.find(s) != std::string::npos; });
      if (diagnostic && !expected) failures.push_back("unexpected diagnostic: " + line);
    }
  }

  // The output object, through the project's own model.
  if (written) {
    try {
      Object out = Object::load(output.string());
      check_output_object(out, c, failures);
      for (const auto& p : c.symbols)
        if (!has_symbol(out, p, failures)) failures.push_back("output lacks symbol " + p.text);
      for (const auto& p : c.no_symbols)
        if (has_symbol(out, p, failures)) failures.push_back("output has symbol " + p.text);
      for (const auto& g : c.sections)
        if (std::none_of(out.sections().begin(), out.sections().end(),
                         [&](const Section& s) { return glob(g, s.name); }))
          failures.push_back("output lacks section " + g);
      for (const auto& g : c.no_sections)
        for (const Section& s : out.sections())
          if (s.index != 0 && glob(g, s.name)) failures.push_back("output has section " + s.name);
      for (const auto& e : c.entries) check_entries(out, e, failures);
      if (c.ftrace_sites) check_ftrace_sites(out, *c.ftrace_sites, failures);
      for (const auto& [n, f] : c.padding) check_padding(out, n, f, failures);
      for (const auto& [name, n] : c.relocs) {
        const Section* s = section_named(out, name);
        uint64_t have = s != nullptr ? s->relocs.size() : 0;
        if (have != n)
          failures.push_back(name + ": expected " + std::to_string(n) + " relocations, found " + std::to_string(have));
      }
      for (const auto& [g, text] : c.content)
        if (!contains(out, g, text)) failures.push_back("no section " + g + " contains '" + text + "'");
      for (const auto& [g, text] : c.no_content)
        if (contains(out, g, text)) failures.push_back("a section " + g + " contains '" + text + "'");
      if (!failures.empty()) failures.push_back("output symbols:\n" + symbol_list(out));
    } catch (const Fatal& e) {
      failures.push_back(std::string("the output object does not load: ") + e.what());
    }
  } else if (!c.symbols.empty() || !c.sections.empty() || !c.entries.empty() || !c.content.empty() || c.ftrace_sites ||
             !c.padding.empty()) {
    failures.push_back("expectations on the output object, but none was written");
  }

  if (!failures.empty()) {
    std::string msg;
    for (const auto& f : failures) msg += "  " + f + "\n";
    ADD_FAILURE() << c.file << ":\n"
                  << msg << "commands:\n"
                  << transcript << "stdout:\n"
                  << r.out << "stderr:\n"
                  << r.err;
  }
}

std::string case_name(const testing::TestParamInfo<CaseRun>& info) {
  std::string n = fs::path(info.param.file).stem().string();
  for (char& ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return info.param.cc == Compiler::Clang ? n + "_clang" : n;
}

// Every case with gcc and with clang, or with those its COMPILERS: directive
// names (gcc alone for a shape only gcc makes: .cold, .isra, .constprop).
std::vector<CaseRun> case_runs() {
  static const std::regex compilers(R"(^\s*(?://|#|/?\*)\s*COMPILERS:\s*(.*?)\s*(?:\*/)?\s*$)");
  std::vector<CaseRun> runs;
  for (const std::string& f : kCaseFiles) {
    std::set<std::string> with = {"gcc", "clang"};
    std::ifstream in(fs::path(tools().cases_dir) / f);
    for (std::string line; std::getline(in, line);) {
      std::smatch m;
      if (std::regex_match(line, m, compilers)) {
        std::vector<std::string> w = words(m[1]);
        with.clear();
        with.insert(w.begin(), w.end());
      }
    }
    if (with.contains("gcc")) runs.push_back({f, Compiler::Gcc});
    if (with.contains("clang")) runs.push_back({f, Compiler::Clang});
  }
  return runs;
}

INSTANTIATE_TEST_SUITE_P(Differ, DifferCase, testing::ValuesIn(case_runs()), case_name);

}  // namespace
}  // namespace kp::test
