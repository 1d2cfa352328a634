#include "support/line_stream.h"

#include <algorithm>

namespace kp {

void LineSink::show_board(std::vector<std::string> rows, size_t width, IsStatus is_status) {
  std::lock_guard<std::mutex> lock(mu_);
  erase_board();
  board_ = std::move(rows);
  width_ = std::max<size_t>(width, 20);
  is_status_ = is_status;
  draw_board();
  out_ << std::flush;
}

void LineSink::close_board() {
  std::lock_guard<std::mutex> lock(mu_);
  erase_board();
  board_.clear();
  out_ << std::flush;
}

// The cursor goes back to the board's first row and everything below it
// is cleared: each drawn row is one terminal line (cut to the width).
void LineSink::erase_board() {
  if (drawn_ && !board_.empty()) out_ << "\x1b[" << board_.size() << "F\x1b[J";
  drawn_ = false;
}

void LineSink::draw_board() {
  for (const std::string& row : board_) out_ << row.substr(0, width_ - 1) << '\n';
  drawn_ = true;
}

void LineSink::write(const std::string& text, size_t row) {
  std::lock_guard<std::mutex> lock(mu_);
  if (board_.empty()) {
    out_ << text << std::flush;
    return;
  }
  erase_board();
  for (size_t at = 0; at < text.size();) {
    size_t nl = text.find('\n', at);
    std::string line = text.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
    at = nl == std::string::npos ? text.size() : nl + 1;
    if (row < board_.size() && is_status_(line))
      board_[row] = line;
    else
      out_ << line << '\n';
  }
  draw_board();
  out_ << std::flush;
}

LineStream::Buf::int_type LineStream::Buf::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  pending_ += traits_type::to_char_type(c);
  if (c == '\n') emit_complete_lines();
  return c;
}

std::streamsize LineStream::Buf::xsputn(const char* s, std::streamsize n) {
  pending_.append(s, static_cast<size_t>(n));
  emit_complete_lines();
  return n;
}

int LineStream::Buf::sync() {
  emit_complete_lines();
  return 0;
}

void LineStream::Buf::finish() {
  if (!pending_.empty()) sink_.write(pending_, row_);
  pending_.clear();
}

void LineStream::Buf::emit_complete_lines() {
  size_t end = pending_.rfind('\n');
  if (end == std::string::npos) return;
  sink_.write(pending_.substr(0, end + 1), row_);
  pending_.erase(0, end + 1);
}

}  // namespace kp
