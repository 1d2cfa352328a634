// kpatch-build's command line: the classic tool's forms, exit codes and
// messages (pipeline/command_line.h).
#include "pipeline/command_line.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "elf/writer.h"

namespace kp {
namespace {

struct Parsed {
  int rc;
  BuildConfig cfg;
  std::string out, err;
};

Parsed parse(std::vector<std::string> args) {
  Parsed p;
  std::ostringstream out, err;
  p.rc = parse_build_command_line(args, p.cfg, out, err);
  p.out = out.str();
  p.err = err.str();
  return p;
}

TEST(BuildCommandLine, GetoptForms) {
  Parsed p = parse({"--name=foo", "-dR", "-j4", "-kREL", "--kernel", "REL2", "-o", "out", "x.patch"});
  ASSERT_EQ(p.rc, -1) << p.err;
  EXPECT_EQ(p.cfg.name, "foo");
  EXPECT_TRUE(p.cfg.debug);
  EXPECT_EQ(p.cfg.replace, false);
  EXPECT_EQ(p.cfg.jobs, 4u);
  EXPECT_EQ(p.cfg.kernels, (std::vector<std::string>{"REL", "REL2"}));
  EXPECT_EQ(p.cfg.output_dir, "out");
  EXPECT_EQ(p.cfg.patches, (std::vector<std::filesystem::path>{"x.patch"}));
}

// -d counts, as in classic kpatch-build: -dd (2+) also echoes the log.
TEST(BuildCommandLine, DebugLevels) {
  EXPECT_EQ(parse({"x.patch"}).cfg.debug, 0u);
  EXPECT_EQ(parse({"-d", "x.patch"}).cfg.debug, 1u);
  EXPECT_EQ(parse({"-dd", "x.patch"}).cfg.debug, 2u);
  EXPECT_EQ(parse({"-dR", "--debug", "-d", "x.patch"}).cfg.debug, 3u);
}

// What -dd echoes: each command's log entry, after it ran, terminal-safe.
TEST(BuildCommandLine, DashDDEchoesEachCommandAsLogged) {
  std::ostringstream echo;
  PosixRunner runner("");
  runner.set_echo(&echo);
  Command cmd{{"sh", "-c", "echo compiled; printf 'x\\033[2J\\n'; exit 3"}, {}, {}};
  ProcResult r = runner.run(cmd);
  EXPECT_EQ(r.status, 3);
  EXPECT_EQ(echo.str(), "$ " + cmd.str() + "\ncompiled\nx\\x1b[2J\n(exit status 3)\n");
}

TEST(BuildCommandLine, ClassicAliases) {
  Parsed p = parse({"--skip-gcc-check", "--skip-cleanup", "-n", "bar", "--", "-odd.patch"});
  ASSERT_EQ(p.rc, -1) << p.err;
  EXPECT_TRUE(p.cfg.skip_compiler_check);
  EXPECT_TRUE(p.cfg.keep_workdir);
  EXPECT_EQ(p.cfg.patches, (std::vector<std::filesystem::path>{"-odd.patch"}));
}

TEST(BuildCommandLine, HelpAndVersionExitZeroOnStdout) {
  Parsed h = parse({"-h"});
  EXPECT_EQ(h.rc, 0);
  EXPECT_NE(h.out.find("usage: kpatch-build"), std::string::npos);
  EXPECT_EQ(h.err, "");
  Parsed v = parse({"--version"});
  EXPECT_EQ(v.rc, 0);
  EXPECT_EQ(v.out, std::string(KPATCH_VERSION) + "\n");
}

TEST(BuildCommandLine, InvalidJobs) {
  for (const char* bad : {"0", "x", "4x", "-1", "99999"}) {
    Parsed p = parse({"-j", bad, "x.patch"});
    EXPECT_EQ(p.rc, 1) << bad;
    EXPECT_EQ(p.err, std::string("kpatch-build: Invalid number of make jobs '") + bad + "'\n") << bad;
  }
}

TEST(BuildCommandLine, ClassicOptionsWithoutMeaningHereAreRefusedOrNotedSayingWhatToUse) {
  Parsed r = parse({"-r", "kernel.src.rpm", "x.patch"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("use --kernel REL"), std::string::npos) << r.err;
  // -t names make targets of the classic tool's whole-kernel builds: taken, said to be unneeded.
  Parsed t = parse({"--target=bzImage", "-t", "modules", "x.patch"});
  EXPECT_EQ(t.rc, -1);
  EXPECT_EQ(t.err,
            "kpatch-build: note: -t/--target bzImage ignored: only the objects the patch touches are compiled\n"
            "kpatch-build: note: -t/--target modules ignored: only the objects the patch touches are compiled\n");
}

TEST(BuildCommandLine, UsageErrorsNameTheProblem) {
  EXPECT_NE(parse({"--frobnicate", "x.patch"}).err.find("unknown option --frobnicate"), std::string::npos);
  EXPECT_NE(parse({"-q", "x.patch"}).err.find("unknown option -q"), std::string::npos);
  EXPECT_NE(parse({"--name"}).err.find("--name needs a value"), std::string::npos);
  EXPECT_NE(parse({"--debug=2", "x.patch"}).err.find("--debug takes no value"), std::string::npos);
  EXPECT_NE(parse({}).err.find("nothing to build"), std::string::npos);
  EXPECT_NE(parse({"--manifest", "m.yaml", "x.patch"}).err.find("do not go with --manifest"), std::string::npos);
  EXPECT_NE(parse({"--manifest", "m.yaml", "--bundle", "b"}).err.find("do not go together"), std::string::npos);
  EXPECT_NE(parse({"-c", "config", "x.patch"}).err.find("go with -s SRCDIR"), std::string::npos);
  EXPECT_NE(parse({"--symvers", "Module.symvers", "x.patch"}).err.find("go with -s SRCDIR"), std::string::npos);
  EXPECT_EQ(parse({"--frobnicate"}).rc, 1);
  EXPECT_NE(parse({"--frobnicate\x1b"}).err.find("\\x1b"), std::string::npos);
}

}  // namespace
}  // namespace kp

namespace kp {
namespace {

TEST(BuildCommandLine, CheckAndJson) {
  Parsed p = parse({"--check", "--json", "--manifest", "m.yaml", "--kernel", "REL"});
  ASSERT_EQ(p.rc, -1) << p.err;
  EXPECT_TRUE(p.cfg.check_only);
  EXPECT_TRUE(p.cfg.json);
  p = parse({"--json", "--manifest", "m.yaml"});
  EXPECT_EQ(p.rc, 1);
  EXPECT_TRUE(p.err.starts_with("kpatch-build: --json goes with --check\n")) << p.err;
  p = parse({"--check", "--sign-key", "k", "--sign-cert", "c", "x.patch"});
  EXPECT_EQ(p.rc, 1);
  EXPECT_TRUE(p.err.starts_with("kpatch-build: --check writes no module to sign\n")) << p.err;
}

}  // namespace
}  // namespace kp

namespace kp {
namespace {

namespace fs = std::filesystem;

// A directory with a module source dir (src/Kbuild) and a relocatable ELF
// file whose .modinfo holds `modinfo` (NUL-separated key=value strings).
struct OotFixture {
  fs::path dir;
  OotFixture() {
    std::string tmpl = (fs::temp_directory_path() / "kpatch-oot-cl-XXXXXX").string();
    dir = ::mkdtemp(tmpl.data());
    fs::create_directories(dir / "src");
    std::ofstream(dir / "src/Kbuild") << "obj-m := m.o\n";
  }
  ~OotFixture() { fs::remove_all(dir); }
  fs::path module(const std::string& file, const std::string& modinfo) const {
    OutputObject obj;
    OutSection s;
    s.name = ".modinfo";
    s.flags = SHF_ALLOC;
    for (char c : modinfo) s.data.push_back(static_cast<std::byte>(c));
    obj.add_section(std::move(s));
    obj.write((dir / file).string());
    return dir / file;
  }
};

const std::string kModinfo =
    std::string("name=m\0vermagic=6.1.0-56-cloud-amd64 SMP preempt mod_unload modversions \0", 73);

TEST(BuildCommandLine, OotModuleTakesTheReleaseFromItsVermagic) {
  OotFixture f;
  std::string ko = f.module("m.ko", kModinfo).string(), src = (f.dir / "src").string();
  for (const auto& args : {std::vector<std::string>{"--oot-module", ko, "--oot-module-src", src, "x.patch"},
                           std::vector<std::string>{"--oot-module=" + ko, "--oot-module-src=" + src, "x.patch"}}) {
    Parsed p = parse(args);
    ASSERT_EQ(p.rc, -1) << p.err;
    EXPECT_EQ(p.cfg.oot_module, ko);
    EXPECT_EQ(p.cfg.oot_module_src, src);
    EXPECT_EQ(p.cfg.kernels, (std::vector<std::string>{"6.1.0-56-cloud-amd64"}));
  }
  // --kernel is kept: the build then checks the vermagic against it.
  Parsed k = parse({"--oot-module", ko, "--oot-module-src", src, "--kernel", "6.1.0-55-cloud-amd64", "x.patch"});
  ASSERT_EQ(k.rc, -1) << k.err;
  EXPECT_EQ(k.cfg.kernels, (std::vector<std::string>{"6.1.0-55-cloud-amd64"}));
}

TEST(BuildCommandLine, OotModuleOptionsGoTogether) {
  Parsed a = parse({"--oot-module", "m.ko", "x.patch"});
  EXPECT_EQ(a.rc, 1);
  EXPECT_TRUE(
      a.err.starts_with("kpatch-build: --oot-module needs --oot-module-src DIR, the module's source directory\nusage:"))
      << a.err;
  Parsed b = parse({"--oot-module-src=src", "x.patch"});
  EXPECT_EQ(b.rc, 1);
  EXPECT_TRUE(
      b.err.starts_with("kpatch-build: --oot-module-src needs --oot-module FILE.ko, the built module to patch\nusage:"))
      << b.err;
  Parsed c = parse({"--oot-module", "m.ko", "--oot-module-src", "src", "-k", "A", "-k", "B", "x.patch"});
  EXPECT_EQ(c.rc, 1);
  EXPECT_TRUE(
      c.err.starts_with("kpatch-build: --oot-module patches a module built for one kernel: give at most one "
                        "--kernel\n"))
      << c.err;
  Parsed d = parse({"--oot-module", "m.ko", "--oot-module-src", "src", "--bundle", "b"});
  EXPECT_TRUE(d.err.starts_with("kpatch-build: --oot-module does not go with --bundle\n")) << d.err;
}

TEST(BuildCommandLine, OotModuleBadInputNamesTheFile) {
  OotFixture f;
  std::string src = (f.dir / "src").string();
  auto err = [&](const std::string& ko, const std::string& dir) {
    Parsed p = parse({"--oot-module", ko, "--oot-module-src", dir, "x.patch"});
    EXPECT_EQ(p.rc, 1) << ko;
    return p.err;
  };
  std::string missing = (f.dir / "none.ko").string();
  EXPECT_EQ(err(missing, src),
            "kpatch-build: --oot-module " + missing + ": not found; give the built module to patch (FILE.ko)\n");
  std::ofstream(f.dir / "text.ko") << "not ELF\n";
  EXPECT_EQ(err((f.dir / "text.ko").string(), src), "kpatch-build: --oot-module " + (f.dir / "text.ko").string() +
                                                        ": not a kernel module (not a relocatable ELF file)\n");
  std::string xz = (f.dir / "m.ko.xz").string();
  std::ofstream(xz) << "x";
  EXPECT_EQ(err(xz, src),
            "kpatch-build: --oot-module " + xz + ": a compressed module; give it uncompressed (xz -dk " + xz + ")\n");
  std::string noname = f.module("noname.ko", std::string("vermagic=6.1.0-56-cloud-amd64 SMP\0", 34)).string();
  EXPECT_EQ(err(noname, src), "kpatch-build: --oot-module " + noname +
                                  ": its .modinfo has no name=; is it a module built by Kbuild (modpost)?\n");
  std::string ko = f.module("m.ko", kModinfo).string();
  fs::create_directories(f.dir / "empty");
  EXPECT_EQ(err(ko, (f.dir / "empty").string()),
            "kpatch-build: --oot-module-src " + (f.dir / "empty").string() +
                ": no Kbuild or Makefile there; give the directory the module is built in (make -C KERNEL-TREE "
                "M=DIR)\n");
  EXPECT_EQ(err(ko, (f.dir / "nodir").string()), "kpatch-build: --oot-module-src " + (f.dir / "nodir").string() +
                                                     ": not a directory; give the module's source directory\n");
}

}  // namespace
}  // namespace kp
