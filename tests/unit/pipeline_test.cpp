// build_one(): what a whole build prints, and what it leaves behind, with
// a fake runner. No kernel is built.
#include "pipeline/pipeline.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "fake_runner.h"
#include "support/diag.h"

namespace kp {
namespace {

using testing::FakeRunner;

struct Printed {
  bool ok;
  std::string progress, err;
};

Printed build(const BuildConfig& cfg, FakeRunner& run, const std::string& release) {
  BuildCtx c(cfg, Manifest{}, release, run);
  std::ostringstream progress, err;
  bool ok = build_one(c, progress, err);
  std::error_code ec;
  fs::remove_all(c.work, ec);
  return {ok, progress.str(), err.str()};
}

TEST(Pipeline, AFailedStagePrintsNoProgressLine) {
  BuildConfig cfg;
  cfg.tools_dir = "/tools";
  FakeRunner run;
  run.on("kernel-tree prepare", {1, "kernel-tree: error: no package linux-headers-6.1.0-99-amd64\n"});
  Printed p = build(cfg, run, "6.1.0-99-amd64");
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(p.progress, "");
  EXPECT_TRUE(
      p.err.starts_with("kpatch-build: 6.1.0-99-amd64: error: kernel 6.1.0-99-amd64: kernel-tree: error: no "
                        "package linux-headers-6.1.0-99-amd64\n"))
      << p.err;
}

// What other programs say reaches the terminal escaped.
TEST(Pipeline, ControlCharactersInMessagesAreEscaped) {
  BuildConfig cfg;
  cfg.tools_dir = "/tools";
  FakeRunner run;
  run.on("kernel-tree prepare", {1, "kernel-tree: error: \x1b[2J\rgone\tstill\nthere"});
  Printed p = build(cfg, run, "6.1.0-99-amd64");
  EXPECT_TRUE(
      p.err.starts_with("kpatch-build: 6.1.0-99-amd64: error: kernel 6.1.0-99-amd64: kernel-tree: error: "
                        "\\x1b[2J\\x0dgone\tstill\nthere\n"))
      << p.err;
}

std::string output_error(const fs::path& dir) {
  try {
    check_output_dir(dir);
  } catch (const Fatal& e) {
    return e.what();
  }
  return "(no error)";
}

// -o is checked before the build, not when the module is written.
TEST(Pipeline, OutputDirThatIsAFileIsRefusedFirst) {
  fs::path dir = fs::temp_directory_path() / ("kpatch-out-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "file") << "x";
  EXPECT_EQ(output_error(dir / "file"), "kpatch-build: error: -o " + (dir / "file").string() +
                                            ": exists and is not a directory; -o names the directory the module is "
                                            "written to");
  EXPECT_EQ(output_error(dir / "file/sub"), "kpatch-build: error: -o " + (dir / "file/sub").string() + ": " +
                                                (dir / "file").string() +
                                                " is not a directory; -o names the directory the module is written to");
  EXPECT_EQ(output_error(dir / "new/sub/"), "(no error)");
  EXPECT_FALSE(fs::exists(dir / "new"));  // nothing made yet
  EXPECT_EQ(output_error(dir), "(no error)");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kp
