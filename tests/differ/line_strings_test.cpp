// only_file_lines_differ() (line_macros.cpp): which string literals count
// as the same but for a shifted __LINE__.
#include <gtest/gtest.h>

#include "diff/line_macros.h"

namespace {

using kp::only_file_lines_differ;

TEST(LineStrings, FileLineDigitsMayDiffer) {
  EXPECT_TRUE(only_file_lines_differ("field \"x\" at arch/x86/kvm/x86.c:8493", "field \"x\" at arch/x86/kvm/x86.c:8494"));
  EXPECT_TRUE(only_file_lines_differ("include/linux/fortify.h:99 (size %zu)", "include/linux/fortify.h:1099 (size %zu)"));
  EXPECT_TRUE(only_file_lines_differ("a.S:7 then b.c:9", "a.S:8 then b.c:10"));
}

TEST(LineStrings, AnythingElseIsAChange) {
  EXPECT_FALSE(only_file_lines_differ("x86.c:8493", "x86.c:8493"));  // equal: nothing to tolerate
  EXPECT_FALSE(only_file_lines_differ("x86.c:12 (size 16)", "x86.c:12 (size 32)"));
  EXPECT_FALSE(only_file_lines_differ("limit 5", "limit 6"));
  EXPECT_FALSE(only_file_lines_differ("x86.o:12", "x86.o:13"));  // not a source file
  EXPECT_FALSE(only_file_lines_differ("x86.c:12", "x86.h:13"));
  EXPECT_FALSE(only_file_lines_differ("x86.c:12", "x86.c:13 extra"));
  EXPECT_FALSE(only_file_lines_differ("x86.c:12", "x86.c:"));
}

}  // namespace
