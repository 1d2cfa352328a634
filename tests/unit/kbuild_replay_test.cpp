// Compiling without make (pipeline/kbuild_replay.cpp) and linking with a
// module recipe (pipeline/module_recipe.cpp), against a fake runner: which
// commands run, what they become, and when make does the work instead.
// Objects the replayed "compiler" makes are real ELF files (gcc at test
// time), because the replay reads them for exported symbols.
#include "pipeline/kbuild_replay.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "common/names.h"
#include "common/text.h"
#include "fake_runner.h"
#include "pipeline/context.h"
#include "pipeline/module_recipe.h"
#include "support/file.h"

namespace kp {
namespace {

using testing::FakeRunner;

constexpr const char* kKcflags = "-ffunction-sections -fdata-sections";

// A Kbuild-like compile command of OBJ from SRC, with this build's KCFLAGS.
std::string kbuild_cc(const std::string& obj, const std::string& src) {
  return "gcc-12 -Wp,-MMD,fs/proc/.cmdline.o.d -O2 -g " + std::string(kKcflags) +
         "    -DKBUILD_MODNAME='\"proc\"' -c -o " + obj + " " + src + "  ";
}

void compile_c(const fs::path& out, const std::string& source) {
  fs::path src = out;
  src += ".c";
  std::ofstream(src) << source;
  std::string cc = std::string(KP_UNIT_CC) + " -c -o " + out.string() + " " + src.string();
  ASSERT_EQ(std::system(cc.c_str()), 0);
  fs::remove(src);
}

class Replay : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kpatch-replay-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "tree/fs/proc");
    fs::create_directories(dir_ / "work");
    fs::create_directories(dir_ / "cache");
    std::ofstream(dir_ / "cache/config") << "CONFIG_MODVERSIONS=y\n";
    manifest_.id = "fix";
  }
  void TearDown() override { fs::remove_all(dir_); }

  BuildCtx ctx() {
    BuildCtx c(cfg_, manifest_, "6.1.0-56-cloud-amd64", run_);
    c.work = dir_ / "work";
    c.tree = dir_ / "tree";
    c.target.cache = dir_ / "cache";
    c.target.config = dir_ / "cache/config";
    c.target.symvers = dir_ / "cache/Module.symvers";
    c.target.make_args = {"KERNELRELEASE=6.1.0-56-cloud-amd64", "CC=gcc-12", std::string("KCFLAGS=") + kKcflags};
    c.compiler_version = "gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0";
    return c;
  }
  // cmdline.o as compile_original leaves it: recorded by Kbuild.
  ObjectJob recorded(const std::string& cmd_text = "") {
    ObjectJob o;
    o.path = "fs/proc/cmdline.o";
    o.kbuild_command = kbuild_recorded_command(
        cmd_text.empty() ? "cmd_fs/proc/cmdline.o := " + kbuild_cc("fs/proc/cmdline.o", "fs/proc/cmdline.c") + "\n"
                         : cmd_text,
        o.path);
    return o;
  }
  size_t count(const std::string& prefix) const {
    return static_cast<size_t>(std::count_if(run_.commands.begin(), run_.commands.end(),
                                             [&](const std::string& s) { return s.starts_with(prefix); }));
  }

  fs::path dir_;
  BuildConfig cfg_;
  Manifest manifest_;
  FakeRunner run_;
};

TEST(KbuildRecordedCommand, ReadsBothGenerationsAndUndoesMakeEscapes) {
  std::string v61 =
      "cmd_fs/proc/cmdline.o := gcc -c -o fs/proc/cmdline.o fs/proc/cmdline.c ; objtool x\n\n"
      "source_fs/proc/cmdline.o := fs/proc/cmdline.c\n";
  EXPECT_EQ(kbuild_recorded_command(v61, "fs/proc/cmdline.o"),
            "gcc -c -o fs/proc/cmdline.o fs/proc/cmdline.c ; objtool x");
  std::string v612 = "savedcmd_fs/pipe.o := gcc -DX='\"a$$b\"' -c -o fs/pipe.o fs/pipe.c $(pound)c\n";
  EXPECT_EQ(kbuild_recorded_command(v612, "fs/pipe.o"), "gcc -DX='\"a$b\"' -c -o fs/pipe.o fs/pipe.c #c");
  EXPECT_EQ(kbuild_recorded_command("deps_x := \\\ncmd_fs/a.o := gcc a\n", "fs/a.o"), "gcc a");
}

TEST(KbuildRecordedCommand, NothingForAnotherObjectOrAnEmptyCommand) {
  EXPECT_EQ(kbuild_recorded_command("cmd_fs/proc/cmdline.o := gcc\n", "fs/proc/cmd.o"), std::nullopt);
  EXPECT_EQ(kbuild_recorded_command("xcmd_fs/a.o := gcc\n", "fs/a.o"), std::nullopt);
  EXPECT_EQ(kbuild_recorded_command("cmd_fs/a.o :=   \n", "fs/a.o"), std::nullopt);
  EXPECT_EQ(kbuild_recorded_command("", "fs/a.o"), std::nullopt);
}

TEST_F(Replay, RefusedWhereKbuildsRuleDoesMoreThanTheCommand) {
  BuildCtx c = ctx();
  EXPECT_EQ(replay_refusal(c, recorded()), "");
  ObjectJob none;
  none.path = "fs/proc/cmdline.o";
  EXPECT_EQ(replay_refusal(c, none), "Kbuild recorded no command for it");
  ObjectJob exports = recorded();
  exports.crcs_orig["proc_create"] = "0x1234";
  EXPECT_EQ(replay_refusal(c, exports), "");  // genksyms is run as Kbuild runs it
  ObjectJob asm_exports = recorded("cmd_fs/proc/cmdline.o := gcc -D__ASSEMBLY__ -c -o fs/proc/cmdline.o x.S\n");
  asm_exports.crcs_orig["proc_create"] = "0x1234";
  EXPECT_EQ(replay_refusal(c, asm_exports),
            "it exports symbols with CRCs and is not compiled from C by `CC c_flags -c -o OBJ SRC`");
  ObjectJob hostile = recorded();
  hostile.path = "fs/$(reboot).o";
  EXPECT_EQ(replay_refusal(c, hostile), "its path has characters a shell would interpret");
  c.target.make_args[2] = "KCFLAGS=-fno-inline";  // not what was recorded
  EXPECT_EQ(replay_refusal(c, recorded()), "its command was recorded with other KCFLAGS");
  c.target.make_args[2] = std::string("KCFLAGS=") + kKcflags;
  cfg_.kmod_dir = dir_ / "kmod";  // kpatch's headers are in the view's include/, not in KCFLAGS
  EXPECT_EQ(replay_refusal(c, recorded()), "");
  cfg_.kmod_dir.clear();
  std::ofstream(dir_ / "cache/config") << "CONFIG_FTRACE_MCOUNT_USE_RECORDMCOUNT=y\n";
  EXPECT_EQ(replay_refusal(c, recorded()), "the kernel runs recordmcount after the compiler");
}

TEST_F(Replay, ThePatchedSideRunsTheRecordedCommandInTheTree) {
  BuildCtx c = ctx();
  run_.on("/bin/sh -c", {0, ""}, [&](const Command& cmd) {
    EXPECT_EQ(cmd.cwd, c.tree.string());
    compile_c(c.tree / "fs/proc/cmdline.o", "int cmdline_proc_show(void) { return 2; }\n");
    std::ofstream(c.tree / "fs/proc/.cmdline.o.d") << "deps\n";
  });
  ObjectJob o = recorded();
  ASSERT_TRUE(replay_compile(c, o));
  ASSERT_EQ(run_.commands.size(), 1u);
  EXPECT_EQ(run_.commands[0], "/bin/sh -c '" + *o.kbuild_command + "'  (in " + c.tree.string() + ")");
  EXPECT_TRUE(fs::exists(c.tree / "fs/proc/cmdline.o"));
  EXPECT_FALSE(fs::exists(c.tree / "fs/proc/.cmdline.o.d"));  // fixdep's input, not left behind
}

TEST_F(Replay, ExportsGetTheirCrcsFromGenksymsAsKbuildRunsIt) {
  BuildCtx c = ctx();
  std::string body = "int __ksymtab_new_fn; int new_fn(void) { return 1; }\n", crcs = "#SYMVER new_fn 0x0badcafe\n";
  // A fresh fake per case: its genksyms answers `out`.
  auto with_crcs = [&](const std::string& out) {
    run_ = FakeRunner();
    run_.on("genksyms", {0, out});
    run_.on("/bin/sh -c", {0, ""}, [&](const Command&) { compile_c(c.tree / "fs/proc/cmdline.o", body); });
  };
  with_crcs(crcs);
  ObjectJob o = recorded();
  ASSERT_TRUE(replay_compile(c, o));
  EXPECT_EQ(o.crcs_patched, (std::map<std::string, std::string>{{"new_fn", "0x0badcafe"}}));
  ASSERT_EQ(run_.commands.size(), 2u);
  EXPECT_EQ(run_.commands[1],
            "/bin/sh -c 'gcc-12 -E -D__GENKSYMS__ -Wp,-MMD,fs/proc/.cmdline.o.d -O2 -g " + std::string(kKcflags) +
                "    -DKBUILD_MODNAME='\"proc\"' fs/proc/cmdline.c | scripts/genksyms/genksyms -r /dev/null'  (in " +
                c.tree.string() + ")");

  body = "int __export_symbol_new_fn; int new_fn(void) { return 1; }\n";  // 6.12's marker
  with_crcs("");                                                          // no CRC for it: make's turn
  ObjectJob none = recorded();
  EXPECT_FALSE(replay_compile(c, none));
  EXPECT_FALSE(fs::exists(c.tree / "fs/proc/cmdline.o"));

  std::ofstream(dir_ / "cache/config") << "# CONFIG_MODVERSIONS is not set\n";  // no CRCs to make
  with_crcs("");
  ObjectJob plain = recorded();
  EXPECT_TRUE(replay_compile(c, plain));
  EXPECT_TRUE(plain.crcs_patched.empty());
  EXPECT_EQ(run_.commands.size(), 1u);  // no genksyms
}

TEST_F(Replay, CompileErrorsAreMakesToReport) {
  BuildCtx c = ctx();
  run_.on("/bin/sh -c", {1, "fs/proc/cmdline.c:9: error: expected ';'\n"});
  run_.on("make -C", {2, "fs/proc/cmdline.c:9:2: error: expected ';'\n"});
  c.objects = {recorded()};
  try {
    compile_patched(c);
    FAIL();
  } catch (const BuildError& e) {
    EXPECT_EQ(std::string(e.what()),
              "compiling the patched objects failed:\nfs/proc/cmdline.c:9:2: error: expected ';'\n");
  }
  EXPECT_EQ(count("/bin/sh -c"), 1u);
  EXPECT_EQ(count("make -C"), 1u);
  EXPECT_FALSE(c.objects[0].replayed);
}

TEST_F(Replay, CompilePatchedUsesMakeOnlyForWhatCannotBeReplayed) {
  BuildCtx c = ctx();
  run_.on("/bin/sh -c", {0, ""}, [&](const Command&) {
    compile_c(c.tree / "fs/proc/cmdline.o", "int cmdline_proc_show(void) { return 2; }\n");
  });
  run_.on("make -C", {0, ""},
          [&](const Command&) { compile_c(c.tree / "fs/pipe.o", "int pipe_read(void) { return 3; }\n"); });
  ObjectJob pipe;
  pipe.path = "fs/pipe.o";  // exports with CRCs from assembler: make
  pipe.kbuild_command = "gcc-12 " + std::string(kKcflags) + " -D__ASSEMBLY__ -c -o fs/pipe.o fs/pipe.S";
  pipe.crcs_orig["pipe_lock"] = "0x1";
  c.objects = {recorded(), pipe};
  compile_patched(c);
  EXPECT_TRUE(c.objects[0].replayed);
  EXPECT_FALSE(c.objects[1].replayed);
  ASSERT_EQ(count("make -C"), 1u);
  EXPECT_TRUE(std::any_of(run_.commands.begin(), run_.commands.end(),
                          [](const std::string& s) { return s.starts_with("make -C") && s.ends_with(" fs/pipe.o"); }));
  EXPECT_TRUE(fs::exists(c.work / "patched/fs/proc/cmdline.o"));
  EXPECT_TRUE(fs::exists(c.work / "patched/fs/pipe.o"));
}

// A module dir as Kbuild leaves it after linking module `name` (the 6.12
// shape: .module-common.o and objtool on the linked object).
void kbuild_link_dir(const fs::path& d, const std::string& name, const std::string& extra_cmd = "") {
  fs::create_directories(d);
  auto cmd = [&](const std::string& file, const std::string& text) {
    std::ofstream(kbuild_cmd_file(d, file))
        << "savedcmd_" << (d / file).string() << " := " << text << "\n\ndeps_x :=\n";
  };
  std::string ds = d.string();
  std::string mn = kbuild_module_name(name);  // Kbuild's KBUILD_MODNAME
  cmd("patch-hook.o", "gcc -Wp,-MMD," + ds +
                          "/.patch-hook.o.d -DKPATCH_REPLACE=1 -DKBUILD_BASENAME='\"patch_hook\"' "
                          "-DKBUILD_MODNAME='\"" +
                          mn + "\"' -D__KBUILD_MODNAME=kmod_" + mn + " -c -o " + ds + "/patch-hook.o " + ds +
                          "/patch-hook.c");
  cmd("kpatch-meta.o", "gcc -DKPATCH_REPLACE=1 -DKBUILD_MODNAME='\"" + mn + "\"' -c -o " + ds + "/kpatch-meta.o " + ds +
                           "/kpatch-meta.c");
  cmd(name + ".o",
      "ld -r -o " + ds + "/" + name + ".o @" + ds + "/" + name + ".mod  ; objtool --module " + ds + "/" + name + ".o");
  cmd("modules.order", "{   echo " + ds + "/" + name + ".o; :; } > " + ds + "/modules.order");
  cmd("Module.symvers",
      "scripts/mod/modpost -M -m -o " + ds + "/Module.symvers -T " + ds + "/modules.order" + extra_cmd);
  cmd(name + ".mod.o", "gcc -Wp,-MMD," + ds + "/." + name + ".mod.o.d -DKBUILD_BASENAME='\"" + mn +
                           ".mod\"' -DKBUILD_MODNAME='\"" + mn + "\"' -c -o " + ds + "/" + name + ".mod.o " + ds + "/" +
                           name + ".mod.c");
  cmd(".module-common.o", "gcc -DKBUILD_MODNAME='\".module_common.o\"' -c -o " + ds + "/.module-common.o x.c");
  cmd(name + ".ko", "ld -r -o " + ds + "/" + name + ".ko " + ds + "/" + name + ".o " + ds + "/" + name + ".mod.o");
  cmd(name + ".mod", "printf '%s\\n' patch-hook.o | awk > " + ds + "/" + name + ".mod");
  std::ofstream(d / ".diff-fs_proc_cmdline.o.cmd") << "cmd_x := create-diff-object\n";
}

TEST_F(Replay, ARecipeIsTheLinkWithDirNameAndReplaceLeftOpen) {
  fs::path d = dir_ / "w1/module";
  kbuild_link_dir(d, "kpatch_fix");
  std::string why;
  auto steps = recipe_from_link(d, "kpatch_fix", why);
  ASSERT_TRUE(steps) << why;
  ASSERT_EQ(steps->size(), 8u);
  EXPECT_EQ((*steps)[0].output, "patch-hook.o");
  EXPECT_EQ(
      (*steps)[0].command,
      "gcc -Wp,-MMD,@DIR@/.patch-hook.o.d -DKPATCH_REPLACE=@REPLACE@ -DKBUILD_BASENAME='\"patch_hook\"' "
      "-DKBUILD_MODNAME='\"@MODNAME@\"' -D__KBUILD_MODNAME=kmod_@MODNAME@ -c -o @DIR@/patch-hook.o @DIR@/patch-hook.c");
  EXPECT_EQ((*steps)[2].output, "@NAME@.o");
  EXPECT_EQ((*steps)[2].command, "ld -r -o @DIR@/@NAME@.o @@DIR@/@NAME@.mod  ; objtool --module @DIR@/@NAME@.o");
  EXPECT_EQ((*steps)[5].command,
            "gcc -Wp,-MMD,@DIR@/.@NAME@.mod.o.d -DKBUILD_BASENAME='\"@MODNAME@.mod\"' -DKBUILD_MODNAME='\"@MODNAME@\"' "
            "-c -o @DIR@/@NAME@.mod.o @DIR@/@NAME@.mod.c");
  EXPECT_EQ((*steps)[6].output, ".module-common.o");
}

TEST_F(Replay, ALinkThatCannotBeMadeGeneralIsNotKept) {
  std::string why;
  kbuild_link_dir(dir_ / "a/module", "kpatch_fix", " -i /cache/kpatch_fix/Module.symvers");
  EXPECT_FALSE(recipe_from_link(dir_ / "a/module", "kpatch_fix", why));
  EXPECT_EQ(why,
            "the module name kpatch_fix appears in Module.symvers's command where kpatch-build cannot tell it apart");
  kbuild_link_dir(dir_ / "b/module", "kpatch_fix");
  std::ofstream(dir_ / "b/module/.kpatch_fix.btf.cmd") << "savedcmd_x := pahole\n";
  EXPECT_FALSE(recipe_from_link(dir_ / "b/module", "kpatch_fix", why));
  EXPECT_EQ(why, "Kbuild made .kpatch_fix.btf.cmd, which is not a step kpatch-build knows");
  kbuild_link_dir(dir_ / "c/module", "kpatch_fix");
  fs::remove(dir_ / "c/module/.kpatch_fix.mod.o.cmd");
  EXPECT_FALSE(recipe_from_link(dir_ / "c/module", "kpatch_fix", why));
  EXPECT_EQ(why, "Kbuild recorded no command in .kpatch_fix.mod.o.cmd");
}

// What a fake link step writes: the file after `> ` or `-o `.
void fake_output(const Command& cmd) {
  const std::string& s = cmd.argv[2];
  std::string out;
  if (size_t gt = s.rfind("> "); gt != std::string::npos)
    out = s.substr(gt + 2);
  else if (size_t o = s.find("-o "); o != std::string::npos)
    out = s.substr(o + 3, s.find(' ', o + 3) - o - 3);
  if (!out.empty()) std::ofstream(out) << "x";
}

// The module dir of a second build, as assemble_module writes it, and its
// objects (NAME-y).
const std::vector<std::string> kObjects{"patch-hook.o", "kpatch-meta.o", "diff-fs_proc_cmdline.o"};
fs::path module_dir(const fs::path& root, const std::string& name) {
  fs::path d = root / "module";
  fs::create_directories(d);
  std::ofstream(d / "Kbuild") << "obj-m := " << name << ".o\n" << name << "-y := " << join(kObjects, " ") << "\n";
  return d;
}

TEST_F(Replay, AStoredRecipeLinksTheNextModuleWithItsOwnDirNameAndReplace) {
  manifest_.id = "first";
  BuildCtx first = ctx();
  kbuild_link_dir(dir_ / "w1/module", first.module_name());
  EXPECT_EQ(store_module_recipe(first, dir_ / "w1/module"), "");
  ASSERT_TRUE(fs::exists(dir_ / "cache/module-recipe"));

  manifest_.id = "second";
  manifest_.replace = false;
  BuildCtx c = ctx();
  c.work = dir_ / "w2";
  fs::path d = module_dir(c.work, c.module_name());
  run_.on("/bin/sh -c", {0, ""}, [&](const Command& cmd) {
    EXPECT_EQ(cmd.cwd, c.tree.string());
    fake_output(cmd);
  });
  ASSERT_TRUE(replay_module_link(c, d, kObjects));
  std::string name = c.module_name();
  EXPECT_EQ(run_.commands.size(), 8u);
  EXPECT_EQ(run_.commands[0], "/bin/sh -c 'gcc -Wp,-MMD," + d.string() +
                                  "/.patch-hook.o.d -DKPATCH_REPLACE=0 -DKBUILD_BASENAME='\"patch_hook\"' "
                                  "-DKBUILD_MODNAME='\"" +
                                  name + "\"' -D__KBUILD_MODNAME=kmod_" + name + " -c -o " + d.string() +
                                  "/patch-hook.o " + d.string() + "/patch-hook.c'  (in " + c.tree.string() + ")");
  EXPECT_EQ(read_file((d / (name + ".mod")).string()), (d / "patch-hook.o").string() + "\n" +
                                                           (d / "kpatch-meta.o").string() + "\n" +
                                                           (d / "diff-fs_proc_cmdline.o").string() + "\n");
  EXPECT_TRUE(fs::exists(d / (name + ".ko")));
  // modpost reads each object's .cmd; the replay writes them as Kbuild would.
  EXPECT_TRUE(read_file(kbuild_cmd_file(d, "patch-hook.o").string()).value_or("").starts_with("cmd_"));
}

// A file name with '-' (kpatch-build -n compat-callbacks): Kbuild's
// KBUILD_MODNAME has '_', which the replay must write too, whichever name
// the recipe was recorded with (else .modinfo's name is compat-callbacks,
// which the kernel and kpatch refuse).
TEST_F(Replay, TheModuleNameInKbuildFormIsKbuildsForADashedName) {
  std::string why;
  kbuild_link_dir(dir_ / "a/module", "compat-callbacks");
  auto steps = recipe_from_link(dir_ / "a/module", "compat-callbacks", why);
  ASSERT_TRUE(steps) << why;
  EXPECT_EQ(
      (*steps)[0].command,
      "gcc -Wp,-MMD,@DIR@/.patch-hook.o.d -DKPATCH_REPLACE=@REPLACE@ -DKBUILD_BASENAME='\"patch_hook\"' "
      "-DKBUILD_MODNAME='\"@MODNAME@\"' -D__KBUILD_MODNAME=kmod_@MODNAME@ -c -o @DIR@/patch-hook.o @DIR@/patch-hook.c");

  manifest_.id = "first";
  BuildCtx first = ctx();
  kbuild_link_dir(dir_ / "w1/module", first.module_name());
  ASSERT_EQ(store_module_recipe(first, dir_ / "w1/module"), "");
  manifest_.module_file_name = "compat-new-global";  // the classic -n NAME
  BuildCtx c = ctx();
  c.work = dir_ / "w2";
  ASSERT_EQ(c.module_name(), "compat-new-global");
  fs::path d = module_dir(c.work, c.module_name());
  run_.on("/bin/sh -c", {0, ""}, fake_output);
  ASSERT_TRUE(replay_module_link(c, d, kObjects));
  ASSERT_EQ(run_.commands.size(), 8u);
  EXPECT_NE(
      run_.commands[0].find("-DKBUILD_MODNAME='\"compat_new_global\"' -D__KBUILD_MODNAME=kmod_compat_new_global "),
      std::string::npos)
      << run_.commands[0];
  EXPECT_NE(run_.commands[5].find("-DKBUILD_BASENAME='\"compat_new_global.mod\"' "
                                  "-DKBUILD_MODNAME='\"compat_new_global\"' -c -o " +
                                  (d / "compat-new-global.mod.o").string()),
            std::string::npos)
      << run_.commands[5];
  EXPECT_TRUE(fs::exists(d / "compat-new-global.ko"));
}

// A fake compile that also writes the dependency file of -Wp,-MMD,FILE:
// the object needs its source (the command's last word).
void fake_compile(const Command& cmd) {
  fake_output(cmd);
  const std::string& s = cmd.argv[2];
  size_t mmd = s.find("-Wp,-MMD,");
  if (mmd == std::string::npos) return;
  std::string dep = s.substr(mmd + 9, s.find(' ', mmd) - mmd - 9);
  std::string src = s.substr(s.rfind(' ') + 1);
  std::ofstream(dep) << "x.o: " << src << "\n";
}

TEST_F(Replay, ALinkReusesTheLastLinksObjectsWhoseInputsAreTheSame) {
  BuildCtx first = ctx();
  kbuild_link_dir(dir_ / "w1/module", first.module_name());
  ASSERT_EQ(store_module_recipe(first, dir_ / "w1/module"), "");
  run_.on("/bin/sh -c", {0, ""}, fake_compile);
  auto link = [&](const std::string& work, const std::string& hook_source) {
    BuildCtx c = ctx();
    c.work = dir_ / work;
    fs::path d = module_dir(c.work, c.module_name());
    std::ofstream(d / "patch-hook.c") << hook_source;
    size_t before = run_.commands.size();
    EXPECT_TRUE(replay_module_link(c, d, kObjects));
    EXPECT_TRUE(fs::exists(d / (c.module_name() + ".ko")));
    EXPECT_TRUE(read_file(kbuild_cmd_file(d, "patch-hook.o").string()).value_or("").starts_with("cmd_"));
    return std::make_pair(run_.commands.size() - before, c.module_objects_from_cache);
  };
  EXPECT_EQ(link("w2", "int hook;\n"), std::make_pair(size_t{8}, size_t{0}));
  EXPECT_EQ(link("w3", "int hook;\n"), std::make_pair(size_t{7}, size_t{1}));  // the hook is not compiled
  EXPECT_EQ(link("w4", "int hook2;\n"), std::make_pair(size_t{8}, size_t{0}));
}

TEST_F(Replay, AModuleObjectCacheThatCannotBeWrittenWarnsOnceALink) {
  BuildCtx first = ctx();
  kbuild_link_dir(dir_ / "w1/module", first.module_name());
  ASSERT_EQ(store_module_recipe(first, dir_ / "w1/module"), "");
  std::ofstream(dir_ / "cache/module-objects") << "a file where the cache dir goes";
  run_.on("/bin/sh -c", {0, ""}, fake_compile);
  BuildCtx c = ctx();
  c.work = dir_ / "w2";
  fs::path d = module_dir(c.work, c.module_name());
  std::ofstream(d / "patch-hook.c") << "int hook;\n";
  std::ofstream(d / (c.module_name() + ".mod.c")) << "int mod;\n";
  ASSERT_TRUE(replay_module_link(c, d, kObjects));
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_TRUE(c.warnings[0].starts_with("cannot write the module-object cache: cannot create " +
                                        (dir_ / "cache/module-objects").string() + ": "))
      << c.warnings[0];
}

TEST_F(Replay, NoRecipeAStaleOneOrAFailedStepIsMakesLink) {
  BuildCtx c = ctx();
  fs::path d = module_dir(c.work, c.module_name());
  EXPECT_FALSE(replay_module_link(c, d, kObjects));  // nothing stored yet
  kbuild_link_dir(dir_ / "w1/module", c.module_name());
  ASSERT_EQ(store_module_recipe(c, dir_ / "w1/module"), "");
  c.compiler_version = "gcc-12 (Debian 12.2.0-14+deb12u2) 12.2.0";  // another compiler
  EXPECT_FALSE(replay_module_link(c, d, kObjects));
  EXPECT_TRUE(run_.commands.empty());
  BuildCtx again = ctx();
  run_.on("modpost", {1, "ERROR: modpost: \"x\" undefined!\n"});
  run_.on("/bin/sh -c", {0, ""}, fake_output);
  EXPECT_FALSE(replay_module_link(again, d, kObjects));
  EXPECT_FALSE(fs::exists(d / "patch-hook.o"));  // what the recipe wrote is gone for make
  EXPECT_FALSE(fs::exists(d / (c.module_name() + ".mod")));
  std::ofstream(c.tree / "vmlinux") << "x";  // make adds BTF to modules of a tree with vmlinux
  size_t before = run_.commands.size();
  EXPECT_FALSE(replay_module_link(again, d, kObjects));
  EXPECT_EQ(run_.commands.size(), before);
}

}  // namespace
}  // namespace kp
