// kpatch install / uninstall: patch modules kept per kernel release under
// /var/lib/kpatch/<release>/<name>.ko.
#include "cli_fixture.h"

namespace kpatch::testing {
namespace {

class InstallTest : public CliTest {
 protected:
  Patch fix{"kpatch_fix", "fix"};
};

TEST_F(InstallTest, CopiesToTheRunningRelease) {
  put("/home/op/kpatch_fix.ko", fix);
  EXPECT_EQ(kpatch().install("/home/op/kpatch_fix.ko"), 0);
  EXPECT_EQ(out.str(), "installed kpatch_fix for 6.1.0-56-cloud-amd64\n");
  EXPECT_EQ(err.str(), "");
  EXPECT_EQ(sys.calls, Calls{"copy /home/op/kpatch_fix.ko /var/lib/kpatch/6.1.0-56-cloud-amd64/kpatch_fix.ko"});
  EXPECT_EQ(sys.files[kLib + "kpatch_fix.ko"], fix.image());
  EXPECT_TRUE(sys.logs.empty());
}

TEST_F(InstallTest, RefusesAModuleForAnotherKernelNamingBoth) {
  fix.release = "6.1.0-55-cloud-amd64";
  put("/home/op/kpatch_fix.ko", fix);
  EXPECT_EQ(kpatch().install("/home/op/kpatch_fix.ko"), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(),
            "kpatch: error: /home/op/kpatch_fix.ko: built for kernel 6.1.0-55-cloud-amd64, not "
            "6.1.0-56-cloud-amd64\n");
  EXPECT_TRUE(sys.calls.empty());
}

TEST_F(InstallTest, DashKInstallsForAnotherRelease) {
  fix.release = "6.1.0-57-cloud-amd64";
  put("/home/op/kpatch_fix.ko", fix);
  opt.kernel = "6.1.0-57-cloud-amd64";
  EXPECT_EQ(kpatch().install("/home/op/kpatch_fix.ko"), 0);
  EXPECT_EQ(out.str(), "installed kpatch_fix for 6.1.0-57-cloud-amd64\n");
  EXPECT_EQ(sys.calls, Calls{"copy /home/op/kpatch_fix.ko /var/lib/kpatch/6.1.0-57-cloud-amd64/kpatch_fix.ko"});
}

TEST_F(InstallTest, DashKChecksTheModuleAgainstThatRelease) {
  put("/home/op/kpatch_fix.ko", fix);  // built for the running kernel
  opt.kernel = "6.1.0-57-cloud-amd64";
  EXPECT_EQ(kpatch().install("/home/op/kpatch_fix.ko"), 1);
  EXPECT_EQ(err.str(),
            "kpatch: error: /home/op/kpatch_fix.ko: built for kernel 6.1.0-56-cloud-amd64, not "
            "6.1.0-57-cloud-amd64\n");
  EXPECT_TRUE(sys.calls.empty());
}

TEST_F(InstallTest, RefusesAMissingFile) {
  EXPECT_EQ(kpatch().install("/home/op/nope.ko"), 1);
  EXPECT_EQ(err.str(), "kpatch: error: /home/op/nope.ko: no such file\n");
  EXPECT_TRUE(sys.calls.empty());
}

TEST_F(InstallTest, RefusesAnOrdinaryModule) {
  fix.livepatch = false;
  put("/home/op/kpatch_fix.ko", fix);
  EXPECT_EQ(kpatch().install("/home/op/kpatch_fix.ko"), 1);
  EXPECT_EQ(err.str(), "kpatch: error: /home/op/kpatch_fix.ko: not a livepatch module (no livepatch=Y in .modinfo)\n");
  EXPECT_TRUE(sys.calls.empty());
}

TEST_F(InstallTest, RefusesAModuleWithoutAName) {
  fix.name = "";
  put("/home/op/kpatch_fix.ko", fix);
  EXPECT_EQ(kpatch().install("/home/op/kpatch_fix.ko"), 1);
  EXPECT_EQ(err.str(), "kpatch: error: /home/op/kpatch_fix.ko: no name= in .modinfo; not a kernel module\n");
  EXPECT_TRUE(sys.calls.empty());
}

TEST_F(InstallTest, ReportsACopyFailure) {
  put("/home/op/kpatch_fix.ko", fix);
  sys.copy_error = "Read-only file system";
  EXPECT_EQ(kpatch().install("/home/op/kpatch_fix.ko"), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(
      err.str(),
      "kpatch: error: cannot install /var/lib/kpatch/6.1.0-56-cloud-amd64/kpatch_fix.ko: Read-only file system\n");
}

TEST_F(InstallTest, UninstallRemovesTheFileNamedWithDashesOrUnderscores) {
  install(fix);
  EXPECT_EQ(kpatch().uninstall("kpatch-fix"), 0);
  EXPECT_EQ(out.str(), "uninstalled kpatch_fix for 6.1.0-56-cloud-amd64\n");
  EXPECT_EQ(err.str(), "");
  EXPECT_EQ(sys.calls, Calls{"remove /var/lib/kpatch/6.1.0-56-cloud-amd64/kpatch_fix.ko"});
  EXPECT_FALSE(sys.files.contains(kLib + "kpatch_fix.ko"));
}

TEST_F(InstallTest, UninstallDashKLeavesTheRunningReleaseAlone) {
  install(fix);
  install(fix, "6.1.0-57-cloud-amd64");
  opt.kernel = "6.1.0-57-cloud-amd64";
  EXPECT_EQ(kpatch().uninstall("kpatch_fix"), 0);
  EXPECT_EQ(out.str(), "uninstalled kpatch_fix for 6.1.0-57-cloud-amd64\n");
  EXPECT_EQ(sys.calls, Calls{"remove /var/lib/kpatch/6.1.0-57-cloud-amd64/kpatch_fix.ko"});
  EXPECT_TRUE(sys.files.contains(kLib + "kpatch_fix.ko"));
}

TEST_F(InstallTest, UninstallOfSomethingNotInstalled) {
  install(fix, "6.1.0-57-cloud-amd64");
  EXPECT_EQ(kpatch().uninstall("kpatch_fix"), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(), "kpatch: error: kpatch_fix is not installed for 6.1.0-56-cloud-amd64\n");
  EXPECT_TRUE(sys.calls.empty());
}

}  // namespace
}  // namespace kpatch::testing
