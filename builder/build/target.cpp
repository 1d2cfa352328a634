// The kernel being patched: its prepared tree, symbols and build settings,
// and a private writable view of the tree for this build.
//
// Fetching and preparing a Debian kernel (downloads, untar, olddefconfig,
// modules_prepare) is done once per release by scripts/kernel-tree, which
// caches the result under ${XDG_CACHE_HOME:-~/.cache}/kpatch/<release>/
// with a lock; this file only asks for it and reads what it left.
#include <fstream>
#include <regex>
#include <sstream>

#include "build/context.h"

namespace kp {

namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string last_line(const std::string& out) {
  std::string t = trim(out);
  size_t nl = t.rfind('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

ProcResult must(BuildCtx& ctx, const Command& cmd, const std::string& what) {
  ProcResult r = ctx.run.run(cmd);
  if (r.status != 0) {
    std::string tail = trim(r.output);
    if (tail.size() > 2000) tail = "..." + tail.substr(tail.size() - 2000);
    throw BuildError(what + " failed (exit " + std::to_string(r.status) + "):\n" + tail);
  }
  return r;
}

std::string config_value(const fs::path& config, const std::string& key) {
  std::ifstream in(config);
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with(key + "=")) {
      std::string v = line.substr(key.size() + 1);
      if (v.size() >= 2 && v.front() == '"') v = v.substr(1, v.size() - 2);
      return v;
    }
  return {};
}

}  // namespace

void prepare_target(BuildCtx& ctx) {
  Command cmd{{(ctx.cfg.tools_dir / "kernel-tree").string(), "prepare", ctx.target.release}, {}, {}};
  ProcResult r = ctx.run.run(cmd);
  if (r.status != 0) throw BuildError("kernel " + ctx.target.release + ": " + trim(r.output));
  KernelTarget& t = ctx.target;
  t.cache = last_line(r.output);
  t.symvers = t.cache / "Module.symvers";
  t.vmlinux = t.cache / "vmlinux";
  t.vmlinux_symtab = t.cache / "vmlinux.symtab";
  t.module_symtabs = t.cache / "module-symtabs";
  t.config = t.cache / "config";
  std::ifstream args(t.cache / "make.args");
  if (!args) throw BuildError(t.cache.string() + "/make.args: missing; the kernel cache is incomplete");
  for (std::string line; std::getline(args, line);)
    if (!line.empty()) t.make_args.push_back(line);
}

void check_compiler(BuildCtx& ctx) {
  std::string want = config_value(ctx.target.config, "CONFIG_CC_VERSION_TEXT");
  std::string cc = "gcc";
  for (const auto& a : ctx.target.make_args)
    if (a.starts_with("CC=")) cc = a.substr(3);
  ProcResult r = ctx.run.run(Command{{cc, "--version"}, {}, {}});
  std::string have = r.status == 0 ? r.output.substr(0, r.output.find('\n')) : "(" + cc + " not found)";
  if (want.empty() || have == want) return;
  if (ctx.cfg.skip_compiler_check) return;
  throw BuildError("compiler mismatch: the kernel was built with '" + want + "' but " + cc + " is '" + have +
                   "'; install the same compiler, or pass --skip-compiler-check to build anyway");
}

void make_workdir(BuildCtx& ctx) {
  ctx.tree = ctx.work / "tree";
  must(ctx, Command{{(ctx.cfg.tools_dir / "kernel-tree").string(), "workdir", ctx.target.release, ctx.tree.string()}, {}, {}},
       "preparing a private kernel tree");
}

void release_workdir(BuildCtx& ctx) {
  if (ctx.tree.empty()) return;
  ctx.run.run(Command{{(ctx.cfg.tools_dir / "kernel-tree").string(), "release", ctx.tree.string()}, {}, {}});
  ctx.tree.clear();
}

}  // namespace kp
