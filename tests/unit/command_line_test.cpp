// kpatch-build's command line: the classic tool's forms, exit codes and
// messages (pipeline/command_line.h).
#include "pipeline/command_line.h"

#include <gtest/gtest.h>

#include <sstream>

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
  Parsed o = parse({"--oot-module", "m.ko", "x.patch"});
  EXPECT_EQ(o.rc, 1);
  EXPECT_NE(o.err.find("out-of-tree module patches are not supported"), std::string::npos);
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
