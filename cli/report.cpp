// What is live: `list`, `info` and `status`, as text for an operator or
// JSON (--json) for tools.
#include <algorithm>
#include <map>
#include <set>

#include "manager.h"

namespace kpatch {

namespace {

const std::string kLivepatch = "/sys/kernel/livepatch/";

std::vector<std::string> csv(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= s.size() && !s.empty()) {
    size_t end = s.find(pi::kListSeparator, pos);
    if (end == std::string::npos) end = s.size();
    if (end > pos) out.push_back(s.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

// The metadata kpatch-build embeds (docs/kpatch-build.md), as JSON fields.
std::string info_json(const Installed& m) {
  const ModInfo& i = m.info;
  return "{\"name\": " + json_string(i.name()) + ", \"file\": " + json_string(m.path) +
         ", \"id\": " + json_string(i.get(pi::kId)) + ", \"version\": " + std::to_string(i.version()) +
         ", \"summary\": " + json_string(i.get(pi::kSummary)) +
         ", \"cves\": " + kp::json_string_list(csv(i.get(pi::kCves))) +
         ", \"kernel\": " + json_string(i.vermagic_release()) + ", \"build_id\": " + json_string(i.get(pi::kBuildId)) +
         ", \"replace\": " + (i.get(pi::kReplace) == "0" ? "false" : "true") +
         ", \"functions\": " + kp::json_string_list(csv(i.get(pi::kFunctions))) +
         (i.get(pi::kBundle).empty() ? "" : ", \"bundle\": " + kp::json_string_list(csv(i.get(pi::kBundle)))) + "}";
}

// The fields kpatch-build exposes under /sys/module/NAME/parameters/.
constexpr const char* kLiveFields[] = {pi::kId,      pi::kVersion, pi::kSummary,   pi::kCves,  pi::kKernel,
                                       pi::kBuildId, pi::kReplace, pi::kFunctions, pi::kBuilt, pi::kBundle};

}  // namespace

std::optional<Installed> Manager::live_metadata(const std::string& name) {
  if (!valid_module_name(name)) return std::nullopt;
  const std::string dir = "/sys/module/" + name + "/parameters/";
  Installed m;
  m.path = "(loaded, not installed)";
  m.info.fields.emplace("name", name);
  m.info.fields.emplace("livepatch", "Y");
  bool any = false;
  for (const char* key : kLiveFields) {
    auto v = sys_.read(dir + key);
    if (!v) continue;
    if (v->ends_with('\n')) v->pop_back();
    m.info.fields.emplace(key, *v);
    any = true;
  }
  if (!any) return std::nullopt;
  // ModInfo reads the release from vermagic; the parameter holds it alone.
  m.info.fields.emplace("vermagic", m.info.get(pi::kKernel) + " ");
  return m;
}

// The tasks of the text's "Stalled processes:" block, for the patch in
// transition: [{"tid": 1240, "comm": "gmain", "stack": ["[<0>] ...", ...]}].
std::string Manager::stalled_json(const std::string& name) {
  std::string s = "[";
  for (const Task& t : stalled_tasks(name))
    s += (s.size() > 1 ? ", " : "") + std::string("{\"tid\": ") + t.tid + ", \"comm\": " + json_string(t.comm) +
         ", \"stack\": " + kp::json_string_list(t.stack) + "}";
  return s + "]";
}

int Manager::list() {
  auto live = loaded_patches();
  std::vector<Installed> inst;
  for (const auto& rel : sys_.list("/var/lib/kpatch"))
    for (auto& m : installed(rel)) inst.push_back(m);
  if (opt_.json) {
    out_ << "{\"loaded\": [";
    for (size_t i = 0; i < live.size(); ++i) {
      auto meta = live_metadata(live[i]);
      out_ << (i ? ", " : "") << "{\"name\": " << json_string(live[i])
           << ", \"state\": " << json_string(state_of(live[i]))
           << ", \"functions\": " << kp::json_string_list(patched_functions(live[i]));
      if (meta)
        out_ << ", \"id\": " << json_string(meta->info.get(pi::kId)) << ", \"version\": " << meta->info.version()
             << ", \"cves\": " << kp::json_string_list(csv(meta->info.get(pi::kCves)))
             << ", \"build_id\": " << json_string(meta->info.get(pi::kBuildId));
      if (in_transition(state_of(live[i]))) out_ << ", \"stalled\": " << stalled_json(live[i]);
      out_ << "}";
    }
    out_ << "], \"installed\": [";
    for (size_t i = 0; i < inst.size(); ++i) out_ << (i ? ", " : "") << info_json(inst[i]);
    out_ << "]}\n";
    return 0;
  }
  // Classic kpatch's layout, which scripts parse: a state in transition
  // ends in "...", the tasks stalling a transition follow the loaded
  // patches; the patched functions are in `list --json` and `info`.
  out_ << "Loaded patch modules:\n";
  for (const auto& n : live) {
    std::string state = state_of(n);
    out_ << printable(n) << " [" << state << (in_transition(state) ? "..." : "") << "]\n";
  }
  if (std::string moving = patch_in_transition(); !moving.empty()) {
    out_ << "\nStalled processes:\n";
    for (const Task& t : stalled_tasks(moving)) {
      out_ << printable(t.tid) << ' ' << printable(t.comm) << "\nstack:\n";
      for (const auto& line : t.stack) out_ << printable(line) << '\n';
    }
  }
  out_ << "\nInstalled patch modules:\n";
  for (const auto& m : inst) out_ << m.info.name() << " (" << printable(m.info.vermagic_release()) << ")\n";
  return 0;
}

int Manager::info(const std::string& target) {
  auto path = resolve(target);
  std::optional<Installed> m;
  // A patch loaded by path is not in /var/lib/kpatch: it describes itself.
  if (path && !sys_.exists(*path) && target.find('/') == std::string::npos && !target.ends_with(".ko"))
    m = live_metadata(target);
  if (!m) m = path ? read_module(*path) : std::nullopt;
  if (!m) return 1;
  if (opt_.json) {
    out_ << info_json(*m) << '\n';
    return 0;
  }
  const ModInfo& i = m->info;
  auto field = [&](const char* label, const std::string& value) { out_ << label << printable(value) << '\n'; };
  field("name:      ", i.name());
  field("file:      ", m->path);
  field("id:        ", i.get(pi::kId));
  field("version:   ", std::to_string(i.version()));
  field("summary:   ", i.get(pi::kSummary));
  field("cves:      ", i.get(pi::kCves));
  field("kernel:    ", i.vermagic_release());
  field("build id:  ", i.get(pi::kBuildId));
  field("replace:   ", i.get(pi::kReplace) == "0" ? "no" : "yes");
  field("functions: ", i.get(pi::kFunctions));
  field("built:     ", i.get(pi::kBuilt));
  if (!i.get(pi::kBundle).empty()) field("bundle:    ", i.get(pi::kBundle));
  // Then the rest of the module's .modinfo, sorted by key, laid out as
  // modinfo(8) does (classic kpatch info: vermagic:, srcversion:, ...).
  if (!m->path.starts_with("(")) {
    out_ << '\n';
    for (const auto& [key, value] : i.fields) {
      if (key.starts_with(pi::kPrefix)) continue;
      std::string label = printable(key) + ":";
      out_ << label;
      if (!value.empty()) out_ << std::string(label.size() < 16 ? 16 - label.size() : 1, ' ') << printable(value);
      out_ << '\n';
    }
  }
  return 0;
}

int Manager::status() {
  std::string rel = sys_.release();
  std::map<std::string, Installed> meta;  // installed metadata of loaded patches
  for (auto& m : installed(rel)) meta.emplace(m.info.name(), m);
  std::vector<std::string> active, tags;
  std::set<std::string> cves;
  for (const auto& n : loaded_patches()) {
    if (state_of(n) != "enabled") continue;
    active.push_back(n);
    if (!meta.contains(n))
      if (auto live = live_metadata(n)) meta.emplace(n, *live);
    auto it = meta.find(n);
    std::string id = it == meta.end() || it->second.info.get(pi::kId).empty() ? n : it->second.info.get(pi::kId);
    std::string ver = it == meta.end() ? "?" : std::to_string(it->second.info.version());
    tags.push_back(id + "." + ver);
    if (it != meta.end())
      for (const auto& c : csv(it->second.info.get(pi::kCves))) cves.insert(c);
  }
  std::string effective = rel;
  for (const auto& t : tags) effective += "+" + t;
  std::vector<std::string> cve_list(cves.begin(), cves.end());
  if (opt_.json) {
    out_ << "{\"kernel\": " << json_string(rel) << ", \"build_id\": " << json_string(running_build_id())
         << ", \"active\": " << kp::json_string_list(active) << ", \"cves\": " << kp::json_string_list(cve_list)
         << ", \"effective_version\": " << json_string(effective) << "}\n";
    return 0;
  }
  out_ << "Running kernel:    " << printable(rel) << "\nPatches active:    " << active.size() << '\n';
  for (size_t i = 0; i < active.size(); ++i)
    out_ << "    " << printable(active[i]) << " (" << printable(tags[i]) << ")\n";
  out_ << "CVEs fixed live:   " << (cve_list.empty() ? "none" : "");
  for (size_t i = 0; i < cve_list.size(); ++i) out_ << (i ? " " : "") << printable(cve_list[i]);
  out_ << "\nEffective version: " << printable(effective) << '\n';
  return 0;
}

}  // namespace kpatch
