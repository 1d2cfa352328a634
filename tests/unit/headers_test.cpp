// Finding the objects a changed header reaches (build/headers.cpp), on a
// small tree written by the test: #include scanning, the compiler's search
// order, -I directories only a Makefile knows, and the limits.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "pipeline/headers.h"
#include "fake_runner.h"

namespace kp {
namespace {

using testing::FakeRunner;

TEST(ScanIncludes, FindsEveryForm) {
  std::string text =
      "#include <linux/a.h>\n"
      "  #  include \"local.h\"\n"
      "#include_next <linux/n.h>\n"
      "#\tinclude<tight.h>\n"
      "#include TRACE_INCLUDE(TRACE_INCLUDE_FILE)\n"
      "// #include <commented.h>\n"
      "x = 1; #include <not_first.h>\n"
      "#define F #include <in_a_macro.h>\n"
      "#include <unterminated.h\n"
      "#include \"last.h\"";
  std::vector<Include> want = {{"linux/a.h", true, false},
                               {"local.h", false, false},
                               {"linux/n.h", true, true},
                               {"tight.h", true, false},
                               {"last.h", false, false}};
  EXPECT_EQ(scan_includes(text), want);
}

class Headers : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_ = fs::temp_directory_path() / ("kpatch-headers-" + std::to_string(::getpid()));
    fs::remove_all(tree_);
    write("include/linux/a.h", "#include <linux/b.h>\n");
    write("include/linux/b.h", "int b;\n");
    write("include/linux/kconfig.h", "\n");
    write("include/uapi/linux/b.h", "int ub;\n");
    write("arch/x86/include/asm/c.h", "#include <linux/b.h>\n");
    write("arch/x86/include/asm/n.h", "#include_next <asm/n.h>\n");
    write("include/asm-generic/n.h", "\n");
    write("include/asm/n.h", "#include <linux/a.h>\n");
    write("drivers/foo/local.h", "\n");
    write("drivers/foo/one.c", "#include <linux/a.h>\n#include \"local.h\"\n");
    write("drivers/foo/sub/inc.h", "#include \"../local.h\"\n");
    write("drivers/foo/two.c", "#include \"sub/inc.h\"\n");
    write("drivers/bar/three.c", "#include <asm/c.h>\n");
    write("drivers/bar/include/priv.h", "#include <linux/b.h>\n");
    write("drivers/bar/four.c", "#include \"priv.h\"\n");  // found through a Makefile's -I
    write("drivers/baz/five.c", "int five;\n");
    write("drivers/baz/six.c", "#include <asm/n.h>\n");
    write("arch/arm/kernel/seven.c", "#include <linux/b.h>\n");
    write("tools/include/linux/b.h", "\n");
  }
  void TearDown() override { fs::remove_all(tree_); }

  void write(const std::string& rel, const std::string& text) {
    fs::create_directories((tree_ / rel).parent_path());
    std::ofstream(tree_ / rel) << text;
  }

  std::vector<std::string> roots() {
    IncludeGraph g(tree_, "x86");
    std::set<std::string> names = {"one.c", "two.c", "three.c", "four.c", "five.c", "six.c", "seven.c"};
    std::vector<std::string> out;
    for (std::string& f : g.files_with_extension({".c", ".S"}))
      if (may_be_built(f, names, "x86")) out.push_back(f);
    return out;
  }

  fs::path tree_;
};

TEST_F(Headers, ResolvesLikeTheCompiler) {
  IncludeGraph g(tree_, "x86");
  using V = std::vector<std::string>;
  // "" looks next to the including file first, then the -I list.
  EXPECT_EQ(g.resolve("drivers/foo/one.c", {"local.h", false, false}), V{"drivers/foo/local.h"});
  EXPECT_EQ(g.resolve("drivers/foo/sub/inc.h", {"../local.h", false, false}), V{"drivers/foo/local.h"});
  // <> follows LINUXINCLUDE: include/ before include/uapi/.
  EXPECT_EQ(g.resolve("drivers/foo/one.c", {"linux/b.h", true, false}), V{"include/linux/b.h"});
  // arch/x86/include before include/.
  EXPECT_EQ(g.resolve("drivers/baz/six.c", {"asm/n.h", true, false}), V{"arch/x86/include/asm/n.h"});
  // #include_next: every later hit.
  EXPECT_EQ(g.resolve("arch/x86/include/asm/n.h", {"asm/n.h", true, true}), V{"include/asm/n.h"});
  // Not on the standard paths: every file whose path ends in the name
  // (tools/ is not listed).
  EXPECT_EQ(g.resolve("drivers/bar/four.c", {"priv.h", false, false}), V{"drivers/bar/include/priv.h"});
  EXPECT_EQ(g.resolve("drivers/bar/four.c", {"stdio.h", true, false}), V{});
}

TEST_F(Headers, IncludersDirectAndIndirect) {
  IncludeGraph g(tree_, "x86");
  std::vector<std::string> r = roots();
  EXPECT_EQ(r, (std::vector<std::string>{"drivers/bar/four.c", "drivers/bar/three.c", "drivers/baz/five.c",
                                         "drivers/baz/six.c", "drivers/foo/one.c", "drivers/foo/two.c"}));
  EXPECT_EQ(g.includers(r, "include/linux/b.h"),
            (std::vector<std::string>{"drivers/bar/four.c", "drivers/bar/three.c", "drivers/baz/six.c",
                                      "drivers/foo/one.c"}));
  EXPECT_EQ(g.includers(r, "drivers/foo/local.h"),
            (std::vector<std::string>{"drivers/foo/one.c", "drivers/foo/two.c"}));
  EXPECT_EQ(g.includers(r, "include/uapi/linux/b.h"), std::vector<std::string>{});
  EXPECT_EQ(g.includers(r, "include/linux/not_there.h"), std::vector<std::string>{});
}

TEST_F(Headers, ForcedIncludeReachesEveryRoot) {
  IncludeGraph g(tree_, "x86");
  std::vector<std::string> r = roots();
  EXPECT_EQ(g.includers(r, "include/linux/kconfig.h"), r);
}

TEST(MayBeBuilt, ByBaseNameAndArchitecture) {
  std::set<std::string> names = {"core.c", "entry_64.o"};
  EXPECT_TRUE(may_be_built("kernel/sched/core.c", names, "x86"));
  EXPECT_TRUE(may_be_built("drivers/base/core.c", names, "x86"));  // a filter, not a proof
  EXPECT_TRUE(may_be_built("arch/x86/entry/entry_64.S", names, "x86"));
  EXPECT_FALSE(may_be_built("arch/arm64/kernel/core.c", names, "x86"));
  EXPECT_FALSE(may_be_built("kernel/fork.c", names, "x86"));
}

TEST(BuiltSourceNames, FromFileSymbols) {
  fs::path dir = fs::temp_directory_path() / ("kpatch-built-" + std::to_string(::getpid()));
  fs::create_directories(dir / "mods/kernel/fs");
  std::ofstream(dir / "vmlinux.symtab") << "\nSymbol table '.symtab' contains 4 entries:\n"
                                           "   Num:    Value          Size Type    Bind   Vis      Ndx Name\n"
                                           "     1: 0000000000000000     0 FILE    LOCAL  DEFAULT  ABS cmdline.c\n"
                                           "     2: ffffffff813f5980    42 FUNC    LOCAL  DEFAULT    1 f\n"
                                           "     3: 0000000000000000     0 FILE    LOCAL  DEFAULT  ABS entry_64.o\n";
  std::ofstream(dir / "mods/kernel/fs/binfmt_misc.ko.symtab")
      << "    37: 0000000000000000     0 FILE    LOCAL  DEFAULT  ABS binfmt_misc.mod.c\n"
         "    46: 0000000000000000     0 FILE    LOCAL  DEFAULT  ABS binfmt_misc.c\n";
  EXPECT_EQ(built_source_names(dir / "vmlinux.symtab", dir / "mods"),
            (std::set<std::string>{"binfmt_misc.c", "cmdline.c", "entry_64.o"}));
  fs::remove_all(dir);
}

// add_header_objects with a fake make: the limit, the compile command, and
// candidates that do not compile.
class HeaderObjects : public Headers {
 protected:
  void SetUp() override {
    Headers::SetUp();
    cache_ = tree_.string() + "-cache";
    fs::create_directories(cache_);
    std::ofstream(cache_ / "vmlinux.symtab") << "     1: 0000000000000000     0 FILE    LOCAL  DEFAULT  ABS one.c\n"
                                                "     2: 0000000000000000     0 FILE    LOCAL  DEFAULT  ABS two.c\n";
    cfg_.jobs = 3;
  }
  void TearDown() override {
    Headers::TearDown();
    fs::remove_all(cache_);
  }
  BuildCtx ctx() {
    BuildCtx c(cfg_, Manifest{}, "6.1.0-56-cloud-amd64", run_);
    c.tree = tree_;
    c.target.vmlinux_symtab = cache_ / "vmlinux.symtab";
    c.target.module_symtabs = cache_ / "module-symtabs";
    c.target.make_args = {"KERNELRELEASE=6.1.0-56-cloud-amd64"};
    return c;
  }
  fs::path cache_;
  BuildConfig cfg_;
  FakeRunner run_;
};

TEST_F(HeaderObjects, CompilesTheCandidatesAndDropsWhatDoesNotCompile) {
  BuildCtx c = ctx();
  run_.on("make", {2, "drivers/foo/two.c:1: error\n"});
  try {
    add_header_objects(c, {"drivers/foo/local.h"});
    FAIL() << "expected a BuildError";
  } catch (const BuildError& e) {
    EXPECT_EQ(std::string(e.what()),
              "none of the 2 objects that include the changed headers compiled:\ndrivers/foo/two.c:1: error\n");
  }
  EXPECT_EQ(run_.commands, std::vector<std::string>{"make -k -C " + tree_.string() +
                                                    " -j3 KERNELRELEASE=6.1.0-56-cloud-amd64 drivers/foo/one.o "
                                                    "drivers/foo/two.o"});
}

TEST_F(HeaderObjects, ObjectsAlreadyChangedAreNotCompiledTwice) {
  BuildCtx c = ctx();
  c.objects.push_back(ObjectJob{});
  c.objects.back().path = "drivers/foo/one.o";
  EXPECT_THROW(add_header_objects(c, {"drivers/foo/local.h"}), BuildError);
  ASSERT_EQ(run_.commands.size(), 1u);
  EXPECT_EQ(run_.commands[0].find("one.o"), std::string::npos);
}

TEST_F(HeaderObjects, TooManyIncluders) {
  std::ofstream names(cache_ / "vmlinux.symtab");
  for (size_t i = 0; i <= kMaxHeaderObjects; ++i) {
    write("many/f" + std::to_string(i) + ".c", "#include <linux/b.h>\n");
    names << "     1: 0000000000000000     0 FILE    LOCAL  DEFAULT  ABS f" << i << ".c\n";
  }
  names.close();
  BuildCtx c = ctx();
  try {
    add_header_objects(c, {"include/linux/b.h"});
    FAIL() << "expected a BuildError";
  } catch (const BuildError& e) {
    EXPECT_EQ(std::string(e.what()),
              "include/linux/b.h: included by 201 objects this configuration may build; too many to patch live "
              "safely (the limit is 200); change the .c files that need the fix instead");
  }
  EXPECT_TRUE(run_.commands.empty());
}

}  // namespace
}  // namespace kp
