#include "support/diag.h"

#include <gtest/gtest.h>

#include <sstream>

namespace kp {
namespace {

TEST(Diag, MessageNamesFileSectionOffsetAndSymbol) {
  Where w{"fs/proc/cmdline.o", ".text.cmdline_proc_show", 0x1c, "cmdline_proc_show"};
  EXPECT_EQ(format_message(w, "unsupported", "something", "tag"),
            "fs/proc/cmdline.o: .text.cmdline_proc_show+0x1c (cmdline_proc_show): unsupported: something [tag]");
}

TEST(Diag, UnsupportedAccumulatesUntilCheckpoint) {
  std::ostringstream out, err;
  Diag d(out, err);
  EXPECT_NO_THROW(d.checkpoint());
  d.unsupported(Where{"a.o", "", std::nullopt, "x"}, "first", "changed-data");
  d.unsupported(Where{"a.o", "", std::nullopt, "y"}, "second", "init-exit");
  EXPECT_EQ(d.refusals(), 2);
  EXPECT_THROW(d.checkpoint(), Refused);
  EXPECT_EQ(err.str(), "a.o: (x): unsupported: first [changed-data]\na.o: (y): unsupported: second [init-exit]\n");
}

TEST(Diag, FatalThrows) {
  std::ostringstream out, err;
  Diag d(out, err);
  EXPECT_THROW(d.fatal(Where{"a.o", ".text", 4, ""}, "corrupt", "bad-elf"), Fatal);
}

}  // namespace
}  // namespace kp
