// The command line as the classic kpatch takes it: -k in all its spellings,
// options anywhere, `version` and `--version`; usage errors exact.
#include "command_line.h"

#include "cli_fixture.h"

namespace kpatch::testing {
namespace {

std::optional<CommandLine> parse(std::vector<std::string> argv, std::ostream& err) {
  return parse_command_line(argv, err);
}

TEST(CommandLine, KernelVersionInEverySpelling) {
  for (std::vector<std::string> argv : {
           std::vector<std::string>{"install", "-k", "6.1.0-57-cloud-amd64", "x.ko"},
           {"install", "-k6.1.0-57-cloud-amd64", "x.ko"},
           {"install", "--kernel", "6.1.0-57-cloud-amd64", "x.ko"},
           {"install", "--kernel=6.1.0-57-cloud-amd64", "x.ko"},
           {"install", "--kernel-version", "6.1.0-57-cloud-amd64", "x.ko"},
           {"install", "--kernel-version=6.1.0-57-cloud-amd64", "x.ko"},
           {"install", "x.ko", "--kernel-version=6.1.0-57-cloud-amd64"},
       }) {
    std::ostringstream err;
    auto cl = parse(argv, err);
    ASSERT_TRUE(cl) << argv[1] << ": " << err.str();
    EXPECT_EQ(cl->command, "install");
    EXPECT_EQ(cl->opt.kernel, "6.1.0-57-cloud-amd64") << argv[1];
    EXPECT_EQ(cl->args, std::vector<std::string>{"x.ko"}) << argv[1];
    EXPECT_EQ(err.str(), "");
  }
}

TEST(CommandLine, FlagsAndTimeouts) {
  std::ostringstream err;
  auto cl = parse({"load", "--all", "-f", "--timeout", "5", "--lock-timeout=0", "--json"}, err);
  ASSERT_TRUE(cl) << err.str();
  EXPECT_TRUE(cl->all);
  EXPECT_TRUE(cl->opt.force);
  EXPECT_TRUE(cl->opt.json);
  EXPECT_EQ(cl->opt.timeout, std::chrono::seconds(5));
  EXPECT_EQ(cl->opt.lock_timeout, std::chrono::seconds(0));
  EXPECT_TRUE(cl->args.empty());
}

TEST(CommandLine, UsageErrors) {
  struct Case {
    std::vector<std::string> argv;
    std::string first_line;
  };
  for (const Case& c : std::vector<Case>{
           {{"install", "--kernel-version="}, "kpatch: --kernel-version takes a kernel release"},
           {{"install", "-k", ""}, "kpatch: -k takes a kernel release"},
           {{"load", "--timeout=1m"}, "kpatch: --timeout takes a number of seconds, not '1m'"},
           {{"load", "--lock-timeout", "-1"}, "kpatch: --lock-timeout takes a number of seconds, not '-1'"},
           {{"load", "--kernel-versions=x"}, "kpatch: unknown option --kernel-versions=x"},
           {{"install", "x.ko", "-k"}, "kpatch: unknown option -k"},
       }) {
    std::ostringstream err;
    EXPECT_FALSE(parse(c.argv, err)) << c.argv[1];
    EXPECT_EQ(err.str(), c.first_line + "\n" + kUsage) << c.argv[1];
  }
  std::ostringstream err;
  EXPECT_FALSE(parse({}, err));
  EXPECT_EQ(err.str(), kUsage);
}

class RunTest : public CliTest {
 protected:
  int run_argv(std::vector<std::string> argv) {
    auto cl = parse_command_line(argv, err);
    return cl ? run(*cl, sys, out, err) : 1;
  }
};

TEST_F(RunTest, VersionIsBare) {
  EXPECT_EQ(run_argv({"version"}), 0);
  EXPECT_EQ(run_argv({"--version"}), 0);
  EXPECT_EQ(run_argv({"-v"}), 0);  // the classic kpatch's third spelling
  EXPECT_EQ(out.str(), std::string(kVersion) + "\n" + kVersion + "\n" + kVersion + "\n");
  EXPECT_EQ(err.str(), "");
}

TEST_F(RunTest, DashKReachesInstall) {
  put("/home/op/kpatch_fix.ko", Patch("kpatch_fix", "fix").with(&Patch::release, "6.1.0-57-cloud-amd64"));
  EXPECT_EQ(run_argv({"install", "--kernel-version=6.1.0-57-cloud-amd64", "/home/op/kpatch_fix.ko"}), 0) << err.str();
  EXPECT_EQ(out.str(), "installed kpatch_fix for 6.1.0-57-cloud-amd64\n");
}

TEST_F(RunTest, WrongArgumentCountsPrintTheUsage) {
  for (std::vector<std::string> argv :
       {std::vector<std::string>{"install"}, {"load", "a", "b"}, {"list", "x"}, {"version", "x"}, {"frobnicate"}}) {
    err.str("");
    EXPECT_EQ(run_argv(argv), 1) << argv[0];
    EXPECT_EQ(err.str(), kUsage) << argv[0];
  }
  EXPECT_TRUE(sys.calls.empty());
}

}  // namespace
}  // namespace kpatch::testing
