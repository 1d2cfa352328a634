// Compiling the affected objects, before and after the patch, through
// Kbuild so every flag matches the distribution's build; with
// -ffunction-sections -fdata-sections (from make.args) so the differ can
// take functions one by one. Each object's .cmd file is read once per
// compile: its parent (vmlinux or a module) and its exported symbols' CRCs.
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>

#include "pipeline/context.h"
#include "support/file.h"

namespace kp {

fs::path kbuild_cmd_file(const fs::path& tree, const std::string& obj) {
  fs::path p = tree / obj;
  return p.parent_path() / ("." + p.filename().string() + ".cmd");
}

std::string kbuild_parent(const std::string& cmd_text) {
  static const std::regex modname("-DKBUILD_MODNAME='?\"?\\\\?\"?([A-Za-z0-9_-]+)");
  bool module = cmd_text.find(" -DMODULE ") != std::string::npos || cmd_text.find(" -DMODULE'") != std::string::npos;
  if (!module) return "vmlinux";
  std::smatch m;
  if (!std::regex_search(cmd_text, m, modname)) return {};
  std::string name = m[1];
  for (char& c : name)
    if (c == '-') c = '_';
  return name;
}

// Patched sources may `#include <kpatch.h>` (the patch-author API,
// docs/patch-author-api.md): kmod/ goes on the include path through
// KCFLAGS. Both compiles get it, so the two objects see the same flags.
// Without a kmod dir (unit tests) the argument is left alone.
std::string with_kpatch_include(const BuildCtx& ctx, const std::string& arg) {
  if (!arg.starts_with("KCFLAGS=") || ctx.cfg.kmod_dir.empty()) return arg;
  return arg + " -I" + fs::absolute(ctx.cfg.kmod_dir).string();
}

namespace {

// vmlinux, or the module the object was compiled for, from the text of
// its .cmd file.
std::string parent_of(const std::optional<std::string>& cmd_text, const fs::path& cmd, const std::string& obj) {
  if (!cmd_text) throw BuildError(obj + ": Kbuild left no " + cmd.filename().string() + "; was it compiled?");
  std::string name = kbuild_parent(*cmd_text);
  if (name.empty()) throw BuildError(obj + ": a module object without KBUILD_MODNAME");
  return name;
}

void compile(BuildCtx& ctx, const char* stage) {
  Command cmd{{"make", "-C", ctx.tree.string(), "-j" + std::to_string(ctx.cfg.jobs)}, {}, {}};
  for (const auto& a : ctx.target.make_args) cmd.argv.push_back(with_kpatch_include(ctx, a));
  for (const auto& o : ctx.objects) cmd.argv.push_back(o.path);
  ProcResult r = ctx.run.run(cmd);
  if (r.status != 0) {
    std::string tail = r.output.size() > 3000 ? "..." + r.output.substr(r.output.size() - 3000) : r.output;
    throw BuildError(std::string("compiling the ") + stage + " objects failed:\n" + tail);
  }
  for (ObjectJob& o : ctx.objects) {
    fs::path dst = ctx.work / stage / o.path;
    fs::create_directories(dst.parent_path());
    fs::copy_file(ctx.tree / o.path, dst, fs::copy_options::overwrite_existing);
    fs::path cmd = kbuild_cmd_file(ctx.tree, o.path);
    std::optional<std::string> cmd_text = read_file(cmd.string());
    if (std::string(stage) == "orig") {
      o.orig = dst;
      o.parent = parent_of(cmd_text, cmd, o.path);
      o.crcs_orig = read_symvers_lines(cmd_text.value_or(""));
    } else {
      o.patched = dst;
      o.crcs_patched = read_symvers_lines(cmd_text.value_or(""));
    }
  }
}

}  // namespace

void compile_original(BuildCtx& ctx) {
  compile(ctx, "orig");
}

void compile_patched(BuildCtx& ctx) {
  compile(ctx, "patched");
}

}  // namespace kp
