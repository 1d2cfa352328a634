// The real system calls behind install and the lock, against a scratch
// directory standing in for / (LinuxSystem's root): temporary files no two
// callers share, a rename that leaves nothing behind, a flock that a second
// open cannot take, and concurrent installs that all succeed.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "manager.h"
#include "module_image.h"

namespace kpatch::testing {
namespace {

namespace fs = std::filesystem;

class LinuxSystemTest : public ::testing::Test {
 protected:
  fs::path root;
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "kpatch-cli-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root = tmpl;
    fs::create_directories(root / "var/lib/kpatch");
    fs::create_directories(root / "home");
  }
  void TearDown() override { fs::remove_all(root); }

  std::vector<std::string> names(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(root / dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  std::string contents(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream b;
    b << in.rdbuf();
    return b.str();
  }
};

// systemctl is looked up in PATH and run with the root as --root; its exit
// status is the answer; without one there is nothing to enable.
TEST_F(LinuxSystemTest, EnableServiceRunsSystemctlFromPath) {
  fs::create_directories(root / "bin");
  std::ofstream(root / "bin/systemctl") << "#!/bin/sh\necho \"$@\" >'" << (root / "bin/args").string()
                                        << "'\nexit \"${FAKE_STATUS:-0}\"\n";
  fs::permissions(root / "bin/systemctl", fs::perms::owner_all);
  std::string old_path = std::getenv("PATH") ? std::getenv("PATH") : "";
  ::setenv("PATH", ("/nonexistent:" + (root / "bin").string()).c_str(), 1);
  LinuxSystem sys(root.string());
  EXPECT_EQ(sys.enable_service("kpatch.service"), std::optional<std::string>(""));
  EXPECT_EQ(contents(root / "bin/args"), "--quiet --no-ask-password --root=" + root.string() + " enable kpatch.service\n");
  ::setenv("FAKE_STATUS", "3", 1);
  EXPECT_EQ(sys.enable_service("kpatch.service"), std::optional<std::string>("systemctl exited with status 3"));
  ::unsetenv("FAKE_STATUS");
  ::setenv("PATH", "/nonexistent", 1);
  EXPECT_EQ(sys.enable_service("kpatch.service"), std::nullopt);
  ::setenv("PATH", old_path.c_str(), 1);
}

TEST_F(LinuxSystemTest, TemporaryFilesAreNewHiddenAndDistinct) {
  LinuxSystem sys(root.string());
  std::ofstream(root / "var/lib/kpatch/other") << "someone else's";
  std::string err;
  auto a = sys.create_temp("/var/lib/kpatch", ".kpatch_fix.ko.", err);
  auto b = sys.create_temp("/var/lib/kpatch", ".kpatch_fix.ko.", err);
  ASSERT_TRUE(a && b) << err;
  EXPECT_NE(a->path(), b->path());
  EXPECT_TRUE(a->path().starts_with("/var/lib/kpatch/.kpatch_fix.ko.")) << a->path();
  EXPECT_EQ(a->path().size(), std::string("/var/lib/kpatch/.kpatch_fix.ko.").size() + 6);
  ASSERT_TRUE(a->write("data", err) && a->sync(err)) << err;
  struct stat st {};
  ASSERT_EQ(::stat((root.string() + a->path()).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_EQ(contents(root.string() + a->path()), "data");
  EXPECT_EQ(contents(root / "var/lib/kpatch/other"), "someone else's");
}

TEST_F(LinuxSystemTest, ASecondLockWaitsForTheFirst) {
  LinuxSystem one(root.string()), two(root.string());
  std::unique_ptr<Lock> held, other;
  fs::remove_all(root / "var/lib/kpatch");  // created with the lock file
  ASSERT_EQ(one.try_lock("/var/lib/kpatch/.lock", held), 0);
  EXPECT_EQ(contents(root / "var/lib/kpatch/.lock"), std::to_string(::getpid()) + "\n");
  EXPECT_EQ(two.try_lock("/var/lib/kpatch/.lock", other), EWOULDBLOCK);
  EXPECT_FALSE(other);
  held.reset();
  EXPECT_EQ(two.try_lock("/var/lib/kpatch/.lock", other), 0);
  EXPECT_TRUE(other);
}

// A fresh machine or a minimal initramfs has no /var/lib at all: the lock
// makes every missing directory (the VM tests found this).
TEST_F(LinuxSystemTest, TheLockMakesEveryMissingDirectory) {
  LinuxSystem sys(root.string());
  std::unique_ptr<Lock> held;
  fs::remove_all(root / "var");
  ASSERT_EQ(sys.try_lock("/var/lib/kpatch/.lock", held), 0);
  EXPECT_TRUE(fs::is_regular_file(root / "var/lib/kpatch/.lock"));
}

// Installs of one module from several processes at once (here threads, each
// with its own open of the lock file) all succeed, and leave the module
// whole and no temporary file: with one fixed NAME.ko.tmp and no lock, one
// install's rename took away another's temporary file.
TEST_F(LinuxSystemTest, ConcurrentInstallsAllSucceed) {
  Patch fix("kpatch_fix", "fix");
  std::ofstream(root / "home/kpatch_fix.ko", std::ios::binary) << fix.image();
  constexpr int kThreads = 4, kEach = 10;
  std::vector<int> failures(kThreads, 0);
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      LinuxSystem sys(root.string());
      std::ostringstream out, err;
      Options opt;
      opt.kernel = kRelease;
      opt.force = true;  // each one writes
      for (int i = 0; i < kEach; ++i)
        if (Manager(sys, out, err, opt).install("/home/kpatch_fix.ko") != 0) ++failures[t];
      errors[t] = err.str();
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << errors[t];
  EXPECT_EQ(names(std::string("var/lib/kpatch/") + kRelease), std::vector<std::string>{"kpatch_fix.ko"});
  EXPECT_EQ(contents(root / "var/lib/kpatch" / kRelease / "kpatch_fix.ko"), fix.image());
}

TEST_F(LinuxSystemTest, UninstallOfTheLastModuleLeavesNoDirectory) {
  Patch fix("kpatch_fix", "fix");
  std::ofstream(root / "home/kpatch_fix.ko", std::ios::binary) << fix.image();
  LinuxSystem sys(root.string());
  std::ostringstream out, err;
  Options opt;
  opt.kernel = kRelease;
  ASSERT_EQ(Manager(sys, out, err, opt).install("/home/kpatch_fix.ko"), 0) << err.str();
  ASSERT_EQ(Manager(sys, out, err, opt).uninstall("kpatch_fix"), 0) << err.str();
  EXPECT_EQ(names("var/lib/kpatch"), std::vector<std::string>{".lock"});
}

}  // namespace
}  // namespace kpatch::testing
