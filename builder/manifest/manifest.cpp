// Manifest parsing. yaml-cpp gives a tree with source marks; this file
// walks it against a fixed schema: each known key has one reader that
// checks the node's type and value, unknown keys are errors, required keys
// are checked last (reported at the top of the document). Errors carry the
// mark of the node at fault, so a patch author sees exactly which line to
// fix.
#include "manifest/manifest.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "common/names.h"
#include "common/text.h"
#include "support/diag.h"
#include "support/file.h"

namespace kp {

namespace {

class Reader {
 public:
  Reader(std::filesystem::path file, const std::string& text) : file_(std::move(file)) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines_.push_back(line);
  }

  [[noreturn]] void fail(const YAML::Mark& m, const std::string& msg) const {
    int line = m.line >= 0 ? m.line + 1 : 1;
    int col = m.column >= 0 ? m.column + 1 : 1;
    // Every part may hold the manifest's own bytes: none is printed raw.
    std::string out = printable(file_.string()) + ":" + std::to_string(line) + ":" + std::to_string(col) +
                      ": error: " + printable(msg);
    if (line - 1 < static_cast<int>(lines_.size())) out += "\n  " + printable(lines_[line - 1]);
    throw Fatal(out);
  }

  std::string scalar(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) fail(n.Mark(), "'" + key + "' must be a string");
    return n.Scalar();
  }

  std::vector<std::string> list(const YAML::Node& n, const std::string& key) const {
    if (!n.IsSequence()) fail(n.Mark(), "'" + key + "' must be a list");
    std::vector<std::string> out;
    for (const YAML::Node& item : n) out.push_back(scalar(item, key + " item"));
    return out;
  }

  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
  std::vector<std::string> lines_;
};

void check_each(const Reader& r, const YAML::Node& list, const std::regex& re, const std::string& what) {
  for (const YAML::Node& item : list)
    if (!std::regex_match(item.Scalar(), re)) r.fail(item.Mark(), "'" + item.Scalar() + "' is not " + what);
}

using Field = std::function<void(const Reader&, const YAML::Node&, Manifest&)>;

const std::map<std::string, Field>& fields() {
  static const std::map<std::string, Field> table{
      {"id",
       [](const Reader& r, const YAML::Node& n, Manifest& m) {
         m.id = r.scalar(n, "id");
         if (!std::regex_match(m.id, std::regex("[a-z0-9_-]+")))
           r.fail(n.Mark(), "id '" + m.id + "' may only contain a-z, 0-9, '_' and '-'");
       }},
      {"summary",
       [](const Reader& r, const YAML::Node& n, Manifest& m) {
         m.summary = r.scalar(n, "summary");
         if (m.summary.empty() || m.summary.find('\n') != std::string::npos)
           r.fail(n.Mark(), "'summary' must be one non-empty line");
       }},
      {"description",
       [](const Reader& r, const YAML::Node& n, Manifest& m) { m.description = r.scalar(n, "description"); }},
      {"cves",
       [](const Reader& r, const YAML::Node& n, Manifest& m) {
         m.cves = r.list(n, "cves");
         check_each(r, n, std::regex("CVE-[0-9]{4}-[0-9]{4,}"), "a CVE id (CVE-YYYY-NNNN)");
       }},
      {"references", [](const Reader& r, const YAML::Node& n, Manifest& m) { m.references = r.list(n, "references"); }},
      {"patches",
       [](const Reader& r, const YAML::Node& n, Manifest& m) {
         auto names = r.list(n, "patches");
         if (names.empty()) r.fail(n.Mark(), "'patches' must name at least one patch file");
         size_t i = 0;
         for (const YAML::Node& item : n) {
           std::filesystem::path p = r.file().parent_path() / names[i++];
           if (auto why = patch_file_problem(p))
             r.fail(item.Mark(), "patch file '" + item.Scalar() + "' " + *why + " (looked for " + p.string() + ")");
           m.patches.push_back(p);
         }
       }},
      {"kernels",
       [](const Reader& r, const YAML::Node& n, Manifest& m) {
         m.kernels = r.list(n, "kernels");
         if (m.kernels.empty()) r.fail(n.Mark(), "'kernels' must name at least one kernel release");
         std::regex release("[0-9]+\\.[0-9]+(\\.[0-9]+)?[-+][a-z0-9.+_-]+");
         for (const YAML::Node& item : n) {
           const std::string& k = item.Scalar();
           bool ok = is_kernel_pattern(k) ? valid_kernel_pattern(k) : std::regex_match(k, release);
           if (!ok) r.fail(item.Mark(), "'" + k + "' is not " + kKernelSelectorRule);
         }
       }},
      {"version",
       [](const Reader& r, const YAML::Node& n, Manifest& m) {
         std::string v = r.scalar(n, "version");
         if (!std::regex_match(v, std::regex("[1-9][0-9]{0,5}")))
           r.fail(n.Mark(), "'version' must be a positive whole number, not '" + v + "'");
         m.version = static_cast<unsigned>(std::stoul(v));
       }},
      {"replace",
       [](const Reader& r, const YAML::Node& n, Manifest& m) {
         std::string v = r.scalar(n, "replace");
         if (v != "true" && v != "false") r.fail(n.Mark(), "'replace' must be true or false, not '" + v + "'");
         m.replace = v == "true";
       }},
  };
  return table;
}

}  // namespace

std::optional<std::string> patch_file_problem(const std::filesystem::path& p) {
  std::error_code ec;
  auto st = std::filesystem::status(p, ec);
  if (!std::filesystem::exists(st)) return "not found";
  if (std::filesystem::is_directory(st)) return "is a directory, not a patch file";
  if (!std::filesystem::is_regular_file(st)) return "is not a regular file";
  return std::nullopt;
}

void check_patch_files(const std::vector<std::filesystem::path>& patches) {
  for (const auto& p : patches)
    if (auto why = patch_file_problem(p)) throw Fatal(printable(p.string()) + ": error: patch file " + *why);
}

std::string Manifest::module_name() const {
  if (!module_file_name.empty()) return module_file_name;
  return patch_module_name(id, version);
}

Manifest parse_manifest(const std::filesystem::path& file, const std::string& text) {
  Reader r(file, text);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    r.fail(e.mark, e.msg);
  }
  if (!root.IsMap()) r.fail(root.Mark(), "a manifest must be a mapping of keys (id, summary, patches, kernels, ...)");
  Manifest m;
  m.path = file;
  std::set<std::string> seen;
  for (const auto& kv : root) {
    std::string key = r.scalar(kv.first, "key");
    auto f = fields().find(key);
    if (f == fields().end()) r.fail(kv.first.Mark(), "unknown key '" + key + "'");
    if (!seen.insert(key).second) r.fail(kv.first.Mark(), "key '" + key + "' given twice");
    f->second(r, kv.second, m);
  }
  for (const char* required : {"id", "summary", "patches", "kernels"})
    if (!seen.contains(required))
      r.fail(YAML::Mark::null_mark(), "missing required key '" + std::string(required) + "'");
  if (m.module_name().size() > kMaxModuleName)
    r.fail(root["id"].Mark(), "id '" + m.id + "' gives module name '" + m.module_name() + "', longer than " +
                                  std::to_string(kMaxModuleName) + " characters");
  return m;
}

Manifest load_manifest(const std::filesystem::path& file) {
  auto text = read_file(file.string());
  if (!text) throw Fatal(file.string() + ": error: cannot read the manifest");
  return parse_manifest(file, *text);
}

Manifest classic_manifest(const std::string& name, const std::vector<std::filesystem::path>& patches,
                          const std::string& release) {
  Manifest m;
  std::string module = name.empty() ? "livepatch-" + patches.front().stem().string() : name;
  for (char& c : module)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '-';
  if (module.size() > kMaxModuleName)
    throw Fatal("kpatch-build: error: module name '" + module + "' is longer than " + std::to_string(kMaxModuleName) +
                " characters");
  m.module_file_name = module;
  m.id = module;
  m.summary = "built from " + patches.front().filename().string();
  m.patches = patches;
  m.kernels = {release};
  return m;
}

}  // namespace kp
