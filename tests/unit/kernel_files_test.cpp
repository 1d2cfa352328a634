// The kernel's files checked before use (build/kernel_files.cpp), on a
// stand-in vmlinux linked at test time and copies of it cut short.
#include "build/kernel_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "fake_runner.h"

namespace kp {
namespace {

constexpr const char* kKernel = R"(const char linux_banner[] =
  "Linux version 6.1.0-56-cloud-amd64 (debian-kernel@lists.debian.org) #1 SMP Debian 6.1.192-2\n";
int _start(void) { return 0; }
)";

class KernelFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kpatch-kfiles-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "cache");
    std::ofstream(dir_ / "k.c") << kKernel;
    std::string d = dir_.string() + "/";
    std::string cmd = std::string(KP_UNIT_CC) + " -O2 -nostdlib -static -no-pie -Wl,--build-id=sha1 -o " + d +
                      "cache/vmlinux " + d + "k.c";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    cfg_.tools_dir = "/tools";
  }
  void TearDown() override { fs::remove_all(dir_); }

  BuildCtx ctx() {
    BuildCtx c(cfg_, Manifest{}, "6.1.0-56-cloud-amd64", run_);
    c.target.cache = dir_ / "cache";
    c.target.vmlinux = dir_ / "cache/vmlinux";
    return c;
  }
  std::string error_of(BuildCtx& c) {
    try {
      check_kernel_files(c);
    } catch (const BuildError& e) {
      return e.what();
    }
    return "(no error)";
  }
  void truncate_to(const fs::path& p, uint64_t size) { fs::resize_file(p, size); }

  fs::path dir_;
  BuildConfig cfg_;
  testing::FakeRunner run_;
};

TEST_F(KernelFiles, AWholeVmlinuxPasses) {
  BuildCtx c = ctx();
  EXPECT_EQ(error_of(c), "(no error)");
}

TEST_F(KernelFiles, ATruncatedVmlinuxIsNamedAsSuch) {
  fs::path v = dir_ / "cache/vmlinux";
  uint64_t size = fs::file_size(v);
  truncate_to(v, size / 2);
  BuildCtx c = ctx();
  std::string msg = error_of(c);
  EXPECT_TRUE(msg.starts_with(v.string() + ": truncated: the section header table ends at byte " +
                              std::to_string(size) + " but the file has " + std::to_string(size / 2) + " bytes"))
      << msg;
  EXPECT_TRUE(msg.ends_with("; the kernel cache " + (dir_ / "cache").string() +
                            " is damaged: remove that directory and build again (kernel-tree prepare fetches it anew)"))
      << msg;
  EXPECT_EQ(msg.find("does not reproduce"), std::string::npos);
}

TEST_F(KernelFiles, NotAnElfFile) {
  std::ofstream(dir_ / "cache/vmlinux", std::ios::trunc) << "<html>404</html>";
  BuildCtx c = ctx();
  c.target.cache.clear();  // -s: the user's own file, no cache advice
  EXPECT_EQ(error_of(c), (dir_ / "cache/vmlinux").string() + ": not a 64-bit ELF file (16 bytes)");
}

}  // namespace
}  // namespace kp
