// Whole lines from several threads onto one stream.
//
// When kernels build at once (pipeline/matrix.h), each build writes its
// progress lines and errors through its own LineStream; the stream keeps
// what is written until a newline and then hands the whole line to the
// shared LineSink, which writes it under a lock. Lines of different builds
// interleave, characters never do, and each line names its kernel. On a
// terminal the sink keeps one status row per kernel instead (below).
#pragma once

#include <mutex>
#include <ostream>
#include <streambuf>
#include <string>
#include <vector>

namespace kp {

// On a terminal the sink can keep a board: one row per build holding its
// latest status line, rewritten in place as the build goes on, under
// every other line (warnings, errors, results), which is printed above
// the board and stays. Without a board every line is printed as it comes.
class LineSink {
 public:
  static constexpr size_t kNoRow = static_cast<size_t>(-1);
  using IsStatus = bool (*)(const std::string& line);

  explicit LineSink(std::ostream& out) : out_(out) {}
  // One row per line of `rows` (their first text), each cut to `width`
  // columns; `is_status` tells a row's line from one that stays.
  void show_board(std::vector<std::string> rows, size_t width, IsStatus is_status);
  void close_board();                                        // the board is erased; what stays, stays
  void write(const std::string& text, size_t row = kNoRow);  // whole lines, flushed

 private:
  void erase_board();
  void draw_board();
  std::ostream& out_;
  std::mutex mu_;
  std::vector<std::string> board_;
  size_t width_ = 80;
  IsStatus is_status_ = nullptr;
  bool drawn_ = false;
};

class LineStream : public std::ostream {
 public:
  explicit LineStream(LineSink& sink, size_t row = LineSink::kNoRow) : std::ostream(&buf_), buf_(sink, row) {}
  ~LineStream() override { buf_.finish(); }  // the last line, even without its newline

 private:
  class Buf : public std::streambuf {
   public:
    Buf(LineSink& sink, size_t row) : sink_(sink), row_(row) {}
    void finish();

   protected:
    int_type overflow(int_type c) override;
    std::streamsize xsputn(const char* s, std::streamsize n) override;
    int sync() override;  // a line without its newline yet stays

   private:
    void emit_complete_lines();
    LineSink& sink_;
    size_t row_;
    std::string pending_;
  };
  Buf buf_;
};

}  // namespace kp
