// Kernel selection (pipeline/kernels.h): releases from apt-cache's
// answer, Debian's order, patterns, latest, and what a pattern that
// matches nothing says.
#include "pipeline/kernels.h"

#include <gtest/gtest.h>

#include "fake_runner.h"
#include "support/diag.h"

namespace kp {
namespace {

using Rels = std::vector<std::string>;

Rels archive() {
  testing::FakeRunner run;
  run.on("apt-cache search --names-only",
         {0,
          "linux-headers-6.1.0-56-cloud-amd64 - Header files for Linux 6.1.0-56-cloud-amd64\n"
          "linux-headers-6.1.0-9-cloud-amd64 - Header files\n"
          "linux-headers-6.12.107+deb12-cloud-amd64 - Header files\n"
          "linux-headers-6.1.0-56-common - Common header files\n"
          "linux-headers-6.12.118+deb12-common-rt - Common header files\n"
          "linux-headers-6.1.0-56-amd64 - Header files\n"
          "linux-headers-6.1.0-55-cloud-amd64 - Header files\n"
          "linux-headers-6.1.0-55-rt-amd64 - Header files\n"
          "linux-headers-6.12.118+deb12-cloud-amd64 - Header files\n"});
  Rels r = archive_releases(run);
  EXPECT_EQ(run.commands.size(), 1U);
  return r;
}

TEST(Kernels, ReleasesFromTheArchiveInDebianOrder) {
  EXPECT_EQ(archive(), (Rels{"6.1.0-9-cloud-amd64", "6.1.0-55-cloud-amd64", "6.1.0-55-rt-amd64", "6.1.0-56-amd64",
                             "6.1.0-56-cloud-amd64", "6.12.107+deb12-cloud-amd64", "6.12.118+deb12-cloud-amd64"}));
}

TEST(Kernels, SplitRelease) {
  auto p = split_release("6.12.118+deb12-rt-amd64");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->abi, "6.12.118+deb12");
  EXPECT_EQ(p->flavour, "rt-amd64");
  EXPECT_FALSE(split_release("6.1.0-56"));
  EXPECT_FALSE(split_release("../6.1.0-56-amd64"));
}

TEST(Kernels, PatternsExpandInOrderAndExactNamesPass) {
  Rels a = archive();
  EXPECT_EQ(select_kernels({"6.1.0-*-cloud-amd64"}, a),
            (Rels{"6.1.0-9-cloud-amd64", "6.1.0-55-cloud-amd64", "6.1.0-56-cloud-amd64"}));
  // An exact release is kernel-tree's to check; a repeat is built once.
  EXPECT_EQ(select_kernels({"6.1.0-99-amd64", "6.1.0-5?-cloud-amd64", "6.1.0-56-cloud-amd64"}, a),
            (Rels{"6.1.0-99-amd64", "6.1.0-55-cloud-amd64", "6.1.0-56-cloud-amd64"}));
  // Exact names alone (no archive asked): repeats still go.
  EXPECT_EQ(select_kernels({"6.1.0-56-cloud-amd64", "6.1.0-55-cloud-amd64", "6.1.0-56-cloud-amd64"}, {}),
            (Rels{"6.1.0-56-cloud-amd64", "6.1.0-55-cloud-amd64"}));
}

TEST(Kernels, LatestIsTheNewestOfEachFlavour) {
  Rels a = archive();
  EXPECT_EQ(select_kernels({"latest"}, a),
            (Rels{"6.1.0-55-rt-amd64", "6.1.0-56-amd64", "6.12.118+deb12-cloud-amd64"}));
  EXPECT_EQ(select_kernels({"latest:6.1.0-*"}, a), (Rels{"6.1.0-55-rt-amd64", "6.1.0-56-amd64", "6.1.0-56-cloud-amd64"}));
}

TEST(Kernels, APatternThatMatchesNothingListsWhatExists) {
  Rels a = archive();
  try {
    select_kernels({"6.12.*-amd64x"}, a);
    FAIL() << "no error";
  } catch (const Fatal& e) {
    EXPECT_EQ(std::string(e.what()),
              "kpatch-build: error: no kernel release matches '6.12.*-amd64x'; the archive has:\n"
              "  6.12.107+deb12-cloud-amd64\n  6.12.118+deb12-cloud-amd64");
  }
  EXPECT_THROW(select_kernels({"latest:../*"}, a), Fatal);
  EXPECT_THROW(select_kernels({"6.1.0-*;rm"}, a), Fatal);
}

}  // namespace
}  // namespace kp
