// Compiling a patched object without Kbuild's make.
//
// A warm one-file build spends most of its compile stage in make, not in
// the compiler: make reads the tree's Makefiles, checks the prepare
// targets and the host tools, and descends to the object's directory
// before it runs one compiler command (fs/proc/cmdline.o on 6.1: about
// 4.9 s through make, 0.5 s for the compiler and objtool alone). Kbuild
// records the exact command it ran for each object in the object's .cmd
// file: `cmd_OBJ := ...` up to 6.1, `savedcmd_OBJ := ...` since, with the
// compiler, every flag, and objtool appended when the kernel runs it per
// object. The original side is compiled through make (or taken from the
// cache of original objects, which keeps that .cmd text), so the patched
// side can run the same command on the patched source, with /bin/sh in
// the tree as make runs it, and get the object make would have made.
//
// That holds only while nothing else of Kbuild's rule for the object
// matters, so the recorded command is used only when:
//  - the patches change C, assembler and header sources only (patches.cpp
//    and find_objects refuse every other file, so no Makefile can change
//    the command);
//  - the command was recorded with this build's KCFLAGS (the prepared
//    tree's: kpatch's headers are in the view's include/, target.cpp);
//  - under CONFIG_MODVERSIONS an object that exports symbols (a symbol
//    __ksymtab_* up to 6.1, __export_symbol_* since) gets its CRCs from
//    genksyms, a separate step of the rule. For a C source it is run here
//    as Kbuild runs it, `CC -E -D__GENKSYMS__ c_flags SRC | genksyms -r
//    SYMREF|/dev/null`, with c_flags taken from the recorded command, and
//    every exported symbol must get a CRC; an assembler source goes to make;
//  - the kernel does not run recordmcount after the compiler
//    (CONFIG_FTRACE_MCOUNT_USE_RECORDMCOUNT), another step of the rule;
//  - the object path and the command's KCFLAGS are plain path characters;
//  - the object is the kernel's: an out-of-tree module's (--oot-module) is
//    compiled in the copy of its source dir, where Kbuild's command names
//    it by absolute path, so make always compiles it.
// Anything else, and a recorded command that fails, goes to make, so a
// compile error is always reported as Kbuild reports it. The steps of the
// rule left out (checksrc, kernel-doc, objtool's dependency record,
// fixdep's rewrite of the .cmd) change no object.
#include "pipeline/kbuild_replay.h"

#include <algorithm>
#include <map>
#include <vector>

#include "elf/object.h"

namespace kp {

namespace {

// Make's escapes in a .cmd file: `$` is written `$$` and `#` `$(pound)`.
std::string unescape_make(std::string_view s) {
  static constexpr std::string_view kPound = "$(pound)";
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (s.substr(i, 2) == "$$") {
      out += '$';
      i += 2;
    } else if (s.substr(i, kPound.size()) == kPound) {
      out += '#';
      i += kPound.size();
    } else {
      out += s[i++];
    }
  }
  return out;
}

// This build's KCFLAGS value, or "" without one.
std::string build_kcflags(const BuildCtx& ctx) {
  for (const auto& a : ctx.target.make_args)
    if (a.starts_with("KCFLAGS=")) return a.substr(8);
  return "";
}

// The symbols `object` exports, by the markers Kbuild's gen_symversions
// looks for; nullopt for an object that cannot be read (make decides).
std::optional<std::vector<std::string>> exported_symbols(const fs::path& object) {
  static constexpr std::string_view kMarkers[] = {"__ksymtab_", "__export_symbol_"};
  try {
    Object obj = Object::load(object.string());
    std::vector<std::string> names;
    for (const Symbol& s : obj.symbols())
      for (std::string_view m : kMarkers)
        if (s.name.starts_with(m) && s.name.size() > m.size()) names.push_back(s.name.substr(m.size()));
    return names;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The recorded command split as Kbuild's rule writes it,
// `$(CC) $(c_flags) -c -o $@ $<` (then objtool, maybe): CC and c_flags,
// and the source; nullopt when it is not of that shape.
struct CompileParts {
  std::string cc_and_flags, source;
};
std::optional<CompileParts> compile_parts(const std::string& cmd, const std::string& obj) {
  std::string mark = " -c -o " + obj + " ";
  size_t at = cmd.find(mark);
  if (at == std::string::npos) return std::nullopt;
  size_t src = at + mark.size(), end = cmd.find(' ', src);
  CompileParts p{cmd.substr(0, at), cmd.substr(src, end == std::string::npos ? std::string::npos : end - src)};
  if (p.source.empty() || p.cc_and_flags.find(' ') == std::string::npos) return std::nullopt;
  return p;
}

// genksyms over the patched source, as Kbuild's cmd_gensymtypes_c: the
// CRCs of `exports`, or nullopt when it does not give one for each.
std::optional<std::map<std::string, std::string>> genksyms_crcs(BuildCtx& ctx, const ObjectJob& job,
                                                                const std::vector<std::string>& exports) {
  std::optional<CompileParts> p = compile_parts(*job.kbuild_command, job.path);
  if (!p || !p->source.ends_with(".c")) return std::nullopt;
  std::string stem = job.path.substr(0, job.path.size() - 2);
  std::string symref = fs::exists(ctx.tree / (stem + ".symref")) ? stem + ".symref" : "/dev/null";
  size_t cc_end = p->cc_and_flags.find(' ');
  std::string cmd = p->cc_and_flags.substr(0, cc_end) + " -E -D__GENKSYMS__" + p->cc_and_flags.substr(cc_end) + " " +
                    p->source + " | scripts/genksyms/genksyms -r " + symref;
  ProcResult r = ctx.run.run(Command{{"/bin/sh", "-c", cmd}, ctx.tree.string(), {}});
  if (r.status != 0) return std::nullopt;
  std::map<std::string, std::string> crcs = read_symvers_lines(r.output);
  for (const std::string& name : exports)
    if (!crcs.contains(name)) return std::nullopt;
  return crcs;
}

}  // namespace

bool plain_path_text(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("/._+-, =").find(c) != std::string_view::npos;
  });
}

std::optional<std::string> kbuild_recorded_command(const std::string& cmd_text, const std::string& obj) {
  for (const char* prefix : {"savedcmd_", "cmd_"}) {
    std::string head = std::string(prefix) + obj + " := ";
    size_t at = cmd_text.starts_with(head) ? 0 : cmd_text.find("\n" + head);
    if (at == std::string::npos) continue;
    if (at != 0) ++at;
    size_t begin = at + head.size(), end = cmd_text.find('\n', begin);
    std::string cmd = unescape_make(std::string_view(cmd_text).substr(begin, end - begin));
    if (cmd.find_first_not_of(' ') == std::string::npos) return std::nullopt;
    return cmd;
  }
  return std::nullopt;
}

std::string replay_refusal(const BuildCtx& ctx, const ObjectJob& job) {
  if (ctx.oot) return "it is an out-of-tree module's object (--oot-module), compiled in the copy of its source";
  if (!job.kbuild_command) return "Kbuild recorded no command for it";
  if (!job.crcs_orig.empty()) {
    std::optional<CompileParts> p = compile_parts(*job.kbuild_command, job.path);
    if (!p || !p->source.ends_with(".c"))
      return "it exports symbols with CRCs and is not compiled from C by `CC c_flags -c -o OBJ SRC`";
  }
  if (!plain_path_text(job.path)) return "its path has characters a shell would interpret";
  std::string kcflags = build_kcflags(ctx);
  if (!plain_path_text(kcflags)) return "KCFLAGS has characters a shell would interpret";
  if (job.kbuild_command->find(" " + kcflags + " ") == std::string::npos)
    return "its command was recorded with other KCFLAGS";
  if (config_value(ctx.target.config, "CONFIG_FTRACE_MCOUNT_USE_RECORDMCOUNT") == "y")
    return "the kernel runs recordmcount after the compiler";
  return "";
}

bool replay_compile(BuildCtx& ctx, ObjectJob& job) {
  fs::path built = ctx.tree / job.path;
  std::error_code ec;
  fs::remove(built, ec);
  ProcResult r = ctx.run.run(Command{{"/bin/sh", "-c", *job.kbuild_command}, ctx.tree.string(), {}});
  std::optional<std::vector<std::string>> exports;
  if (r.status == 0 && fs::is_regular_file(built)) exports = exported_symbols(built);
  std::optional<std::map<std::string, std::string>> crcs;
  if (exports && !exports->empty() && config_value(ctx.target.config, "CONFIG_MODVERSIONS") == "y")
    crcs = genksyms_crcs(ctx, job, *exports);
  else if (exports)
    crcs.emplace();  // nothing exported, or no CRCs in this kernel
  // Kbuild's dependency file the compiler wrote (-Wp,-MMD,DIR/.NAME.o.d):
  // fixdep turns it into the .cmd file; here it is only removed.
  fs::remove(kbuild_cmd_file(ctx.tree, job.path).replace_extension(".d"), ec);
  if (crcs) {
    job.crcs_patched = std::move(*crcs);
    return true;
  }
  fs::remove(built, ec);
  return false;
}

}  // namespace kp
