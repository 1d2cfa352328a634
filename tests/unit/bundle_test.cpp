// Bundles: several manifests' fixes combined into one cumulative manifest
// for one kernel (manifest/bundle.h), and the refusals, each naming a file.
#include "manifest/bundle.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "support/diag.h"

namespace kp {
namespace {

namespace fs = std::filesystem;

class BundleTest : public ::testing::Test {
 protected:
  fs::path dir;
  void SetUp() override {
    dir = fs::temp_directory_path() / ("kpatch-bundle-" + std::to_string(::getpid()));
    fs::create_directories(dir / "a");
    fs::create_directories(dir / "b");
    write("a/a.patch", "--- a/x\n+++ b/x\n");
    write("b/b.patch", "--- a/y\n+++ b/y\n");
    write("a/a.yaml",
          "id: fix-a\nsummary: Fix A\ncves: [CVE-2024-0001]\npatches: [a.patch]\n"
          "kernels: [6.1.0-56-cloud-amd64, 6.1.0-55-cloud-amd64]\nversion: 3\n");
    write("b/b.yaml",
          "id: fix-b\nsummary: Fix B\ncves: [CVE-2024-0002, CVE-2024-0001]\npatches: [b.patch]\n"
          "kernels: [6.1.0-56-cloud-amd64]\n");
  }
  void TearDown() override { fs::remove_all(dir); }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir / name) << text; }
  std::string error_of(const std::string& bundle, const std::string& release = "") {
    write("bundle.yaml", bundle);
    try {
      load_bundle(dir, release);
    } catch (const Fatal& e) {
      std::string s = e.what();
      size_t at = s.find(dir.string());
      while (at != std::string::npos) {
        s.erase(at, dir.string().size() + 1);
        at = s.find(dir.string());
      }
      return s;
    }
    return "no error";
  }
};

TEST_F(BundleTest, CombinesThePartsInOrder) {
  write("bundle.yaml", "id: cloud-fixes\nversion: 2\nmanifests: [a/a.yaml, b/b.yaml]\n");
  Manifest m = load_bundle(dir, "");
  EXPECT_EQ(m.id, "cloud-fixes");
  EXPECT_EQ(m.version, 2u);
  EXPECT_EQ(m.module_name(), "kpatch_cloud_fixes_v2");
  EXPECT_TRUE(m.replace);
  EXPECT_EQ(m.patches, (std::vector<fs::path>{dir / "a/a.patch", dir / "b/b.patch"}));
  EXPECT_EQ(m.cves, (std::vector<std::string>{"CVE-2024-0001", "CVE-2024-0002"}));
  EXPECT_EQ(m.bundled, (std::vector<std::string>{"fix-a:3", "fix-b:1"}));
  EXPECT_EQ(m.kernels, (std::vector<std::string>{"6.1.0-56-cloud-amd64"}));  // listed by both
  EXPECT_EQ(m.summary, "Cumulative live patch: fix-a, fix-b");
  EXPECT_EQ(m.description, "fix-a version 3: Fix A\nfix-b version 1: Fix B\n");
}

TEST_F(BundleTest, AFileNamedDirectlyAndAGivenKernel) {
  write("other.yaml", "id: x\nsummary: Mine\nmanifests: [a/a.yaml]\n");
  Manifest m = load_bundle(dir / "other.yaml", "6.1.0-55-cloud-amd64");
  EXPECT_EQ(m.kernels, (std::vector<std::string>{"6.1.0-55-cloud-amd64"}));
  EXPECT_EQ(m.summary, "Mine");
  EXPECT_EQ(m.module_name(), "kpatch_x");
}

TEST_F(BundleTest, Refusals) {
  EXPECT_EQ(error_of("id: x\nmanifests: [a/a.yaml, b/b.yaml]\n", "6.1.0-55-cloud-amd64"),
            "b/b.yaml: error: does not list kernel 6.1.0-55-cloud-amd64 (bundle bundle.yaml)");
  EXPECT_EQ(error_of("id: x\nmanifests: [a/a.yaml, a/a.yaml]\n"),
            "bundle.yaml: error: a/a.yaml repeats patch id 'fix-a'");
  EXPECT_EQ(error_of("id: X;y\nmanifests: [a/a.yaml]\n"),
            "bundle.yaml:1:5: error: id is [a-z0-9][a-z0-9_-], at most 64");
  EXPECT_EQ(error_of("id: x\nmanifests: []\n"),
            "bundle.yaml:2:12: error: manifests is a non-empty list of manifest files");
  EXPECT_EQ(error_of("id: x\nmanifests: [a/a.yaml]\nkernels: [y]\n"),
            "bundle.yaml:3:1: error: unknown key 'kernels' (id, version, summary, manifests)");
  EXPECT_EQ(error_of("id: x\nsummary: \"a\\x1bb\"\nmanifests: [a/a.yaml]\n"),
            "bundle.yaml:2:10: error: summary is one line of text");
  EXPECT_EQ(error_of("version: 2\nmanifests: [a/a.yaml]\n"), "bundle.yaml:1:1: error: missing required key 'id'");
  EXPECT_NE(error_of("id: x\nmanifests: [missing.yaml]\n").find("missing.yaml: error: cannot read the manifest"),
            std::string::npos);
}

}  // namespace
}  // namespace kp
