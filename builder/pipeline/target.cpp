// The kernel being patched: its prepared tree, symbols and build settings,
// and a private writable view of the tree for this build.
//
// Fetching and preparing a Debian kernel (downloads, untar, olddefconfig,
// modules_prepare) is done once per release by scripts/kernel-tree, which
// caches the result under ${XDG_CACHE_HOME:-~/.cache}/kpatch/<release>/
// with a lock; this file only asks for it and reads what it left.
//
// With -s SRCDIR (the classic tool's "any other kernel tree") the target is
// a tree the user configured and prepared (modules_prepare) and whose
// vmlinux they have. The same KernelTarget is filled from the tree instead:
// the symbol table of vmlinux is made into the work dir, module symbol
// tables are made on demand from the tree's built .ko files, and the
// private view of the tree comes from `kernel-tree workdir-of`, so the
// build never writes into SRCDIR. The release is the tree's UTS_RELEASE
// (include/generated/utsrelease.h), which the objects and vermagic were
// made with; include/config/kernel.release and `make kernelrelease` ignore
// a KERNELRELEASE= given to modules_prepare (the Debian cache tree says
// 6.1.192 there but was prepared as 6.1.0-56-cloud-amd64), so
// `make -s kernelrelease` is only the fallback.
#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

#include "pipeline/context.h"
#include "pipeline/kernel_files.h"
#include "pipeline/oot_module.h"
#include "pipeline/verify.h"

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

std::string uts_release(const fs::path& tree) {
  std::ifstream in(tree / "include/generated/utsrelease.h");
  static const std::regex def("#define UTS_RELEASE \"([^\"]+)\"");
  std::smatch m;
  for (std::string line; std::getline(in, line);)
    if (std::regex_search(line, m, def)) return m[1];
  return {};
}

fs::path require_file(const fs::path& p, const std::string& what) {
  if (!fs::is_regular_file(p)) throw BuildError(p.string() + ": " + what);
  return p;
}

void prepare_source_tree(BuildCtx& ctx) {
  const BuildConfig& cfg = ctx.cfg;
  KernelTarget& t = ctx.target;
  fs::path src = fs::absolute(cfg.sourcedir).lexically_normal();
  if (!src.has_filename()) src = src.parent_path();  // "linux/"
  require_file(src / "Makefile", "not found; -s needs the top of a kernel source tree");
  t.config = require_file(cfg.config.empty() ? src / ".config" : cfg.config,
                          "not found; the kernel tree must be configured (or pass -c CONFIG)");
  require_file(src / "include/generated/autoconf.h",
               "not found; the kernel tree is not prepared: run `make olddefconfig modules_prepare` in " +
                   src.string() + " first");
  if (!cfg.vmlinux.empty())
    t.vmlinux = require_file(cfg.vmlinux, "not found (-v)");
  else if (fs::is_regular_file(src / "vmlinux"))
    t.vmlinux = src / "vmlinux";
  else
    throw BuildError(src.string() + " has no vmlinux: pass -v VMLINUX, the unstripped vmlinux of the running kernel");
  if (!cfg.symvers.empty())
    t.symvers = require_file(cfg.symvers, "not found (--symvers)");
  else if (fs::is_regular_file(src / "Module.symvers"))
    t.symvers = src / "Module.symvers";
  else if (fs::is_regular_file(t.vmlinux.parent_path() / "Module.symvers"))
    t.symvers = t.vmlinux.parent_path() / "Module.symvers";
  else
    throw BuildError("no Module.symvers in " + src.string() + " or next to " + t.vmlinux.string() +
                     ": pass --symvers FILE");

  t.release = uts_release(src);
  if (t.release.empty())
    t.release = trim(must(ctx, Command{{"make", "-s", "-C", src.string(), "kernelrelease"}, {}, {}},
                          "make kernelrelease in " + src.string())
                         .output);
  if (t.release.empty() || t.release.find_first_of(" \n") != std::string::npos)
    throw BuildError(src.string() + ": cannot tell the kernel release (no UTS_RELEASE, `make -s kernelrelease` says '" +
                     t.release + "')");

  // The compiler Kbuild's own build ran, as kernel-tree picks it.
  std::string text = config_value(t.config, "CONFIG_CC_VERSION_TEXT");
  std::string cc = text.substr(0, text.find(' '));
  if (cc.empty() || ctx.run.run(Command{{cc, "--version"}, {}, {}}).status != 0) cc = "gcc";
  t.make_args = {"KERNELRELEASE=" + t.release, "CC=" + cc, "KCFLAGS=-ffunction-sections -fdata-sections"};

  t.src = t.modules = src;
  t.vmlinux_symtab = ctx.work / "vmlinux.symtab";
  std::ofstream(t.vmlinux_symtab) << must(ctx, Command{{"readelf", "-s", "--wide", t.vmlinux.string()}, {}, {}},
                                          "readelf -s " + t.vmlinux.string())
                                         .output;
  t.module_symtabs = ctx.work / "module-symtabs";
  t.lazy_module_symtabs = true;
}

}  // namespace

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

void prepare_target(BuildCtx& ctx) {
  if (!ctx.cfg.sourcedir.empty()) return prepare_source_tree(ctx);
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
  t.src = t.cache / "src";
  t.modules = t.cache / "modules";
  std::ifstream args(t.cache / "make.args");
  if (!args) throw BuildError(t.cache.string() + "/make.args: missing; the kernel cache is incomplete");
  for (std::string line; std::getline(args, line);)
    if (!line.empty()) t.make_args.push_back(line);
}

std::string compiler_package(const std::string& cc) {
  // Debian 6.12 builds with x86_64-linux-gnu-gcc-12, which gcc-12 installs.
  constexpr std::string_view kNative = "x86_64-linux-gnu-";
  return cc.starts_with(kNative) ? cc.substr(kNative.size()) : cc;
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
  if (r.status == 127)
    throw BuildError("the kernel was built with '" + want + "' but " + cc + " is not installed: apt-get install " +
                     compiler_package(cc) + " (or pass --skip-compiler-check to build with another compiler anyway)");
  throw BuildError("compiler mismatch: the kernel was built with '" + want + "' but " + cc + " is '" + have +
                   "'; install the same compiler, or pass --skip-compiler-check to build anyway");
}

fs::path module_symtab(BuildCtx& ctx, const std::string& module) {
  if (ctx.oot && ctx.oot->name == module) return oot_module_symtab(ctx);
  const KernelTarget& t = ctx.target;
  if (fs::is_directory(t.module_symtabs))
    for (const auto& e : fs::recursive_directory_iterator(t.module_symtabs)) {
      std::string n = e.path().filename().string();
      if (!n.ends_with(".symtab")) continue;
      if (module_name_of_file(n.substr(0, n.size() - 7)) == module) return e.path();
    }
  if (!t.lazy_module_symtabs)
    throw BuildError("module '" + module + "': no symbol table in " + t.module_symtabs.string() +
                     "; is it built by this kernel's configuration?");
  std::optional<fs::path> ko = shipped_module(ctx, module);
  if (!ko)
    throw BuildError(no_module_message(ctx, module) + "; build the kernel's modules in the tree first (make modules)");
  fs::path elf = module_elf(ctx, *ko);
  fs::path out = t.module_symtabs / (module + ".ko.symtab");
  fs::create_directories(t.module_symtabs);
  std::ofstream(out)
      << must(ctx, Command{{"readelf", "-s", "--wide", elf.string()}, {}, {}}, "readelf -s " + elf.string()).output;
  return out;
}

namespace {

// kpatch's headers for patch authors (kpatch-macros.h, kpatch-syscall.h,
// kpatch.h) go into the private tree's include/, which every kernel and
// out-of-tree object has on its include path (LINUXINCLUDE's -I./include),
// so a patched file's `#include "kpatch-macros.h"` finds them. Passing the
// kmod dir with -I in KCFLAGS would do the same but change the flags the
// prepared tree was built with, and the first make in every view would
// rebuild modpost, bounds.s and asm-offsets.s for it. The kernel has no
// header at the top of include/; one of these names there is refused.
void add_kpatch_headers(BuildCtx& ctx) {
  std::error_code ec;
  fs::path include = ctx.tree / "include";
  if (ctx.cfg.kmod_dir.empty() || !fs::is_directory(include, ec)) return;  // (a fake tree in the unit tests)
  for (const auto& e : fs::directory_iterator(ctx.cfg.kmod_dir, ec)) {
    if (!e.is_regular_file(ec) || e.path().extension() != ".h") continue;
    fs::path to = include / e.path().filename();
    if (fs::exists(to, ec))
      throw BuildError(to.string() + ": the kernel tree has a header of this name; kpatch's " +
                       e.path().filename().string() + " cannot be put beside it");
    fs::copy_file(e.path(), to, ec);
    if (ec) throw BuildError(to.string() + ": cannot copy kpatch's header there: " + ec.message());
  }
}

}  // namespace

void make_workdir(BuildCtx& ctx) {
  ctx.tree = ctx.work / "tree";
  std::string script = (ctx.cfg.tools_dir / "kernel-tree").string();
  Command cmd = ctx.cfg.sourcedir.empty()
                    ? Command{{script, "workdir", ctx.target.release, ctx.tree.string()}, {}, {}}
                    : Command{{script, "workdir-of", ctx.target.src.string(), ctx.tree.string()}, {}, {}};
  must(ctx, cmd, "preparing a private kernel tree");
  add_kpatch_headers(ctx);
  copy_oot_source(ctx);
}

void release_workdir(BuildCtx& ctx) {
  if (ctx.tree.empty()) return;
  ctx.run.run(Command{{(ctx.cfg.tools_dir / "kernel-tree").string(), "release", ctx.tree.string()}, {}, {}});
  ctx.tree.clear();
}

}  // namespace kp
