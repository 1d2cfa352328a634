// The reproducibility check (build/verify.cpp) on a stand-in kernel: a C
// file compiled once the way kpatch-build compiles it (-ffunction-sections)
// and once the way the distribution did (one .text), the second linked with
// gcc -nostdlib into an executable playing vmlinux. Then single bytes of the
// executable are changed and the exact message checked.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "pipeline/verify.h"
#include "support/diag.h"

namespace kp {
namespace {

constexpr const char* kSource = R"(int counter;
__attribute__((noinline)) static int scale(int x) { return x * 3 + 7; }
int add_scaled(int a, int b) { counter += scale(a); return scale(b) + counter; }
/* a tail call: `jmp scale`, relocated with -ffunction-sections, a 2-byte
   jump when scale is in the same .text */
int just_scale(int a) { return scale(a); }
__attribute__((weak)) int hook(void) { return 1; }
/* a static branch as 6.12's arch_static_branch writes it: a jmp that
   objtool turns into a NOP of its length in vmlinux, recorded in
   __jump_table (code, target, key) */
int gate_key;
int gated(int x)
{
	asm goto("1: jmp %l[yes]\n\t"
		 ".pushsection __jump_table, \"aw\"\n\t"
		 ".balign 8\n\t"
		 ".long 1b - .\n\t"
		 ".long %l[yes] - .\n\t"
		 ".quad gate_key - .\n\t"
		 ".popsection" : : : : yes);
	return x + 1;
yes:
	return x * 5;
}
)";

constexpr const char* kStub = R"(void __fentry__(void) {}
int hook(void) { return 2; }
int _start(void) { return 0; }
)";

class Verify : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kpatch-verify-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "fn.c") << kSource;
    std::ofstream(dir_ / "stub.c") << kStub;
    std::string cc = KP_UNIT_CC;
    std::string flags = " -O2 -fno-pie -fno-asynchronous-unwind-tables " + layout_flags() + " ";
    std::string ftrace = " -pg -mfentry ";
    std::string d = dir_.string() + "/";
    sh(cc + flags + ftrace + "-ffunction-sections -c " + d + "fn.c -o " + d + "orig.o");
    sh(cc + flags + ftrace + "-c " + d + "fn.c -o " + d + "built.o");
    sh(cc + flags + "-c " + d + "stub.c -o " + d + "stub.o");
    sh(cc + " -nostdlib -static -no-pie -o " + d + "vmlinux " + d + "built.o " + d + "stub.o");
  }
  void TearDown() override { fs::remove_all(dir_); }
  // How functions are laid out: 6.1's (no IBT, no padding) by default.
  virtual std::string layout_flags() const { return "-fcf-protection=none"; }

  static void sh(const std::string& cmd) { ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd; }

  std::vector<std::string> check(const std::string& binary, const std::vector<std::string>& fns) {
    Object orig = Object::load((dir_ / "orig.o").string());
    ParentBinary parent = ParentBinary::open((dir_ / binary).string(), "vmlinux");
    return verify_functions(orig, "lib/fn.o", fns, parent);
  }

  // A copy of vmlinux with `bytes` written at function `fn` + `offset`.
  std::string patched_copy(const std::string& fn, uint64_t offset, const std::string& bytes) {
    elf::ElfFile f = elf::ElfFile::open_read((dir_ / "vmlinux").string());
    uint64_t file_offset = 0;
    for (size_t i = 1; i < f.section_count(); ++i) {
      GElf_Shdr sh = f.shdr(i);
      if (sh.sh_type != SHT_SYMTAB) continue;
      Elf_Data* d = elf_getdata(elf_getscn(f.get(), i), nullptr);
      for (size_t k = 1; k < sh.sh_size / sh.sh_entsize; ++k) {
        GElf_Sym s;
        gelf_getsym(d, static_cast<int>(k), &s);
        if (f.string_at(sh.sh_link, s.st_name, "symbol") != fn) continue;
        GElf_Shdr text = f.shdr(s.st_shndx);
        file_offset = text.sh_offset + (s.st_value - text.sh_addr) + offset;
      }
    }
    EXPECT_NE(file_offset, 0u) << fn;
    fs::copy_file(dir_ / "vmlinux", dir_ / "changed", fs::copy_options::overwrite_existing);
    std::fstream out(dir_ / "changed", std::ios::in | std::ios::out | std::ios::binary);
    out.seekp(static_cast<std::streamoff>(file_offset));
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return "changed";
  }

  fs::path dir_;
};

TEST_F(Verify, TheBuildThatWasLinkedMatches) {
  EXPECT_EQ(check("vmlinux", {"add_scaled", "just_scale", "scale"}), std::vector<std::string>{});
}

TEST_F(Verify, RelaxedTailCallMatches) {
  // The premise: the linked copy really is shorter.
  Object orig = Object::load((dir_ / "orig.o").string());
  ParentBinary parent = ParentBinary::open((dir_ / "vmlinux").string(), "vmlinux");
  auto cands = parent.candidates("just_scale", false, "fn.c");
  ASSERT_EQ(cands.size(), 1u);
  const Symbol* ours = orig.find_symbol("just_scale");
  ASSERT_NE(ours, nullptr);
  EXPECT_LT(cands[0]->size, ours->size());
  EXPECT_EQ(first_difference(*ours->sec, ours->value(), ours->size(), parent.bytes(*cands[0])), std::nullopt);
}

TEST_F(Verify, ChangedByteIsNamedWithItsOffset) {
  // add_scaled: e8 <fentry> 55 89 f5 ...; +7 is the ModRM of `mov %esi,%ebp`.
  std::string bin = patched_copy("add_scaled", 7, "\xee");
  EXPECT_EQ(check(bin, {"add_scaled", "just_scale"}),
            std::vector<std::string>{
                "lib/fn.o: add_scaled: the compiled original differs from vmlinux at +0x7; the tree does not "
                "reproduce the shipped kernel (wrong source version, config or compiler?)"});
}

// The jmp of a static branch at the code address of a __jump_table entry
// matches the NOP of its length that objtool leaves in vmlinux (6.12, where
// kbuild runs objtool on vmlinux.o only); any other byte there does not.
TEST_F(Verify, StaticBranchNoppedInTheBinaryMatches) {
  Object orig = Object::load((dir_ / "orig.o").string());
  const Symbol* gated = orig.find_symbol("gated");
  ASSERT_NE(gated, nullptr);
  std::vector<uint64_t> sites = jump_label_sites(orig, *gated->sec);
  ASSERT_EQ(sites.size(), 1u);
  uint64_t at = sites[0] - gated->value();
  // The premise: a short jmp there (the target is in the same section).
  ASSERT_EQ(gated->sec->data[sites[0]], std::byte{0xeb});
  EXPECT_EQ(check(patched_copy("gated", at, "\x66\x90"), {"gated"}), std::vector<std::string>{});
  EXPECT_EQ(check(patched_copy("gated", at, "\x66\x91"), {"gated"}),
            std::vector<std::string>{"lib/fn.o: gated: the compiled original differs from vmlinux at +" + hex(at) +
                                     "; the tree does not reproduce the shipped kernel (wrong source version, config "
                                     "or compiler?)"});
  // A NOP where no static branch is, is a difference.
  EXPECT_FALSE(check(patched_copy("add_scaled", 7, "\x66\x90"), {"add_scaled"}).empty());
}

TEST_F(Verify, LocalFunctionIsCheckedInItsFile) {
  std::string bin = patched_copy("scale", 5, "\x90");
  EXPECT_EQ(check(bin, {"scale"}),
            std::vector<std::string>{
                "lib/fn.o: scale: the compiled original differs from vmlinux at +0x5; the tree does not "
                "reproduce the shipped kernel (wrong source version, config or compiler?)"});
}

TEST_F(Verify, RelocatedFieldsAndFtraceNopAreMasked) {
  // The call to scale at +0x9 (e8 + rel32): any displacement; the ftrace
  // call at the entry: a 5-byte NOP.
  std::string bin = patched_copy("add_scaled", 0, std::string("\x0f\x1f\x44\x00\x00", 5));
  EXPECT_EQ(check(bin, {"add_scaled"}), std::vector<std::string>{});
  bin = patched_copy("add_scaled", 0xa, "\x12\x34\x56\x78");
  EXPECT_EQ(check(bin, {"add_scaled"}), std::vector<std::string>{});
}

TEST_F(Verify, OverriddenWeakFunctionIsRefused) {
  EXPECT_EQ(check("vmlinux", {"hook"}),
            std::vector<std::string>{"lib/fn.o: hook: a weak definition that vmlinux overrides with another "
                                     "function of that name; patch that one instead"});
}

TEST_F(Verify, MissingFunctionIsRefused) {
  sh(std::string(KP_UNIT_CC) + " -nostdlib -static -no-pie -o " + (dir_ / "other").string() + " " +
     (dir_ / "stub.o").string());
  EXPECT_EQ(check("other", {"scale"}),
            std::vector<std::string>{"lib/fn.o: scale: not found in vmlinux (among the functions of fn.c); the tree "
                                     "does not reproduce the shipped kernel (wrong source version, config or "
                                     "compiler?)"});
}

TEST_F(Verify, FunctionsNewInThePatchAreSkipped) {
  EXPECT_EQ(check("vmlinux", {"not_in_the_original"}), std::vector<std::string>{});
}

TEST_F(Verify, RelocatableParentLikeAModule) {
  sh(std::string(KP_UNIT_CC) + " -nostdlib -r -o " + (dir_ / "mod.ko").string() + " " + (dir_ / "built.o").string());
  EXPECT_EQ(check("mod.ko", {"add_scaled", "just_scale", "scale"}), std::vector<std::string>{});
}

// Debian's 6.12: IBT (endbr64 first, the ftrace call at +4) and 16 bytes of
// padding before every function (CONFIG_CALL_PADDING).
class VerifyIbt : public Verify {
 protected:
  std::string layout_flags() const override { return "-fcf-protection=branch -fpatchable-function-entry=16,16"; }
};

TEST_F(VerifyIbt, TheBuildThatWasLinkedMatches) {
  EXPECT_EQ(check("vmlinux", {"add_scaled", "just_scale", "scale"}), std::vector<std::string>{});
}

TEST_F(VerifyIbt, TheFtraceNopAfterEndbrIsMasked) {
  Object orig = Object::load((dir_ / "orig.o").string());
  const Symbol* f = orig.find_symbol("add_scaled");
  ASSERT_NE(f, nullptr);
  auto code = f->sec->data.subspan(f->value(), 9);
  ASSERT_EQ(std::to_integer<int>(code[0]), 0xf3);  // endbr64
  ASSERT_EQ(std::to_integer<int>(code[4]), 0xe8);  // call __fentry__
  std::string bin = patched_copy("add_scaled", 4, std::string("\x0f\x1f\x44\x00\x00", 5));
  EXPECT_EQ(check(bin, {"add_scaled"}), std::vector<std::string>{});
  // The endbr64 is not the site: a NOP there is a difference.
  bin = patched_copy("add_scaled", 0, std::string("\x0f\x1f\x40\x00", 4));
  EXPECT_EQ(check(bin, {"add_scaled"}),
            std::vector<std::string>{
                "lib/fn.o: add_scaled: the compiled original differs from vmlinux at +0x0; the tree does not "
                "reproduce the shipped kernel (wrong source version, config or compiler?)"});
}

}  // namespace
}  // namespace kp
