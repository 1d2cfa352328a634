// kpatch-build --oot-module (pipeline/oot_module.cpp) against a fake
// runner: the private copy of the module's source, the compile with M=,
// the parent check, the vermagic check and the module's symbols as the
// parent's. No kernel is built.
#include "pipeline/oot_module.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "elf/writer.h"
#include "fake_runner.h"
#include "pipeline/verify.h"

namespace kp {
namespace {

using testing::FakeRunner;

// A relocatable ELF file whose .modinfo holds `modinfo`.
void write_module(const fs::path& path, const std::string& modinfo) {
  OutputObject obj;
  OutSection s;
  s.name = ".modinfo";
  s.flags = SHF_ALLOC;
  for (char c : modinfo) s.data.push_back(static_cast<std::byte>(c));
  obj.add_section(std::move(s));
  fs::create_directories(path.parent_path());
  obj.write(path.string());
}

std::string modinfo(const std::string& name, const std::string& release) {
  return "name=" + name + std::string(1, '\0') + "vermagic=" + release + " SMP preempt mod_unload modversions " +
         std::string(1, '\0');
}

class Oot : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "kpatch-oot-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
    fs::create_directories(dir_ / "work");
    fs::create_directories(dir_ / "src/sub");
    fs::create_directories(dir_ / "src/.git");
    for (const char* f : {"Kbuild", "kpatch_oot.c", "sub/b.c", "sub/b.h", "kpatch_oot.o", ".kpatch_oot.o.cmd",
                          "kpatch_oot.mod.c", "modules.order", "Module.symvers", ".git/HEAD"})
      std::ofstream(dir_ / "src" / f) << f << '\n';
    write_module(dir_ / "src/kpatch_oot.ko", modinfo("kpatch_oot", "6.1.0-56-cloud-amd64"));
    write_module(dir_ / "modules/kernel/fs/binfmt_misc.ko", modinfo("binfmt_misc", "6.1.0-56-cloud-amd64"));
    cfg_.jobs = 3;
    cfg_.oot_module = dir_ / "src/kpatch_oot.ko";
    cfg_.oot_module_src = dir_ / "src";
  }
  void TearDown() override { fs::remove_all(dir_); }

  BuildCtx ctx() {
    BuildCtx c(cfg_, manifest_, "6.1.0-56-cloud-amd64", run_);
    c.work = dir_ / "work";
    c.tree = dir_ / "tree";
    c.target.modules = dir_ / "modules";
    c.target.cache = dir_ / "cache";
    c.target.make_args = {"KERNELRELEASE=6.1.0-56-cloud-amd64", "CC=gcc-12"};
    return c;
  }

  fs::path dir_;
  BuildConfig cfg_;
  Manifest manifest_;
  FakeRunner run_;
};

TEST_F(Oot, TheModuleIsTheTargetsAndItsSymbolsAndCodeAreTheParents) {
  BuildCtx c = ctx();
  check_oot_module(c);
  ASSERT_TRUE(c.oot);
  EXPECT_EQ(c.oot->name, "kpatch_oot");
  EXPECT_EQ(c.oot->vermagic, "6.1.0-56-cloud-amd64 SMP preempt mod_unload modversions");
  EXPECT_EQ(shipped_module(c, "kpatch_oot"), fs::absolute(cfg_.oot_module));
  EXPECT_EQ(shipped_module(c, "binfmt_misc"), dir_ / "modules/kernel/fs/binfmt_misc.ko");
  run_.on("readelf -s", {0, "Symbol table '.symtab'\n"});
  fs::path symtab = module_symtab(c, "kpatch_oot");
  EXPECT_EQ(run_.commands.back(), "readelf -s --wide " + fs::absolute(cfg_.oot_module).string());
  EXPECT_EQ(symtab, dir_ / "work/kpatch_oot.oot.ko.symtab");
}

TEST_F(Oot, AModuleOfAnotherKernelIsRefusedNamingIt) {
  write_module(dir_ / "other/kpatch_oot.ko", modinfo("kpatch_oot", "6.1.0-55-cloud-amd64"));
  cfg_.oot_module = dir_ / "other/kpatch_oot.ko";
  BuildCtx c = ctx();
  try {
    check_oot_module(c);
    FAIL() << "not refused";
  } catch (const BuildError& e) {
    EXPECT_EQ(std::string(e.what()), "--oot-module " + cfg_.oot_module.string() +
                                         ": built for '6.1.0-55-cloud-amd64 SMP preempt mod_unload modversions', not "
                                         "for the target kernel 6.1.0-56-cloud-amd64 ('6.1.0-56-cloud-amd64 SMP "
                                         "preempt mod_unload modversions', its module binfmt_misc.ko); patch the "
                                         "module built for the kernel it runs on (make -C that kernel's tree M=DIR)");
  }
  EXPECT_FALSE(c.oot);
}

TEST_F(Oot, TheCopyLeavesTheEarlierBuildBehind) {
  BuildCtx c = ctx();
  check_oot_module(c);
  copy_oot_source(c);
  EXPECT_EQ(c.src_root(), dir_ / "work/oot-src");
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(c.oot->copy))
    if (e.is_regular_file()) files.push_back(e.path().lexically_relative(c.oot->copy).string());
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files, (std::vector<std::string>{"Kbuild", "kpatch_oot.c", "sub/b.c", "sub/b.h"}));
}

TEST_F(Oot, ObjectsAreCompiledInTheCopyWithMAndWithoutTheOriginalsCache) {
  BuildCtx c = ctx();
  check_oot_module(c);
  copy_oot_source(c);
  c.objects.resize(1);
  c.objects[0].path = "kpatch_oot.o";
  fs::path copy = c.oot->copy;
  run_.on("make -C", {0, ""}, [&](const Command&) {
    std::ofstream(copy / "kpatch_oot.o") << "obj";
    std::ofstream(copy / ".kpatch_oot.o.cmd")
        << "cmd_kpatch_oot.o := gcc -DMODULE -DKBUILD_BASENAME='\"kpatch_oot\"' -DKBUILD_MODNAME='\"kpatch_oot\"' -c\n";
  });
  compile_original(c);
  ASSERT_EQ(run_.commands.size(), 1u);  // no compiler --version: no cache key is made
  EXPECT_EQ(run_.commands[0], "make -C " + c.tree.string() + " M=" + copy.string() +
                                  " -j3 KERNELRELEASE=6.1.0-56-cloud-amd64 CC=gcc-12 kpatch_oot.o");
  EXPECT_EQ(c.objects[0].parent, "kpatch_oot");
  EXPECT_TRUE(fs::exists(dir_ / "work/orig/kpatch_oot.o"));
  EXPECT_FALSE(fs::exists(dir_ / "cache/originals"));
}

TEST_F(Oot, AnObjectOfAnotherModuleIsRefused) {
  BuildCtx c = ctx();
  check_oot_module(c);
  copy_oot_source(c);
  c.objects.resize(1);
  c.objects[0].path = "sub/b.o";
  fs::path copy = c.oot->copy;
  run_.on("make -C", {0, ""}, [&](const Command&) {
    std::ofstream(copy / "sub/b.o") << "obj";
    std::ofstream(copy / "sub/.b.o.cmd") << "cmd_sub/b.o := gcc -DMODULE -DKBUILD_MODNAME='\"other\"' -c\n";
  });
  try {
    compile_original(c);
    FAIL() << "not refused";
  } catch (const BuildError& e) {
    EXPECT_EQ(std::string(e.what()), "sub/b.o: compiled for module 'other', not for kpatch_oot (--oot-module " +
                                         cfg_.oot_module.string() +
                                         "); a patch changes one out-of-tree module, the one given");
  }
}

// A file outside the module's source is named before patch runs.
TEST_F(Oot, APatchOfAFileOutsideTheSourceIsRefusedBeforePatchRuns) {
  std::ofstream(dir_ / "kernel.patch") << "--- a/fs/proc/cmdline.c\n+++ b/fs/proc/cmdline.c\n@@ -1 +1 @@\n-a\n+b\n";
  std::ofstream(dir_ / "up.patch") << "--- a/../x.c\n+++ b/../x.c\n@@ -1 +1 @@\n-a\n+b\n";
  manifest_.patches = {dir_ / "kernel.patch"};
  BuildCtx c = ctx();
  check_oot_module(c);
  copy_oot_source(c);
  try {
    check_patches(c);
    FAIL() << "not refused";
  } catch (const BuildError& e) {
    EXPECT_EQ(std::string(e.what()), (dir_ / "kernel.patch").string() +
                                         ":2: fs/proc/cmdline.c is not a file of the out-of-tree module's source " +
                                         cfg_.oot_module_src.string() +
                                         " (--oot-module-src); a patch for the module names its files relative to "
                                         "that directory (a/FILE.c, b/FILE.c), and patches the module's files only");
  }
  EXPECT_TRUE(run_.commands.empty());
  manifest_.patches = {dir_ / "up.patch"};
  BuildCtx c2 = ctx();
  check_oot_module(c2);
  try {
    check_patches(c2);
    FAIL() << "not refused";
  } catch (const BuildError& e) {
    EXPECT_EQ(std::string(e.what()), (dir_ / "up.patch").string() +
                                         ":2: '../x.c' leaves the out-of-tree module's source " +
                                         cfg_.oot_module_src.string() + " ('..')");
  }
}

TEST(OotHelpers, KbuildProducts) {
  for (const char* f :
       {"a.o", "m.ko", "m.mod", "m.mod.c", ".a.o.cmd", ".a.o.d", "modules.order", "Module.symvers", "lib.a", "m.ko.xz"})
    EXPECT_TRUE(is_kbuild_product(f)) << f;
  for (const char* f : {"a.c", "a.h", "Kbuild", "Makefile", "a.S", "README", ".gitignore", "a.patch"})
    EXPECT_FALSE(is_kbuild_product(f)) << f;
  EXPECT_EQ(vermagic_release("6.1.0-56-cloud-amd64 SMP preempt"), "6.1.0-56-cloud-amd64");
}

}  // namespace
}  // namespace kp
