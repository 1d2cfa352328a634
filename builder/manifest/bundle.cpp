#include "manifest/bundle.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <regex>
#include <set>

#include "common/names.h"
#include "common/text.h"
#include "support/diag.h"
#include "support/file.h"

namespace kp {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const fs::path& file, const YAML::Mark& m, const std::string& msg) {
  throw Fatal(file.string() + ":" + std::to_string(m.line >= 0 ? m.line + 1 : 1) + ":" +
              std::to_string(m.column >= 0 ? m.column + 1 : 1) + ": error: " + msg);
}

struct BundleFile {
  fs::path path;
  std::string id, summary;
  unsigned version = 1;
  std::vector<fs::path> manifests;
};

BundleFile read_bundle_file(const fs::path& path) {
  auto text = read_file(path.string());
  if (!text) throw Fatal(path.string() + ": error: cannot read the bundle");
  YAML::Node root;
  try {
    root = YAML::Load(*text);
  } catch (const YAML::Exception& e) {
    fail(path, e.mark, e.msg);
  }
  if (!root.IsMap()) fail(path, root.Mark(), "a bundle is a mapping of id, version, summary and manifests");
  BundleFile b{path, {}, {}, 1, {}};
  std::set<std::string> seen;
  for (const auto& kv : root) {
    std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    const YAML::Node& v = kv.second;
    if (!seen.insert(key).second) fail(path, kv.first.Mark(), "key '" + printable(key) + "' given twice");
    if (key == "id" && v.IsScalar() && std::regex_match(v.Scalar(), std::regex("[a-z0-9][a-z0-9_-]{0,63}"))) {
      b.id = v.Scalar();
    } else if (key == "version" && v.IsScalar() && std::regex_match(v.Scalar(), std::regex("[1-9][0-9]{0,5}"))) {
      b.version = static_cast<unsigned>(std::stoul(v.Scalar()));
    } else if (key == "summary" && v.IsScalar() && !v.Scalar().empty() && valid_utf8(v.Scalar()) &&
               first_control(v.Scalar()) == std::string::npos) {
      b.summary = v.Scalar();
    } else if (key == "manifests" && v.IsSequence() && v.size() > 0) {
      for (const auto& item : v) {
        if (!item.IsScalar() || item.Scalar().empty()) fail(path, item.Mark(), "a manifests item is a file name");
        b.manifests.push_back(path.parent_path() / item.Scalar());
      }
    } else if (key == "id" || key == "version" || key == "summary" || key == "manifests") {
      fail(path, v.Mark(),
           key == "id"        ? "id is [a-z0-9][a-z0-9_-], at most 64"
           : key == "version" ? "version is a number from 1"
           : key == "summary" ? "summary is one line of text"
                              : "manifests is a non-empty list of manifest files");
    } else {
      fail(path, kv.first.Mark(), "unknown key '" + printable(key) + "' (id, version, summary, manifests)");
    }
  }
  for (const char* required : {"id", "manifests"})
    if (!seen.contains(required)) fail(path, root.Mark(), std::string("missing required key '") + required + "'");
  return b;
}

void append_unique(std::vector<std::string>& to, const std::vector<std::string>& from) {
  for (const auto& x : from)
    if (std::find(to.begin(), to.end(), x) == to.end()) to.push_back(x);
}

}  // namespace

Manifest load_bundle(const fs::path& where, const std::string& release) {
  fs::path path = fs::is_directory(where) ? where / "bundle.yaml" : where;
  BundleFile b = read_bundle_file(path);
  Manifest out;
  out.path = path;
  out.id = b.id;
  out.version = b.version;
  out.replace = true;  // a bundle is cumulative: its module replaces the previous one
  std::vector<std::string> ids, kernels;
  std::set<std::string> seen_ids;
  for (size_t i = 0; i < b.manifests.size(); ++i) {
    Manifest m = load_manifest(b.manifests[i]);
    if (!seen_ids.insert(m.id).second)
      throw Fatal(path.string() + ": error: " + m.path.string() + " repeats patch id '" + m.id + "'");
    if (!release.empty() && std::find(m.kernels.begin(), m.kernels.end(), release) == m.kernels.end())
      throw Fatal(m.path.string() + ": error: does not list kernel " + release + " (bundle " + path.string() + ")");
    if (i == 0) {
      kernels = m.kernels;
    } else {
      std::erase_if(kernels, [&](const std::string& k) {
        return std::find(m.kernels.begin(), m.kernels.end(), k) == m.kernels.end();
      });
    }
    out.patches.insert(out.patches.end(), m.patches.begin(), m.patches.end());
    append_unique(out.cves, m.cves);
    append_unique(out.references, m.references);
    out.bundled.push_back(m.id + ":" + std::to_string(m.version));
    out.description += m.id + " version " + std::to_string(m.version) + ": " + m.summary + "\n";
    ids.push_back(m.id);
  }
  out.kernels = release.empty() ? kernels : std::vector<std::string>{release};
  if (out.kernels.empty()) throw Fatal(path.string() + ": error: no kernel is listed by every manifest of the bundle");
  if (b.summary.empty()) {
    b.summary = "Cumulative live patch:";
    for (size_t i = 0; i < ids.size(); ++i) b.summary += (i ? ", " : " ") + ids[i];
  }
  out.summary = b.summary;
  if (out.module_name().size() > kMaxModuleName)
    throw Fatal(path.string() + ": error: id '" + out.id + "' gives module name '" + out.module_name() +
                "', longer than " + std::to_string(kMaxModuleName) + " characters");
  return out;
}

}  // namespace kp
