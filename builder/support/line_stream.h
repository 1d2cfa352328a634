// Whole lines from several threads onto one stream.
//
// When kernels build at once (pipeline/matrix.h), each build writes its
// progress lines and errors through its own LineStream; the stream keeps
// what is written until a newline and then hands the whole line to the
// shared LineSink, which writes it under a lock. Lines of different builds
// interleave, characters never do, and each line names its kernel.
#pragma once

#include <mutex>
#include <ostream>
#include <streambuf>
#include <string>

namespace kp {

class LineSink {
 public:
  explicit LineSink(std::ostream& out) : out_(out) {}
  void write(const std::string& text);  // whole lines, flushed

 private:
  std::ostream& out_;
  std::mutex mu_;
};

class LineStream : public std::ostream {
 public:
  explicit LineStream(LineSink& sink) : std::ostream(&buf_), buf_(sink) {}
  ~LineStream() override { buf_.finish(); }  // the last line, even without its newline

 private:
  class Buf : public std::streambuf {
   public:
    explicit Buf(LineSink& sink) : sink_(sink) {}
    void finish();

   protected:
    int_type overflow(int_type c) override;
    std::streamsize xsputn(const char* s, std::streamsize n) override;
    int sync() override;  // a line without its newline yet stays

   private:
    void emit_complete_lines();
    LineSink& sink_;
    std::string pending_;
  };
  Buf buf_;
};

}  // namespace kp
