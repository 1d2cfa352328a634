// The lock on /var/lib/kpatch: taken once by every command that changes
// what is installed or loaded, never by the ones that only look (or by
// signal, which must reach a load that holds it); waited for with one
// message, given up after --lock-timeout having changed nothing.
#include <cerrno>

#include "cli_fixture.h"

namespace kpatch::testing {
namespace {

const std::string kLock = "/var/lib/kpatch/.lock";

class LockTest : public CliTest {
 protected:
  Patch fix = Patch("kpatch_fix", "fix").with(&Patch::replace, "0");
  const std::string file = "/home/op/kpatch_fix.ko";

  // The calls up to the first that is not a lock attempt.
  size_t lock_attempts() const {
    size_t n = 0;
    while (n < sys.calls.size() && sys.calls[n] == "lock " + kLock) ++n;
    return n;
  }
};

TEST_F(LockTest, EveryCommandThatChangesSomethingHoldsItThroughout) {
  put(file, fix);
  std::vector<std::function<int(Manager&)>> commands = {
      [&](Manager& m) { return m.install(file); },        [&](Manager& m) { return m.load("kpatch_fix"); },
      [&](Manager& m) { return m.unload("kpatch_fix"); }, [&](Manager& m) { return m.load_all(); },
      [&](Manager& m) { return m.unload_all(); },         [&](Manager& m) { return m.uninstall("kpatch_fix"); },
  };
  for (size_t i = 0; i < commands.size(); ++i) {
    sys.calls.clear();
    Manager m = kpatch();
    EXPECT_EQ(commands[i](m), 0) << i << ": " << err.str();
    ASSERT_GE(sys.calls.size(), 3u) << i;
    EXPECT_EQ(sys.calls.front(), "lock " + kLock) << i;
    EXPECT_EQ(sys.calls.back(), "unlock " + kLock) << i;
    EXPECT_EQ(std::count(sys.calls.begin(), sys.calls.end(), "lock " + kLock), 1) << i;
  }
}

// load --all loads each patch under the one lock it took.
TEST_F(LockTest, LoadAllTakesItOnce) {
  install(Patch("kpatch_a", "a").with(&Patch::replace, "0"));
  install(Patch("kpatch_b", "b").with(&Patch::replace, "0"));
  EXPECT_EQ(kpatch().load_all(), 0);
  EXPECT_EQ(sys.calls, locked({"finit_module " + kLib + "kpatch_a.ko", "finit_module " + kLib + "kpatch_b.ko"}));
}

TEST_F(LockTest, LookingAndSignallingDoNotTakeIt) {
  install(fix);
  add_loaded("kpatch_fix", "enabling");
  sys.lock_errno = std::deque<int>(1000, EWOULDBLOCK);  // a load holds it
  EXPECT_EQ(kpatch().list(), 0);
  EXPECT_EQ(kpatch().status(), 0);
  EXPECT_EQ(kpatch().info("kpatch_fix"), 0);
  EXPECT_EQ(kpatch().signal(), 0);
  EXPECT_EQ(sys.calls, Calls{"write /sys/kernel/livepatch/kpatch_fix/signal 1"});
  EXPECT_EQ(err.str(), "");
}

TEST_F(LockTest, WaitsForTheHolderSayingOnceWhoItIs) {
  put(file, fix);
  sys.files[kLock] = "4242\n";
  sys.lock_errno = {EWOULDBLOCK, EWOULDBLOCK, EWOULDBLOCK};
  EXPECT_EQ(kpatch().load(file), 0);
  EXPECT_EQ(err.str(), "kpatch: waiting for another kpatch (pid 4242) to finish (/var/lib/kpatch/.lock)\n");
  EXPECT_EQ(out.str(), "loaded kpatch_fix\n");
  EXPECT_EQ(lock_attempts(), 4u);
  EXPECT_EQ(sys.calls.at(4), "finit_module " + file);
  EXPECT_EQ(sys.elapsed(), std::chrono::milliseconds(300 + 100));  // the lock's waits, then the transition's
}

TEST_F(LockTest, GivesUpAfterTheLockTimeoutHavingDoneNothing) {
  put(file, fix);
  sys.lock_errno = std::deque<int>(1000, EWOULDBLOCK);
  opt.lock_timeout = std::chrono::seconds(2);
  EXPECT_EQ(kpatch().install(file), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(),
            "kpatch: waiting for another kpatch to finish (/var/lib/kpatch/.lock)\n"
            "kpatch: error: another kpatch still holds /var/lib/kpatch/.lock after 2s; nothing done (--lock-timeout "
            "SECS waits longer)\n");
  EXPECT_EQ(lock_attempts(), sys.calls.size());
  EXPECT_EQ(lock_attempts(), 21u);  // at 0, 0.1, ..., 2.0 s
  EXPECT_FALSE(sys.files.contains(kLib + "kpatch_fix.ko"));
}

TEST_F(LockTest, ZeroLockTimeoutDoesNotWait) {
  add_loaded("kpatch_fix");
  sys.files[kLock] = "4242\n";
  sys.lock_errno = {EWOULDBLOCK};
  opt.lock_timeout = std::chrono::seconds(0);
  EXPECT_EQ(kpatch().unload("kpatch_fix"), 1);
  EXPECT_EQ(err.str(),
            "kpatch: error: another kpatch (pid 4242) still holds /var/lib/kpatch/.lock after 0s; nothing done "
            "(--lock-timeout SECS waits longer)\n");
  EXPECT_EQ(sys.calls, Calls{"lock " + kLock});
  EXPECT_EQ(sys.sleeps, 0);
}

TEST_F(LockTest, ALockThatCannotBeTakenIsAnError) {
  put(file, fix);
  sys.lock_errno = {EACCES};
  EXPECT_EQ(kpatch().load(file), 1);
  EXPECT_EQ(err.str(), "kpatch: error: cannot lock /var/lib/kpatch/.lock: Permission denied\n");
  EXPECT_EQ(sys.calls, Calls{"lock " + kLock});
}

// The lock file is not a release: list and load --all step over it.
TEST_F(LockTest, TheLockFileIsNoRelease) {
  sys.files[kLock] = "4242\n";
  install(fix);
  EXPECT_EQ(kpatch().list(), 0);
  EXPECT_TRUE(out.str().ends_with("Installed patch modules:\nkpatch_fix (6.1.0-56-cloud-amd64)\n")) << out.str();
  EXPECT_EQ(err.str(), "");
}

}  // namespace
}  // namespace kpatch::testing
