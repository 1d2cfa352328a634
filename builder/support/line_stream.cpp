#include "support/line_stream.h"

namespace kp {

void LineSink::write(const std::string& text) {
  std::lock_guard<std::mutex> lock(mu_);
  out_ << text << std::flush;
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
  if (!pending_.empty()) sink_.write(pending_);
  pending_.clear();
}

void LineStream::Buf::emit_complete_lines() {
  size_t end = pending_.rfind('\n');
  if (end == std::string::npos) return;
  sink_.write(pending_.substr(0, end + 1));
  pending_.erase(0, end + 1);
}

}  // namespace kp
