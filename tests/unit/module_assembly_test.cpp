// The patch module's assembly (pipeline/module.cpp): where Kbuild runs
// objtool on the module link (IBT kernels such as Debian's 6.12), objtool's
// tables are taken out of the differ's outputs first, so that objtool
// writes them for the whole module instead of skipping them because one
// object already had some. objcopy runs for real on a small object; make
// is only recorded.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "pipeline/context.h"
#include "sys/process.h"

namespace kp {
namespace {

namespace fs = std::filesystem;

// Runs objcopy, records everything, answers make with success.
class ObjcopyRunner : public Runner {
 public:
  ProcResult run(const Command& cmd) override {
    commands.push_back(cmd.str());
    return cmd.argv.at(0) == "objcopy" ? real_.run(cmd) : ProcResult{0, ""};
  }
  std::vector<std::string> commands;

 private:
  PosixRunner real_{""};
};

class ModuleAssembly : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kpatch-module-assembly-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "kmod");
    fs::create_directories(dir_ / "work");
    for (const char* f : {"patch-hook.c", "kpatch-patch.h", "kpatch.h", "kpatch.lds"})
      std::ofstream(dir_ / "kmod" / f) << "\n";
    // A differ output as a single-object module's would be: a function
    // with the return-thunk site list and ORC data objtool wrote at its
    // compile.
    std::ofstream(dir_ / "x.c") << "int f(int a) { return a + 1; }\n"
                                   "asm(\".pushsection .return_sites,\\\"a\\\"\\n.long f - .\\n.popsection\\n"
                                   ".pushsection .orc_unwind_ip,\\\"a\\\"\\n.long f - .\\n.popsection\\n"
                                   ".pushsection .orc_unwind,\\\"a\\\"\\n.byte 0,0,0,0,0,0\\n.popsection\");\n";
    std::string cc =
        std::string(KP_UNIT_CC) + " -c -o " + (dir_ / "fs_binfmt_misc.o").string() + " " + (dir_ / "x.c").string();
    ASSERT_EQ(std::system(cc.c_str()), 0);
    cfg_.kmod_dir = dir_ / "kmod";
    manifest_.id = "fix";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // assemble_module for a kernel of this config; the module dir's copy of
  // the differ output.
  fs::path assemble(const std::string& config) {
    std::ofstream(dir_ / "config") << config;
    BuildCtx c(cfg_, manifest_, "6.12.118+deb12-cloud-amd64", run_);
    c.work = dir_ / "work";
    c.tree = dir_ / "tree";
    c.target.config = dir_ / "config";
    ObjectJob o;
    o.path = "fs/binfmt_misc.o";
    o.output = dir_ / "fs_binfmt_misc.o";
    o.diff_status = 0;
    c.objects = {o};
    assemble_module(c);
    return c.module_dir / "diff-fs_binfmt_misc.o";
  }
  std::string sections(const fs::path& obj) {
    PosixRunner r("");
    return r.run(Command{{"readelf", "-SW", obj.string()}, {}, {}}).output;
  }

  fs::path dir_;
  BuildConfig cfg_;
  Manifest manifest_;
  ObjcopyRunner run_;
};

TEST(ObjtoolAtModuleLink, AsKbuildsDelayObjtool) {
  fs::path config = fs::temp_directory_path() / ("kpatch-objtool-config-" + std::to_string(::getpid()));
  auto with = [&](const std::string& text) {
    std::ofstream(config) << text;
    return objtool_at_module_link(config);
  };
  EXPECT_FALSE(with("CONFIG_OBJTOOL=y\n# CONFIG_X86_KERNEL_IBT is not set\n"));  // 6.1 cloud
  EXPECT_TRUE(with("CONFIG_OBJTOOL=y\nCONFIG_X86_KERNEL_IBT=y\n"));              // 6.12 cloud
  EXPECT_TRUE(with("CONFIG_OBJTOOL=y\nCONFIG_LTO_CLANG=y\n"));
  EXPECT_FALSE(with("CONFIG_X86_KERNEL_IBT=y\n"));  // no objtool at all
  fs::remove(config);
}

TEST_F(ModuleAssembly, ObjtoolTablesLeaveTheDifferOutputsWhereObjtoolRunsAtTheLink) {
  ASSERT_NE(sections(dir_ / "fs_binfmt_misc.o").find(".rela.return_sites"), std::string::npos);
  fs::path obj = assemble("CONFIG_OBJTOOL=y\nCONFIG_X86_KERNEL_IBT=y\n");
  std::string after = sections(obj);
  for (const char* s : {".return_sites", ".orc_unwind", ".orc_unwind_ip"})
    EXPECT_EQ(after.find(std::string(s) + " "), std::string::npos) << s << " left in\n" << after;
  EXPECT_NE(after.find(".text"), std::string::npos) << after;
  ASSERT_EQ(run_.commands.size(), 2u);
  EXPECT_TRUE(run_.commands[0].starts_with("objcopy ")) << run_.commands[0];
  EXPECT_TRUE(run_.commands[1].starts_with("make ")) << run_.commands[1];
}

TEST_F(ModuleAssembly, ObjtoolTablesStayWhereObjtoolRanOnEachObject) {
  fs::path obj = assemble("CONFIG_OBJTOOL=y\n# CONFIG_X86_KERNEL_IBT is not set\n");
  EXPECT_NE(sections(obj).find(".rela.return_sites"), std::string::npos);
  ASSERT_EQ(run_.commands.size(), 1u);
  EXPECT_TRUE(run_.commands[0].starts_with("make ")) << run_.commands[0];
}

}  // namespace
}  // namespace kp
