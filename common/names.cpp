#include "common/names.h"

#include <algorithm>

namespace kp {

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

bool is_kernel_pattern(std::string_view s) {
  return s == "latest" || s.starts_with("latest:") || s.find_first_of("*?") != std::string_view::npos;
}

bool valid_kernel_pattern(std::string_view s) {
  if (s == "latest") return true;
  if (s.starts_with("latest:")) s.remove_prefix(7);
  constexpr std::string_view punct = "._+~-*?";
  return !s.empty() && s.size() <= kMaxRelease && (alnum(s.front()) || s.front() == '*' || s.front() == '?') &&
         std::all_of(s.begin(), s.end(), [&](char c) { return alnum(c) || punct.find(c) != punct.npos; });
}

std::string kbuild_module_name(std::string_view file_name) {
  std::string name(file_name);
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

std::string patch_module_name(std::string_view id, unsigned version) {
  std::string name = kbuild_module_name(id);
  if (!name.starts_with("kpatch_")) name = "kpatch_" + name;
  if (version > 1) name += "_v" + std::to_string(version);
  return name;
}

std::string base_module_name(std::string_view module, unsigned version) {
  std::string suffix = "_v" + std::to_string(version);
  if (version > 1 && module.ends_with(suffix)) return std::string(module.substr(0, module.size() - suffix.size()));
  return std::string(module);
}

}  // namespace kp
