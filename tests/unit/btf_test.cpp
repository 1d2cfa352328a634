// Struct sizes from BTF (elf/btf.cpp) and kpatch-build's size variables
// from them (pipeline/diff.cpp): a stand-in "vmlinux" is compiled at test
// time with gcc -gbtf, which writes the same .BTF section as the kernel.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include "elf/btf.h"
#include "pipeline/context.h"
#include "support/diag.h"

namespace fs = std::filesystem;

namespace {

// The 6.12 layouts of two special-section structs, a union sharing a
// struct's name (not a struct: not taken), and no bug_entry.
constexpr const char* kTypes = R"(
struct alt_instr { int instr; int repl; unsigned int ft_flags; unsigned char instrlen, replacementlen; } __attribute__((packed));
struct orc_entry { short sp_offset; short bp_offset; unsigned short flags; } __attribute__((packed));
struct jump_entry { int code; int target; long key; };
union static_call_site { int addr; long key[3]; };
struct alt_instr a; struct orc_entry o; struct jump_entry j; union static_call_site s;
)";

class Btf : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kpatch-btf-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "types.c") << kTypes;
    std::string d = dir_.string() + "/";
    sh(std::string(KP_UNIT_CC) + " -gbtf -c " + d + "types.c -o " + d + "vmlinux");
    sh(std::string(KP_UNIT_CC) + " -c " + d + "types.c -o " + d + "plain.o");
    for (const char* v : kVariables) ::unsetenv(v);
  }
  void TearDown() override {
    fs::remove_all(dir_);
    for (const char* v : kVariables) ::unsetenv(v);
  }
  static void sh(const std::string& cmd) { ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd; }

  static constexpr const char* kVariables[] = {"ALT_STRUCT_SIZE", "BUG_STRUCT_SIZE", "STATIC_CALL_STRUCT_SIZE",
                                               "PRINTK_INDEX_STRUCT_SIZE"};
  fs::path dir_;
};

TEST_F(Btf, ReadsTheSizesOfNamedStructs) {
  kp::StructSizes s = kp::elf_btf_struct_sizes((dir_ / "vmlinux").string(),
                                               {"alt_instr", "orc_entry", "jump_entry", "bug_entry", "static_call_site"});
  EXPECT_EQ(s, (kp::StructSizes{{"alt_instr", 14}, {"jump_entry", 16}, {"orc_entry", 6}}));
}

TEST_F(Btf, NoBtfSectionGivesNothing) {
  EXPECT_TRUE(kp::elf_btf_struct_sizes((dir_ / "plain.o").string(), {"alt_instr"}).empty());
}

TEST_F(Btf, MalformedBlobIsNamed) {
  std::vector<std::byte> blob(24, std::byte{0});
  try {
    kp::btf_struct_sizes(blob, {"alt_instr"}, "vmlinux: .BTF");
    FAIL() << "accepted a blob without the BTF magic";
  } catch (const kp::Fatal& e) {
    EXPECT_STREQ(e.what(), "vmlinux: .BTF: error: malformed BTF: no BTF magic [bad-btf]");
  }
  // A header whose type table runs past the blob.
  blob = {std::byte{0x9f}, std::byte{0xeb}, std::byte{1}, std::byte{0}, std::byte{24}, std::byte{0}, std::byte{0},
          std::byte{0}};
  blob.resize(24, std::byte{0});
  blob[12] = std::byte{100};  // type_len
  EXPECT_THROW(kp::btf_struct_sizes(blob, {"alt_instr"}, "x"), kp::Fatal);
}

TEST_F(Btf, KernelSizeVariablesComeFromBtfAndTheEnvironmentWins) {
  auto vars = kp::kernel_size_variables(dir_ / "vmlinux");
  EXPECT_EQ(vars, (std::map<std::string, std::string>{
                      {"ALT_STRUCT_SIZE", "14"}, {"JUMP_STRUCT_SIZE", "16"}, {"ORC_STRUCT_SIZE", "6"}}));
  ::setenv("ALT_STRUCT_SIZE", "12", 1);
  ::setenv("PRINTK_INDEX_STRUCT_SIZE", "8", 1);
  ::setenv("BUG_STRUCT_SIZE", "", 1);  // empty: unset, as kpatch reads it
  vars = kp::kernel_size_variables(dir_ / "vmlinux");
  EXPECT_EQ(vars, (std::map<std::string, std::string>{{"ALT_STRUCT_SIZE", "12"},
                                                      {"JUMP_STRUCT_SIZE", "16"},
                                                      {"ORC_STRUCT_SIZE", "6"},
                                                      {"PRINTK_INDEX_STRUCT_SIZE", "8"}}));
}

}  // namespace
