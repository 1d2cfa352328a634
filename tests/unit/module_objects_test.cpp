// The cache of the module link's compiled objects (pipeline/module_objects.cpp):
// real compiles with gcc's dependency files, in two module dirs of one
// tree, and what a lookup says after each kind of change.
#include "pipeline/module_objects.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "fake_runner.h"
#include "support/file.h"

namespace kp {
namespace {

class ModuleObjects : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kpatch-module-objects-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "tree/include/linux");
    fs::create_directories(dir_ / "src");
    fs::create_directories(dir_ / "cache");
    std::ofstream(dir_ / "tree/include/linux/hook.h") << "#define HOOK_VALUE 42\n";
    manifest_.id = "fix";
  }
  void TearDown() override { fs::remove_all(dir_); }

  BuildCtx ctx() {
    BuildCtx c(cfg_, manifest_, "6.1.0-56-cloud-amd64", run_);
    c.tree = dir_ / "tree";
    c.target.src = dir_ / "src";
    c.target.cache = dir_ / "cache";
    c.compiler_version = "gcc (Debian 12.2.0-14+deb12u1) 12.2.0";
    c.changed_files = {"fs/proc/cmdline.c"};
    fs::create_directories(c.target.src / "fs/proc");
    std::ofstream(c.target.src / "fs/proc/cmdline.c");
    return c;
  }
  // A module dir with the hook source, and the Kbuild-like command that
  // compiles it there (run in the tree, as the recipe runs it).
  fs::path module_dir(const std::string& name) {
    fs::path d = dir_ / name / "module";
    fs::create_directories(d);
    std::ofstream(d / "patch-hook.c") << "#include <linux/hook.h>\nint hook(void) { return HOOK_VALUE; }\n";
    return d;
  }
  std::string command(const fs::path& d) {
    return std::string(KP_UNIT_CC) + " -Wp,-MMD," + d.string() + "/.patch-hook.o.d -nostdinc -I./include" +
           " -DKBUILD_MODNAME='\"kpatch_fix\"' -c -o " + d.string() + "/patch-hook.o " + d.string() + "/patch-hook.c";
  }
  void compile(const fs::path& d, const std::string& cmd) {
    std::string in_tree = "cd " + (dir_ / "tree").string() + " && " + cmd;
    ASSERT_EQ(std::system(in_tree.c_str()), 0) << cmd;
    ASSERT_TRUE(fs::exists(d / "patch-hook.o"));
  }

  fs::path dir_;
  BuildConfig cfg_;
  Manifest manifest_;
  testing::FakeRunner run_;
  InputDigests digests_;
};

TEST_F(ModuleObjects, AnObjectIsReusedInAnotherDirWhenEveryInputIsTheSame) {
  BuildCtx c = ctx();
  fs::path a = module_dir("a");
  EXPECT_EQ(reuse_module_object(c, command(a), a, a / "patch-hook.o", digests_), CacheLookup::Miss);
  compile(a, command(a));
  EXPECT_EQ(keep_module_object(c, command(a), a, a / "patch-hook.o", digests_), "");
  std::string inputs;
  for (const auto& e : fs::directory_iterator(dir_ / "cache/module-objects"))
    inputs = read_file((e.path() / "inputs").string()).value_or("");
  EXPECT_NE(inputs.find(" @DIR@/patch-hook.c\n"), std::string::npos) << inputs;
  EXPECT_NE(inputs.find(" include/linux/hook.h\n"), std::string::npos) << inputs;

  fs::path b = module_dir("b");
  InputDigests fresh;
  ASSERT_EQ(reuse_module_object(c, command(b), b, b / "patch-hook.o", fresh), CacheLookup::Hit);
  EXPECT_EQ(read_file((b / "patch-hook.o").string()), read_file((a / "patch-hook.o").string()));
}

TEST_F(ModuleObjects, AChangedInputOrCommandOrCompilerIsCompiledAgain) {
  BuildCtx c = ctx();
  fs::path a = module_dir("a");
  compile(a, command(a));
  ASSERT_EQ(keep_module_object(c, command(a), a, a / "patch-hook.o", digests_), "");

  fs::path b = module_dir("b");
  std::ofstream(dir_ / "tree/include/linux/hook.h") << "#define HOOK_VALUE 43\n";  // a patched header
  InputDigests d1;
  EXPECT_EQ(reuse_module_object(c, command(b), b, b / "patch-hook.o", d1), CacheLookup::Stale);
  EXPECT_FALSE(fs::exists(b / "patch-hook.o"));

  std::ofstream(dir_ / "tree/include/linux/hook.h") << "#define HOOK_VALUE 42\n";
  std::ofstream(b / "patch-hook.c", std::ios::app) << "int more;\n";  // another source
  InputDigests d2;
  EXPECT_EQ(reuse_module_object(c, command(b), b, b / "patch-hook.o", d2), CacheLookup::Stale);

  fs::path e = module_dir("e");
  InputDigests d3;
  std::string other = command(e) + " -O2";
  EXPECT_EQ(reuse_module_object(c, other, e, e / "patch-hook.o", d3), CacheLookup::Miss);
  c.compiler_version = "gcc (Debian 12.2.0-14+deb12u2) 12.2.0";
  EXPECT_EQ(reuse_module_object(c, command(e), e, e / "patch-hook.o", d3), CacheLookup::Miss);
}

TEST_F(ModuleObjects, ADamagedEntryIsCorruptAndReplacedByTheNextCompile) {
  BuildCtx c = ctx();
  fs::path a = module_dir("a");
  compile(a, command(a));
  ASSERT_EQ(keep_module_object(c, command(a), a, a / "patch-hook.o", digests_), "");
  fs::path entry = fs::directory_iterator(dir_ / "cache/module-objects")->path();
  fs::resize_file(entry / "object.o", 10);  // an interrupted copy
  fs::path b = module_dir("b");
  InputDigests d1;
  EXPECT_EQ(reuse_module_object(c, command(b), b, b / "patch-hook.o", d1), CacheLookup::Corrupt);
  compile(b, command(b));
  ASSERT_EQ(keep_module_object(c, command(b), b, b / "patch-hook.o", d1), "");
  fs::path e = module_dir("e");
  InputDigests d2;
  EXPECT_EQ(reuse_module_object(c, command(e), e, e / "patch-hook.o", d2), CacheLookup::Hit);
  std::ofstream(entry / "inputs") << "garbage";
  InputDigests d3;
  EXPECT_EQ(reuse_module_object(c, command(e), e, e / "patch-hook.o", d3), CacheLookup::Corrupt);
}

// A build of another tree (a patched header) replacing the entry while
// this one reads it: this tree's inputs with the other's object is no hit.
TEST_F(ModuleObjects, InputsAndObjectOfTwoWritersDoNotMakeAHit) {
  BuildCtx c = ctx();
  fs::path a = module_dir("a");
  compile(a, command(a));
  ASSERT_EQ(keep_module_object(c, command(a), a, a / "patch-hook.o", digests_), "");
  fs::path entry = fs::directory_iterator(dir_ / "cache/module-objects")->path();
  std::string ours = read_file((entry / "inputs").string()).value_or("");

  std::ofstream(dir_ / "tree/include/linux/hook.h") << "#define HOOK_VALUE 43\n";
  fs::path b = module_dir("b");
  compile(b, command(b));
  InputDigests theirs;
  ASSERT_EQ(keep_module_object(c, command(b), b, b / "patch-hook.o", theirs), "");
  ASSERT_NE(read_file((entry / "inputs").string()), ours);

  std::ofstream(dir_ / "tree/include/linux/hook.h") << "#define HOOK_VALUE 42\n";
  std::ofstream(entry / "inputs") << ours;  // the first read saw our writer's inputs
  fs::path e = module_dir("e");
  InputDigests d;
  EXPECT_EQ(reuse_module_object(c, command(e), e, e / "patch-hook.o", d), CacheLookup::Corrupt);
}

TEST_F(ModuleObjects, NothingIsKeptOrReusedWhereTheInputsCannotBeKnown) {
  BuildCtx c = ctx();
  fs::path a = module_dir("a");
  // No dependency file in the command: nothing to key the object by.
  std::string plain = std::string(KP_UNIT_CC) + " -nostdinc -I./include -c -o " + (a / "patch-hook.o").string() + " " +
                      (a / "patch-hook.c").string();
  compile(a, plain);
  EXPECT_EQ(keep_module_object(c, plain, a, a / "patch-hook.o", digests_), "");
  EXPECT_FALSE(fs::exists(dir_ / "cache/module-objects"));

  // A patch that adds a file: it could shadow a header found further down
  // the include path, which no dependency file shows.
  compile(a, command(a));
  ASSERT_EQ(keep_module_object(c, command(a), a, a / "patch-hook.o", digests_), "");
  c.changed_files.push_back("include/linux/new.h");
  fs::path b = module_dir("b");
  InputDigests d1;
  EXPECT_EQ(reuse_module_object(c, command(b), b, b / "patch-hook.o", d1), CacheLookup::Miss);

  // A tree without a cache dir (-s).
  BuildCtx s = ctx();
  s.target.cache.clear();
  EXPECT_EQ(reuse_module_object(s, command(b), b, b / "patch-hook.o", d1), CacheLookup::Miss);
}

}  // namespace
}  // namespace kp
