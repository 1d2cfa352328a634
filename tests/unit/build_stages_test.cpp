// kpatch-build's stages against a fake runner: the commands they run, in
// order, and how they report failures. No kernel is built.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "build/context.h"
#include "fake_runner.h"

namespace kp {
namespace {

using testing::FakeRunner;

ObjectJob job(const std::string& path) {
  ObjectJob j;
  j.path = path;
  return j;
}

class BuildStages : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kpatch-stages-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "cache");
    fs::create_directories(dir_ / "work");
    std::ofstream(dir_ / "cache/make.args") << "KERNELRELEASE=6.1.0-56-cloud-amd64\nCC=gcc-12\n"
                                              "KCFLAGS=-ffunction-sections -fdata-sections\n";
    std::ofstream(dir_ / "cache/config") << "CONFIG_CC_VERSION_TEXT=\"gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0\"\n";
    std::ofstream(dir_ / "fix.patch") << "--- a/fs/proc/cmdline.c\n+++ b/fs/proc/cmdline.c\n@@ -1 +1 @@\n-a\n+b\n"
                                         "--- a/fs/binfmt_misc.c\t2024-01-01\n+++ b/fs/binfmt_misc.c\t2024-01-01\n";
    cfg_.tools_dir = "/tools";
    cfg_.jobs = 3;
    manifest_.id = "fix";
    manifest_.patches = {dir_ / "fix.patch"};
  }
  void TearDown() override { fs::remove_all(dir_); }

  BuildCtx ctx() {
    BuildCtx c(cfg_, manifest_, "6.1.0-56-cloud-amd64", run_);
    c.work = dir_ / "work";
    return c;
  }
  void prepared(BuildCtx& c) {
    run_.on("kernel-tree prepare", {0, "kernel-tree: [  0.001s] ready\n" + (dir_ / "cache").string() + "\n"});
    prepare_target(c);
  }

  fs::path dir_;
  BuildConfig cfg_;
  Manifest manifest_;
  FakeRunner run_;
};

TEST_F(BuildStages, PrepareTargetReadsTheCache) {
  BuildCtx c = ctx();
  prepared(c);
  EXPECT_EQ(run_.commands, std::vector<std::string>{"/tools/kernel-tree prepare 6.1.0-56-cloud-amd64"});
  EXPECT_EQ(c.target.cache, dir_ / "cache");
  EXPECT_EQ(c.target.vmlinux_symtab, dir_ / "cache/vmlinux.symtab");
  ASSERT_EQ(c.target.make_args.size(), 3u);
  EXPECT_EQ(c.target.make_args[2], "KCFLAGS=-ffunction-sections -fdata-sections");
}

TEST_F(BuildStages, UnknownKernelIsReportedAsTheScriptSaysIt) {
  BuildCtx c = ctx();
  run_.on("kernel-tree prepare", {1, "kernel-tree: error: unknown release 6.1.0-99-amd64; nearest: 6.1.0-56-amd64\n"});
  try {
    prepare_target(c);
    FAIL();
  } catch (const BuildError& e) {
    EXPECT_STREQ(e.what(),
                 "kernel 6.1.0-56-cloud-amd64: kernel-tree: error: unknown release 6.1.0-99-amd64; nearest: "
                 "6.1.0-56-amd64");
  }
}

TEST_F(BuildStages, CompilerMismatchIsRefusedUnlessOverridden) {
  BuildCtx c = ctx();
  prepared(c);
  run_.on("gcc-12 --version", {0, "gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0\nCopyright\n"});
  EXPECT_NO_THROW(check_compiler(c));
  FakeRunner other;
  BuildCtx c2(cfg_, manifest_, "6.1.0-56-cloud-amd64", other);
  c2.target = c.target;
  other.on("--version", {0, "gcc-13 (Debian 13.1.0) 13.1.0\n"});
  EXPECT_THROW(check_compiler(c2), BuildError);
  cfg_.skip_compiler_check = true;
  EXPECT_NO_THROW(check_compiler(c2));
}

TEST_F(BuildStages, PatchesAreDryRunFirstAndFilesCollected) {
  BuildCtx c = ctx();
  c.tree = dir_ / "tree";
  check_patches(c);
  EXPECT_EQ(c.changed_files, (std::vector<std::string>{"fs/proc/cmdline.c", "fs/binfmt_misc.c"}));
  ASSERT_EQ(run_.commands.size(), 1u);
  EXPECT_EQ(run_.commands[0], "patch -p1 --forward --batch -d " + (dir_ / "tree").string() + " -i " +
                                  (dir_ / "fix.patch").string() + " --dry-run");
}

TEST_F(BuildStages, AHunkThatFailsIsNamed) {
  BuildCtx c = ctx();
  c.tree = dir_ / "tree";
  run_.on("patch -p1", {1, "checking file fs/proc/cmdline.c\nHunk #1 FAILED at 9.\n1 out of 1 hunk FAILED\n"});
  try {
    check_patches(c);
    FAIL();
  } catch (const BuildError& e) {
    EXPECT_EQ(std::string(e.what()),
              (dir_ / "fix.patch").string() + ": hunk #1 of fs/proc/cmdline.c does not apply (at line 9)");
  }
}

TEST_F(BuildStages, MissingFileToPatch) {
  EXPECT_EQ(patch_failure("x.patch", "can't find file to patch at input line 3\nPerhaps you used the wrong -p\n"),
            "x.patch:3: the file to patch does not exist in the kernel tree");
}

TEST_F(BuildStages, OnlySourcesArePatchable) {
  BuildCtx c = ctx();
  c.changed_files = {"fs/proc/cmdline.c", "fs/Makefile"};
  EXPECT_THROW(find_objects(c), BuildError);
  BuildCtx c2 = ctx();
  c2.changed_files = {"fs/proc/cmdline.c", "arch/x86/entry/thunk_64.S"};
  find_objects(c2);
  ASSERT_EQ(c2.objects.size(), 2u);
  EXPECT_EQ(c2.objects[1].path, "arch/x86/entry/thunk_64.o");
}

TEST_F(BuildStages, CompileRunsKbuildOnceAndFindsTheParent) {
  BuildCtx c = ctx();
  prepared(c);
  c.tree = dir_ / "tree";
  c.objects = {job("fs/proc/cmdline.o"), job("fs/binfmt_misc.o")};
  auto fake_make = [&](const Command&) {
    fs::create_directories(c.tree / "fs/proc");
    std::ofstream(c.tree / "fs/proc/cmdline.o") << "obj";
    std::ofstream(c.tree / "fs/binfmt_misc.o") << "obj";
    std::ofstream(c.tree / "fs/proc/.cmdline.o.cmd") << "cmd_fs/proc/cmdline.o := gcc -DKBUILD_MODNAME='\"cmdline\"' -c\n";
    std::ofstream(c.tree / "fs/.binfmt_misc.o.cmd")
        << "cmd_fs/binfmt_misc.o := gcc -DMODULE -DKBUILD_BASENAME='\"binfmt_misc\"' "
           "-DKBUILD_MODNAME='\"binfmt-misc\"' -c\n";
  };
  run_.on("make -C", {0, ""}, fake_make);
  compile_original(c);
  ASSERT_EQ(run_.commands.size(), 2u);
  EXPECT_EQ(run_.commands[1], "make -C " + c.tree.string() +
                                  " -j3 KERNELRELEASE=6.1.0-56-cloud-amd64 CC=gcc-12 'KCFLAGS=-ffunction-sections "
                                  "-fdata-sections' fs/proc/cmdline.o fs/binfmt_misc.o");
  EXPECT_EQ(c.objects[0].parent, "vmlinux");
  EXPECT_EQ(c.objects[1].parent, "binfmt_misc");
  EXPECT_TRUE(fs::exists(dir_ / "work/orig/fs/proc/cmdline.o"));
}

TEST_F(BuildStages, CompileFailureShowsTheCompiler) {
  BuildCtx c = ctx();
  prepared(c);
  c.tree = dir_ / "tree";
  c.objects = {job("fs/proc/cmdline.o")};
  run_.on("make -C", {2, "fs/proc/cmdline.c:9:2: error: expected ';'\n"});
  try {
    compile_patched(c);
    FAIL();
  } catch (const BuildError& e) {
    EXPECT_EQ(std::string(e.what()), "compiling the patched objects failed:\nfs/proc/cmdline.c:9:2: error: expected ';'\n");
  }
}

TEST(BuildHelpers, FilesInPatchHandlesTimestampsAndNewFiles) {
  EXPECT_EQ(files_in_patch("--- /dev/null\n+++ b/kernel/new.c\t2024\n--- a/x.c\n+++ /dev/null\n"),
            std::vector<std::string>{"kernel/new.c"});
}

TEST(BuildHelpers, CStringEscapes) { EXPECT_EQ(c_string("a \"b\"\\\n"), "\"a \\\"b\\\"\\\\\\n\""); }

}  // namespace
}  // namespace kp
