// The kernel's files checked before use (build/kernel_files.cpp), on a
// stand-in vmlinux linked at test time and copies of it cut short.
#include "pipeline/kernel_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "pipeline/build_id.h"
#include "pipeline/command_line.h"
#include "fake_runner.h"
#include "pipeline/build_id.h"
#include "pipeline/verify.h"

namespace kp {
namespace {

// A stand-in vmlinux of `release`.
std::string kernel_source(const std::string& release) {
  return "const char linux_banner[] = \"Linux version " + release +
         " (debian-kernel@lists.debian.org) #1 SMP Debian 6.1.192-2\\n\";\n"
         "__attribute__((section(\"__kcrctab\"), used)) const unsigned int __crc_foo = 0x1234abcd;\n"
         "int _start(void) { return 0; }\n";
}

// A stand-in bzImage: the setup header's magic and kernel_version.
void write_bzimage(const fs::path& p, const std::string& release) {
  std::string image(0x1000, '\0');
  image.replace(0x202, 4, "HdrS");
  image[0x20e] = 0x00;  // kernel_version at 0x200 + 0x0400
  image[0x20f] = 0x04;
  std::string version = release + " (debian-kernel@lists.debian.org) #1 SMP";
  image.replace(0x600, version.size(), version);
  std::ofstream(p, std::ios::binary) << image;
}

class KernelFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kpatch-kfiles-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "cache");
    link_kernel("6.1.0-56-cloud-amd64", dir_ / "cache/vmlinux");
    write_bzimage(dir_ / "cache/vmlinuz", "6.1.0-56-cloud-amd64");
    std::ofstream(dir_ / "cache/image.build-id") << read_build_id((dir_ / "cache/vmlinux").string()) << "\n";
    std::ofstream(dir_ / "cache/config") << "CONFIG_X86=y\nCONFIG_BUILD_SALT=\"6.1.0-56-cloud-amd64\"\n";
    cfg_.tools_dir = "/tools";
  }
  void link_kernel(const std::string& release, const fs::path& out) {
    std::ofstream(dir_ / "k.c") << kernel_source(release);
    std::string cmd = std::string(KP_UNIT_CC) + " -O2 -nostdlib -static -no-pie -Wl,--build-id=sha1 -o " +
                      out.string() + " " + (dir_ / "k.c").string();
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  void TearDown() override { fs::remove_all(dir_); }

  BuildCtx ctx() {
    BuildCtx c(cfg_, Manifest{}, "6.1.0-56-cloud-amd64", run_);
    c.target.cache = dir_ / "cache";
    c.target.vmlinux = dir_ / "cache/vmlinux";
    c.target.config = dir_ / "cache/config";
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

TEST_F(KernelFiles, OneKernelPasses) {
  BuildCtx c = ctx();
  EXPECT_EQ(error_of(c), "(no error)");
  EXPECT_EQ(c.build_id, read_build_id((dir_ / "cache/vmlinux").string()));
  EXPECT_EQ(c.build_id.size(), 40u);
  EXPECT_EQ(vmlinux_release(dir_ / "cache/vmlinux"), "6.1.0-56-cloud-amd64");
  EXPECT_EQ(bzimage_release(dir_ / "cache/vmlinuz"), "6.1.0-56-cloud-amd64");
}

// 6.1.0-55's vmlinux in 6.1.0-56's cache.
TEST_F(KernelFiles, AVmlinuxOfAnotherReleaseIsRefused) {
  std::string id56 = read_build_id((dir_ / "cache/vmlinux").string());
  link_kernel("6.1.0-55-cloud-amd64", dir_ / "cache/vmlinux");
  std::string id55 = read_build_id((dir_ / "cache/vmlinux").string());
  ASSERT_NE(id55, id56);
  BuildCtx c = ctx();
  std::string d = dir_.string();
  EXPECT_EQ(error_of(c), "the kernel's files are not all of 6.1.0-56-cloud-amd64:\n  vmlinux " + d +
                             "/cache/vmlinux is 6.1.0-55-cloud-amd64, build ID " + id55 + "\n  image " + d +
                             "/cache/vmlinuz is 6.1.0-56-cloud-amd64, build ID " + id56 + "\n  config " + d +
                             "/cache/config is 6.1.0-56-cloud-amd64\nthe kernel cache " + d +
                             "/cache is damaged: remove that directory and build again (kernel-tree prepare fetches "
                             "it anew)");
}

// The same release string but another build: only the build ID tells.
TEST_F(KernelFiles, AnotherBuildOfTheSameReleaseIsRefused) {
  std::ofstream(dir_ / "cache/image.build-id") << "0123456789abcdef0123456789abcdef01234567\n";
  BuildCtx c = ctx();
  std::string msg = error_of(c);
  EXPECT_TRUE(msg.starts_with("the kernel's files are not all of 6.1.0-56-cloud-amd64:")) << msg;
  EXPECT_NE(msg.find("/cache/vmlinuz is 6.1.0-56-cloud-amd64, build ID 0123456789abcdef0123456789abcdef01234567"),
            std::string::npos)
      << msg;
}

// CONFIG_MODVERSIONS: Module.symvers of another build has other CRCs.
TEST_F(KernelFiles, ModuleSymversWithOtherCrcsIsRefused) {
  EXPECT_EQ(read_vmlinux_identity(dir_ / "cache/vmlinux").crcs, (std::map<std::string, uint32_t>{{"foo", 0x1234abcd}}));
  std::ofstream(dir_ / "cache/Module.symvers") << "0x1234abcd\tfoo\tvmlinux\tEXPORT_SYMBOL\t\n"
                                                  "0x00000007\tbar\tfs/binfmt_misc\tEXPORT_SYMBOL\t\n";
  BuildCtx c = ctx();
  c.target.symvers = dir_ / "cache/Module.symvers";
  EXPECT_EQ(error_of(c), "(no error)");
  std::ofstream(dir_ / "cache/Module.symvers") << "0x0badc0de\tfoo\tvmlinux\tEXPORT_SYMBOL\t\n";
  BuildCtx c2 = ctx();
  c2.target.symvers = dir_ / "cache/Module.symvers";
  std::string d = dir_.string();
  EXPECT_EQ(error_of(c2), "the kernel's files are not all of 6.1.0-56-cloud-amd64:\n  " + d +
                              "/cache/Module.symvers gives 1 of 1 CRCs of vmlinux " + d +
                              "/cache/vmlinux otherwise (foo is 0x0badc0de there, 0x1234abcd in vmlinux)\nthe kernel "
                              "cache " +
                              d +
                              "/cache is damaged: remove that directory and build again (kernel-tree prepare fetches "
                              "it anew)");
}

TEST_F(KernelFiles, AnImageOrConfigOfAnotherReleaseIsRefused) {
  write_bzimage(dir_ / "cache/vmlinuz", "6.1.0-55-cloud-amd64");
  BuildCtx c = ctx();
  EXPECT_NE(error_of(c).find("/cache/vmlinuz is 6.1.0-55-cloud-amd64"), std::string::npos);
  write_bzimage(dir_ / "cache/vmlinuz", "6.1.0-56-cloud-amd64");
  std::ofstream(dir_ / "cache/config") << "CONFIG_BUILD_SALT=\"6.1.0-55-cloud-amd64\"\n";
  BuildCtx c2 = ctx();
  EXPECT_NE(error_of(c2).find("/cache/config is 6.1.0-55-cloud-amd64"), std::string::npos);
  std::ofstream(dir_ / "cache/config") << "CONFIG_X86=y\n";  // a config that does not say is fine
  BuildCtx c3 = ctx();
  EXPECT_EQ(error_of(c3), "(no error)");
}

// -s: the user's vmlinux must be of the release the tree was prepared as.
TEST_F(KernelFiles, WithASourceTreeVmlinuxMustMatchUtsRelease) {
  std::string id = read_build_id((dir_ / "cache/vmlinux").string());
  BuildCtx c = ctx();
  c.target.cache.clear();
  c.target.release = "6.1.0-mine";
  EXPECT_EQ(error_of(c), "the kernel's files are not all of 6.1.0-mine:\n  vmlinux " + dir_.string() +
                             "/cache/vmlinux is 6.1.0-56-cloud-amd64, build ID " + id +
                             "\npass -v with the vmlinux of the kernel the tree was prepared as (UTS_RELEASE "
                             "6.1.0-mine)");
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

// --- classic kpatch-build -v VMLINUX without -s (a distribution kernel) ---

struct Parsed {
  int rc;
  BuildConfig cfg;
  std::string err;
};

Parsed parse(std::vector<std::string> args) {
  Parsed p;
  std::ostringstream out, err;
  p.rc = parse_build_command_line(args, p.cfg, out, err);
  p.err = err.str();
  return p;
}

TEST_F(KernelFiles, DashVWithoutSourceTreeBuildsForTheVmlinuxRelease) {
  std::string v = (dir_ / "cache/vmlinux").string();
  Parsed p = parse({"-v", v, "x.patch"});
  ASSERT_EQ(p.rc, -1) << p.err;
  EXPECT_EQ(p.cfg.kernels, std::vector<std::string>{"6.1.0-56-cloud-amd64"});
  EXPECT_EQ(p.cfg.vmlinux, v);
  EXPECT_TRUE(p.cfg.sourcedir.empty());
  Parsed same = parse({"-a", "6.1.0-56-cloud-amd64", "--vmlinux=" + v, "x.patch"});
  EXPECT_EQ(same.rc, -1) << same.err;
  EXPECT_EQ(same.cfg.kernels, std::vector<std::string>{"6.1.0-56-cloud-amd64"});
}

TEST_F(KernelFiles, DashVWithoutSourceTreeRefusals) {
  std::string v = (dir_ / "cache/vmlinux").string();
  Parsed other = parse({"--kernel", "6.1.0-55-cloud-amd64", "-v", v, "x.patch"});
  EXPECT_EQ(other.rc, 1);
  EXPECT_EQ(other.err, "kpatch-build: Kernel version mismatch: 6.1.0-55-cloud-amd64 was specified but " + v +
                           " was built for 6.1.0-56-cloud-amd64\n");
  Parsed missing = parse({"-v", (dir_ / "nope").string(), "x.patch"});
  EXPECT_EQ(missing.rc, 1);
  EXPECT_EQ(missing.err, "kpatch-build: vmlinux file '" + (dir_ / "nope").string() + "' not found\n");
  std::ofstream(dir_ / "banner.c") << "int _start(void) { return 0; }\n";
  std::string cmd = std::string(KP_UNIT_CC) + " -nostdlib -static -no-pie -o " + (dir_ / "nobanner").string() + " " +
                    (dir_ / "banner.c").string();
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  Parsed nobanner = parse({"-v", (dir_ / "nobanner").string(), "x.patch"});
  EXPECT_EQ(nobanner.rc, 1);
  EXPECT_EQ(nobanner.err, "kpatch-build: Unable to determine the kernel version from " +
                              (dir_ / "nobanner").string() + " (it has no linux_banner)\n");
  Parsed config = parse({"-v", v, "-c", "config", "x.patch"});
  EXPECT_EQ(config.rc, 1);
  EXPECT_NE(config.err.find("-c and --symvers go with -s SRCDIR"), std::string::npos) << config.err;
}

// The build uses the cache's vmlinux: the one given must be it.
TEST_F(KernelFiles, DashVWithoutSourceTreeMustBeTheCachedVmlinux) {
  fs::copy_file(dir_ / "cache/vmlinux", dir_ / "vmlinux-dbg");
  cfg_.vmlinux = dir_ / "vmlinux-dbg";
  BuildCtx same = ctx();
  EXPECT_EQ(error_of(same), "(no error)");
  std::ofstream(dir_ / "k.c") << kernel_source("6.1.0-56-cloud-amd64") << "int another_build = 1;\n";
  std::string cmd = std::string(KP_UNIT_CC) + " -O2 -nostdlib -static -no-pie -Wl,--build-id=sha1 -o " +
                    (dir_ / "vmlinux-other").string() + " " + (dir_ / "k.c").string();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  cfg_.vmlinux = dir_ / "vmlinux-other";
  BuildCtx other = ctx();
  std::string msg = error_of(other);
  EXPECT_TRUE(msg.starts_with((dir_ / "vmlinux-other").string() + ": build ID " +
                              read_build_id((dir_ / "vmlinux-other").string()) +
                              " is not that of Debian's 6.1.0-56-cloud-amd64 (" +
                              read_build_id((dir_ / "cache/vmlinux").string()) + "): it is another build"))
      << msg;
}

// Compressed modules (Debian's 6.12 packages ship .ko.xz).
TEST(ModuleFiles, NamesOfPlainAndCompressedModules) {
  EXPECT_EQ(module_name_of_file("binfmt_misc.ko"), "binfmt_misc");
  EXPECT_EQ(module_name_of_file("binfmt-misc.ko.xz"), "binfmt_misc");
  EXPECT_EQ(module_name_of_file("nf_tables.ko.zst"), "nf_tables");
  EXPECT_EQ(module_name_of_file("ext4.ko.gz"), "ext4");
  EXPECT_EQ(module_name_of_file("ext4.ko.bz2"), std::nullopt);
  EXPECT_EQ(module_name_of_file("ext4.o"), std::nullopt);
  EXPECT_EQ(module_name_of_file(".ko.xz"), std::nullopt);
  EXPECT_EQ(module_name_of_file("modules.order"), std::nullopt);
  EXPECT_EQ(module_compression("a/b.ko.xz"), ".xz");
  EXPECT_EQ(module_compression("a/b.ko"), "");
}

class CompressedModule : public KernelFiles {
 protected:
  void SetUp() override {
    KernelFiles::SetUp();
    fs::create_directories(dir_ / "work");
    fs::create_directories(dir_ / "cache/modules/kernel/fs");
    // A stand-in module: any whole ELF file will do.
    fs::copy_file(dir_ / "cache/vmlinux", dir_ / "plain.ko");
  }
  BuildCtx mctx(Runner& r) {
    BuildCtx c(cfg_, Manifest{}, "6.12.118+deb12-cloud-amd64", r);
    c.target.cache = dir_ / "cache";
    c.target.modules = dir_ / "cache/modules";
    c.work = dir_ / "work";
    return c;
  }
  // `tool ARGS < plain.ko > cache/modules/kernel/fs/NAME`.
  fs::path compress(const std::string& tool, const std::string& name) {
    fs::path out = dir_ / "cache/modules/kernel/fs" / name;
    std::string cmd = tool + " < " + (dir_ / "plain.ko").string() + " > " + out.string();
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    return out;
  }
  std::string error_of_elf(BuildCtx& c, const fs::path& ko) {
    try {
      module_elf(c, ko);
    } catch (const BuildError& e) {
      return e.what();
    }
    return "(no error)";
  }
  std::string advice() {
    return "; the kernel cache " + (dir_ / "cache").string() +
           " is damaged: remove that directory and build again (kernel-tree prepare fetches it anew)";
  }
  PosixRunner real_{""};
};

TEST_F(CompressedModule, EachCompressionIsFoundAndDecompressedOnce) {
  for (auto [tool, name] : {std::pair{"xz -c", "binfmt_misc.ko.xz"}, std::pair{"zstd -q -c", "binfmt_misc.ko.zst"},
                            std::pair{"gzip -c", "binfmt_misc.ko.gz"}}) {
    SCOPED_TRACE(name);
    fs::remove_all(dir_ / "cache/modules/kernel/fs");
    fs::create_directories(dir_ / "cache/modules/kernel/fs");
    fs::remove_all(dir_ / "work/shipped-modules");
    fs::path ko = compress(tool, name);
    BuildCtx c = mctx(real_);
    EXPECT_EQ(shipped_module(c, "binfmt_misc"), ko);
    fs::path elf = module_elf(c, ko);
    EXPECT_EQ(elf, dir_ / "work/shipped-modules/binfmt_misc.ko");
    EXPECT_EQ(read_build_id(elf.string()), read_build_id((dir_ / "plain.ko").string()));
    EXPECT_TRUE(fs::exists(ko));  // the cache's file is left as it was
    EXPECT_FALSE(fs::exists(dir_ / "work/shipped-modules" / name));
    // Made once: the second call runs nothing.
    testing::FakeRunner none;
    BuildCtx c2 = mctx(none);
    EXPECT_EQ(module_elf(c2, ko), elf);
    EXPECT_TRUE(none.commands.empty());
  }
}

TEST_F(CompressedModule, APlainModuleIsReadAsIsAndPreferred) {
  fs::path xz = compress("xz -c", "binfmt_misc.ko.xz");
  BuildCtx c = mctx(run_);
  EXPECT_EQ(shipped_module(c, "binfmt_misc"), xz);
  fs::copy_file(dir_ / "plain.ko", dir_ / "cache/modules/kernel/fs/binfmt_misc.ko");
  EXPECT_EQ(shipped_module(c, "binfmt_misc"), dir_ / "cache/modules/kernel/fs/binfmt_misc.ko");
  EXPECT_EQ(module_elf(c, dir_ / "cache/modules/kernel/fs/binfmt_misc.ko"),
            dir_ / "cache/modules/kernel/fs/binfmt_misc.ko");
  EXPECT_TRUE(run_.commands.empty());
  EXPECT_EQ(shipped_module(c, "binfmt_script"), std::nullopt);
  EXPECT_EQ(no_module_message(c, "binfmt_script"),
            "module 'binfmt_script': no binfmt_script.ko (nor .ko.xz, .ko.zst, .ko.gz) in " +
                (dir_ / "cache/modules").string());
}

TEST_F(CompressedModule, CorruptDataIsAnErrorNamingTheFile) {
  fs::path ko = dir_ / "cache/modules/kernel/fs/binfmt_misc.ko.xz";
  std::ofstream(ko) << "not xz data at all";
  BuildCtx c = mctx(real_);
  std::string msg = error_of_elf(c, ko);
  EXPECT_TRUE(msg.starts_with(ko.string() + ": corrupt compressed module: xz -d failed (exit 1): xz: ")) << msg;
  EXPECT_NE(msg.find("binfmt_misc.ko.xz: File format not recognized"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("shipped-modules"), std::string::npos) << msg;  // our copy is not named
  EXPECT_TRUE(msg.ends_with(advice())) << msg;
  EXPECT_TRUE(fs::is_empty(dir_ / "work/shipped-modules"));
}

TEST_F(CompressedModule, ATruncatedCompressedModuleIsAnError) {
  fs::path ko = compress("zstd -q -c", "binfmt_misc.ko.zst");
  fs::resize_file(ko, fs::file_size(ko) / 2);
  BuildCtx c = mctx(real_);
  std::string msg = error_of_elf(c, ko);
  EXPECT_TRUE(msg.starts_with(ko.string() + ": corrupt compressed module: zstd -d failed (exit 1)")) << msg;
  EXPECT_TRUE(msg.ends_with(advice())) << msg;
}

TEST_F(CompressedModule, DataThatIsNoModuleIsAnError) {
  fs::path ko = dir_ / "cache/modules/kernel/fs/binfmt_misc.ko.gz";
  ASSERT_EQ(std::system(("echo '<html>404</html>' | gzip -c > " + ko.string()).c_str()), 0);
  BuildCtx c = mctx(real_);
  EXPECT_EQ(error_of_elf(c, ko), ko.string() +
                                     ": corrupt compressed module: it decompresses, but not to a whole module (not a "
                                     "64-bit ELF file (17 bytes))" +
                                     advice());
  EXPECT_FALSE(fs::exists(dir_ / "work/shipped-modules/binfmt_misc.ko"));
}

TEST_F(CompressedModule, AMissingToolNamesThePackage) {
  fs::path ko = compress("xz -c", "binfmt_misc.ko.xz");
  run_.on("xz -d", {127, "kpatch-build: cannot run xz: No such file or directory\n"});
  BuildCtx c = mctx(run_);
  EXPECT_EQ(error_of_elf(c, ko),
            ko.string() + ": a module compressed with xz, which is not installed (Debian package: xz-utils)");
  EXPECT_EQ(run_.commands,
            std::vector<std::string>{"xz -d -f -q -- " + (dir_ / "work/shipped-modules/binfmt_misc.ko.xz").string()});
}

}  // namespace
}  // namespace kp
