#include "manifest/manifest.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/diag.h"

namespace kp {
namespace {

class ManifestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("kpatch-manifest-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "cmdline.patch") << "--- a/x\n+++ b/x\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string error_of(const std::string& text) {
    try {
      parse_manifest(dir_ / "m.yaml", text);
    } catch (const Fatal& e) {
      std::string s = e.what();
      return s.substr(dir_.string().size() + 1);  // relative to the test dir
    }
    return "no error";
  }

  std::filesystem::path dir_;
};

constexpr const char* kGood = R"(id: cve-2024-0001-cmdline
summary: Fix the thing
description: |
  Longer text.
cves: [CVE-2024-0001]
references: [https://example.invalid/fix]
patches: [cmdline.patch]
kernels: [6.1.0-56-cloud-amd64]
version: 2
replace: false
)";

TEST_F(ManifestTest, ParsesEveryField) {
  Manifest m = parse_manifest(dir_ / "m.yaml", kGood);
  EXPECT_EQ(m.id, "cve-2024-0001-cmdline");
  EXPECT_EQ(m.summary, "Fix the thing");
  EXPECT_EQ(m.description, "Longer text.\n");
  EXPECT_EQ(m.cves, std::vector<std::string>{"CVE-2024-0001"});
  ASSERT_EQ(m.patches.size(), 1u);
  EXPECT_EQ(m.patches[0], dir_ / "cmdline.patch");
  EXPECT_EQ(m.kernels, std::vector<std::string>{"6.1.0-56-cloud-amd64"});
  EXPECT_EQ(m.version, 2u);
  EXPECT_EQ(m.module_name(), "kpatch_cve_2024_0001_cmdline_v2");
  EXPECT_FALSE(m.replace);
}

TEST_F(ManifestTest, Defaults) {
  Manifest m = parse_manifest(dir_ / "m.yaml",
                              "id: kpatch_x\nsummary: s\npatches: [cmdline.patch]\nkernels: [6.1.0-56-amd64]\n");
  EXPECT_EQ(m.version, 1u);
  EXPECT_TRUE(m.replace);
  EXPECT_EQ(m.module_name(), "kpatch_x");
}

TEST_F(ManifestTest, ModuleNameTooLong) {
  std::string id(50, 'a');
  EXPECT_EQ(error_of("id: " + id + "\nsummary: s\npatches: [cmdline.patch]\nkernels: [6.1.0-56-amd64]\n"),
            "m.yaml:1:5: error: id '" + id + "' gives module name 'kpatch_" + id +
                "', longer than 55 characters\n  id: " + id);
}

TEST_F(ManifestTest, UnknownKey) {
  EXPECT_EQ(error_of("id: x\nsumary: typo\n"), "m.yaml:2:1: error: unknown key 'sumary'\n  sumary: typo");
}

TEST_F(ManifestTest, WrongType) {
  EXPECT_EQ(error_of("id: x\nsummary: s\npatches: cmdline.patch\n"),
            "m.yaml:3:10: error: 'patches' must be a list\n  patches: cmdline.patch");
  EXPECT_EQ(error_of("id: x\nversion: two\n"),
            "m.yaml:2:10: error: 'version' must be a positive whole number, not 'two'\n  version: two");
  EXPECT_EQ(error_of("replace: maybe\n"),
            "m.yaml:1:10: error: 'replace' must be true or false, not 'maybe'\n  replace: maybe");
}

TEST_F(ManifestTest, MissingPatchFile) {
  EXPECT_EQ(error_of("id: x\nsummary: s\npatches: [cmdline.patch, nope.patch]\n"),
            "m.yaml:3:26: error: patch file 'nope.patch' not found (looked for " + (dir_ / "nope.patch").string() +
                ")\n  patches: [cmdline.patch, nope.patch]");
}

TEST_F(ManifestTest, ADirectoryIsNoPatchFile) {
  std::filesystem::create_directories(dir_ / "fixes");
  EXPECT_EQ(error_of("id: x\nsummary: s\npatches: [fixes]\n"),
            "m.yaml:3:11: error: patch file 'fixes' is a directory, not a patch file (looked for " +
                (dir_ / "fixes").string() + ")\n  patches: [fixes]");
  try {
    check_patch_files({dir_ / "cmdline.patch", dir_ / "fixes"});
    ADD_FAILURE();
  } catch (const Fatal& e) {
    EXPECT_EQ(std::string(e.what()),
              (dir_ / "fixes").string() + ": error: patch file is a directory, not a patch file");
  }
  try {
    check_patch_files({dir_ / "gone.patch"});
    ADD_FAILURE();
  } catch (const Fatal& e) {
    EXPECT_EQ(std::string(e.what()), (dir_ / "gone.patch").string() + ": error: patch file not found");
  }
}

// The manifest's own bytes are never printed raw: an escape sequence in
// it would reach the terminal.
TEST_F(ManifestTest, ControlCharactersAreEscaped) {
  EXPECT_EQ(error_of("id: \"\\e]0;owned\\a\\r\\nkpatch-build: wrote x.ko\"\n"),
            "m.yaml:1:5: error: id '\\x1b]0;owned\\x07\\x0d\\x0akpatch-build: wrote x.ko' may only contain a-z, 0-9, "
            "'_' and '-'\n  id: \"\\\\e]0;owned\\\\a\\\\r\\\\nkpatch-build: wrote x.ko\"");
  EXPECT_EQ(error_of("id: x\n\x1b[2Jsumary: typo\n"),
            "m.yaml:2:1: error: unknown key '\\x1b[2Jsumary'\n  \\x1b[2Jsumary: typo");
}

TEST_F(ManifestTest, MalformedId) {
  EXPECT_EQ(error_of("id: Bad.Id\n"),
            "m.yaml:1:5: error: id 'Bad.Id' may only contain a-z, 0-9, '_' and '-'\n  id: Bad.Id");
}

TEST_F(ManifestTest, BadCveAndKernel) {
  EXPECT_EQ(error_of("cves: [CVE-2024-1, CVE-2024-0001]\n"),
            "m.yaml:1:8: error: 'CVE-2024-1' is not a CVE id (CVE-YYYY-NNNN)\n  cves: [CVE-2024-1, CVE-2024-0001]");
  EXPECT_EQ(error_of("kernels: [linux]\n"),
            "m.yaml:1:11: error: 'linux' is not a kernel release (like 6.1.0-56-cloud-amd64), a pattern over "
            "releases with * and ? (like 6.1.0-*-cloud-amd64), latest, or latest:PATTERN\n  kernels: [linux]");
  EXPECT_EQ(error_of("kernels: [6.1.0-56-cloud-amd64, '6.1.0-*/../x']\n"),
            "m.yaml:1:33: error: '6.1.0-*/../x' is not a kernel release (like 6.1.0-56-cloud-amd64), a pattern "
            "over releases with * and ? (like 6.1.0-*-cloud-amd64), latest, or latest:PATTERN\n"
            "  kernels: [6.1.0-56-cloud-amd64, '6.1.0-*/../x']");
}

TEST_F(ManifestTest, KernelPatterns) {
  Manifest m = parse_manifest(
      dir_ / "m.yaml",
      "id: x\nsummary: s\npatches: [cmdline.patch]\nkernels: ['6.1.0-*-cloud-amd64', latest, 'latest:6.12.*']\n");
  EXPECT_EQ(m.kernels, (std::vector<std::string>{"6.1.0-*-cloud-amd64", "latest", "latest:6.12.*"}));
}

TEST_F(ManifestTest, MissingRequiredKey) {
  EXPECT_EQ(error_of("id: x\nsummary: s\npatches: [cmdline.patch]\n"),
            "m.yaml:1:1: error: missing required key 'kernels'\n  id: x");
}

TEST_F(ManifestTest, MalformedYaml) {
  EXPECT_EQ(error_of("id: [x\n"), "m.yaml:2:1: error: end of sequence flow not found");
  EXPECT_EQ(error_of("- a\n- b\n"),
            "m.yaml:1:1: error: a manifest must be a mapping of keys (id, summary, patches, kernels, ...)\n  - a");
}

TEST_F(ManifestTest, DuplicateKey) {
  EXPECT_EQ(error_of("id: x\nid: y\n"), "m.yaml:2:1: error: key 'id' given twice\n  id: y");
}

// The classic command line names modules as the classic tool does.
TEST(ClassicManifest, NamesTheModuleLikeTheClassicTool) {
  Manifest m = classic_manifest("", {"/tmp/fix-cve.1234.patch", "/tmp/other.patch"}, "6.1.0-56-cloud-amd64");
  EXPECT_EQ(m.module_name(), "livepatch-fix-cve-1234");
  EXPECT_EQ(m.id, "livepatch-fix-cve-1234");
  EXPECT_EQ(m.kernels, std::vector<std::string>{"6.1.0-56-cloud-amd64"});
  EXPECT_EQ(m.patches.size(), 2u);
  EXPECT_EQ(classic_manifest("my_fix", {"/tmp/a.patch"}, "r").module_name(), "my_fix");
  EXPECT_EQ(classic_manifest("my fix!", {"/tmp/a.patch"}, "r").module_name(), "my-fix-");
  EXPECT_THROW(classic_manifest(std::string(56, 'a'), {"/tmp/a.patch"}, "r"), Fatal);
}

}  // namespace
}  // namespace kp
