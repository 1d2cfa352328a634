#include "names.h"

#include <algorithm>

namespace kpatch {

namespace {

bool lower_or_digit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool alnum(char c) {
  return lower_or_digit(c) || (c >= 'A' && c <= 'Z');
}

}  // namespace

bool valid_module_name(std::string_view s) {
  return !s.empty() && s.size() <= kMaxModuleName &&
         std::all_of(s.begin(), s.end(), [](char c) { return lower_or_digit(c) || c == '_'; });
}

bool valid_release(std::string_view s) {
  constexpr std::string_view punct = "._+~-";
  return !s.empty() && s.size() <= kMaxRelease && alnum(s.front()) &&
         std::all_of(s.begin(), s.end(), [&](char c) { return alnum(c) || punct.find(c) != punct.npos; });
}

}  // namespace kpatch
