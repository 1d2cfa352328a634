// kpatch-package's text rules, with exact expected text: folding, RPM
// escaping, DEB control and RPM spec fragments, the version rules of both
// formats, and the shape checks of user fields.
#include <gtest/gtest.h>

#include "package/deb.h"
#include "package/patch.h"
#include "package/rpm.h"
#include "package/text.h"
#include "versions/versions.h"
#include "support/diag.h"

namespace kp::pkg {
namespace {

Patch example() {
  Patch p;
  p.module = "kpatch_fix";
  p.id = "fix";
  p.version = 2;
  p.summary = "Fix 100% of %(id) and %post";
  p.cves = {"CVE-2024-12345"};
  p.build_id = "abcd";
  p.release = "6.1.0-56-cloud-amd64";
  return p;
}

Settings settings() {
  Settings s;
  s.tools_version = "1.0.0";
  s.maintainer = "A <a@example.org>";
  s.epoch = 0;
  return s;
}

TEST(PackageText, FoldNeverStartsALineWithPercentOrDot) {
  std::string text = "aaaa bbbb %cccc .dddd eeee";
  EXPECT_EQ(fold(text, 9), (std::vector<std::string>{"aaaa", "bbbb %cccc .dddd", "eeee"}));
  EXPECT_EQ(fold("one two three", 72), (std::vector<std::string>{"one two three"}));
  for (const auto& line : fold("x %a %b %c %d %e %f %g %h %i %j %k %l %m", 4)) EXPECT_NE(line[0], '%');
}

TEST(PackageText, FoldCountsCodePointsNotBytes) {
  // "éééé" is 8 bytes, 4 columns: it fits with "ab" in 7 columns.
  EXPECT_EQ(fold("ab \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 7),
            (std::vector<std::string>{"ab \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"}));
}

TEST(PackageText, RpmEscapeDoublesPercent) {
  EXPECT_EQ(rpm_escape("%(touch x) 100% %{lua:y}"), "%%(touch x) 100%% %%{lua:y}");
  EXPECT_EQ(rpm_escape("no macros"), "no macros");
}

TEST(PackageText, DebDescription) {
  EXPECT_EQ(deb_description("syn", {"Fix: a .b", "two"}), "Description: syn\n Fix: a .b\n .\n two\n");
}

TEST(PackageText, RpmDescriptionIsEscapedAndGlued) {
  EXPECT_EQ(rpm_description({"Fix: %post", "CVEs fixed: none listed"}), "Fix: %%post\n\nCVEs fixed: none listed\n");
}

TEST(PackageText, DebControlExact) {
  EXPECT_EQ(deb_control(example(), settings(), 12),
            "Package: kpatch-patch-6.1.0-56-cloud-amd64\n"
            "Version: 2-1\n"
            "Architecture: amd64\n"
            "Maintainer: A <a@example.org>\n"
            "Installed-Size: 12\n"
            "Depends: kpatch (>= 1.0.0), linux-image-6.1.0-56-cloud-amd64\n"
            "Section: kernel\n"
            "Priority: optional\n"
            "Description: Live patch fix version 2 for Linux 6.1.0-56-cloud-amd64\n"
            " Fix: Fix 100% of %(id) and %post\n"
            " .\n"
            " Livepatch module kpatch_fix (patch fix, version 2) for the kernel\n"
            " 6.1.0-56-cloud-amd64 (build ID abcd), built by kpatch-build. It is\n"
            " loaded live when that kernel runs, and at every boot of it.\n"
            " .\n"
            " CVEs fixed: CVE-2024-12345\n");
}

TEST(PackageText, RpmSpecCarriesOnlyEscapedText) {
  std::string spec = binary_spec(example(), settings(), "/tmp/stage");
  EXPECT_NE(spec.find("Summary:   Live patch fix version 2 for Linux 6.1.0-56-cloud-amd64\n"), std::string::npos);
  EXPECT_NE(spec.find("\n%description\nFix: Fix 100%% of %%(id) and %%post\n"), std::string::npos);
  EXPECT_NE(spec.find("Provides:  kpatch-patch(6.1.0-56-cloud-amd64) = 2\n"), std::string::npos);
  EXPECT_NE(spec.find("KP_MODULE='kpatch_fix'\n"), std::string::npos);
  EXPECT_NE(spec.find("KP_BASE='kpatch_fix'\n"), std::string::npos);
  EXPECT_EQ(spec.find("of %(id)"), std::string::npos);
  EXPECT_THROW(binary_spec(example(), settings(), "/tmp/a b"), Fatal);
}

// Classic kpatch's "kpatch-patch = <release>": a Debian release has
// several '-', which rpmbuild accepts in a Provides only with
// %_wrong_version_format_terminate_build 0 (docs/packaging.md); an RPM
// version-release needs no such switch, so its spec has none.
TEST(PackageText, RpmSpecProvidesTheReleaseAsClassicKpatch) {
  for (bool source : {false, true}) {
    Patch p = example();
    std::string spec = source ? source_spec(p, settings(), "x.tar.gz") : binary_spec(p, settings(), "/tmp/stage");
    EXPECT_NE(spec.find("Provides:  kpatch-patch = 6.1.0-56-cloud-amd64\n"), std::string::npos) << source;
    size_t relax = spec.find("%global _wrong_version_format_terminate_build 0\n");
    EXPECT_NE(relax, std::string::npos) << source;
    EXPECT_LT(relax, spec.find("Provides:")) << source;  // rpmbuild reads it when it parses the Provides
    p.release = "5.14.0-427.el9.x86_64";
    spec = source ? source_spec(p, settings(), "x.tar.gz") : binary_spec(p, settings(), "/tmp/stage");
    EXPECT_NE(spec.find("Provides:  kpatch-patch = 5.14.0-427.el9.x86_64\n"), std::string::npos) << source;
    EXPECT_EQ(spec.find("_wrong_version_format_terminate_build"), std::string::npos) << source;
  }
}

TEST(PackageVersions, DebianRules) {
  EXPECT_LT(compare_debian_versions("1.0~rc1-1", "1.0-1"), 0);
  EXPECT_GT(compare_debian_versions("1:0.1-1", "9.9-1"), 0);
  EXPECT_LT(compare_debian_versions("6.1.0-9", "6.1.0-10"), 0);
  EXPECT_EQ(compare_debian_versions("2-1", "2-1"), 0);
  EXPECT_THROW(compare_debian_versions("a b", "1"), Fatal);
  EXPECT_TRUE(debian_version_error("1-1") == std::nullopt);
  EXPECT_TRUE(debian_version_error("1_x y").has_value());
}

TEST(PackageVersions, RpmRules) {
  EXPECT_LT(compare_rpm_versions("1.9", "1.10"), 0);
  EXPECT_LT(compare_rpm_versions("1.0~rc1", "1.0"), 0);
  EXPECT_EQ(compare_rpm_versions("2", "2"), 0);
  EXPECT_GT(compare_rpm_versions("10", "9"), 0);
}

TEST(PackageNames, DebianPackageNames) {
  EXPECT_TRUE(debian_package_name_error("kpatch-patch-6.1.0-56-cloud-amd64") == std::nullopt);
  EXPECT_TRUE(debian_package_name_error("kpatch patch;x").has_value());
  EXPECT_TRUE(debian_package_name_error("kpatch-patch-5.14.0-427.el9.x86_64").has_value());
  EXPECT_TRUE(debian_package_name_error("Kpatch").has_value());
}

TEST(PackageFields, ShapesRefuseHostileValues) {
  Patch p = example();
  EXPECT_NO_THROW(validate(p, "f"));
  auto refused = [](Patch q) {
    try {
      validate(q, "f.ko");
    } catch (const Fatal& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  p.module = "../../tmp/x";
  EXPECT_EQ(refused(p), "f.ko: bad module name '../../tmp/x': a module name is [a-z0-9_], at most 55");
  p = example();
  p.release = "6.1/../x";
  EXPECT_NE(refused(p).find("bad kernel release '6.1/../x'"), std::string::npos);
  p = example();
  p.cves = {"CVE-%(x)"};
  EXPECT_NE(refused(p).find("bad CVE id 'CVE-%(x)'"), std::string::npos);
  p = example();
  p.summary = "a\nb";
  EXPECT_EQ(refused(p), "f.ko: bad summary 'a\\x0ab': control character at byte 1");
  p = example();
  p.summary = "\xff";
  EXPECT_NE(refused(p).find("not UTF-8"), std::string::npos);
}

TEST(PackageFields, BaseModuleDropsTheVersionSuffix) {
  Patch p = example();
  p.module = "kpatch_fix_v2";
  EXPECT_EQ(p.base_module(), "kpatch_fix");
  p.module = "livepatch_cmdline";
  EXPECT_EQ(p.base_module(), "livepatch_cmdline");
  EXPECT_EQ(p.rpm_name(), "kpatch-patch-6_1_0-56-cloud-amd64");
}

}  // namespace
}  // namespace kp::pkg
