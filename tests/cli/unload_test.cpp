// kpatch unload: disable, wait for the reverse transition, remove the
// module (retrying while the livepatch core still holds it); unload --all.
#include <cerrno>

#include "cli_fixture.h"

namespace kpatch::testing {
namespace {

class UnloadTest : public CliTest {};

TEST_F(UnloadTest, DisablesWaitsAndRemoves) {
  add_loaded("kpatch_fix");
  EXPECT_EQ(kpatch().unload("kpatch_fix"), 0);
  EXPECT_EQ(out.str(), "unloaded kpatch_fix\n");
  EXPECT_EQ(err.str(), "");
  EXPECT_EQ(sys.calls, locked(Calls{"write /sys/kernel/livepatch/kpatch_fix/enabled 0", "delete_module kpatch_fix"}));
  EXPECT_EQ(sys.logs, Calls{"unloaded kpatch_fix"});
  EXPECT_EQ(sys.sleeps, 1);  // one poll of the reverse transition
  EXPECT_EQ(sys.files["/proc/modules"], "ext4 1114112 2 - Live 0xffffffffc0300000\n");
}

TEST_F(UnloadTest, ByDashedNameOrInstalledPath) {
  add_loaded("kpatch_fix");
  EXPECT_EQ(kpatch().unload("kpatch-fix"), 0);
  add_loaded("kpatch_fs_fix");
  EXPECT_EQ(kpatch().unload("/var/lib/kpatch/6.1.0-56-cloud-amd64/kpatch_fs_fix.ko"), 0);
  EXPECT_EQ(out.str(), "unloaded kpatch_fix\nunloaded kpatch_fs_fix\n");
  Calls both = locked({"write /sys/kernel/livepatch/kpatch_fix/enabled 0", "delete_module kpatch_fix"});
  for (auto c : locked({"write /sys/kernel/livepatch/kpatch_fs_fix/enabled 0", "delete_module kpatch_fs_fix"}))
    both.push_back(c);
  EXPECT_EQ(sys.calls, both);
}

TEST_F(UnloadTest, RetriesWhileTheModuleIsStillHeld) {
  add_loaded("kpatch_fix");
  sys.delete_errno["kpatch_fix"] = {EAGAIN, EBUSY, EAGAIN};
  EXPECT_EQ(kpatch().unload("kpatch_fix"), 0);
  EXPECT_EQ(out.str(), "unloaded kpatch_fix\n");
  EXPECT_EQ(sys.calls,
            locked(Calls{"write /sys/kernel/livepatch/kpatch_fix/enabled 0", "delete_module kpatch_fix",
                         "delete_module kpatch_fix", "delete_module kpatch_fix", "delete_module kpatch_fix"}));
}

TEST_F(UnloadTest, GivesUpAfterFiveSeconds) {
  add_loaded("kpatch_fix");
  sys.delete_errno["kpatch_fix"] = std::deque<int>(100, EAGAIN);
  EXPECT_EQ(kpatch().unload("kpatch_fix"), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(), "kpatch: error: kpatch_fix: still in use; not removed\n");
  EXPECT_EQ(std::count(sys.calls.begin(), sys.calls.end(), "delete_module kpatch_fix"), 50);
  EXPECT_TRUE(sys.logs.empty());
}

TEST_F(UnloadTest, OtherDeleteErrorsAreFinal) {
  add_loaded("kpatch_fix");
  sys.delete_errno["kpatch_fix"] = {EPERM};
  EXPECT_EQ(kpatch().unload("kpatch_fix"), 1);
  EXPECT_EQ(err.str(), "kpatch: error: kpatch_fix: cannot remove: Operation not permitted\n");
  EXPECT_EQ(sys.calls, locked(Calls{"write /sys/kernel/livepatch/kpatch_fix/enabled 0", "delete_module kpatch_fix"}));
}

TEST_F(UnloadTest, NotLoaded) {
  EXPECT_EQ(kpatch().unload("kpatch_fix"), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(), "kpatch: error: kpatch_fix is not loaded\n");
  EXPECT_EQ(sys.calls, locked({}));
}

TEST_F(UnloadTest, RefusesAnOrdinaryModule) {
  EXPECT_EQ(kpatch().unload("ext4"), 1);
  EXPECT_EQ(err.str(), "kpatch: error: ext4 is not a livepatch module\n");
  EXPECT_EQ(sys.calls, locked({}));
}

TEST_F(UnloadTest, ReplacedPatchModuleIsJustRemoved) {
  add_module("kpatch_old", "(OEK)");  // no longer in /sys/kernel/livepatch
  EXPECT_EQ(kpatch().unload("kpatch_old"), 0);
  EXPECT_EQ(sys.calls, locked(Calls{"delete_module kpatch_old"}));
  EXPECT_EQ(out.str(), "unloaded kpatch_old\n");
}

TEST_F(UnloadTest, PatchAlreadyDisablingIsWaitedFor) {
  add_loaded("kpatch_fix", "disabling");
  sys.files.erase(kLp + "kpatch_fix/transition");
  sys.scripted[kLp + "kpatch_fix/transition"] = {"1", "1", "1", "0"};
  EXPECT_EQ(kpatch().unload("kpatch_fix"), 0);
  EXPECT_EQ(sys.calls, locked(Calls{"delete_module kpatch_fix"}));
  EXPECT_EQ(sys.sleeps, 2);  // state_of read the first "1"
}

TEST_F(UnloadTest, StalledDisableNamesTasksStillPatched) {
  add_loaded("kpatch_fix");
  disable_transition = {"1"};
  add_task(700, 700, "qemu-kvm", "0");
  add_task(700, 703, "CPU 0/KVM", "1", "[<0>] kvm_vcpu_block+0x4a/0xb0 [kvm]\n");
  EXPECT_EQ(kpatch().unload("kpatch_fix"), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(),
            "kpatch: blocking task: pid 703 (CPU 0/KVM)\n"
            "    [<0>] kvm_vcpu_block+0x4a/0xb0 [kvm]\n"
            "kpatch: error: kpatch_fix: disabling did not finish in 60s\n");
  EXPECT_EQ(sys.calls, locked(Calls{"write /sys/kernel/livepatch/kpatch_fix/enabled 0"}));
}

TEST_F(UnloadTest, DisableRefusedByTheKernel) {
  add_loaded("kpatch_fix");
  sys.write_error[kLp + "kpatch_fix/enabled"] = "Device or resource busy";  // another patch in transition
  EXPECT_EQ(kpatch().unload("kpatch_fix"), 1);
  EXPECT_EQ(err.str(), "kpatch: error: kpatch_fix: cannot disable: Device or resource busy\n");
  EXPECT_EQ(sys.calls, locked(Calls{"write /sys/kernel/livepatch/kpatch_fix/enabled 0"}));
}

// --- unload --all ---

TEST_F(UnloadTest, AllInProcModulesOrderNewestFirst) {
  add_loaded("kpatch_a");
  add_module("vendor_drv", "(POE)");
  add_loaded("kpatch_b");
  EXPECT_EQ(kpatch().unload_all(), 0);
  EXPECT_EQ(out.str(), "unloaded kpatch_b\nunloaded kpatch_a\n");
  EXPECT_EQ(sys.calls, locked(Calls{"write /sys/kernel/livepatch/kpatch_b/enabled 0", "delete_module kpatch_b",
                                    "write /sys/kernel/livepatch/kpatch_a/enabled 0", "delete_module kpatch_a"}));
}

TEST_F(UnloadTest, AllContinuesPastAFailure) {
  add_loaded("kpatch_a");
  add_loaded("kpatch_b");
  sys.delete_errno["kpatch_b"] = {EPERM};
  EXPECT_EQ(kpatch().unload_all(), 1);
  EXPECT_EQ(err.str(), "kpatch: error: kpatch_b: cannot remove: Operation not permitted\n");
  EXPECT_EQ(out.str(), "unloaded kpatch_a\n");
}

TEST_F(UnloadTest, AllWithNothingLoaded) {
  EXPECT_EQ(kpatch().unload_all(), 0);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(sys.calls, locked({}));
}

}  // namespace
}  // namespace kpatch::testing
