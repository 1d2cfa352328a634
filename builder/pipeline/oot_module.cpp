// Out-of-tree module patches, as classic kpatch-build's --oot-module and
// --oot-module-src take them.
//
// The module is one the kernel does not ship: a driver built from its own
// source directory with `make -C KERNEL-TREE M=DIR` and installed. The user
// gives the built module (FILE.ko, the one that runs) and DIR; the patch
// names files relative to DIR (a/main.c, b/main.c). The build then works as
// for a module of the kernel, with three substitutions:
//
//   - the sources: DIR is copied into the work dir (WORK/oot-src) without
//     the products of its earlier build, the patch is applied to the copy,
//     and each object is compiled there twice, before and after the patch,
//     with `make -C TREE M=WORK/oot-src OBJ.o` and the same make arguments
//     (KCFLAGS=-ffunction-sections -fdata-sections ...) as in-tree objects.
//     DIR itself is never written.
//   - the parent: the objects' KBUILD_MODNAME must be the module's name
//     (.modinfo name=), which is the livepatch object the patch module
//     names; relocations to the module's own symbols resolve against FILE's
//     symbol table, the replaced functions are verified against FILE's code
//     and checked against FILE at the load check, as a shipped module's are.
//   - the kernel: FILE's vermagic must be the target kernel's, or the
//     kernel would not have loaded it and the patch would be for another
//     build. Without --kernel or -s the target is the release FILE's
//     vermagic names (classic kpatch-build reads it the same way).
//
// The originals cache (originals.cpp) is not used: its entries are keyed
// by kernel-tree paths, and an out-of-tree source has no stable identity.
//
// Example: a module kpatch_oot built from ~/src/oot against
// 6.1.0-56-cloud-amd64 and a fix to ~/src/oot/kpatch_oot.c:
//
//   kpatch-build --oot-module /lib/modules/6.1.0-56-cloud-amd64/updates/kpatch_oot.ko
//                --oot-module-src ~/src/oot fix.patch
//
// gives a livepatch module for object kpatch_oot of that kernel.
#include "pipeline/oot_module.h"

#include <fstream>

#include "common/text.h"
#include "elf/elf_file.h"
#include "elf/modinfo.h"
#include "pipeline/kernel_files.h"
#include "pipeline/load_check.h"
#include "support/diag.h"

namespace kp {

namespace {

std::string trim_right(std::string v) {
  while (!v.empty() && (v.back() == ' ' || v.back() == '\n')) v.pop_back();
  return v;
}

}  // namespace

OotModuleInfo read_oot_module(const fs::path& ko) {
  std::string where = "--oot-module " + printable(ko.string()) + ": ";
  std::error_code ec;
  if (!fs::exists(ko, ec)) throw Fatal(where + "not found; give the built module to patch (FILE.ko)");
  if (!fs::is_regular_file(ko, ec)) throw Fatal(where + "not a file; give the built module to patch (FILE.ko)");
  if (!module_compression(ko).empty())
    throw Fatal(where + "a compressed module; give it uncompressed (" + module_compression(ko).substr(1) + " -dk " +
                printable(ko.string()) + ")");
  std::optional<elf::ElfFile> f;
  try {
    f = elf::ElfFile::open_read(ko.string());
  } catch (const Fatal&) {
    f.reset();
  }
  if (!f || f->ehdr().e_type != ET_REL) throw Fatal(where + "not a kernel module (not a relocatable ELF file)");
  auto entries = elf::read_modinfo(*f);
  if (!entries) throw Fatal(where + "not a kernel module (no .modinfo section)");
  OotModuleInfo info;
  for (const auto& [key, value] : *entries) {
    if (key == "name" && info.name.empty()) info.name = value;
    if (key == "vermagic" && info.vermagic.empty()) info.vermagic = trim_right(value);
  }
  if (info.name.empty() || info.vermagic.empty())
    throw Fatal(where + "its .modinfo has no " + (info.name.empty() ? "name=" : "vermagic=") +
                "; is it a module built by Kbuild (modpost)?");
  return info;
}

void check_oot_source(const fs::path& dir) {
  std::string where = "--oot-module-src " + printable(dir.string()) + ": ";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Fatal(where + "not a directory; give the module's source directory");
  if (!fs::is_regular_file(dir / "Kbuild", ec) && !fs::is_regular_file(dir / "Makefile", ec))
    throw Fatal(where +
                "no Kbuild or Makefile there; give the directory the module is built in (make -C KERNEL-TREE M=DIR)");
}

std::string vermagic_release(const std::string& vermagic) {
  return vermagic.substr(0, vermagic.find(' '));
}

bool is_kbuild_product(const std::string& n) {
  auto ends = [&](std::string_view s) { return n.ends_with(s); };
  if (n == "modules.order" || n == "Module.symvers" || n == "Module.markers" || n == ".tmp_versions") return true;
  if (n.starts_with(".") && (ends(".cmd") || ends(".d") || ends(".tmp"))) return true;
  return ends(".o") || ends(".ko") || ends(".mod") || ends(".mod.c") || ends(".a") || ends(".symversions") ||
         ends(".lto.o") || module_name_of_file(n).has_value();
}

void check_oot_module(BuildCtx& ctx) {
  const BuildConfig& cfg = ctx.cfg;
  if (cfg.oot_module.empty()) return;
  OotModuleInfo info = read_oot_module(cfg.oot_module);
  OotTarget t;
  t.ko = fs::absolute(cfg.oot_module);
  t.src = fs::absolute(cfg.oot_module_src);
  t.name = info.name;
  t.vermagic = info.vermagic;
  // The target's vermagic: a module it ships (modpost writes the same
  // string into every module of a build), else with -s a tree whose
  // modules are not built, its release.
  std::string theirs, from;
  if (std::optional<fs::path> shipped = some_shipped_module(ctx.target.modules)) {
    theirs = trim_right(module_vermagic(module_elf(ctx, *shipped).string()));
    from = "its module " + shipped->filename().string();
  }
  bool same = theirs.empty() ? vermagic_release(t.vermagic) == ctx.target.release : t.vermagic == theirs;
  if (!same)
    throw BuildError("--oot-module " + printable(cfg.oot_module.string()) + ": built for '" + printable(t.vermagic) +
                     "', not for the target kernel " + ctx.target.release + " ('" +
                     (theirs.empty() ? ctx.target.release : theirs) + "'" + (from.empty() ? "" : ", " + from) +
                     "); patch the module built for the kernel it runs on (make -C that kernel's tree M=DIR)");
  ctx.oot = std::move(t);
}

void copy_oot_source(BuildCtx& ctx) {
  if (!ctx.oot) return;
  OotTarget& t = *ctx.oot;
  t.copy = ctx.work / "oot-src";
  // A symbolic link to a file is copied as the file, so the copy holds
  // files only and a patch cannot write through a link to outside it;
  // links to directories are left out.
  fs::create_directories(t.copy);
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(t.src); it != fs::recursive_directory_iterator(); ++it) {
    std::string name = it->path().filename().string();
    bool dir = it->is_directory(ec);
    if (name == ".git" || is_kbuild_product(name) || (dir && it->is_symlink(ec))) {
      if (dir) it.disable_recursion_pending();
      continue;
    }
    fs::path to = t.copy / it->path().lexically_relative(t.src);
    if (dir)
      fs::create_directories(to);
    else if (it->is_regular_file(ec))
      fs::copy_file(it->path(), to, fs::copy_options::overwrite_existing);
  }
}

fs::path oot_module_symtab(BuildCtx& ctx) {
  fs::path out = ctx.work / (ctx.oot->name + ".oot.ko.symtab");
  if (fs::exists(out)) return out;
  Command cmd{{"readelf", "-s", "--wide", ctx.oot->ko.string()}, {}, {}};
  ProcResult r = ctx.run.run(cmd);
  if (r.status != 0) throw BuildError("readelf -s " + ctx.oot->ko.string() + " failed:\n" + r.output);
  std::ofstream(out) << r.output;
  return out;
}

}  // namespace kp
