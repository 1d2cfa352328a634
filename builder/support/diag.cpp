#include "support/diag.h"

#include <sstream>

namespace kp {

std::string hex(uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

std::string Where::str() const {
  std::string s = file;
  if (!section.empty()) {
    s += ": " + section;
    if (offset) s += "+" + hex(*offset);
  }
  if (!symbol.empty()) s += section.empty() ? ": (" + symbol + ")" : " (" + symbol + ")";
  return s;
}

std::string format_message(const Where& where, const char* severity, const std::string& msg,
                           const std::string& tag) {
  std::string s = where.str();
  if (!s.empty()) s += ": ";
  s += severity;
  s += ": ";
  s += msg;
  if (!tag.empty()) s += " [" + tag + "]";
  return s;
}

void Diag::fatal(const Where& where, const std::string& msg, const std::string& tag) {
  throw Fatal(format_message(where, "error", msg, tag));
}

void Diag::unsupported(const Where& where, const std::string& msg, const std::string& tag) {
  ++refusals_;
  err_ << format_message(where, "unsupported", msg, tag) << '\n';
}

void Diag::warn(const Where& where, const std::string& msg, const std::string& tag) {
  err_ << format_message(where, "warning", msg, tag) << '\n';
}

void Diag::debug(const std::string& msg) {
  if (debug_) err_ << "debug: " << msg << '\n';
}

void Diag::result(const std::string& line) { out_ << line << '\n'; }

void Diag::checkpoint() const {
  if (refusals_ > 0)
    throw Refused(std::to_string(refusals_) + " unsupported change(s); no patch object written");
}

}  // namespace kp
