// kpatch install / uninstall: patch modules kept per kernel release under
// /var/lib/kpatch/<release>/<name>.ko, written through a temporary file of
// their own, fsync'd and renamed; names and releases from a module or the
// command line checked before they become paths.
#include "cli_fixture.h"

namespace kpatch::testing {
namespace {

using Calls = std::vector<std::string>;

const std::string kTmp = kLib + ".kpatch_fix.ko.000001";

// The steps of installing kpatch_fix for the running release when its
// directory exists: the order is what makes it crash-safe.
Calls atomic_write(const std::string& tmp = kTmp, size_t bytes = 0) {
  return {"create " + tmp,
          "write " + tmp + " (" + std::to_string(bytes) + " bytes)",
          "fsync " + tmp,
          "close " + tmp,
          "rename " + tmp + " " + kLib + "kpatch_fix.ko",
          "fsync " + kLib.substr(0, kLib.size() - 1)};
}

Calls concat(Calls a, const Calls& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

class InstallTest : public CliTest {
 protected:
  Patch fix{"kpatch_fix", "fix"};
  const std::string file = "/home/op/kpatch_fix.ko";
  size_t size() const { return fix.image().size(); }
  void SetUp() override {
    CliTest::SetUp();
    sys.mkdir(kLib);
  }
};

TEST_F(InstallTest, WritesATemporaryFileSyncsAndRenamesIt) {
  put(file, fix);
  EXPECT_EQ(kpatch().install(file), 0);
  EXPECT_EQ(out.str(), "installed kpatch_fix for 6.1.0-56-cloud-amd64\n");
  EXPECT_EQ(err.str(), "");
  EXPECT_EQ(sys.calls, locked(atomic_write(kTmp, size())));
  EXPECT_EQ(sys.files[kLib + "kpatch_fix.ko"], fix.image());
  EXPECT_FALSE(sys.files.contains(kTmp));
  EXPECT_TRUE(sys.logs.empty());
}

// As the classic kpatch: an install also enables kpatch.service, which
// loads the installed patches at boot; after the lock is released.
TEST_F(InstallTest, EnablesKpatchService) {
  put(file, fix);
  EXPECT_EQ(kpatch().install(file), 0);
  EXPECT_EQ(sys.enabled_services, Calls{"kpatch.service"});
  EXPECT_EQ(sys.calls.back(), "unlock /var/lib/kpatch/.lock");
  EXPECT_EQ(kpatch().install(file), 0);  // already installed: still enabled
  EXPECT_EQ(sys.enabled_services, (Calls{"kpatch.service", "kpatch.service"}));
}

TEST_F(InstallTest, WithoutSystemctlNothingIsEnabledAndNothingSaid) {
  sys.enable_result = std::nullopt;
  put(file, fix);
  EXPECT_EQ(kpatch().install(file), 0);
  EXPECT_EQ(out.str(), "installed kpatch_fix for 6.1.0-56-cloud-amd64\n");
  EXPECT_EQ(err.str(), "");
}

TEST_F(InstallTest, KpatchServiceThatCannotBeEnabledIsAWarning) {
  sys.enable_result = "systemctl exited with status 1";
  put(file, fix);
  EXPECT_EQ(kpatch().install(file), 0);
  EXPECT_EQ(out.str(), "installed kpatch_fix for 6.1.0-56-cloud-amd64\n");
  EXPECT_EQ(err.str(),
            "kpatch: warning: cannot enable kpatch.service (systemctl exited with status 1); installed patches are "
            "not loaded at boot until it is enabled\n");
}

TEST_F(InstallTest, FailedInstallEnablesNothing) {
  install(fix.with(&Patch::summary, "old"));
  put(file, fix);
  EXPECT_EQ(kpatch().install(file), 1);
  put("/home/op/other.ko", fix.with(&Patch::release, "6.1.0-57-cloud-amd64"));
  EXPECT_EQ(kpatch().install("/home/op/other.ko"), 1);
  EXPECT_TRUE(sys.enabled_services.empty());
}

TEST_F(InstallTest, CreatesAndSyncsTheReleaseDirectory) {
  sys.dirs.clear();
  put(file, fix);
  EXPECT_EQ(kpatch().install(file), 0);
  EXPECT_EQ(sys.calls, locked(concat({"mkdir /var/lib/kpatch/6.1.0-56-cloud-amd64", "fsync /var/lib/kpatch"},
                                     atomic_write(kTmp, size()))));
}

// Another install of the same module, running or killed, has its own
// temporary file: this one neither reuses nor removes it.
TEST_F(InstallTest, NeverTouchesAnotherInstallsTemporaryFile) {
  sys.files[kTmp] = "half of another install";
  put(file, fix);
  EXPECT_EQ(kpatch().install(file), 0);
  std::string mine = kLib + ".kpatch_fix.ko.000002";
  EXPECT_EQ(sys.calls, locked(atomic_write(mine, size())));
  EXPECT_EQ(sys.files[kTmp], "half of another install");
  EXPECT_EQ(sys.files[kLib + "kpatch_fix.ko"], fix.image());
}

// What is installed is what was checked, even if the file is replaced
// while the install waits for the lock.
TEST_F(InstallTest, InstallsTheBytesItChecked) {
  put(file, fix);
  sys.on_lock = [&] { sys.files[file] = "#!/bin/sh\n"; };
  EXPECT_EQ(kpatch().install(file), 0);
  EXPECT_EQ(sys.files[kLib + "kpatch_fix.ko"], fix.image());
}

TEST_F(InstallTest, RefusesToReplaceADifferentModuleUnlessForced) {
  install(fix.with(&Patch::summary, "old"));
  std::string old = sys.files[kLib + "kpatch_fix.ko"];
  put(file, fix);
  EXPECT_EQ(kpatch().install(file), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(),
            "kpatch: error: kpatch_fix is already installed for 6.1.0-56-cloud-amd64, with different contents (--force "
            "to replace it)\n");
  EXPECT_EQ(sys.calls, locked({}));
  EXPECT_EQ(sys.files[kLib + "kpatch_fix.ko"], old);
}

// A package's postinst after an aborted removal installs the same file again.
TEST_F(InstallTest, TheSameModuleAgainIsAlreadyInstalled) {
  install(fix);
  put(file, fix);
  EXPECT_EQ(kpatch().install(file), 0);
  EXPECT_EQ(out.str(), "kpatch_fix is already installed for 6.1.0-56-cloud-amd64\n");
  EXPECT_EQ(err.str(), "");
  EXPECT_EQ(sys.calls, locked({}));
}

TEST_F(InstallTest, ForceReplacesAnInstalledModuleOnlyByRename) {
  install(fix.with(&Patch::summary, "old"));
  put(file, fix);
  opt.force = true;
  EXPECT_EQ(kpatch().install(file), 0);
  EXPECT_EQ(out.str(), "installed kpatch_fix for 6.1.0-56-cloud-amd64\n");
  EXPECT_EQ(sys.calls, locked(atomic_write(kTmp, size())));
  EXPECT_EQ(sys.files[kLib + "kpatch_fix.ko"], fix.image());
}

// A failure at any step (create, write, fsync, rename: an index into
// atomic_write()) leaves the installed module as it was and no temporary
// file behind.
class InstallFailure : public InstallTest, public ::testing::WithParamInterface<size_t> {};

TEST_P(InstallFailure, LeavesTheOldModuleAndNoTemporaryFile) {
  install(fix.with(&Patch::summary, "old"));
  std::string old = sys.files[kLib + "kpatch_fix.ko"];
  put(file, fix);
  opt.force = true;
  std::string failing = atomic_write(kTmp, size()).at(GetParam());
  sys.call_error[failing] = "Input/output error";
  EXPECT_EQ(kpatch().install(file), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(),
            "kpatch: error: cannot install /var/lib/kpatch/6.1.0-56-cloud-amd64/kpatch_fix.ko: Input/output error\n");
  EXPECT_EQ(sys.files[kLib + "kpatch_fix.ko"], old);
  EXPECT_FALSE(sys.files.contains(kTmp));
  Calls all = atomic_write(kTmp, size());
  auto at = std::find(all.begin(), all.end(), failing);
  ASSERT_NE(at, all.end());
  Calls done(all.begin(), at + 1);
  if (failing.starts_with("write") || failing.starts_with("fsync " + kTmp)) done.push_back("close " + kTmp);
  if (!failing.starts_with("create")) done.push_back("remove " + kTmp);
  EXPECT_EQ(sys.calls, locked(done));
}

INSTANTIATE_TEST_SUITE_P(Steps, InstallFailure, ::testing::Values(0, 1, 2, 4));

TEST_F(InstallTest, FailureInANewReleaseDirectoryRemovesIt) {
  sys.dirs.clear();
  put(file, fix);
  sys.call_error["create " + kTmp] = "No space left on device";
  EXPECT_EQ(kpatch().install(file), 1);
  EXPECT_EQ(err.str(),
            "kpatch: error: cannot install /var/lib/kpatch/6.1.0-56-cloud-amd64/kpatch_fix.ko: No space left on "
            "device\n");
  EXPECT_EQ(sys.calls, locked({"mkdir /var/lib/kpatch/6.1.0-56-cloud-amd64", "fsync /var/lib/kpatch", "create " + kTmp,
                               "rmdir /var/lib/kpatch/6.1.0-56-cloud-amd64"}));
  EXPECT_FALSE(sys.exists(kLib));
}

TEST_F(InstallTest, ReleaseDirectoryThatCannotBeCreated) {
  sys.dirs.clear();
  put(file, fix);
  sys.call_error["mkdir /var/lib/kpatch/6.1.0-56-cloud-amd64"] = "Read-only file system";
  EXPECT_EQ(kpatch().install(file), 1);
  EXPECT_EQ(err.str(), "kpatch: error: cannot create /var/lib/kpatch/6.1.0-56-cloud-amd64: Read-only file system\n");
  EXPECT_EQ(sys.calls, locked({"mkdir /var/lib/kpatch/6.1.0-56-cloud-amd64"}));
}

TEST_F(InstallTest, RefusesAModuleForAnotherKernelNamingBoth) {
  fix.release = "6.1.0-55-cloud-amd64";
  put(file, fix);
  EXPECT_EQ(kpatch().install(file), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(),
            "kpatch: error: /home/op/kpatch_fix.ko: built for kernel 6.1.0-55-cloud-amd64, not "
            "6.1.0-56-cloud-amd64\n");
  EXPECT_TRUE(sys.calls.empty());
}

TEST_F(InstallTest, DashKInstallsForAnotherRelease) {
  fix.release = "6.1.0-57-cloud-amd64";
  put(file, fix);
  opt.kernel = "6.1.0-57-cloud-amd64";
  EXPECT_EQ(kpatch().install(file), 0);
  EXPECT_EQ(out.str(), "installed kpatch_fix for 6.1.0-57-cloud-amd64\n");
  EXPECT_TRUE(sys.files.contains("/var/lib/kpatch/6.1.0-57-cloud-amd64/kpatch_fix.ko"));
  EXPECT_EQ(sys.calls.at(1), "mkdir /var/lib/kpatch/6.1.0-57-cloud-amd64");
}

TEST_F(InstallTest, DashKChecksTheModuleAgainstThatRelease) {
  put(file, fix);  // built for the running kernel
  opt.kernel = "6.1.0-57-cloud-amd64";
  EXPECT_EQ(kpatch().install(file), 1);
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
  put(file, fix);
  EXPECT_EQ(kpatch().install(file), 1);
  EXPECT_EQ(err.str(), "kpatch: error: /home/op/kpatch_fix.ko: not a livepatch module (no livepatch=Y in .modinfo)\n");
  EXPECT_TRUE(sys.calls.empty());
}

TEST_F(InstallTest, RefusesAModuleWithoutAName) {
  fix.name = "";
  put(file, fix);
  EXPECT_EQ(kpatch().install(file), 1);
  EXPECT_EQ(err.str(), "kpatch: error: /home/op/kpatch_fix.ko: no name= in .modinfo; not a kernel module\n");
  EXPECT_TRUE(sys.calls.empty());
}

// --- hostile names: refused before anything is locked, written or removed ---

class HostileModuleName : public InstallTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(HostileModuleName, IsRefusedNamingTheFileAndTheName) {
  fix.name = GetParam();
  put(file, fix);
  EXPECT_EQ(kpatch().install(file), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(), "kpatch: error: /home/op/kpatch_fix.ko: invalid module name '" + printable(GetParam()) +
                           "' in .modinfo (a module name is 1 to 55 of a-z, 0-9 and _)\n");
  EXPECT_TRUE(sys.calls.empty());
}

INSTANTIATE_TEST_SUITE_P(Names, HostileModuleName,
                         ::testing::Values("../../../../tmp/pwnmod", "kpatch_fix/../../x", "..", "kpatch-fix",
                                           "Kpatch_Fix", "kpatch fix", "kpatch_fix\n", std::string(56, 'a')));

TEST_F(InstallTest, LongestNameIsAccepted) {
  fix.name = std::string(55, 'a');
  put(file, fix);
  EXPECT_EQ(kpatch().install(file), 0);
  EXPECT_TRUE(sys.files.contains(kLib + std::string(55, 'a') + ".ko"));
}

class HostileRelease : public InstallTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(HostileRelease, DashKIsRefusedForInstallAndUninstall) {
  fix.release = GetParam();  // a module claiming to be built for it
  put(file, fix);
  install(fix);
  opt.kernel = GetParam();
  std::string why = "kpatch: error: invalid kernel release '" + printable(GetParam()) +
                    "' from -k (a kernel release is 1 to 64 of A-Z, a-z, 0-9 and . _ + ~ -, starting with a letter "
                    "or digit)\n";
  EXPECT_EQ(kpatch().install(file), 1);
  EXPECT_EQ(err.str(), why);
  err.str("");
  EXPECT_EQ(kpatch().uninstall("kpatch_fix"), 1);
  EXPECT_EQ(err.str(), why);
  EXPECT_EQ(out.str(), "");
  EXPECT_TRUE(sys.calls.empty());
}

TEST_P(HostileRelease, FromUnameIsRefused) {
  sys.kernel_release = GetParam();
  fix.release = GetParam();
  put(file, fix);
  EXPECT_EQ(kpatch().install(file), 1);
  EXPECT_TRUE(
      err.str().starts_with("kpatch: error: invalid kernel release '" + printable(GetParam()) + "' from uname -r ("))
      << err.str();
  EXPECT_TRUE(sys.calls.empty());
}

INSTANTIATE_TEST_SUITE_P(Releases, HostileRelease,
                         ::testing::Values("../../x", "..", ".", "6.1.0/../../../etc", "-rf", "6.1.0 x", "6.1.0\x1b[2J",
                                           std::string(65, '6')));

TEST_F(InstallTest, DistributionReleasesAreAccepted) {
  for (std::string rel : {"4.18.0-513.5.1.el8_9.x86_64", "6.6.1+", "6.8.0-45-generic", "6.1.0~rc1-amd64"}) {
    fix.release = rel;
    put(file, fix);
    opt.kernel = rel;
    EXPECT_EQ(kpatch().install(file), 0) << rel << ": " << err.str();
    EXPECT_TRUE(sys.files.contains("/var/lib/kpatch/" + rel + "/kpatch_fix.ko")) << rel;
  }
}

// --- uninstall ---

TEST_F(InstallTest, UninstallRemovesTheFileNamedWithDashesUnderscoresOrDotKo) {
  for (std::string arg : {"kpatch-fix", "kpatch_fix", "kpatch_fix.ko"}) {
    install(fix);
    install(Patch("kpatch_other", "other"));
    sys.calls.clear();
    out.str("");
    EXPECT_EQ(kpatch().uninstall(arg), 0) << arg;
    EXPECT_EQ(out.str(), "uninstalled kpatch_fix for 6.1.0-56-cloud-amd64\n");
    EXPECT_EQ(err.str(), "");
    EXPECT_EQ(sys.calls, locked({"remove " + kLib + "kpatch_fix.ko", "fsync /var/lib/kpatch/6.1.0-56-cloud-amd64"}));
    EXPECT_FALSE(sys.files.contains(kLib + "kpatch_fix.ko"));
  }
}

// The classic kpatch installed a module under the file name it was given.
TEST_F(InstallTest, UninstallFindsAModuleTheClassicKpatchInstalled) {
  for (std::string arg : {"kpatch-fix.ko", "kpatch-fix", "kpatch_fix"}) {
    sys.files[kLib + "kpatch-fix.ko"] = fix.image();
    install(Patch("kpatch_fix_v2", "fix", 2));
    sys.calls.clear();
    out.str("");
    EXPECT_EQ(kpatch().uninstall(arg), 0) << arg;
    EXPECT_EQ(out.str(), "uninstalled kpatch_fix for 6.1.0-56-cloud-amd64\n");
    EXPECT_EQ(sys.calls, locked({"remove " + kLib + "kpatch-fix.ko", "fsync /var/lib/kpatch/6.1.0-56-cloud-amd64"}))
        << arg;
    EXPECT_TRUE(sys.files.contains(kLib + "kpatch_fix_v2.ko"));
  }
}

TEST_F(InstallTest, UninstallOfTheLastModuleRemovesTheReleaseDirectory) {
  install(fix);
  EXPECT_EQ(kpatch().uninstall("kpatch_fix"), 0);
  EXPECT_EQ(sys.calls, locked({"remove " + kLib + "kpatch_fix.ko", "fsync /var/lib/kpatch/6.1.0-56-cloud-amd64",
                               "rmdir /var/lib/kpatch/6.1.0-56-cloud-amd64", "fsync /var/lib/kpatch"}));
  EXPECT_FALSE(sys.exists(kLib));
  EXPECT_TRUE(sys.exists("/var/lib/kpatch/.lock"));
}

TEST_F(InstallTest, UninstallDashKLeavesTheRunningReleaseAlone) {
  install(fix);
  install(fix, "6.1.0-57-cloud-amd64");
  install(Patch("kpatch_other", "other"), "6.1.0-57-cloud-amd64");
  opt.kernel = "6.1.0-57-cloud-amd64";
  EXPECT_EQ(kpatch().uninstall("kpatch_fix"), 0);
  EXPECT_EQ(out.str(), "uninstalled kpatch_fix for 6.1.0-57-cloud-amd64\n");
  EXPECT_EQ(sys.calls, locked({"remove /var/lib/kpatch/6.1.0-57-cloud-amd64/kpatch_fix.ko",
                               "fsync /var/lib/kpatch/6.1.0-57-cloud-amd64"}));
  EXPECT_TRUE(sys.files.contains(kLib + "kpatch_fix.ko"));
}

TEST_F(InstallTest, UninstallOfSomethingNotInstalled) {
  install(fix, "6.1.0-57-cloud-amd64");
  EXPECT_EQ(kpatch().uninstall("kpatch_fix"), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(), "kpatch: error: kpatch_fix is not installed for 6.1.0-56-cloud-amd64\n");
  EXPECT_EQ(sys.calls, locked({}));
}

TEST_F(InstallTest, UninstallThatCannotRemove) {
  install(fix);
  sys.call_error["remove " + kLib + "kpatch_fix.ko"] = "Read-only file system";
  EXPECT_EQ(kpatch().uninstall("kpatch_fix"), 1);
  EXPECT_EQ(err.str(),
            "kpatch: error: cannot remove /var/lib/kpatch/6.1.0-56-cloud-amd64/kpatch_fix.ko: Read-only file system\n");
  EXPECT_TRUE(sys.files.contains(kLib + "kpatch_fix.ko"));
}

class HostileUninstall : public InstallTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(HostileUninstall, IsRefusedAndDeletesNothing) {
  install(fix);
  sys.files["/var/lib/kpatch/x.ko"] = "";
  sys.files["/dir/y.ko"] = "";
  EXPECT_EQ(kpatch().uninstall(GetParam()), 1);
  EXPECT_EQ(err.str(), "kpatch: error: invalid module name '" + printable(GetParam()) +
                           "' (a module name is 1 to 55 of a-z, 0-9 and _)\n");
  EXPECT_TRUE(sys.calls.empty());
  EXPECT_TRUE(sys.files.contains("/dir/y.ko"));
}

INSTANTIATE_TEST_SUITE_P(Names, HostileUninstall,
                         ::testing::Values("../../dir/y", "../x", "../../../../dir/y.ko", "/dir/y.ko", "..", ".ko", "",
                                           "kpatch_fix\x1b]2;owned\a"));

// `uninstall -k ../../x NAME` would have removed /var/x/NAME.ko, or
// /x/NAME.ko: both exist here, and survive.
TEST_F(InstallTest, UninstallHostileDashKDeletesNothing) {
  sys.files["/var/x/kpatch_fix.ko"] = "";
  sys.files["/x/kpatch_fix.ko"] = "";
  for (std::string k : {"../x", "../../../x", "..", "."}) {
    opt.kernel = k;
    EXPECT_EQ(kpatch().uninstall("kpatch_fix"), 1) << k;
  }
  EXPECT_TRUE(sys.calls.empty());
  EXPECT_TRUE(sys.files.contains("/var/x/kpatch_fix.ko"));
  EXPECT_TRUE(sys.files.contains("/x/kpatch_fix.ko"));
}

}  // namespace
}  // namespace kpatch::testing
