#include "diff/parent_symtab.h"

#include <gtest/gtest.h>

#include "diff/symvers.h"
#include "parent_symtab_fixture.h"
#include "support/diag.h"

namespace kp {
namespace {

using testing::kSymtab;

TEST(ParentSymtab, SymposCountsSameNamesInAddressOrder) {
  auto t = ParentSymtab::parse("vmlinux.symtab", kSymtab, true);
  auto a = t.find_file_blocks("a.c", {"show"});
  auto b = t.find_file_blocks("b.c", {"show", "helper"});
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(t.local_sympos(b[0], "show"), 1u);  // lower address
  EXPECT_EQ(t.local_sympos(a[0], "show"), 2u);
  EXPECT_EQ(t.local_sympos(b[0], "helper"), 1u);
  EXPECT_FALSE(t.local_sympos(a[0], "helper"));
}

TEST(ParentSymtab, SymposInTableOrderForModules) {
  auto t = ParentSymtab::parse("mod.symtab", kSymtab, false);
  auto a = t.find_file_blocks("a.c", {"show"});
  EXPECT_EQ(t.local_sympos(a[0], "show"), 1u);
}

TEST(ParentSymtab, GlobalsAndImports) {
  auto t = ParentSymtab::parse("vmlinux.symtab", kSymtab, true);
  EXPECT_TRUE(t.defines_global("exported_fn"));
  EXPECT_FALSE(t.defines_global("show"));
  EXPECT_TRUE(t.imports("imported_fn"));
  EXPECT_FALSE(t.imports("exported_fn"));
}

TEST(ParentSymtab, GarbageNamesFileAndLine) {
  try {
    ParentSymtab::parse("bad.symtab", "Symbol table '.symtab' contains 1 entries:\n  what is this\n", true);
    FAIL() << "no exception";
  } catch (const Fatal& e) {
    EXPECT_STREQ(e.what(),
                 "bad.symtab:2: error: not a `readelf -s --wide` symbol line: '  what is this' "
                 "[unreadable-symtab]");
  }
  EXPECT_THROW(ParentSymtab::parse("empty.symtab", "", true), Fatal);
}

TEST(Symvers, ExporterIsTheObjectBaseName) {
  auto s = Symvers::parse("Module.symvers",
                          "0x12345678\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n"
                          "0x9abcdef0\tnfs_fn\tfs/nfs/nfs\tEXPORT_SYMBOL_GPL\tNFS\n");
  EXPECT_EQ(s.exporter("printk"), "vmlinux");
  EXPECT_EQ(s.exporter("nfs_fn"), "nfs");
  EXPECT_EQ(s.exporter("missing"), "");
  EXPECT_THROW(Symvers::parse("bad", "printk vmlinux\n"), Fatal);
}

}  // namespace
}  // namespace kp
