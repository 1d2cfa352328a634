// The load check (pipeline/load_check.cpp) on stand-ins compiled at test
// time: patch-module objects whose __mcount_loc is right or wrong, a
// .kpatch.funcs table, and a "vmlinux" (an executable with the kernel's
// __start_mcount_loc/__stop_mcount_loc) and a "module" (ld -r) to resolve
// replaced functions in.
#include "pipeline/load_check.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "support/diag.h"

namespace kp {
namespace {

// Two static `show` in two files, a notrace function, a data object and
// functions with IBT's endbr64 before the ftrace call.
constexpr const char* kFileA = R"(int counter;
__attribute__((noinline)) static int show(int x) { return x * 3 + counter; }
int call_a(int x) { return show(x) + 1; }
__attribute__((no_instrument_function)) int untraced(int x) { return x + 2; }
int looks_like_code[4];
)";
constexpr const char* kFileB = R"(extern int counter;
__attribute__((noinline)) static int show(int x) { return x * 5 - counter; }
int call_b(int x) { return show(x) + 2; }
)";
constexpr const char* kStub = R"(void __fentry__(void) {}
int _start(void) { return 0; }
)";

// A patch module as the differ and Kbuild leave it: the changed function
// copied with its padding, __mcount_loc at `SITE` (+4: right, +0: the 6.12
// bug), and a .kpatch.funcs entry replacing `show` at position 2.
std::string module_asm(const std::string& site, const std::string& object = "vmlinux") {
  return R"(
	.section .text.show,"ax",@progbits
	.fill	16, 1, 0x90
	.type	show, @function
show:
	endbr64
	call	__fentry__
	movl	$1, %eax
	ret
	.size	show, .-show
	.section __mcount_loc,"a",@progbits
	.quad	show + )" +
         site + R"(
	.section .text.nopped,"ax",@progbits
	.type	nopped, @function
nopped:
	.byte	0x0f, 0x1f, 0x44, 0x00, 0x00
	ret
	.size	nopped, .-nopped
	.section __mcount_loc,"a",@progbits
	.quad	nopped
	.section .kpatch.strings,"aMS",@progbits,1
.Lname:	.string	"show"
.Lobj:	.string	")" +
         object + R"("
	.section .kpatch.funcs,"a",@progbits
	.quad	show, .Lname, .Lobj, 2
	.quad	0
)";
}

class LoadCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kpatch-loadcheck-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "a.c") << kFileA;
    std::ofstream(dir_ / "b.c") << kFileB;
    std::ofstream(dir_ / "stub.c") << kStub;
    std::string cc = KP_UNIT_CC;
    std::string flags =
        " -O2 -fno-pie -fno-asynchronous-unwind-tables -fcf-protection=branch "
        "-fpatchable-function-entry=16,16 -pg -mfentry -mrecord-mcount -c ";
    std::string d = dir_.string() + "/";
    sh(cc + flags + d + "a.c -o " + d + "a.o");
    sh(cc + flags + d + "b.c -o " + d + "b.o");
    sh(cc + " -O2 -fno-pie -c " + d + "stub.c -o " + d + "stub.o");
    sh(cc +
       " -nostdlib -static -no-pie -Wl,--defsym=__start_mcount_loc=__start___mcount_loc "
       "-Wl,--defsym=__stop_mcount_loc=__stop___mcount_loc -o " +
       d + "vmlinux " + d + "a.o " + d + "b.o " + d + "stub.o");
    sh(cc + " -nostdlib -r -o " + d + "target.ko " + d + "a.o " + d + "b.o");
  }
  void TearDown() override { fs::remove_all(dir_); }
  static void sh(const std::string& cmd) { ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd; }

  Object patch_module(const std::string& site, const std::string& object = "vmlinux") {
    std::ofstream(dir_ / "mod.s") << module_asm(site, object);
    sh(std::string(KP_UNIT_CC) + " -c " + (dir_ / "mod.s").string() + " -o " + (dir_ / "mod.o").string());
    return Object::load((dir_ / "mod.o").string());
  }
  std::string check(const std::string& binary, const std::string& label, const std::string& name, uint64_t pos) {
    TargetSymbols t = TargetSymbols::read((dir_ / binary).string(), label, {name});
    return t.check(ReplacedFunction{name, "vmlinux", pos, "new"});
  }

  fs::path dir_;
};

TEST_F(LoadCheck, SitesOnTheCallOrANopPass) {
  EXPECT_EQ(check_module_ftrace_sites(patch_module("4")), std::vector<std::string>{});
  // The compiler's own objects, IBT and padding: gcc records the call at +4.
  EXPECT_EQ(check_module_ftrace_sites(Object::load((dir_ / "a.o").string())), std::vector<std::string>{});
}

TEST_F(LoadCheck, ASiteOnEndbrIsRefusedNamingTheFunction) {
  EXPECT_EQ(check_module_ftrace_sites(patch_module("0")),
            std::vector<std::string>{
                "show: the patch module's ftrace site at .text.show+0x10 (show+0x0) is not a `call __fentry__` "
                "(f3 0f 1e fa e8); the kernel would WARN in ftrace_verify_code loading the module and turn ftrace "
                "off"});
}

TEST_F(LoadCheck, ReplacedFunctionsAreReadFromKpatchFuncs) {
  std::vector<ReplacedFunction> f = replaced_functions(patch_module("4"));
  ASSERT_EQ(f.size(), 1u);  // the trailing zero quad is not an entry
  EXPECT_EQ(f[0].name, "show");
  EXPECT_EQ(f[0].object, "vmlinux");
  EXPECT_EQ(f[0].sympos, 2u);
  EXPECT_EQ(f[0].new_func, "show");
}

TEST_F(LoadCheck, VmlinuxFunctionsResolveByNameAndPosition) {
  EXPECT_EQ(check("vmlinux", "vmlinux", "call_a", 0), "");
  EXPECT_EQ(check("vmlinux", "vmlinux", "show", 1), "");
  EXPECT_EQ(check("vmlinux", "vmlinux", "show", 2), "");
  EXPECT_EQ(check("vmlinux", "vmlinux", "show", 0),
            "show in vmlinux: 2 symbols of that name and no position to tell them apart; the livepatch core would "
            "refuse the ambiguity");
  EXPECT_EQ(check("vmlinux", "vmlinux", "show", 3),
            "show,3 in vmlinux: position 3, but there are only 2 symbols of that name");
  EXPECT_EQ(check("vmlinux", "vmlinux", "gone", 0),
            "gone in vmlinux: no symbol of that name there; the livepatch core would not find the function to "
            "replace");
  std::string msg = check("vmlinux", "vmlinux", "looks_like_code", 0);
  EXPECT_TRUE(msg.starts_with("looks_like_code in vmlinux: names a data object at 0x")) << msg;
  EXPECT_TRUE(msg.ends_with(", not a function")) << msg;
}

TEST_F(LoadCheck, AFunctionWithoutFtraceSiteIsRefused) {
  std::string msg = check("vmlinux", "vmlinux", "untraced", 0);
  EXPECT_TRUE(msg.starts_with("untraced in vmlinux: the function (at 0x")) << msg;
  EXPECT_TRUE(
      msg.ends_with(" bytes) has no ftrace site; the livepatch core could not redirect it (failed to set "
                    "ftrace filter)"))
      << msg;
}

TEST_F(LoadCheck, ModuleFunctionsResolveInSymbolTableOrder) {
  EXPECT_EQ(check("target.ko", "module target", "call_b", 0), "");
  EXPECT_EQ(check("target.ko", "module target", "show", 2), "");
  EXPECT_EQ(check("target.ko", "module target", "show", 0),
            "show in module target: 2 symbols of that name and no position to tell them apart; the livepatch core "
            "would refuse the ambiguity");
  std::string msg = check("target.ko", "module target", "untraced", 0);
  EXPECT_NE(msg.find("has no ftrace site"), std::string::npos) << msg;
}

// Return thunks: objtool lists each `jmp __x86_return_thunk` in
// .return_sites at the module link, and the kernel rewrites those at load.
// A jump it did not list (objtool stopped early: 6.12's header-proc) is
// refused, naming its function; listed ones pass.
TEST_F(LoadCheck, ReturnThunksOutsideReturnSitesAreRefused) {
  auto module = [&](bool listed) {
    std::string src = R"(
	.section .text.one,"ax",@progbits
	.type	one, @function
one:
	movl	$1, %eax
1:	jmp	__x86_return_thunk
	.size	one, .-one
	.section .text.two,"ax",@progbits
	.type	two, @function
two:
	movl	$2, %eax
2:	jmp	__x86_return_thunk
	.size	two, .-two
)";
    if (listed) src += "\t.section .return_sites,\"a\",@progbits\n\t.long 1b - .\n\t.long 2b - .\n";
    std::ofstream(dir_ / "thunks.s") << src;
    sh(std::string(KP_UNIT_CC) + " -c " + (dir_ / "thunks.s").string() + " -o " + (dir_ / "thunks.o").string());
    return Object::load((dir_ / "thunks.o").string());
  };
  // The premise: the assembler wrote e9 and a relocation for each jump.
  Object unlisted = module(false);
  EXPECT_EQ(check_module_return_sites(unlisted),
            std::vector<std::string>{
                "2 `jmp __x86_return_thunk` of the patch module (in one, two) not listed in .return_sites; the "
                "kernel would not patch them and WARN \"Unpatched return thunk in use\" (objtool wrote no or too "
                "few sites at the module link: see its warnings in the build log)"});
  EXPECT_EQ(check_module_return_sites(module(true)), std::vector<std::string>{});
  // The compiler's own objects have no thunk jumps here: nothing to list.
  EXPECT_EQ(check_module_return_sites(Object::load((dir_ / "a.o").string())), std::vector<std::string>{});
}

// 6.12's objtool records a static call site with the trampoline when the
// module does not name the key; the kernel maps back only the trampolines
// of vmlinux's static_call_tramp_key table (EXPORT_STATIC_CALL_TRAMP).
TEST_F(LoadCheck, AStaticCallSiteKeyedByATrampolineTheKernelCannotMapIsRefused) {
  std::ofstream(dir_ / "sc-vmlinux.s") << R"(
	.text
	.globl	__SCT__alone, __SCT__both, _start
	.type	__SCT__alone, @function
__SCT__alone:
	ret
	.type	__SCT__both, @function
__SCT__both:
	ret
_start:
	ret
	.data
	.globl	__SCK__alone, __SCK__both
__SCK__alone:
	.quad	0
__SCK__both:
	.quad	0
	.section .rodata
	.globl	__start_static_call_tramp_key, __stop_static_call_tramp_key
__start_static_call_tramp_key:
	.long	__SCT__alone - .
	.long	__SCK__alone - .
__stop_static_call_tramp_key:
)";
  sh(std::string(KP_UNIT_CC) + " -nostdlib -static -no-pie -o " + (dir_ / "sc-vmlinux").string() + " " +
     (dir_ / "sc-vmlinux.s").string());
  auto module = [&](const std::string& second_key, const std::string& first_key = "__SCT__alone") {
    std::ofstream(dir_ / "sc.s") << R"(
	.section .text.fire,"ax",@progbits
	.type	fire, @function
fire:
1:	call	__SCT__alone
2:	call	__SCT__both
	ret
	.size	fire, .-fire
	.section .static_call_sites,"aw",@progbits
	.long	1b - .
	.long	)" + first_key + R"( - .
	.long	2b - .
	.long	)" + second_key + R"( - .
)";
    sh(std::string(KP_UNIT_CC) + " -c " + (dir_ / "sc.s").string() + " -o " + (dir_ / "sc.o").string());
    return Object::load((dir_ / "sc.o").string());
  };
  const std::string vmlinux = (dir_ / "sc-vmlinux").string();
  // The key named (what the differ makes the module do), and a trampoline
  // the table maps: it loads.
  EXPECT_EQ(check_module_static_calls(module("__SCK__both"), vmlinux), std::vector<std::string>{});
  EXPECT_EQ(check_module_static_calls(module("__SCT__both"), vmlinux),
            std::vector<std::string>{
                "fire: its static call site is recorded with the trampoline __SCT__both for a key (__SCK__both is "
                "not named by the module), which the kernel maps back only for a trampoline exported alone; it "
                "would refuse the module (\"Failed to fixup __raw_static_call() usage\")"});
  // No site keyed by a trampoline: vmlinux is not read at all.
  EXPECT_EQ(check_module_static_calls(module("__SCK__both", "__SCK__alone"), (dir_ / "no-such-vmlinux").string()),
            std::vector<std::string>{});
}

// The loader compares vermagic strings; rt-amd64 built from linux-source
// says preempt_rt where Debian's rt kernel says preempt.
TEST_F(LoadCheck, AVermagicOtherThanTheShippedModulesIsRefused) {
  std::ofstream(dir_ / "info.s")
      << ".section .modinfo,\"a\"\n.string \"license=GPL\"\n"
         ".string \"vermagic=6.12.118+deb12-rt-amd64 SMP preempt mod_unload modversions \"\n";
  sh(std::string(KP_UNIT_CC) + " -c " + (dir_ / "info.s").string() + " -o " + (dir_ / "info.o").string());
  EXPECT_EQ(module_vermagic((dir_ / "info.o").string()), "6.12.118+deb12-rt-amd64 SMP preempt mod_unload modversions ");
  EXPECT_EQ(module_vermagic((dir_ / "a.o").string()), "");
  std::string theirs = "6.12.118+deb12-rt-amd64 SMP preempt mod_unload modversions ";
  EXPECT_EQ(vermagic_problem(theirs, theirs, "x.ko.xz"), "");
  EXPECT_EQ(vermagic_problem("6.1 SMP", "", "x.ko"), "");  // the shipped module does not say
  EXPECT_EQ(vermagic_problem("6.12.118+deb12-rt-amd64 SMP preempt_rt mod_unload modversions ", theirs,
                             "/cache/modules/kernel/fs/binfmt_misc.ko.xz"),
            "vermagic: the patch module says '6.12.118+deb12-rt-amd64 SMP preempt_rt mod_unload modversions', the "
            "kernel's modules '6.12.118+deb12-rt-amd64 SMP preempt mod_unload modversions' "
            "(/cache/modules/kernel/fs/binfmt_misc.ko.xz); the kernel would refuse to load it. The tree is not "
            "configured as the shipped kernel, as when the source package lacks the flavour's patches (Debian's "
            "rt-amd64: linux-source has no rt featureset)");
}

// The stage: a refusal lists every problem; a module target is read as
// shipped (here .ko.xz).
TEST_F(LoadCheck, TheStageRefusesNamingEachFunction) {
  BuildConfig cfg;
  Manifest m;
  m.id = "fix";
  PosixRunner run("");
  BuildCtx c(cfg, m, "6.12.118+deb12-cloud-amd64", run);
  c.work = dir_ / "work";
  c.module_dir = dir_ / "module";
  c.target.vmlinux = dir_ / "vmlinux";
  c.target.modules = dir_ / "modules";
  fs::create_directories(c.work);
  fs::create_directories(c.module_dir);
  fs::create_directories(c.target.modules / "kernel/fs");
  sh("xz -c < " + (dir_ / "target.ko").string() + " > " + (c.target.modules / "kernel/fs/target.ko.xz").string());
  patch_module("4");
  fs::copy_file(dir_ / "mod.o", c.module_dir / (c.module_name() + ".ko"));
  check_module_loads(c);  // show,2 in vmlinux: fine

  patch_module("0", "target");
  fs::copy_file(dir_ / "mod.o", c.module_dir / (c.module_name() + ".ko"), fs::copy_options::overwrite_existing);
  try {
    check_module_loads(c);
    FAIL() << "no refusal";
  } catch (const BuildError& e) {
    EXPECT_STREQ(e.what(),
                 "the patch module would not load, so it is not written:\n"
                 "  show: the patch module's ftrace site at .text.show+0x10 (show+0x0) is not a `call __fentry__` "
                 "(f3 0f 1e fa e8); the kernel would WARN in ftrace_verify_code loading the module and turn ftrace "
                 "off");
  }
  EXPECT_TRUE(fs::exists(c.work / "shipped-modules/target.ko"));  // resolved in the decompressed module
}

}  // namespace
}  // namespace kp
