// Results per kernel (pipeline/summary.cpp): --check's verdicts from the
// differ's exit statuses, a failed build's result, the summary table and
// the JSON both share.
#include "pipeline/summary.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "fake_runner.h"
#include "support/diag.h"

namespace kp {
namespace {

ObjectJob object(const std::string& path, ExitCode status, std::vector<std::string> changed = {},
                 std::string messages = "") {
  ObjectJob o;
  o.path = path;
  o.parent = "vmlinux";
  o.diff_status = static_cast<int>(status);
  o.changed = std::move(changed);
  o.messages = std::move(messages);
  return o;
}

struct Fixture {
  BuildConfig cfg;
  testing::FakeRunner run;
  BuildCtx ctx{cfg, Manifest{}, "6.1.0-56-cloud-amd64", run};
};

TEST(Summary, CheckVerdictFollowsTheDifferStatuses) {
  Fixture f;
  f.ctx.objects = {object("a.o", ExitCode::Ok, {"f"}), object("b.o", ExitCode::NoChange)};
  EXPECT_EQ(check_result(f.ctx), "patchable");
  f.ctx.objects.push_back(object("c.o", ExitCode::Unsupported, {}, "c.o: unsupported: x [changed-data]\n"));
  EXPECT_EQ(check_result(f.ctx), "refused");
  f.ctx.objects = {object("b.o", ExitCode::NoChange)};
  EXPECT_EQ(check_result(f.ctx), "unchanged");
  f.ctx.objects = {object("a.o", ExitCode::Ok, {"f"}), object("d.o", ExitCode::Error)};
  EXPECT_EQ(check_result(f.ctx), "error");
  f.ctx.objects = {};  // the build stopped before the differ
  EXPECT_EQ(check_result(f.ctx), "error");
  // A refusal before the differ (a changed export CRC): the others were
  // not compared, the verdict is the refusal.
  f.ctx.objects = {object("a.o", static_cast<ExitCode>(-1)), object("g.o", ExitCode::Unsupported)};
  EXPECT_EQ(check_result(f.ctx), "refused");
  f.ctx.objects = {object("a.o", static_cast<ExitCode>(-1))};
  EXPECT_EQ(check_result(f.ctx), "error");
  EXPECT_STREQ(diff_outcome(-1), "not compared");
}

TEST(Summary, AFailedBuildKeepsTheFirstLineOfItsError) {
  Fixture f;
  f.ctx.failure = "p.patch: hunk #1 of fs/proc/cmdline.c does not apply (at line 6)\nmore";
  KernelResult r = kernel_result(f.ctx, false);
  EXPECT_EQ(r.result, "error");
  EXPECT_EQ(r.detail, "p.patch: hunk #1 of fs/proc/cmdline.c does not apply (at line 6)");
  f.ctx.objects = {object("c.o", ExitCode::Unsupported)};
  f.ctx.failure = "the patch cannot be applied live:\nc.o: ...";
  EXPECT_EQ(kernel_result(f.ctx, false).result, "refused");
}

TEST(Summary, CheckReportListsChangesAndEveryRefusal) {
  Fixture f;
  f.cfg.check_only = true;
  f.ctx.objects = {object("fs/a.o", ExitCode::Ok, {"f", "g"}),
                   object("kernel/b.o", ExitCode::Unsupported, {}, "b.o: unsupported: one\nb.o: unsupported: two\n")};
  std::ostringstream out;
  print_check({kernel_result(f.ctx, true)}, out);
  EXPECT_EQ(out.str(),
            "6.1.0-56-cloud-amd64: refused\n"
            "  fs/a.o (vmlinux): patched; changed: f, g; new: -\n"
            "  kernel/b.o (vmlinux): refused\n"
            "    b.o: unsupported: one\n"
            "    b.o: unsupported: two\n");
}

TEST(Summary, TableHasARowPerKernelAndJsonParses) {
  Fixture ok, bad;
  ok.ctx.objects = {object("fs/a.o", ExitCode::Ok, {"f", "g"})};
  ok.ctx.ko = "/out/6.1.0-56-cloud-amd64/m.ko";
  bad.ctx.target.release = "6.1.0-55-cloud-amd64\x1b[2J";
  bad.ctx.failure = "hunk #1 does not apply";
  std::vector<KernelResult> rs{kernel_result(ok.ctx, true), kernel_result(bad.ctx, false)};
  std::ostringstream out;
  print_summary(rs, out);
  std::string t = out.str();
  EXPECT_EQ(t,
            "kernel                      result    changed  seconds\n"
            "6.1.0-56-cloud-amd64        built           2      0.0\n"
            "6.1.0-55-cloud-amd64\\x1b[2J error           -      0.0  hunk #1 does not apply\n");
  auto j = nlohmann::json::parse(results_json(rs));
  ASSERT_EQ(j["kernels"].size(), 2U);
  EXPECT_EQ(j["kernels"][0]["result"], "built");
  EXPECT_EQ(j["kernels"][0]["changed"], 2);
  EXPECT_EQ(j["kernels"][0]["objects"][0]["changed"][1], "g");
  EXPECT_EQ(j["kernels"][1]["kernel"], "6.1.0-55-cloud-amd64\x1b[2J");
  EXPECT_EQ(j["kernels"][1]["detail"], "hunk #1 does not apply");
}

}  // namespace
}  // namespace kp
