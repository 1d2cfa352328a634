// kpatch-build's stages against a fake runner: the commands they run, in
// order, and how they report failures. No kernel is built.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "common/text.h"
#include "fake_runner.h"
#include "pipeline/context.h"
#include "pipeline/summary.h"
#include "support/diag.h"
#include "support/file.h"

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

// 6.12's config names x86_64-linux-gnu-gcc-12; gcc-12 installs it.
TEST_F(BuildStages, AMissingCompilerNamesItsPackage) {
  BuildCtx c = ctx();
  prepared(c);
  c.target.make_args[1] = "CC=x86_64-linux-gnu-gcc-12";
  std::ofstream(dir_ / "cache/config")
      << "CONFIG_CC_VERSION_TEXT=\"x86_64-linux-gnu-gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0\"\n";
  run_.on("x86_64-linux-gnu-gcc-12 --version", {127, "kpatch-build: cannot run x86_64-linux-gnu-gcc-12\n"});
  try {
    check_compiler(c);
    FAIL() << "no refusal";
  } catch (const BuildError& e) {
    EXPECT_STREQ(e.what(),
                 "the kernel was built with 'x86_64-linux-gnu-gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0' but "
                 "x86_64-linux-gnu-gcc-12 is not installed: apt-get install gcc-12 (or pass --skip-compiler-check "
                 "to build with another compiler anyway)");
  }
  EXPECT_EQ(compiler_package("gcc-12"), "gcc-12");
  EXPECT_EQ(compiler_package("clang-16"), "clang-16");
}

TEST_F(BuildStages, PatchesAreDryRunFirstAndFilesCollected) {
  BuildCtx c = ctx();
  c.tree = dir_ / "tree";
  fs::create_directories(c.tree / "fs/proc");
  std::ofstream(c.tree / "fs/proc/cmdline.c") << "a\n";
  std::ofstream(c.tree / "fs/binfmt_misc.c") << "";
  check_patches(c);
  EXPECT_EQ(c.changed_files, (std::vector<std::string>{"fs/proc/cmdline.c", "fs/binfmt_misc.c"}));
  ASSERT_EQ(run_.commands.size(), 1u);
  EXPECT_EQ(run_.commands[0], "LC_ALL=C patch -p1 --forward --batch -d " + (dir_ / "tree").string() + " -i " +
                                  (dir_ / "fix.patch").string() + " --dry-run");
  apply_patches(c);
  EXPECT_EQ(run_.commands[1], "LC_ALL=C patch -p1 --forward --batch -d " + (dir_ / "tree").string() + " -i " +
                                  (dir_ / "fix.patch").string() + " --fuzz=0");
}

TEST_F(BuildStages, AFuzzyHunkIsRefusedUnlessAllowed) {
  const std::string out =
      "checking file fs/proc/cmdline.c\nHunk #1 succeeded at 12 (offset 3 lines).\n"
      "Hunk #2 succeeded at 40 with fuzz 2 (offset -1 lines).\n";
  BuildCtx c = ctx();
  c.tree = dir_ / "tree";
  fs::create_directories(c.tree / "fs/proc");
  std::ofstream(c.tree / "fs/proc/cmdline.c") << "a\n";
  std::ofstream(c.tree / "fs/binfmt_misc.c") << "";
  run_.on("patch -p1", {0, out});
  try {
    check_patches(c);
    FAIL();
  } catch (const BuildError& e) {
    EXPECT_EQ(std::string(e.what()),
              (dir_ / "fix.patch").string() +
                  ": hunk #2 of fs/proc/cmdline.c applies only with fuzz 2 at line 40, offset -1 "
                  "lines: its context does not match this kernel's source, so it may change the "
                  "wrong lines; refresh the patch against this kernel, or check the result and "
                  "pass --allow-fuzz");
  }
  cfg_.allow_fuzz = true;
  BuildCtx allowed = ctx();
  allowed.tree = dir_ / "tree";
  check_patches(allowed);
  EXPECT_EQ(
      allowed.warnings,
      (std::vector<std::string>{
          (dir_ / "fix.patch").string() + ": hunk #1 of fs/proc/cmdline.c applies at line 12, offset 3 lines",
          (dir_ / "fix.patch").string() +
              ": hunk #2 of fs/proc/cmdline.c applies only with fuzz 2 at line 40, offset -1 lines (--allow-fuzz)"}));
  run_.commands.clear();
  apply_patches(allowed);
  EXPECT_EQ(run_.commands.back().find("--fuzz"), std::string::npos);
}

// GNU patch itself, on a tree made here: the hunk's context names one()
// but the change is in two(); patch would apply it with fuzz 1.
TEST(RealPatch, FuzzIsRefusedAndTheTreeLeftAlone) {
  fs::path dir = fs::temp_directory_path() / ("kpatch-fuzz-" + std::to_string(::getpid()));
  fs::create_directories(dir / "tree/kernel");
  const std::string source = "int one(void)\n{\n\treturn 1;\n}\n\nint two(void)\n{\n\treturn 2;\n}\n";
  std::ofstream(dir / "tree/kernel/a.c") << source;
  std::ofstream(dir / "fuzzy.patch") << "--- a/kernel/a.c\n+++ b/kernel/a.c\n@@ -6,4 +6,4 @@\n int one(void)\n {\n"
                                        "-\treturn 2;\n+\treturn 3;\n }\n";
  BuildConfig cfg;
  Manifest m;
  m.patches = {dir / "fuzzy.patch"};
  PosixRunner runner("");
  BuildCtx c(cfg, m, "6.1.0-test", runner);
  c.tree = dir / "tree";
  try {
    check_patches(c);
    ADD_FAILURE() << "fuzz accepted";
  } catch (const BuildError& e) {
    std::string msg = e.what();
    EXPECT_TRUE(msg.starts_with((dir / "fuzzy.patch").string() +
                                ": hunk #1 of kernel/a.c applies only with fuzz 1 at line 6: its context"))
        << msg;
  }
  std::ifstream in(dir / "tree/kernel/a.c");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), source);
  fs::remove_all(dir);
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

// Names that a dry run lets through but that would fail later, in make.
class PatchNames : public BuildStages {
 protected:
  std::string error_of(const std::string& patch) {
    std::ofstream(dir_ / "fix.patch") << patch;
    BuildCtx c = ctx();
    c.tree = dir_ / "tree";
    fs::create_directories(c.tree / "fs/proc");
    std::ofstream(c.tree / "fs/proc/cmdline.c") << "a\n";
    try {
      check_patches(c);
    } catch (const BuildError& e) {
      std::string msg = e.what();
      std::string prefix = (dir_ / "fix.patch").string();
      return msg.starts_with(prefix) ? "PATCH" + msg.substr(prefix.size()) : msg;
    }
    return "(no error)";
  }
};

TEST_F(PatchNames, ANewSourceFileIsRefusedBeforeCompiling) {
  EXPECT_EQ(error_of("--- /dev/null\n+++ b/kernel/new.c\n@@ -0,0 +1 @@\n+int x;\n"),
            "PATCH:2: creates kernel/new.c, which no Makefile of the kernel builds; put the new code in a file the "
            "kernel already builds (a new function in the file that calls it)");
}

TEST_F(PatchNames, AnAbsolutePathIsRefusedBeforePatchRuns) {
  EXPECT_EQ(error_of("--- a/fs/proc/cmdline.c\n+++ /home/me/linux/fs/proc/cmdline.c\n@@ -1 +1 @@\n-a\n+b\n"),
            "PATCH:2: '/home/me/linux/fs/proc/cmdline.c' is an absolute path; a patch names files relative to the "
            "top of the kernel tree (a/fs/proc/cmdline.c, b/fs/proc/cmdline.c)");
  EXPECT_EQ(error_of("--- a/fs/proc/cmdline.c\n+++ b/../../etc/motd\n@@ -1 +1 @@\n-a\n+b\n"),
            "PATCH:2: '../../etc/motd' leaves the kernel tree ('..')");
  EXPECT_TRUE(run_.commands.empty());
}

TEST_F(PatchNames, TheNewNameMustBeInTheTree) {
  EXPECT_EQ(error_of("--- a/fs/proc/cmdline.c\n+++ b/fs/proc/cmd-line.c\n@@ -1 +1 @@\n-a\n+b\n"),
            "PATCH:2: fs/proc/cmd-line.c is not in the kernel tree; the '---' and '+++' lines must name the same "
            "file (a/fs/proc/cmd-line.c, b/fs/proc/cmd-line.c)");
  // An added line that starts with "++ " is no file name.
  EXPECT_EQ(error_of("--- a/fs/proc/cmdline.c\n+++ b/fs/proc/cmdline.c\n@@ -1 +1,2 @@\n-a\n+++ b/x.c\n+b\n"),
            "(no error)");
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
    std::ofstream(c.tree / "fs/proc/.cmdline.o.cmd")
        << "cmd_fs/proc/cmdline.o := gcc -DKBUILD_MODNAME='\"cmdline\"' -c\n";
    std::ofstream(c.tree / "fs/.binfmt_misc.o.cmd")
        << "cmd_fs/binfmt_misc.o := gcc -DMODULE -DKBUILD_BASENAME='\"binfmt_misc\"' "
           "-DKBUILD_MODNAME='\"binfmt-misc\"' -c\n";
  };
  run_.on("make -C", {0, ""}, fake_make);
  compile_original(c);
  ASSERT_EQ(run_.commands.size(), 3u);
  EXPECT_EQ(run_.commands[2], "gcc-12 --version");  // the key of the original-object cache
  EXPECT_EQ(run_.commands[1], "make -C " + c.tree.string() +
                                  " -j3 KERNELRELEASE=6.1.0-56-cloud-amd64 CC=gcc-12 'KCFLAGS=-ffunction-sections "
                                  "-fdata-sections' fs/proc/cmdline.o fs/binfmt_misc.o");
  EXPECT_EQ(c.objects[0].parent, "vmlinux");
  EXPECT_EQ(c.objects[1].parent, "binfmt_misc");
  EXPECT_TRUE(fs::exists(dir_ / "work/orig/fs/proc/cmdline.o"));
}

// The original-object cache (pipeline/originals.cpp): a miss compiles and
// stores, a hit compiles nothing, a stale or corrupt entry is rebuilt.
class Originals : public BuildStages {
 protected:
  size_t makes() const {
    return static_cast<size_t>(std::count_if(run_.commands.begin(), run_.commands.end(),
                                             [](const std::string& s) { return s.starts_with("make -C"); }));
  }
  // A compile of the original cmdline.o; `body` is what the fake make writes.
  // The fake's rules are set once; what they answer follows version_ and body_.
  void SetUp() override {
    BuildStages::SetUp();
    run_.on("make -C", {0, ""}, [this](const Command&) {
      fs::path tree = dir_ / "tree";
      fs::create_directories(tree / "fs/proc");
      std::ofstream(tree / "fs/proc/cmdline.o") << body_;
      std::ofstream(tree / "fs/proc/.cmdline.o.cmd") << "cmd_fs/proc/cmdline.o := gcc -c\n";
    });
  }
  BuildCtx compiled(const std::string& body) {
    body_ = body;
    BuildCtx c = ctx();
    prepared(c);
    c.compiler_version = "gcc-12 (Debian 12.2.0-14+deb12u1) " + version_;  // as `gcc-12 --version` would say
    c.tree = dir_ / "tree";
    c.work = dir_ / ("work" + std::to_string(++n_));
    c.objects = {job("fs/proc/cmdline.o")};
    compile_original(c);
    return c;
  }
  std::string orig_of(const BuildCtx& c) {
    std::ifstream f(c.objects[0].orig);
    return {std::istreambuf_iterator<char>(f), {}};
  }
  fs::path entry() const { return dir_ / "cache/originals/fs%proc%cmdline.o"; }

  int n_ = 0;
  std::string version_ = "12.2.0", body_;
};

TEST_F(Originals, AMissCompilesAndStores) {
  BuildCtx c = compiled("first");
  EXPECT_EQ(makes(), 1u);
  EXPECT_EQ(c.originals_from_cache, 0u);
  EXPECT_TRUE(fs::exists(entry() / "object.o"));
  EXPECT_TRUE(fs::exists(entry() / "key"));
}

TEST_F(Originals, AHitCompilesNothing) {
  compiled("first");
  BuildCtx c = compiled("second");  // would write "second" if make ran
  EXPECT_EQ(makes(), 1u);
  EXPECT_EQ(c.originals_from_cache, 1u);
  EXPECT_EQ(orig_of(c), "first");
  EXPECT_EQ(c.objects[0].parent, "vmlinux");
}

TEST_F(Originals, AnotherCompilerMakesTheEntryStale) {
  compiled("first");
  version_ = "12.3.0";
  BuildCtx c = compiled("second");
  EXPECT_EQ(makes(), 2u);
  EXPECT_EQ(orig_of(c), "second");
  BuildCtx again = compiled("third");  // the replaced entry is used
  EXPECT_EQ(makes(), 2u);
  EXPECT_EQ(orig_of(again), "second");
}

TEST_F(Originals, OtherFlagsMakeTheEntryStale) {
  compiled("first");
  std::ofstream(dir_ / "cache/make.args") << "KERNELRELEASE=6.1.0-56-cloud-amd64\nCC=gcc-12\nKCFLAGS=-O1\n";
  BuildCtx c = compiled("second");
  EXPECT_EQ(makes(), 2u);
  EXPECT_EQ(orig_of(c), "second");
}

// An original never reads kpatch's headers (only a patched file includes
// them), and they are not in KCFLAGS: another checkout, or other headers,
// take the same entry.
TEST_F(Originals, KpatchHeadersAreNotPartOfTheKey) {
  for (const char* d : {"kmod-a", "kmod-b"}) {
    fs::create_directories(dir_ / d);
    std::ofstream(dir_ / d / "kpatch-macros.h") << "#define X " << d << "\n";
  }
  cfg_.kmod_dir = dir_ / "kmod-a";
  compiled("first");
  cfg_.kmod_dir = dir_ / "kmod-b";
  BuildCtx c = compiled("second");
  EXPECT_EQ(makes(), 1u);
  EXPECT_EQ(orig_of(c), "first");
}

// kpatch's headers go into the view's include/, where every object's
// include path finds them; the kernel's own header of a name is refused.
TEST_F(BuildStages, TheWorkdirGetsKpatchsHeadersInItsInclude) {
  fs::create_directories(dir_ / "kmod");
  for (const char* f : {"kpatch-macros.h", "kpatch.h", "patch-hook.c"}) std::ofstream(dir_ / "kmod" / f) << f;
  cfg_.kmod_dir = dir_ / "kmod";
  BuildCtx c = ctx();
  c.work = dir_ / "w1";
  run_.on("kernel-tree workdir", {0, ""},
          [&](const Command&) { fs::create_directories(c.work / "tree/include/linux"); });
  make_workdir(c);
  EXPECT_EQ(read_file((c.tree / "include/kpatch-macros.h").string()), "kpatch-macros.h");
  EXPECT_EQ(read_file((c.tree / "include/kpatch.h").string()), "kpatch.h");
  EXPECT_FALSE(fs::exists(c.tree / "include/patch-hook.c"));  // headers only
  BuildCtx d = ctx();
  d.work = dir_ / "w2";
  fs::create_directories(d.work / "tree/include");
  std::ofstream(d.work / "tree/include/kpatch.h") << "the kernel's";
  try {
    make_workdir(d);
    FAIL();
  } catch (const BuildError& e) {
    EXPECT_EQ(std::string(e.what()), (d.work / "tree/include/kpatch.h").string() +
                                         ": the kernel tree has a header of this name; kpatch's kpatch.h cannot be "
                                         "put beside it");
  }
}

TEST_F(Originals, ACorruptEntryIsRebuilt) {
  compiled("first");
  std::ofstream(entry() / "object.o") << "firsX";  // same size, other bytes
  BuildCtx c = compiled("second");
  EXPECT_EQ(makes(), 2u);
  EXPECT_EQ(orig_of(c), "second");
  fs::resize_file(entry() / "object.o", 0);  // an empty object
  compiled("third");
  EXPECT_EQ(makes(), 3u);
  fs::remove(entry() / "sum");  // an entry without its checksum
  BuildCtx last = compiled("fourth");
  EXPECT_EQ(makes(), 4u);
  EXPECT_EQ(orig_of(last), "fourth");
}

TEST_F(Originals, NoCacheWithoutACacheDir) {
  BuildCtx c = ctx();
  c.tree = dir_ / "tree";
  c.objects = {job("fs/proc/cmdline.o")};
  run_.on("make -C", {0, ""}, [&](const Command&) {
    fs::create_directories(c.tree / "fs/proc");
    std::ofstream(c.tree / "fs/proc/cmdline.o") << "x";
    std::ofstream(c.tree / "fs/proc/.cmdline.o.cmd") << "cmd := gcc -c\n";
  });
  compile_original(c);  // -s: target.cache is empty
  EXPECT_FALSE(fs::exists(dir_ / "cache/originals"));
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
    EXPECT_EQ(std::string(e.what()),
              "compiling the patched objects failed:\nfs/proc/cmdline.c:9:2: error: expected ';'\n");
  }
  // A compile error is make's once: no second run.
  EXPECT_EQ(std::count_if(run_.commands.begin(), run_.commands.end(),
                          [](const std::string& cmd) { return cmd.starts_with("make -C"); }),
            1);
}

// A single-target make can reach one object through two directories'
// sub-makes (6.12: arch/x86/lib/clear_page_64.o), which race under -j; the
// -j1 run that follows a failure builds it.
TEST_F(BuildStages, AMakeThatFailsUnderJobsIsRunOnceMoreWithOne) {
  BuildCtx c = ctx();
  prepared(c);
  c.tree = dir_ / "tree";
  c.objects = {job("arch/x86/lib/clear_page_64.o")};
  fs::create_directories(c.tree / "arch/x86/lib");
  run_.on(" -j1 ", {0, ""}, [&](const Command&) {
    std::ofstream(c.tree / "arch/x86/lib/clear_page_64.o") << "obj";
    std::ofstream(c.tree / "arch/x86/lib/.clear_page_64.o.cmd") << "savedcmd_arch/x86/lib/clear_page_64.o := as\n";
  });
  run_.on("make -C", {2, "fixdep: error opening file: arch/x86/lib/.clear_page_64.o.d: No such file or directory\n"});
  compile_patched(c);
  std::vector<std::string> makes;
  for (const std::string& cmd : run_.commands)
    if (cmd.starts_with("make -C")) makes.push_back(cmd);
  ASSERT_EQ(makes.size(), 2u);
  EXPECT_NE(makes[0].find(" -j3 "), std::string::npos) << makes[0];
  EXPECT_NE(makes[1].find(" -j1 "), std::string::npos) << makes[1];
  EXPECT_EQ(read_file(c.objects[0].patched.string()), "obj");
}

TEST(BuildHelpers, FilesInPatchHandlesTimestampsAndNewFiles) {
  EXPECT_EQ(files_in_patch("--- /dev/null\n+++ b/kernel/new.c\t2024\n--- a/x.c\n+++ /dev/null\n"),
            std::vector<std::string>{"kernel/new.c"});
}

TEST(BuildHelpers, CStringEscapes) {
  EXPECT_EQ(c_string("a \"b\"\\\n"), "\"a \\\"b\\\"\\\\\\012\"");
}

// Manifest text in the module's C metadata: no raw control character, and
// an octal escape that a following digit cannot extend (common/text.h).
TEST(BuildHelpers, CStringEscapesControlCharacters) {
  EXPECT_EQ(c_string(std::string("a\x1b"
                                 "1\r\0",
                                 5)),
            "\"a\\0331\\015\\000\"");
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// -s SRCDIR: a configured, prepared tree of the user's instead of the cache.
class SourceTree : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kpatch-srctree-" + std::to_string(::getpid()));
    src_ = dir_ / "linux";
    fs::create_directories(src_ / "include/generated");
    fs::create_directories(src_ / "fs/binfmt");
    fs::create_directories(dir_ / "work");
    std::ofstream(src_ / "Makefile") << "VERSION = 6\n";
    std::ofstream(src_ / ".config") << "CONFIG_CC_VERSION_TEXT=\"gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0\"\n";
    std::ofstream(src_ / "include/generated/autoconf.h") << "#define CONFIG_X86 1\n";
    std::ofstream(src_ / "include/generated/utsrelease.h") << "#define UTS_RELEASE \"6.1.0-test\"\n";
    std::ofstream(src_ / "vmlinux") << "ELF";
    std::ofstream(src_ / "Module.symvers") << "";
    cfg_.tools_dir = "/tools";
    cfg_.sourcedir = src_;
  }
  void TearDown() override { fs::remove_all(dir_); }

  BuildCtx ctx() {
    BuildCtx c(cfg_, Manifest{}, src_.string(), run_);
    c.work = dir_ / "work";
    return c;
  }
  std::string error_of(void (*pass)(BuildCtx&)) {
    BuildCtx c = ctx();
    try {
      pass(c);
    } catch (const BuildError& e) {
      return e.what();
    }
    return "(no error)";
  }

  fs::path dir_, src_;
  BuildConfig cfg_;
  FakeRunner run_;
};

TEST_F(SourceTree, PrepareReadsTheTreeAndRunsOnlyReadelf) {
  run_.on("readelf -s --wide", {0, "Symbol table '.symtab' contains 1 entries:\n"});
  BuildCtx c = ctx();
  prepare_target(c);
  EXPECT_EQ(run_.commands,
            (std::vector<std::string>{"gcc-12 --version", "readelf -s --wide " + (src_ / "vmlinux").string()}));
  EXPECT_EQ(c.target.release, "6.1.0-test");
  EXPECT_EQ(c.target.make_args, (std::vector<std::string>{"KERNELRELEASE=6.1.0-test", "CC=gcc-12",
                                                          "KCFLAGS=-ffunction-sections -fdata-sections"}));
  EXPECT_EQ(c.target.config, src_ / ".config");
  EXPECT_EQ(c.target.symvers, src_ / "Module.symvers");
  EXPECT_EQ(c.target.vmlinux_symtab, dir_ / "work/vmlinux.symtab");
  EXPECT_EQ(read_file(c.target.vmlinux_symtab), "Symbol table '.symtab' contains 1 entries:\n");
  EXPECT_EQ(c.target.src, src_);
  EXPECT_TRUE(c.target.cache.empty());
}

TEST_F(SourceTree, ExplicitFilesAndFallbacks) {
  fs::remove(src_ / "include/generated/utsrelease.h");
  fs::remove(src_ / "Module.symvers");
  fs::create_directories(dir_ / "dbg");
  std::ofstream(dir_ / "dbg/vmlinux") << "ELF";
  std::ofstream(dir_ / "dbg/Module.symvers") << "";
  std::ofstream(dir_ / "my.config") << "CONFIG_CC_VERSION_TEXT=\"clang-99 version 99\"\n";
  cfg_.vmlinux = dir_ / "dbg/vmlinux";
  cfg_.config = dir_ / "my.config";
  run_.on("clang-99 --version", {127, "clang-99: not found\n"});
  run_.on("kernelrelease", {0, "6.1.0-made\n"});
  BuildCtx c = ctx();
  prepare_target(c);
  EXPECT_EQ(run_.commands,
            (std::vector<std::string>{"make -s -C " + src_.string() + " kernelrelease", "clang-99 --version",
                                      "readelf -s --wide " + (dir_ / "dbg/vmlinux").string()}));
  EXPECT_EQ(c.target.release, "6.1.0-made");
  EXPECT_EQ(c.target.make_args[1], "CC=gcc");
  EXPECT_EQ(c.target.symvers, dir_ / "dbg/Module.symvers");
}

TEST_F(SourceTree, UnpreparedTreeIsRefused) {
  fs::remove(src_ / "include/generated/autoconf.h");
  EXPECT_EQ(error_of(prepare_target), (src_ / "include/generated/autoconf.h").string() +
                                          ": not found; the kernel tree is not prepared: run `make olddefconfig "
                                          "modules_prepare` in " +
                                          src_.string() + " first");
  EXPECT_TRUE(run_.commands.empty());
}

TEST_F(SourceTree, UnconfiguredTreeIsRefused) {
  fs::remove(src_ / ".config");
  EXPECT_EQ(error_of(prepare_target),
            (src_ / ".config").string() + ": not found; the kernel tree must be configured (or pass -c CONFIG)");
}

TEST_F(SourceTree, VmlinuxIsRequired) {
  fs::remove(src_ / "vmlinux");
  EXPECT_EQ(error_of(prepare_target),
            src_.string() + " has no vmlinux: pass -v VMLINUX, the unstripped vmlinux of the running kernel");
}

TEST_F(SourceTree, SymversIsRequired) {
  fs::remove(src_ / "Module.symvers");
  EXPECT_EQ(error_of(prepare_target), "no Module.symvers in " + src_.string() + " or next to " +
                                          (src_ / "vmlinux").string() + ": pass --symvers FILE");
}

TEST_F(SourceTree, WorkdirIsAViewOfTheTree) {
  BuildCtx c = ctx();
  prepare_target(c);
  run_.commands.clear();
  make_workdir(c);
  release_workdir(c);
  EXPECT_EQ(run_.commands, (std::vector<std::string>{
                               "/tools/kernel-tree workdir-of " + src_.string() + " " + (dir_ / "work/tree").string(),
                               "/tools/kernel-tree release " + (dir_ / "work/tree").string()}));
}

TEST_F(SourceTree, ModuleSymtabsAreMadeFromTheBuiltModules) {
  BuildCtx c = ctx();
  prepare_target(c);
  EXPECT_EQ(error_of([](BuildCtx& c) {
              prepare_target(c);
              module_symtab(c, "binfmt_misc");
            }),
            "module 'binfmt_misc': no binfmt_misc.ko (nor .ko.xz, .ko.zst, .ko.gz) in " + src_.string() +
                "; build the kernel's modules in the tree first (make modules)");
  std::ofstream(src_ / "fs/binfmt/binfmt-misc.ko") << "ELF";
  run_.on("readelf -s --wide " + (src_ / "fs/binfmt/binfmt-misc.ko").string(), {0, "FILE binfmt_misc.c\n"});
  run_.commands.clear();
  fs::path p = module_symtab(c, "binfmt_misc");
  EXPECT_EQ(p, dir_ / "work/module-symtabs/binfmt_misc.ko.symtab");
  EXPECT_EQ(read_file(p), "FILE binfmt_misc.c\n");
  EXPECT_EQ(module_symtab(c, "binfmt_misc"), p);  // made once
  EXPECT_EQ(run_.commands.size(), 1u);
}

// CONFIG_MODVERSIONS: Kbuild's #SYMVER lines, before and after the patch.
TEST(BuildHelpers, SymverLinesAreReadFromTheCmdFile) {
  auto crcs = read_symvers_lines(
      "cmd_kernel/groups.o := gcc -c\nkernel/groups.o: $(wildcard ./tools/objtool/objtool)\n"
      "#SYMVER groups_sort 0xa23ffc04\n#SYMVER set_groups 0xba90be11\n");
  EXPECT_EQ(crcs, (std::map<std::string, std::string>{{"groups_sort", "0xa23ffc04"}, {"set_groups", "0xba90be11"}}));
}

TEST_F(BuildStages, ChangedExportCrcIsRefusedNamingTheSymbol) {
  BuildCtx c = ctx();
  ObjectJob o = job("kernel/groups.o");
  o.crcs_orig = {{"groups_sort", "0xa23ffc04"}, {"set_groups", "0xba90be11"}};
  o.crcs_patched = {{"groups_sort", "0xa23ffc04"}, {"set_groups", "0xc94d9bc6"}};
  c.objects = {o};
  try {
    check_exported_crcs(c);
    FAIL();
  } catch (const BuildError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("kernel/groups.o: exported symbol 'set_groups' would change its CRC from 0xba90be11 to "
                       "0xc94d9bc6 (CONFIG_MODVERSIONS)"),
              std::string::npos)
        << msg;
    EXPECT_EQ(msg.find("groups_sort"), std::string::npos) << msg;
  }
  // Refused as the differ refuses an object: --check and the summary say
  // "refused", with this reason under the object.
  EXPECT_EQ(c.objects[0].diff_status, static_cast<int>(ExitCode::Unsupported));
  EXPECT_NE(c.objects[0].messages.find("exported symbol 'set_groups' would change its CRC"), std::string::npos);
  EXPECT_EQ(check_result(c), "refused");
  c.objects[0].diff_status = -1;
  c.objects[0].messages.clear();
  c.objects[0].crcs_patched["set_groups"] = "0xba90be11";
  EXPECT_NO_THROW(check_exported_crcs(c));
}

}  // namespace
}  // namespace kp
