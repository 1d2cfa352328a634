// The manager's own .modinfo reader (cli/modinfo.cpp): fields, and no
// crash on any truncation or corruption of a module.
#include "modinfo.h"

#include <gtest/gtest.h>

#include "manager.h"
#include "module_image.h"

namespace kpatch::testing {
namespace {

TEST(ModInfo, ReadsTheFieldsKpatchBuildWrites) {
  Patch p = Patch("kpatch_fix", "fix", 12).with(&Patch::cves, "CVE-2024-1");
  std::string why;
  auto mi = parse_modinfo(p.image(), why);
  ASSERT_TRUE(mi) << why;
  EXPECT_TRUE(mi->is_livepatch());
  EXPECT_EQ(mi->name(), "kpatch_fix");
  EXPECT_EQ(mi->get("kpatch_id"), "fix");
  EXPECT_EQ(mi->version(), 12u);
  EXPECT_EQ(mi->get("kpatch_cves"), "CVE-2024-1");
  EXPECT_EQ(mi->vermagic_release(), "6.1.0-56-cloud-amd64");
  EXPECT_EQ(mi->get("absent"), "");
}

TEST(ModInfo, VersionThatIsNotANumberIsZero) {
  std::string why;
  auto mi = parse_modinfo(elf_with_modinfo({"kpatch_version=2a", "name=x"}), why);
  ASSERT_TRUE(mi) << why;
  EXPECT_EQ(mi->version(), 0u);
  EXPECT_FALSE(mi->is_livepatch());
}

TEST(ModInfo, EveryTruncationIsAnErrorNotACrash) {
  std::string img = Patch("kpatch_fix", "fix").image();
  for (size_t n = 0; n < img.size(); ++n) {
    std::string why;
    auto mi = parse_modinfo(img.substr(0, n), why);
    if (!mi) {
      EXPECT_FALSE(why.empty()) << n;
    }
  }
}

TEST(ModInfo, CorruptHeaderFieldsAreErrorsNotCrashes) {
  std::string img = Patch("kpatch_fix", "fix").image();
  // e_shoff, e_shnum, e_shstrndx, then every byte of the section headers.
  std::vector<size_t> offsets = {0x28, 0x29, 0x2f, 0x3c, 0x3e};
  for (size_t i = img.size() - 3 * sizeof(Elf64_Shdr); i < img.size(); ++i) offsets.push_back(i);
  for (size_t off : offsets)
    for (unsigned char v : {0x00, 0x01, 0x7f, 0xff}) {
      std::string bad = img;
      bad[off] = static_cast<char>(v);
      std::string why;
      parse_modinfo(bad, why);
    }
}

}  // namespace
}  // namespace kpatch::testing
