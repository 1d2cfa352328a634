// The post-link step of a patch module (module/klp_convert.cpp) on a small
// object written with the differ's writer: which relocations move to
// .klp.rela sections, and what the livepatch symbols are called.
#include <gtest/gtest.h>
#include <unistd.h>

#include <elf.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <string>

#include "elf/object.h"
#include "elf/writer.h"
#include "module/klp_convert.h"
#include "support/diag.h"

namespace fs = std::filesystem;
using namespace kp;

namespace {

class KlpConvert : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kpatch-klp-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A module whose .text.fix calls each of `names` (undefined, weak for
  // .klp.sym. names as the differ writes them).
  std::string module(const std::vector<std::string>& names) {
    OutputObject o;
    OutSection text;
    text.name = ".text.fix";
    text.flags = SHF_ALLOC | SHF_EXECINSTR;
    text.data.resize(8 * names.size(), std::byte{0x90});
    size_t t = o.add_section(text);
    o.add_symbol({"fix", STT_FUNC, STB_LOCAL, STV_DEFAULT, static_cast<int64_t>(t), 0, text.data.size()});
    for (size_t i = 0; i < names.size(); ++i) {
      unsigned char bind = names[i].starts_with(".klp.sym.") ? STB_WEAK : STB_GLOBAL;
      size_t s = o.add_symbol({names[i], STT_NOTYPE, bind, STV_DEFAULT, kUndef, 0, 0});
      o.sections()[t].relocs.push_back({8 * i + 1, R_X86_64_PLT32, -4, s});
    }
    std::string path = (dir_ / "in.ko").string();
    o.write(path);
    return path;
  }

  Object convert(const std::string& in, KlpConvertStats& stats) {
    std::string out = (dir_ / "out.ko").string();
    convert_klp_relocations(Object::load(in), stats).write(out);
    return Object::load(out);
  }

  fs::path dir_;
};

// Relocation section name -> the names of the symbols its entries use,
// from the sections' own Elf64_Rela entries.
std::map<std::string, std::vector<std::string>> relocations(const Object& obj) {
  std::map<std::string, std::vector<std::string>> out;
  for (const Section& s : obj.sections()) {
    if (s.sh.sh_type != SHT_RELA) continue;
    for (size_t at = 0; at + sizeof(Elf64_Rela) <= s.data.size(); at += sizeof(Elf64_Rela)) {
      Elf64_Rela r;
      std::memcpy(&r, s.data.data() + at, sizeof r);
      out[s.name].push_back(obj.symbols().at(ELF64_R_SYM(r.r_info)).name);
    }
  }
  return out;
}

TEST_F(KlpConvert, AnotherModulesExportIsAppliedWithThePatchedModuleAndResolvedInTheExporter) {
  KlpConvertStats stats;
  Object out = convert(module({".klp.sym.raid1.md_mod:md_write_start,0", ".klp.sym.raid1.raid1_helper,1", "_printk",
                               ".klp.sym.vmlinux.kmalloc_slab,0"}),
                       stats);
  auto rel = relocations(out);
  EXPECT_EQ(rel[".klp.rela.raid1..text.fix"],
            (std::vector<std::string>{".klp.sym.md_mod.md_write_start,0", ".klp.sym.raid1.raid1_helper,1"}));
  EXPECT_EQ(rel[".klp.rela.vmlinux..text.fix"], (std::vector<std::string>{".klp.sym.vmlinux.kmalloc_slab,0"}));
  EXPECT_EQ(rel[".rela.text.fix"], (std::vector<std::string>{"_printk"}));
  EXPECT_EQ(stats.klp_symbols, 3u);
  EXPECT_EQ(stats.klp_relocs, 3u);
  EXPECT_EQ(stats.klp_sections, 2u);
  for (const Symbol& s : out.symbols())
    if (s.name.starts_with(".klp.sym.")) {
      EXPECT_EQ(s.sym.st_shndx, kShnLivepatch) << s.name;
      EXPECT_EQ(s.name.find(':'), std::string::npos) << s.name;
    }
}

TEST_F(KlpConvert, MalformedOtherModuleNameIsRefused) {
  for (const char* bad : {".klp.sym.raid1.:md_write_start,0", ".klp.sym.raid1.md.mod:md_write_start,0"}) {
    KlpConvertStats stats;
    try {
      convert(module({bad}), stats);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const Fatal& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("malformed livepatch symbol '") + bad + "'"),
                std::string::npos)
          << e.what();
      EXPECT_NE(std::string(e.what()).find("[bad-klp-symbol]"), std::string::npos);
    }
  }
}

}  // namespace
