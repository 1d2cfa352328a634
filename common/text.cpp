#include "common/text.h"

#include <cstdio>

namespace kp {

namespace {

bool continuation(std::string_view s, size_t i) {
  return i < s.size() && (static_cast<unsigned char>(s[i]) & 0xc0) == 0x80;
}

// The length of the UTF-8 sequence at s[i] and its code point, or 0 if the
// bytes there are not one: a stray continuation, an overlong form, a
// surrogate, a code point above U+10FFFF or a truncated sequence.
size_t utf8_at(std::string_view s, size_t i, char32_t& cp) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = b(0);
  size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (n == 0) return 0;
  for (size_t k = 1; k < n; ++k)
    if (!continuation(s, i + k)) return 0;
  cp = n == 1 ? c : c & (0x7f >> n);
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (b(k) & 0x3f);
  bool overlong = (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
  bool surrogate = cp >= 0xd800 && cp <= 0xdfff;
  return overlong || surrogate || cp > 0x10ffff ? 0 : n;
}

bool control(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

std::string hex_escape(const char* format, unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

}  // namespace

std::string printable(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    size_t n = utf8_at(s, i, cp);
    if (n == 0 || control(cp)) {
      for (size_t k = 0; k < (n ? n : 1); ++k) out += hex_escape("\\x%02x", static_cast<unsigned char>(s[i + k]));
      i += n ? n : 1;
      continue;
    }
    if (cp == '\\') out += '\\';
    out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    size_t n = utf8_at(s, i, cp);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    if (cp == '"' || cp == '\\') out += '\\';
    if (cp == '\n')
      out += "\\n";
    else if (control(cp))
      out += hex_escape("\\u%04x", static_cast<unsigned>(cp));
    else
      out.append(s.substr(i, n));
    i += n;
  }
  return out + "\"";
}

std::string c_string(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c == 0x7f) {
      out += hex_escape("\\%03o", c);
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    size_t n = utf8_at(s, i, cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

size_t first_control(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    size_t n = utf8_at(s, i, cp);
    if (n != 0 && control(cp)) return i;
    i += n ? n : 1;
  }
  return std::string_view::npos;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) s += sep;
    s += parts[i];
  }
  return s;
}

std::string json_string_list(const std::vector<std::string>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + json_string(v[i]);
  return s + "]";
}

}  // namespace kp
