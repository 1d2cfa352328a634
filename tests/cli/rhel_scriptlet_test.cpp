// RHEL's kpatch-patch packages drive kpatch from their scriptlets with the
// classic command lines, unchanged:
//
//   %post    kpatch install -k KVER /usr/lib/kpatch/KVER/FILE.ko
//            [ "$(uname -r)" == KVER ] && kpatch load FILE.ko
//   %preun   kpatch uninstall -k KVER FILE.ko
//
// FILE is the package's file name (kpatch-5_14_0-284_11_1-1-2.ko), the
// module's name is kpatch_5_14_0_284_11_1_1_2: `load FILE.ko` is no file in
// the scriptlet's working directory and falls back to the installed module,
// and `uninstall FILE.ko` names it by its file name. This runs those
// command lines, parsed as main() parses them, on the fake machine through
// an install, a reinstall, an upgrade and a removal.
#include "cli_fixture.h"
#include "command_line.h"

namespace kpatch::testing {
namespace {

const std::string kRhel = "5.14.0-284.11.1.el9_2.x86_64";
const std::string kLibRhel = "/var/lib/kpatch/" + kRhel;

class RhelScriptlets : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    sys.kernel_release = kRhel;
  }

  // One package: its file under /usr/lib/kpatch and its module name.
  struct Package {
    std::string file, module;
  };
  Package package(int series) {
    std::string file = "kpatch-5_14_0-284_11_1-1-" + std::to_string(series) + ".ko";
    std::string module = "kpatch_5_14_0_284_11_1_1_" + std::to_string(series);
    put("/usr/lib/kpatch/" + kRhel + "/" + file,
        Patch(module, "5_14_0-284_11_1-1", static_cast<unsigned>(series))
            .with(&Patch::release, kRhel)
            .with(&Patch::functions, "vmlinux:cmdline_proc_show"));
    return {file, module};
  }

  int kpatch_argv(std::vector<std::string> argv) {
    auto cl = parse_command_line(argv, err);
    return cl ? run(*cl, sys, out, err) : 2;
  }
  int post(const Package& p) {
    int st = kpatch_argv({"install", "-k", kRhel, "/usr/lib/kpatch/" + kRhel + "/" + p.file});
    if (st == 0 && sys.release() == kRhel) st = kpatch_argv({"load", p.file});
    return st;
  }
  int preun(const Package& p) { return kpatch_argv({"uninstall", "-k", kRhel, p.file}); }
  std::string take_out() {
    std::string s = out.str();
    out.str("");
    return s;
  }
};

TEST_F(RhelScriptlets, InstallReinstallUpgradeAndRemove) {
  Package p2 = package(2);
  EXPECT_EQ(post(p2), 0) << err.str();
  EXPECT_EQ(take_out(), "installed kpatch_5_14_0_284_11_1_1_2 for " + kRhel + "\nloaded kpatch_5_14_0_284_11_1_1_2\n");
  EXPECT_TRUE(sys.files.contains(kLibRhel + "/kpatch_5_14_0_284_11_1_1_2.ko"));
  EXPECT_TRUE(sys.calls.end() != std::find(sys.calls.begin(), sys.calls.end(),
                                           "finit_module " + kLibRhel + "/kpatch_5_14_0_284_11_1_1_2.ko"));
  EXPECT_EQ(sys.enabled_services, Calls{"kpatch.service"});

  // dnf reinstall runs %post again: nothing to do, and no error.
  EXPECT_EQ(post(p2), 0) << err.str();
  EXPECT_EQ(take_out(), "kpatch_5_14_0_284_11_1_1_2 is already installed for " + kRhel +
                            "\nkpatch_5_14_0_284_11_1_1_2 is already loaded and enabled\n");

  // dnf upgrade: the new package's %post, then the old one's %preun. The
  // new patch replaces the old one live; the old module is removed.
  Package p3 = package(3);
  EXPECT_EQ(post(p3), 0) << err.str();
  EXPECT_EQ(preun(p2), 0) << err.str();
  EXPECT_EQ(take_out(), "installed kpatch_5_14_0_284_11_1_1_3 for " + kRhel +
                            "\nkpatch: removed replaced patch kpatch_5_14_0_284_11_1_1_2\n"
                            "loaded kpatch_5_14_0_284_11_1_1_3\n"
                            "uninstalled kpatch_5_14_0_284_11_1_1_2 for " +
                            kRhel + "\n");
  EXPECT_EQ(sys.list(kLp), Calls{"kpatch_5_14_0_284_11_1_1_3"});
  EXPECT_EQ(sys.list(kLibRhel), Calls{"kpatch_5_14_0_284_11_1_1_3.ko"});

  // dnf remove: %preun uninstalls; the patch stays live until reboot, and
  // the release directory left empty is removed.
  EXPECT_EQ(preun(p3), 0) << err.str();
  EXPECT_EQ(take_out(), "uninstalled kpatch_5_14_0_284_11_1_1_3 for " + kRhel + "\n");
  EXPECT_FALSE(sys.exists(kLibRhel + "/"));
  EXPECT_EQ(sys.list(kLp), Calls{"kpatch_5_14_0_284_11_1_1_3"});
  EXPECT_EQ(err.str(), "");
}

// Installed for a kernel that is not running: %post installs, does not load.
TEST_F(RhelScriptlets, PackageForAnotherKernelIsOnlyInstalled) {
  Package p = package(1);
  sys.kernel_release = "5.14.0-362.8.1.el9_3.x86_64";
  EXPECT_EQ(post(p), 0) << err.str();
  EXPECT_EQ(take_out(), "installed kpatch_5_14_0_284_11_1_1_1 for " + kRhel + "\n");
  EXPECT_TRUE(sys.list(kLp).empty());
  EXPECT_EQ(preun(p), 0) << err.str();
  EXPECT_FALSE(sys.exists(kLibRhel + "/"));
}

}  // namespace
}  // namespace kpatch::testing
