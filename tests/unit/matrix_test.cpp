// How a matrix shares -j, and whole lines from several threads.
#include "pipeline/matrix.h"

#include <gtest/gtest.h>

#include <sstream>
#include <thread>
#include <vector>

#include "support/line_stream.h"

namespace kp {
namespace {

TEST(Matrix, PlanSharesJobs) {
  EXPECT_EQ(plan_matrix(1, 8).width, 1u);
  EXPECT_EQ(plan_matrix(1, 8).jobs_each, 8u);
  EXPECT_EQ(plan_matrix(4, 2).width, 2u);
  EXPECT_EQ(plan_matrix(4, 2).jobs_each, 1u);
  EXPECT_EQ(plan_matrix(3, 8).width, 3u);
  EXPECT_EQ(plan_matrix(3, 8).jobs_each, 2u);
  EXPECT_EQ(plan_matrix(6, 1).width, 1u);
  EXPECT_EQ(plan_matrix(0, 4).width, 1u);
  EXPECT_EQ(plan_matrix(100, 100).width, kMaxConcurrentKernels);
}

TEST(LineStream, HoldsALineUntilItsNewline) {
  std::ostringstream out;
  LineSink sink(out);
  LineStream s(sink);
  s << "kpatch-build: " << 6 << ".1";
  s.flush();
  EXPECT_EQ(out.str(), "");
  s << " done\nsecond" << std::endl;
  EXPECT_EQ(out.str(), "kpatch-build: 6.1 done\nsecond\n");
}

TEST(LineStream, UnfinishedLineWrittenAtTheEnd) {
  std::ostringstream out;
  LineSink sink(out);
  { LineStream(sink) << "no newline"; }
  EXPECT_EQ(out.str(), "no newline");
}

TEST(LineStream, ThreadsNeverMixALine) {
  std::ostringstream out;
  LineSink sink(out);
  std::vector<std::thread> threads;
  for (char c : {'a', 'b', 'c', 'd'})
    threads.emplace_back([&sink, c] {
      LineStream s(sink);
      for (int i = 0; i < 500; ++i) {
        for (int k = 0; k < 40; ++k) s << c;  // one character at a time
        s << '\n';
      }
    });
  for (auto& t : threads) t.join();
  std::istringstream lines(out.str());
  int n = 0;
  for (std::string line; std::getline(lines, line); ++n) {
    ASSERT_EQ(line.size(), 40u) << line;
    EXPECT_EQ(line, std::string(40, line[0]));
  }
  EXPECT_EQ(n, 2000);
}

bool starts_with_bracket(const std::string& line) {
  return line.starts_with("[");
}

// What a terminal would show after `text`: the board's escapes are
// "ESC [ N F" (N lines up, to the first column) and "ESC [ J" (clear below).
std::vector<std::string> screen(const std::string& text) {
  std::vector<std::string> lines{""};
  size_t row = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\x1b') {
      size_t end = text.find_first_of("FJ", i);
      if (text[end] == 'F') row -= std::stoul(text.substr(i + 2, end - i - 2));
      if (text[end] == 'J') lines.resize(row + 1), lines[row].clear();
      i = end;
    } else if (text[i] == '\n') {
      if (++row == lines.size()) lines.emplace_back();
    } else {
      lines[row] += text[i];
    }
  }
  if (lines.back().empty()) lines.pop_back();
  return lines;
}

TEST(LineStream, ABoardKeepsOneRowPerBuildUnderTheLinesThatStay) {
  std::ostringstream out;
  LineSink sink(out);
  sink.show_board({"a: waiting", "b: waiting"}, 20, starts_with_bracket);
  LineStream a(sink, 0), b(sink, 1);
  a << "[1] a: patched\n";
  b << "[2] b: compiled and much longer than the terminal is wide\n";
  a << "a: warning: stays\n";
  a << "[3] a: linked\n";
  EXPECT_EQ(screen(out.str()), (std::vector<std::string>{"a: warning: stays", "[3] a: linked", "[2] b: compiled and"}));
  sink.close_board();
  b << "b: wrote b.ko\n";
  EXPECT_EQ(screen(out.str()), (std::vector<std::string>{"a: warning: stays", "b: wrote b.ko"}));
}

}  // namespace
}  // namespace kp
