// kpatch load: the checks before the kernel sees a module, finit_module's
// errors, the transition and its revert, replaced patches, and load --all.
#include <cerrno>

#include "cli_fixture.h"

namespace kpatch::testing {
namespace {

class LoadTest : public CliTest {
 protected:
  Patch fix =
      Patch("kpatch_fix", "fix").with(&Patch::build_id, kBuildId).with(&Patch::functions, "vmlinux:cmdline_proc_show");
  const std::string file = "/home/op/kpatch_fix.ko";
  std::string state_of_fix() { return sys.read(kLp + "kpatch_fix/enabled").value_or("(none)"); }
};

TEST_F(LoadTest, ByPath) {
  put(file, fix);
  EXPECT_EQ(kpatch().load(file), 0);
  EXPECT_EQ(out.str(), "loaded kpatch_fix\n");
  EXPECT_EQ(err.str(), "");
  EXPECT_EQ(sys.calls, locked(Calls{"finit_module /home/op/kpatch_fix.ko"}));
  EXPECT_EQ(sys.logs, Calls{"loaded kpatch_fix"});
  EXPECT_EQ(sys.sleeps, 1);  // transition read as 1, then 0
}

TEST_F(LoadTest, ByNameFromTheRunningReleaseDirectory) {
  install(fix);
  EXPECT_EQ(kpatch().load("kpatch-fix"), 0);
  EXPECT_EQ(out.str(), "loaded kpatch_fix\n");
  EXPECT_EQ(sys.calls, locked(Calls{"finit_module /var/lib/kpatch/6.1.0-56-cloud-amd64/kpatch_fix.ko"}));
}

// The classic kpatch installed a module under the file name it was given.
TEST_F(LoadTest, ByNameOfAModuleTheClassicKpatchInstalled) {
  sys.files[kLib + "kpatch-fix.ko"] = fix.image();
  for (std::string arg : {"kpatch-fix.ko", "kpatch_fix", "kpatch_fix.ko"}) {
    sys.calls.clear();
    EXPECT_EQ(kpatch().load(arg), 0) << arg << err.str();
    EXPECT_EQ(sys.calls, locked(Calls{"finit_module " + kLib + "kpatch-fix.ko"})) << arg;
    kernel_delete("kpatch_fix");
  }
  EXPECT_EQ(out.str(), "loaded kpatch_fix\nloaded kpatch_fix\nloaded kpatch_fix\n");
}

TEST_F(LoadTest, WithoutBuildIdInTheModuleOrTheKernel) {
  fix.build_id = "";
  put(file, fix);
  EXPECT_EQ(kpatch().load(file), 0);
  sys.files.erase("/sys/kernel/notes");
  fix.name = "kpatch_other";
  fix.build_id = "00ff";
  put("/home/op/kpatch_other.ko", fix);
  EXPECT_EQ(kpatch().load("/home/op/kpatch_other.ko"), 0);
  EXPECT_EQ(err.str(), "");
  EXPECT_EQ(out.str(), "loaded kpatch_fix\nkpatch: removed replaced patch kpatch_fix\nloaded kpatch_other\n");
}

// --- refusals: nothing reaches the kernel ---

struct Refusal {
  const char* what;
  std::function<void(Patch&, std::string& image)> make;
  const char* message;  // after "kpatch: error: /home/op/kpatch_fix.ko: "
};

class LoadRefusal : public LoadTest, public ::testing::WithParamInterface<Refusal> {};

TEST_P(LoadRefusal, NothingLoaded) {
  std::string image;
  GetParam().make(fix, image);
  sys.files[file] = image.empty() ? fix.image() : image;
  EXPECT_EQ(kpatch().load(file), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(), std::string("kpatch: error: /home/op/kpatch_fix.ko: ") + GetParam().message + "\n");
  EXPECT_TRUE(sys.calls.empty());
  EXPECT_TRUE(sys.logs.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Checks, LoadRefusal,
    ::testing::Values(
        Refusal{"NotElf", [](Patch&, std::string& img) { img = "#!/bin/sh\necho not a module\n"; }, "not an ELF file"},
        Refusal{"Truncated", [](Patch&, std::string& img) { img = "\177ELF"; }, "not an ELF file"},
        Refusal{"Arm64", [](Patch& p, std::string& img) { img = elf_with_modinfo(p.fields(), EM_AARCH64); },
                "not an x86-64 kernel module"},
        Refusal{"Executable",
                [](Patch& p, std::string& img) { img = elf_with_modinfo(p.fields(), EM_X86_64, ET_EXEC); },
                "not an x86-64 kernel module"},
        Refusal{"NoModinfo",
                [](Patch& p, std::string& img) {
                  img = p.image();
                  img.replace(img.find(".modinfo"), 8, ".comment");
                },
                "no .modinfo section; not a kernel module"},
        Refusal{"NotLivepatch", [](Patch& p, std::string&) { p.livepatch = false; },
                "not a livepatch module (no livepatch=Y in .modinfo)"},
        Refusal{"WrongRelease", [](Patch& p, std::string&) { p.release = "6.1.0-55-cloud-amd64"; },
                "built for kernel 6.1.0-55-cloud-amd64, running 6.1.0-56-cloud-amd64 (--force to load anyway)"},
        Refusal{"WrongBuildId", [](Patch& p, std::string&) { p.build_id = "0123456789abcdef0123456789abcdef01234567"; },
                "built for kernel build ID 0123456789abcdef0123456789abcdef01234567, running "
                "4c1e9a037700fe123456789abcdef00102030405 (--force to load anyway)"}),
    [](const auto& info) { return std::string(info.param.what); });

TEST_F(LoadTest, BothMismatchesAreReported) {
  fix.release = "6.1.0-55-cloud-amd64";
  fix.build_id = "aa";
  put(file, fix);
  EXPECT_EQ(kpatch().load(file), 1);
  EXPECT_EQ(err.str(),
            "kpatch: error: /home/op/kpatch_fix.ko: built for kernel 6.1.0-55-cloud-amd64, running "
            "6.1.0-56-cloud-amd64 (--force to load anyway)\n"
            "kpatch: error: /home/op/kpatch_fix.ko: built for kernel build ID aa, running "
            "4c1e9a037700fe123456789abcdef00102030405 (--force to load anyway)\n");
  EXPECT_TRUE(sys.calls.empty());
}

// NAME.ko that is no file in the current directory is the installed one,
// as with the classic kpatch.
TEST_F(LoadTest, NameDotKoFallsBackToTheInstalledModule) {
  install(fix);
  EXPECT_EQ(kpatch().load("kpatch_fix.ko"), 0);
  EXPECT_EQ(out.str(), "loaded kpatch_fix\n");
  EXPECT_EQ(sys.calls, locked(Calls{"finit_module /var/lib/kpatch/6.1.0-56-cloud-amd64/kpatch_fix.ko"}));
}

TEST_F(LoadTest, NameDotKoInTheCurrentDirectoryIsThatFile) {
  install(fix);
  put("kpatch_fix.ko", fix);
  EXPECT_EQ(kpatch().load("kpatch_fix.ko"), 0);
  EXPECT_EQ(sys.calls, locked(Calls{"finit_module kpatch_fix.ko"}));
}

TEST_F(LoadTest, NameDotKoThatIsNeither) {
  EXPECT_EQ(kpatch().load("kpatch_fix.ko"), 1);
  EXPECT_EQ(err.str(), "kpatch: error: /var/lib/kpatch/6.1.0-56-cloud-amd64/kpatch_fix.ko: no such file\n");
  EXPECT_EQ(kpatch().load("../kpatch_fix.ko"), 1);  // a path: no fallback
  EXPECT_TRUE(err.str().ends_with("kpatch: error: ../kpatch_fix.ko: no such file\n")) << err.str();
  EXPECT_TRUE(sys.calls.empty());
}

TEST_F(LoadTest, MissingByName) {
  EXPECT_EQ(kpatch().load("kpatch_fix"), 1);
  EXPECT_EQ(err.str(), "kpatch: error: /var/lib/kpatch/6.1.0-56-cloud-amd64/kpatch_fix.ko: no such file\n");
  EXPECT_TRUE(sys.calls.empty());
}

TEST_F(LoadTest, ForceLoadsAMismatchAndLogsIt) {
  fix.build_id = "aa";
  put(file, fix);
  opt.force = true;
  EXPECT_EQ(kpatch().load(file), 0);
  EXPECT_EQ(err.str(),
            "kpatch: warning: /home/op/kpatch_fix.ko: built for kernel build ID aa, running "
            "4c1e9a037700fe123456789abcdef00102030405; loading anyway (--force)\n");
  EXPECT_EQ(out.str(), "loaded kpatch_fix\n");
  EXPECT_EQ(sys.calls, locked(Calls{"finit_module /home/op/kpatch_fix.ko"}));
  EXPECT_EQ(sys.logs, (Calls{"forced load of /home/op/kpatch_fix.ko: built for kernel build ID aa, running "
                             "4c1e9a037700fe123456789abcdef00102030405",
                             "loaded kpatch_fix"}));
}

// As the classic kpatch: loading what is live is no error.
TEST_F(LoadTest, LoadingAnEnabledPatchAgainIsNoError) {
  put(file, fix);
  add_loaded("kpatch_fix");
  EXPECT_EQ(kpatch().load(file), 0);
  EXPECT_EQ(out.str(), "kpatch_fix is already loaded and enabled\n");
  EXPECT_EQ(err.str(), "");
  EXPECT_TRUE(sys.logs.empty());
  EXPECT_EQ(sys.calls, locked({}));  // whether it is loaded is checked under the lock
}

// --- a patch of that name is already there ---

TEST_F(LoadTest, PatchStillEnablingIsWaitedFor) {
  put(file, fix);
  add_loaded("kpatch_fix", "enabling");
  sys.scripted[kLp + "kpatch_fix/transition"] = {"1", "1", "0"};
  EXPECT_EQ(kpatch().load(file), 0);
  EXPECT_EQ(out.str(), "kpatch_fix is already loaded and enabled\n");
  EXPECT_EQ(err.str(), "");
  EXPECT_EQ(sys.calls, locked({}));
  EXPECT_EQ(sys.sleeps, 1);  // the state read the first 1, the wait the second
}

TEST_F(LoadTest, PatchStillEnablingThatStallsIsReverted) {
  put(file, fix);
  add_loaded("kpatch_fix", "enabling");  // transition stays 1
  add_task(1234, 1240, "gmain", "0");
  opt.timeout = std::chrono::seconds(1);
  EXPECT_EQ(kpatch().load(file), 1);
  EXPECT_EQ(err.str(),
            "kpatch: error: kpatch_fix: the patch transition did not finish in 1s; reverting\n"
            "kpatch: blocking task: pid 1240 (gmain)\n");
  EXPECT_EQ(sys.calls, locked(Calls{"write /sys/kernel/livepatch/kpatch_fix/enabled 0", "delete_module kpatch_fix"}));
  EXPECT_EQ(sys.logs, Calls{"kpatch_fix: load timed out; reverted"});
}

// Writing 1 to `enabled` reverses a disable transition.
TEST_F(LoadTest, PatchBeingDisabledIsReEnabled) {
  fix.srcversion = "5F1B6A0C3E2D4F7A8B9C0D1";
  put(file, fix);
  add_loaded("kpatch_fix", "disabling");
  sys.files["/sys/module/kpatch_fix/srcversion"] = "5F1B6A0C3E2D4F7A8B9C0D1\n";
  sys.files["/sys/module/kpatch_fix/parameters/kpatch_built"] = "2025-01-02T03:04:05Z\n";
  EXPECT_EQ(kpatch().load(file), 0);
  EXPECT_EQ(out.str(), "re-enabling kpatch_fix\nloaded kpatch_fix\n");
  EXPECT_EQ(err.str(), "");
  EXPECT_EQ(sys.calls, locked(Calls{"write /sys/kernel/livepatch/kpatch_fix/enabled 1"}));
  EXPECT_EQ(sys.logs, Calls{"re-enabled kpatch_fix"});
  EXPECT_EQ(sys.files[kLp + "kpatch_fix/enabled"], "1");
}

TEST_F(LoadTest, PatchBeingDisabledIsNotReEnabledFromAnotherBuild) {
  for (auto [file_in_sys, value] :
       {std::pair{"srcversion", "0000000000000000000000A"}, {"parameters/kpatch_built", "2024-12-31T00:00:00Z"}}) {
    sys.remove_tree("/sys/module/kpatch_fix");
    sys.calls.clear();
    err.str("");
    fix.srcversion = "5F1B6A0C3E2D4F7A8B9C0D1";
    put(file, fix);
    add_loaded("kpatch_fix", "disabling");
    sys.files[std::string("/sys/module/kpatch_fix/") + file_in_sys] = std::string(value) + "\n";
    EXPECT_EQ(kpatch().load(file), 1) << file_in_sys;
    EXPECT_EQ(err.str(),
              "kpatch: error: kpatch_fix is being disabled and /home/op/kpatch_fix.ko is another build of it; wait "
              "for the unload to finish, then load again\n")
        << file_in_sys;
    EXPECT_EQ(sys.calls, locked({})) << file_in_sys;
  }
  EXPECT_EQ(out.str(), "");
}

TEST_F(LoadTest, PatchBeingDisabledThatCannotBeReEnabled) {
  put(file, fix);
  add_loaded("kpatch_fix", "disabling");
  sys.write_error[kLp + "kpatch_fix/enabled"] = "Device or resource busy";
  EXPECT_EQ(kpatch().load(file), 1);
  EXPECT_EQ(out.str(), "re-enabling kpatch_fix\n");
  EXPECT_EQ(err.str(), "kpatch: error: kpatch_fix: cannot re-enable: Device or resource busy\n");
}

// A disabled patch cannot be enabled again (the core frees it); its module,
// or the module of a patch already freed, is removed and loaded afresh.
TEST_F(LoadTest, DisabledPatchIsRemovedAndLoadedAgain) {
  put(file, fix);
  add_loaded("kpatch_fix", "disabled");
  EXPECT_EQ(kpatch().load(file), 0);
  EXPECT_EQ(out.str(), "loaded kpatch_fix\n");
  EXPECT_EQ(sys.calls, locked(Calls{"delete_module kpatch_fix", "finit_module /home/op/kpatch_fix.ko"}));
  EXPECT_EQ(state_of_fix(), "1\n");
}

TEST_F(LoadTest, ModuleOfAFreedPatchIsRemovedAndLoadedAgain) {
  put(file, fix);
  add_module("kpatch_fix", "(OEK)");
  add_module("vendor_fix", "(OE)");
  EXPECT_EQ(kpatch().load(file), 0);
  EXPECT_EQ(sys.calls, locked(Calls{"delete_module kpatch_fix", "finit_module /home/op/kpatch_fix.ko"}));
}

TEST_F(LoadTest, DisabledPatchWhoseModuleStaysIsAnError) {
  put(file, fix);
  add_loaded("kpatch_fix", "disabled");
  sys.delete_errno["kpatch_fix"] = {EPERM};
  EXPECT_EQ(kpatch().load(file), 1);
  EXPECT_EQ(err.str(),
            "kpatch: error: kpatch_fix: its disabled patch's module cannot be removed: Operation not "
            "permitted\n");
  EXPECT_EQ(sys.calls, locked(Calls{"delete_module kpatch_fix"}));
}

// --- finit_module(2) errors ---

struct Errno {
  const char* name;
  int e;
  const char* message;
};

class LoadErrno : public LoadTest, public ::testing::WithParamInterface<Errno> {};

TEST_P(LoadErrno, IsExplained) {
  put(file, fix);
  sys.load_errno[file] = {GetParam().e};
  EXPECT_EQ(kpatch().load(file), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(), std::string("kpatch: error: /home/op/kpatch_fix.ko: ") + GetParam().message + "\n");
  EXPECT_EQ(sys.calls, locked(Calls{"finit_module /home/op/kpatch_fix.ko"}));
  EXPECT_TRUE(sys.logs.empty());
}

// EBUSY: the livepatch core is busy with another patch's transition. As
// the classic kpatch, the load is tried 5 times, 2 s apart, with a warning
// before each retry naming the patch in transition.
TEST_F(LoadTest, BusyLoadIsRetriedUntilTheOtherTransitionEnds) {
  put(file, fix.with(&Patch::replace, "0"));
  add_loaded("kpatch_other", "disabling");
  sys.load_errno[file] = {EBUSY, EBUSY};
  EXPECT_EQ(kpatch().load(file), 0);
  EXPECT_EQ(out.str(), "loaded kpatch_fix\n");
  EXPECT_EQ(err.str(),
            "kpatch: warning: /home/op/kpatch_fix.ko: kpatch_other is in transition (Device or resource busy); "
            "retrying in 2s (attempt 2 of 5)\n"
            "kpatch: warning: /home/op/kpatch_fix.ko: kpatch_other is in transition (Device or resource busy); "
            "retrying in 2s (attempt 3 of 5)\n");
  EXPECT_EQ(sys.calls, locked(Calls{"finit_module /home/op/kpatch_fix.ko", "finit_module /home/op/kpatch_fix.ko",
                                    "finit_module /home/op/kpatch_fix.ko"}));
  EXPECT_EQ(sys.logs, Calls{"loaded kpatch_fix"});
  EXPECT_EQ(sys.elapsed(), std::chrono::milliseconds(2 * 2000 + 100));  // 2 retries, 1 transition poll
}

TEST_F(LoadTest, BusyLoadFailsAfterFiveAttempts) {
  put(file, fix.with(&Patch::replace, "0"));
  add_loaded("kpatch_other", "enabling");
  sys.load_errno[file] = std::deque<int>(6, EBUSY);
  EXPECT_EQ(kpatch().load(file), 1);
  EXPECT_EQ(out.str(), "");
  std::string expected;
  for (int n = 2; n <= 5; ++n)
    expected +=
        "kpatch: warning: /home/op/kpatch_fix.ko: kpatch_other is in transition (Device or resource busy); "
        "retrying in 2s (attempt " +
        std::to_string(n) + " of 5)\n";
  expected +=
      "kpatch: error: /home/op/kpatch_fix.ko: another patch is still in transition after 5 attempts (Device or "
      "resource busy); wait for it (kpatch list), then load again\n";
  EXPECT_EQ(err.str(), expected);
  EXPECT_EQ(sys.calls, locked(Calls(5, "finit_module /home/op/kpatch_fix.ko")));
  EXPECT_EQ(sys.load_errno[file].size(), 1u);  // no sixth attempt
  EXPECT_EQ(sys.elapsed(), std::chrono::seconds(8));
  EXPECT_TRUE(sys.logs.empty());
  EXPECT_FALSE(sys.exists(kLp + "kpatch_fix"));
}

// EBUSY with no patch in transition: the module refused itself (a pre-patch
// callback returned -EBUSY). Trying again would run its callbacks again.
TEST_F(LoadTest, BusyLoadWithNoTransitionIsTheModulesOwnRefusal) {
  put(file, fix);
  sys.load_errno[file] = std::deque<int>(2, EBUSY);
  EXPECT_EQ(kpatch().load(file), 1);
  EXPECT_EQ(err.str(),
            "kpatch: error: /home/op/kpatch_fix.ko: the kernel refused kpatch_fix (Device or resource busy) with no "
            "other patch in transition: a pre-patch callback or the module's init refused it (see dmesg)\n");
  EXPECT_EQ(sys.calls, locked(Calls{"finit_module /home/op/kpatch_fix.ko"}));
  EXPECT_EQ(sys.elapsed(), std::chrono::seconds(0));
}

INSTANTIATE_TEST_SUITE_P(
    Finit, LoadErrno,
    ::testing::Values(
        Errno{"EPERM", EPERM, "permission denied: loading modules needs root (CAP_SYS_MODULE)"},
        Errno{"EEXIST", EEXIST, "kpatch_fix is already loaded"},
        Errno{"ENOEXEC", ENOEXEC, "the kernel rejected kpatch_fix as invalid (see dmesg)"},
        Errno{"EINVAL", EINVAL, "the kernel refused kpatch_fix (see dmesg for the livepatch core's reason)"},
        Errno{"EKEYREJECTED", EKEYREJECTED, "the module signature of kpatch_fix was rejected"},
        Errno{"ENOENT", ENOENT, "kpatch_fix needs a symbol the kernel does not have (see dmesg: Unknown symbol)"},
        Errno{"ENOMEM", ENOMEM, "Cannot allocate memory"}),
    [](const auto& info) { return std::string(info.param.name); });

// --- the transition ---

class StalledLoad : public LoadTest {
 protected:
  void SetUp() override {
    LoadTest::SetUp();
    put(file, fix);
    enable_transition = {"1"};  // never finishes
    add_task(1, 1, "systemd", "1");
    add_task(1234, 1234, "fwupd", "1");
    add_task(1234, 1240, "gmain", "0", "[<0>] futex_wait_queue+0x60/0x90\n[<0>] futex_wait+0x175/0x260\n");
    add_task(2, 2, "kthreadd", "-1");
    sys.files["/proc/sys/kernel/tainted"] = "0\n";  // not a pid: skipped
  }
};

TEST_F(StalledLoad, IsRevertedNamingTheBlockingTask) {
  EXPECT_EQ(kpatch().load(file), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(),
            "kpatch: error: kpatch_fix: the patch transition did not finish in 60s; reverting\n"
            "kpatch: blocking task: pid 1240 (gmain)\n"
            "    [<0>] futex_wait_queue+0x60/0x90\n"
            "    [<0>] futex_wait+0x175/0x260\n");
  EXPECT_EQ(sys.calls, locked(Calls{"finit_module /home/op/kpatch_fix.ko",
                                    "write /sys/kernel/livepatch/kpatch_fix/enabled 0", "delete_module kpatch_fix"}));
  EXPECT_EQ(sys.logs, Calls{"kpatch_fix: load timed out; reverted"});
  EXPECT_GE(sys.elapsed(), std::chrono::seconds(60));
  EXPECT_LT(sys.elapsed(), std::chrono::seconds(61));
  EXPECT_FALSE(sys.exists("/sys/module/kpatch_fix"));
}

TEST_F(StalledLoad, TimeoutOption) {
  opt.timeout = std::chrono::seconds(5);
  EXPECT_EQ(kpatch().load(file), 1);
  EXPECT_TRUE(
      err.str().starts_with("kpatch: error: kpatch_fix: the patch transition did not finish in 5s; reverting\n"))
      << err.str();
  EXPECT_GE(sys.elapsed(), std::chrono::seconds(5));
  EXPECT_LT(sys.elapsed(), std::chrono::seconds(6));
}

TEST_F(StalledLoad, RemovalWaitsForTheCoreToReleaseTheModule) {
  sys.delete_errno["kpatch_fix"] = {EAGAIN, EAGAIN};
  EXPECT_EQ(kpatch().load(file), 1);
  EXPECT_EQ(sys.calls,
            locked(Calls{"finit_module /home/op/kpatch_fix.ko", "write /sys/kernel/livepatch/kpatch_fix/enabled 0",
                         "delete_module kpatch_fix", "delete_module kpatch_fix", "delete_module kpatch_fix"}));
  EXPECT_EQ(sys.logs, Calls{"kpatch_fix: load timed out; reverted"});
  EXPECT_FALSE(sys.exists("/sys/module/kpatch_fix"));
}

TEST_F(StalledLoad, RevertThatDoesNotFinishEither) {
  disable_transition = {"1"};
  EXPECT_EQ(kpatch().load(file), 1);
  EXPECT_EQ(err.str(),
            "kpatch: error: kpatch_fix: the patch transition did not finish in 60s; reverting\n"
            "kpatch: blocking task: pid 1240 (gmain)\n"
            "    [<0>] futex_wait_queue+0x60/0x90\n"
            "    [<0>] futex_wait+0x175/0x260\n"
            "kpatch: error: kpatch_fix: reverting did not finish in 60s either; run 'kpatch signal', then "
            "'kpatch unload kpatch_fix'\n");
  EXPECT_EQ(sys.calls,
            locked(Calls{"finit_module /home/op/kpatch_fix.ko", "write /sys/kernel/livepatch/kpatch_fix/enabled 0"}));
  EXPECT_EQ(sys.logs, Calls{"kpatch_fix: load timed out; revert did not finish"});
}

TEST_F(StalledLoad, RevertedModuleThatCannotBeRemoved) {
  sys.delete_errno["kpatch_fix"] = std::deque<int>(50, EBUSY);
  EXPECT_EQ(kpatch().load(file), 1);
  EXPECT_TRUE(
      err.str().ends_with("kpatch: error: kpatch_fix: reverted, but the module cannot be removed: Device or "
                          "resource busy; run 'kpatch unload kpatch_fix'\n"))
      << err.str();
  EXPECT_EQ(sys.logs, Calls{"kpatch_fix: load timed out; reverted, module not removed"});
}

TEST_F(LoadTest, ZeroTimeoutStillSeesAFinishedTransition) {
  put(file, fix);
  enable_transition = {"0"};
  opt.timeout = std::chrono::seconds(0);
  EXPECT_EQ(kpatch().load(file), 0);
  EXPECT_EQ(out.str(), "loaded kpatch_fix\n");
  EXPECT_EQ(sys.sleeps, 0);
}

// --- replaced patches ---

TEST_F(LoadTest, ReplacedPatchModulesAreRemoved) {
  add_loaded("kpatch_old");
  add_module("kpatch_older", "(OEKX)");  // replaced earlier, never removed
  add_module("vendor_drv", "(POE)");     // tainted, but not a livepatch
  put(file, fix);
  EXPECT_EQ(kpatch().load(file), 0);
  EXPECT_EQ(out.str(),
            "kpatch: removed replaced patch kpatch_older\n"
            "kpatch: removed replaced patch kpatch_old\n"
            "loaded kpatch_fix\n");
  EXPECT_EQ(sys.calls, locked(Calls{"finit_module /home/op/kpatch_fix.ko", "delete_module kpatch_older",
                                    "delete_module kpatch_old"}));
  EXPECT_EQ(sys.files["/proc/modules"],
            "kpatch_fix 16384 1 - Live 0xffffffffc0a00000 (OEK)\n"
            "vendor_drv 16384 1 - Live 0xffffffffc0a00000 (POE)\n"
            "ext4 1114112 2 - Live 0xffffffffc0300000\n");
}

TEST_F(LoadTest, ReplacedPatchStillBeingFreedIsRemovedOnceReleased) {
  add_loaded("kpatch_old");
  sys.on_load = [this](const std::string& path) {
    kernel_load(path);
    add_patch_dir("kpatch_old", "disabled");  // freed later by the core's work item
  };
  sys.delete_errno["kpatch_old"] = {EAGAIN};
  put(file, fix);
  EXPECT_EQ(kpatch().load(file), 0);
  EXPECT_EQ(out.str(), "kpatch: removed replaced patch kpatch_old\nloaded kpatch_fix\n");
  EXPECT_EQ(sys.calls, locked(Calls{"finit_module /home/op/kpatch_fix.ko", "delete_module kpatch_old",
                                    "delete_module kpatch_old"}));
}

TEST_F(LoadTest, ModuleBeingLoadedOrUnloadedIsLeftAlone) {
  sys.files["/proc/modules"] =
      "kpatch_coming 16384 0 - Loading 0xffffffffc0b00000 (OEK+)\n"
      "kpatch_going 16384 0 - Unloading 0xffffffffc0c00000 (OEK-)\n" +
      sys.files["/proc/modules"];
  put(file, fix);
  EXPECT_EQ(kpatch().load(file), 0);
  EXPECT_EQ(out.str(), "loaded kpatch_fix\n");
  EXPECT_EQ(sys.calls, locked(Calls{"finit_module /home/op/kpatch_fix.ko"}));
}

TEST_F(LoadTest, ReplacedPatchThatCannotBeRemovedIsAWarning) {
  add_loaded("kpatch_old");
  sys.delete_errno["kpatch_old"] = {EPERM};
  put(file, fix);
  EXPECT_EQ(kpatch().load(file), 0);
  EXPECT_EQ(err.str(), "kpatch: warning: cannot remove replaced patch kpatch_old: Operation not permitted\n");
  EXPECT_EQ(out.str(), "loaded kpatch_fix\n");
}

TEST_F(LoadTest, NonReplacePatchLeavesTheOthersLoaded) {
  add_loaded("kpatch_old");
  fix.replace = "0";
  put(file, fix);
  EXPECT_EQ(kpatch().load(file), 0);
  EXPECT_EQ(out.str(), "loaded kpatch_fix\n");
  EXPECT_EQ(sys.calls, locked(Calls{"finit_module /home/op/kpatch_fix.ko"}));
}

// --- load --all ---

class LoadAllTest : public CliTest {};

// kpatch-build names version 1 kpatch_<id> and version N kpatch_<id>_vN, so
// versions sit side by side; file order puts _v10 before _v2 and _v9.
TEST_F(LoadAllTest, NewestVersionPerIdInIdOrderSkippingEnabled) {
  install(Patch("kpatch_net_fix", "net-fix", 1).with(&Patch::replace, "0"));
  install(Patch("kpatch_net_fix_v2", "net-fix", 2).with(&Patch::replace, "0"));
  install(Patch("kpatch_net_fix_v10", "net-fix", 10).with(&Patch::replace, "0"));
  install(Patch("kpatch_net_fix_v9", "net-fix", 9).with(&Patch::replace, "0"));
  install(Patch("kpatch_fs_fix", "fs-fix", 1).with(&Patch::replace, "0"));
  install(Patch("kpatch_zz_mm", "mm-fix", 3).with(&Patch::replace, "0"));
  install(Patch("kpatch_aa_mm", "mm-fix", 4).with(&Patch::replace, "0"));  // names need not follow the rule
  add_loaded("kpatch_fs_fix");
  sys.files[kLib + "README"] = "not a module\n";
  sys.files[kLib + "junk.ko"] = "garbage";
  install(Patch("kpatch_other", "aaa"), "6.1.0-57-cloud-amd64");
  EXPECT_EQ(kpatch().load_all(), 0);
  EXPECT_EQ(err.str(), "kpatch: warning: /var/lib/kpatch/6.1.0-56-cloud-amd64/junk.ko: not an ELF file\n");
  EXPECT_EQ(out.str(), "loaded kpatch_aa_mm\nloaded kpatch_net_fix_v10\n");
  EXPECT_EQ(sys.calls, locked(Calls{"finit_module /var/lib/kpatch/6.1.0-56-cloud-amd64/kpatch_aa_mm.ko",
                                    "finit_module /var/lib/kpatch/6.1.0-56-cloud-amd64/kpatch_net_fix_v10.ko"}));
}

TEST_F(LoadAllTest, UpgradesALoadedPatchByReplacingIt) {
  add_loaded("kpatch_fix");
  install(Patch("kpatch_fix", "fix", 1));
  install(Patch("kpatch_fix_v2", "fix", 2));
  EXPECT_EQ(kpatch().load_all(), 0);
  EXPECT_EQ(out.str(), "kpatch: removed replaced patch kpatch_fix\nloaded kpatch_fix_v2\n");
  EXPECT_EQ(sys.calls, locked(Calls{"finit_module /var/lib/kpatch/6.1.0-56-cloud-amd64/kpatch_fix_v2.ko",
                                    "delete_module kpatch_fix"}));
}

TEST_F(LoadAllTest, OneFailureDoesNotStopTheRest) {
  install(Patch("kpatch_a", "a").with(&Patch::replace, "0"));
  install(Patch("kpatch_b", "b").with(&Patch::replace, "0"));
  sys.load_errno[kLib + "kpatch_a.ko"] = {ENOEXEC};
  EXPECT_EQ(kpatch().load_all(), 1);
  EXPECT_EQ(err.str(),
            "kpatch: error: /var/lib/kpatch/6.1.0-56-cloud-amd64/kpatch_a.ko: the kernel rejected kpatch_a as invalid "
            "(see dmesg)\n");
  EXPECT_EQ(out.str(), "loaded kpatch_b\n");
}

TEST_F(LoadAllTest, NothingInstalled) {
  EXPECT_EQ(kpatch().load_all(), 0);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(), "");
  EXPECT_EQ(sys.calls, locked({}));
}

}  // namespace
}  // namespace kpatch::testing
