// Kernel selection. A security team builds one fix for every release in
// service, so a manifest may say "6.1.0-*-cloud-amd64" or "latest" instead
// of listing releases that change every few weeks. The archive is the
// truth about what exists: the headers packages apt knows
// (linux-headers-RELEASE; the -common ones are not releases). A pattern is
// matched with fnmatch over those names; "latest" keeps, per flavour, the
// newest match. Newest means Debian's version order of the ABI part
// (6.1.0-9 < 6.1.0-56 < 6.12.107+deb12), through libdpkg as the packaging
// tool does, so "latest" is the release apt would upgrade to.
//
// Exact releases are not looked up here: kernel-tree does, and names the
// nearest ones when a release does not exist. Only a pattern costs an
// apt-cache run.
#include "pipeline/kernels.h"

#include <fnmatch.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "common/names.h"
#include "common/text.h"
#include "support/diag.h"
#include "versions/versions.h"

namespace kp {

std::optional<ReleaseParts> split_release(const std::string& release) {
  static const std::regex re("([0-9]+\\.[0-9]+\\.[0-9]+(?:-[0-9]+|\\+deb[0-9]+(?:u[0-9]+)?))-([a-z0-9][a-z0-9-]*)");
  std::smatch m;
  if (!std::regex_match(release, m, re)) return std::nullopt;
  return ReleaseParts{m[1], m[2]};
}

int compare_releases(const std::string& a, const std::string& b) {
  auto pa = split_release(a), pb = split_release(b);
  if (!pa || !pb) return a.compare(b);
  if (int c = pkg::compare_debian_versions(pa->abi, pb->abi); c != 0) return c;
  return pa->flavour.compare(pb->flavour);
}

std::vector<std::string> archive_releases(Runner& run) {
  ProcResult r = run.run({{"apt-cache", "search", "--names-only", "^linux-headers-[0-9]"}, "", {}});
  if (r.status != 0) throw Fatal("kpatch-build: error: apt-cache search failed: " + printable(r.output));
  std::set<std::string> found;
  std::istringstream in(r.output);
  for (std::string line; std::getline(in, line);) {
    std::string name = line.substr(0, line.find(' '));
    if (!name.starts_with("linux-headers-")) continue;
    std::string rel = name.substr(14);
    // The shared headers (-common, -common-rt) are not releases.
    auto parts = split_release(rel);
    if (parts && parts->flavour != "common" && !parts->flavour.starts_with("common-")) found.insert(rel);
  }
  std::vector<std::string> out(found.begin(), found.end());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return compare_releases(a, b) < 0; });
  return out;
}

namespace {

// What exists, for a pattern that matched nothing: the releases sharing
// the pattern's literal start (all of them if none does), newest last.
std::string what_exists(const std::string& pattern, const std::vector<std::string>& available) {
  std::string lead = pattern.substr(0, pattern.find_first_of("*?"));
  std::vector<std::string> near;
  for (size_t n = lead.size(); near.empty(); --n) {
    for (const auto& rel : available)
      if (rel.starts_with(lead.substr(0, n))) near.push_back(rel);
    if (n == 0) break;
  }
  if (near.empty()) return " (the apt lists have no linux-headers-* at all: run apt-get update)";
  constexpr size_t kShown = 12;
  std::string s = "; the archive has:";
  size_t from = near.size() > kShown ? near.size() - kShown : 0;
  if (from) s += " ... (" + std::to_string(from) + " older)";
  for (size_t i = from; i < near.size(); ++i) s += "\n  " + near[i];
  return s;
}

std::vector<std::string> expand(const std::string& selector, const std::vector<std::string>& available) {
  if (!valid_kernel_pattern(selector))
    throw Fatal("kpatch-build: error: kernel '" + printable(selector) + "': not " + kKernelSelectorRule);
  bool newest = selector == "latest" || selector.starts_with("latest:");
  std::string pattern = selector == "latest" ? "*" : newest ? selector.substr(7) : selector;
  std::vector<std::string> hits;
  for (const auto& rel : available)
    if (::fnmatch(pattern.c_str(), rel.c_str(), 0) == 0) hits.push_back(rel);
  if (hits.empty())
    throw Fatal("kpatch-build: error: no kernel release matches '" + printable(selector) + "'" +
                what_exists(pattern, available));
  if (!newest) return hits;
  std::map<std::string, std::string> per_flavour;  // available is in order: the last one wins
  for (const auto& rel : hits) per_flavour[split_release(rel)->flavour] = rel;
  std::vector<std::string> out;
  for (const auto& [flavour, rel] : per_flavour) out.push_back(rel);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return compare_releases(a, b) < 0; });
  return out;
}

}  // namespace

std::vector<std::string> select_kernels(const std::vector<std::string>& selectors,
                                        const std::vector<std::string>& available) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& s : selectors)
    for (const auto& rel : is_kernel_pattern(s) ? expand(s, available) : std::vector<std::string>{s})
      if (seen.insert(rel).second) out.push_back(rel);
  return out;
}

}  // namespace kp
