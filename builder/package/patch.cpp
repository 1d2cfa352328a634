#include "package/patch.h"

#include <nlohmann/json.hpp>
#include <regex>

#include "common/names.h"
#include "common/patch_info.h"
#include "common/text.h"
#include "elf/elf_file.h"
#include "elf/modinfo.h"
#include "support/diag.h"
#include "support/file.h"

namespace kp::pkg {

namespace pi = kp::patch_info;

namespace {

bool matches(const std::string& s, const char* re) {
  return std::regex_match(s, std::regex(re));
}

[[noreturn]] void bad(const std::string& where, const std::string& field, const std::string& value,
                      const std::string& why = "") {
  throw Fatal(where + ": bad " + field + " '" + printable(value) + "'" + (why.empty() ? "" : ": " + why));
}

// The .modinfo strings of an ELF module (elf/modinfo.h). The first value of
// each key wins (the kernel's own modinfo reads the same way).
std::vector<std::pair<std::string, std::string>> modinfo(const fs::path& ko) {
  auto entries = elf::read_modinfo(elf::ElfFile::open_read(ko.string()));
  if (!entries) throw Fatal(ko.string() + ": no .modinfo section (not a kernel module)");
  return std::move(*entries);
}

std::string field(const std::vector<std::pair<std::string, std::string>>& info, const std::string& key) {
  for (const auto& [k, v] : info)
    if (k == key) return v;
  return "";
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  for (size_t pos = 0; !s.empty() && pos <= s.size();) {
    size_t end = s.find(',', pos);
    if (end == std::string::npos) end = s.size();
    out.push_back(s.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

unsigned parse_version(const std::string& s, const std::string& where) {
  if (!matches(s, "[1-9][0-9]{0,5}")) bad(where, pi::kVersion, s, "a patch version is a number from 1");
  return static_cast<unsigned>(std::stoul(s));
}

// The JSON report must describe this very module.
void check_report(const Patch& p, const fs::path& json_path) {
  auto text = read_file(json_path.string());
  if (!text)
    throw Fatal(json_path.string() + ": missing (kpatch-build writes it next to " + p.ko.filename().string() + ")");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(*text);
  } catch (const nlohmann::json::exception& e) {
    throw Fatal(json_path.string() + ": not a kpatch-build report: " + e.what());
  }
  auto str = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string("(missing)");
  };
  auto num = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_number_unsigned() ? std::to_string(it->get<unsigned long>())
                                                     : std::string("(missing)");
  };
  if (str("module") != p.module)
    throw Fatal(json_path.string() + ": module is not " + p.module + " (report of another build?)");
  if (str("kernel") != p.release) throw Fatal(json_path.string() + ": kernel is not " + p.release);
  if (num("version") != std::to_string(p.version))
    throw Fatal(json_path.string() + ": version is not " + std::to_string(p.version));
}

}  // namespace

bool is_module_name(const std::string& s) {
  return valid_module_name(s);
}
bool is_kernel_release(const std::string& s) {
  return s.size() <= 100 && matches(s, "[a-z0-9][a-z0-9._+-]*");
}
bool is_cve_id(const std::string& s) {
  return matches(s, "CVE-[0-9]{4}-[0-9]{4,8}");
}

std::string text_line_error(const std::string& text) {
  if (text.empty()) return "empty";
  if (text.size() > 2000) return "longer than 2000 bytes";
  if (!valid_utf8(text)) return "not UTF-8";
  if (size_t at = first_control(text); at != std::string::npos)
    return "control character at byte " + std::to_string(at);
  return "";
}

std::string Patch::rpm_name() const {
  std::string r = release;
  for (char& c : r)
    if (c == '.') c = '_';
  return "kpatch-patch-" + r;
}

std::string Patch::base_module() const {
  return base_module_name(module, version);
}

void validate(const Patch& p, const std::string& where) {
  if (!is_module_name(p.module)) bad(where, "module name", p.module, "a module name is [a-z0-9_], at most 55");
  if (!matches(p.id, "[a-z0-9][a-z0-9_-]{0,63}")) bad(where, "patch id", p.id, "an id is [a-z0-9_-], at most 64");
  if (p.version < 1 || p.version > 999999) bad(where, "patch version", std::to_string(p.version));
  if (!is_kernel_release(p.release)) bad(where, "kernel release", p.release, "a release is [a-z0-9._+-]");
  if (auto why = text_line_error(p.summary); !why.empty()) bad(where, "summary", p.summary, why);
  for (const auto& c : p.cves)
    if (!is_cve_id(c)) bad(where, "CVE id", c, "a CVE id is CVE-YYYY-NNNN");
  if (!matches(p.build_id, "[0-9a-f]{0,128}")) bad(where, "build ID", p.build_id);
}

Patch read_built_module(const fs::path& ko) {
  auto info = modinfo(ko);
  if (field(info, "livepatch") != "Y") throw Fatal(ko.string() + ": not a livepatch module (no livepatch=Y)");
  Patch p;
  p.ko = ko;
  p.module = field(info, "name");
  p.id = field(info, pi::kId);
  if (p.id.empty()) throw Fatal(ko.string() + ": no kpatch_id in .modinfo (not built by kpatch-build?)");
  p.version = parse_version(field(info, pi::kVersion), ko.string());
  p.summary = field(info, pi::kSummary);
  p.cves = split_commas(field(info, pi::kCves));
  p.build_id = field(info, pi::kBuildId);
  std::string vermagic = field(info, "vermagic");
  p.release = vermagic.substr(0, vermagic.find(' '));
  validate(p, ko.string());
  check_report(p, fs::path(ko).replace_extension(".json"));
  return p;
}

Patch patch_from_manifest(const Manifest& m) {
  const std::string where = m.path.string();
  if (m.kernels.size() != 1)
    throw Fatal(where + ": a source package is for one kernel; kernels: lists " + std::to_string(m.kernels.size()));
  Patch p;
  p.id = m.id;
  p.version = m.version;
  p.summary = m.summary;
  p.cves = m.cves;
  p.release = m.kernels.front();
  p.module = m.module_name();
  validate(p, where);
  return p;
}

}  // namespace kp::pkg
