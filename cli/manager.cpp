// The runtime manager: installs patch modules per kernel release under
// /var/lib/kpatch/<release>/, loads them into the running kernel with
// finit_module(2), drives and watches the livepatch transition through
// /sys/kernel/livepatch, and reports what is live.
//
// Safety first: a module is checked before the kernel sees it (a livepatch
// module, built for this kernel release and, when recorded, this kernel's
// build ID), a transition that does not finish in time is reverted and the
// module removed, naming the tasks that blocked it, so a failed load never
// leaves a half-applied patch. Every failure prints one line saying what
// and why, and the exit status is 1.
#include "manager.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <sstream>

namespace kpatch {

namespace {

const std::string kLivepatch = "/sys/kernel/livepatch/";
const std::string kLibDir = "/var/lib/kpatch/";

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string errno_text(int e, const std::string& name) {
  switch (e) {
    case EEXIST: return name + " is already loaded";
    case EPERM: return "permission denied: loading modules needs root (CAP_SYS_MODULE)";
    case ENOEXEC: return "the kernel rejected " + name + " as invalid (see dmesg)";
    case EINVAL: return "the kernel refused " + name + " (see dmesg for the livepatch core's reason)";
    case EKEYREJECTED: return "the module signature of " + name + " was rejected";
    case ENOENT: return "no such file";
    default: return std::strerror(e);
  }
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, sep);)
    if (!item.empty()) out.push_back(item);
  return out;
}

}  // namespace

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

int Manager::fail(const std::string& msg) {
  err_ << "kpatch: error: " << msg << '\n';
  return 1;
}

std::string Manager::resolve(const std::string& target) {
  if (target.find('/') != std::string::npos || target.ends_with(".ko")) return target;
  std::string name = target;
  std::replace(name.begin(), name.end(), '-', '_');
  return kLibDir + sys_.release() + "/" + name + ".ko";
}

std::optional<Installed> Manager::read_module(const std::string& path) {
  auto image = sys_.read(path);
  if (!image) {
    fail(path + ": no such file");
    return std::nullopt;
  }
  std::string why;
  auto mi = parse_modinfo(*image, why);
  if (!mi) {
    fail(path + ": " + why);
    return std::nullopt;
  }
  if (!mi->is_livepatch()) {
    fail(path + ": not a livepatch module (no livepatch=Y in .modinfo)");
    return std::nullopt;
  }
  return Installed{path, *mi};
}

std::string Manager::running_build_id() {
  auto notes = sys_.read("/sys/kernel/notes");
  if (!notes) return {};
  const std::string& n = *notes;
  for (size_t off = 0; off + 12 <= n.size();) {
    uint32_t namesz, descsz, type;
    std::memcpy(&namesz, n.data() + off, 4);
    std::memcpy(&descsz, n.data() + off + 4, 4);
    std::memcpy(&type, n.data() + off + 8, 4);
    size_t desc = off + 12 + ((namesz + 3) & ~3u);
    size_t next = desc + ((descsz + 3) & ~3u);
    if (next > n.size()) break;
    if (type == 3 && namesz == 4 && n.compare(off + 12, 4, std::string("GNU\0", 4)) == 0) {
      std::string hex;
      for (size_t i = 0; i < descsz; ++i) {
        char b[3];
        std::snprintf(b, sizeof b, "%02x", static_cast<unsigned char>(n[desc + i]));
        hex += b;
      }
      return hex;
    }
    off = next;
  }
  return {};
}

// Built for the running kernel? Both checks print both values; --force
// turns a refusal into a logged warning.
bool Manager::compatible(const Installed& m, const std::string& path) {
  std::vector<std::string> problems;
  std::string want = m.info.vermagic_release(), have = sys_.release();
  if (want != have) problems.push_back("built for kernel " + want + ", running " + have);
  std::string want_id = m.info.get("kpatch_build_id"), have_id = running_build_id();
  if (!want_id.empty() && !have_id.empty() && want_id != have_id)
    problems.push_back("built for kernel build ID " + want_id + ", running " + have_id);
  if (problems.empty()) return true;
  for (const auto& p : problems) {
    if (!opt_.force) {
      fail(path + ": " + p + " (--force to load anyway)");
    } else {
      err_ << "kpatch: warning: " << path << ": " << p << "; loading anyway (--force)\n";
      sys_.log("forced load of " + path + ": " + p);
    }
  }
  return opt_.force;
}

std::string Manager::state_of(const std::string& name) {
  auto enabled = sys_.read(kLivepatch + name + "/enabled");
  if (!enabled) return "";
  bool on = trim(*enabled) == "1";
  bool moving = trim(sys_.read(kLivepatch + name + "/transition").value_or("0")) == "1";
  return moving ? (on ? "enabling" : "disabling") : (on ? "enabled" : "disabled");
}

bool Manager::wait_transition(const std::string& name) {
  auto deadline = sys_.now() + opt_.timeout;
  while (sys_.now() < deadline) {
    auto t = sys_.read(kLivepatch + name + "/transition");
    if (!t || trim(*t) == "0") return true;
    sys_.sleep(std::chrono::milliseconds(100));
  }
  return false;
}

void Manager::report_blocking_tasks(const std::string& name) {
  std::string target = state_of(name) == "disabling" ? "0" : "1";
  for (const std::string& pid : sys_.list("/proc")) {
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    for (const std::string& tid : sys_.list("/proc/" + pid + "/task")) {
      std::string base = "/proc/" + pid + "/task/" + tid;
      std::string st = trim(sys_.read(base + "/patch_state").value_or("-1"));
      if (st == "-1" || st == target) continue;
      std::string comm = trim(sys_.read(base + "/comm").value_or("?"));
      err_ << "kpatch: blocking task: pid " << tid << " (" << comm << ")\n";
      std::string stack = sys_.read(base + "/stack").value_or("");
      for (const auto& line : split(stack, '\n')) err_ << "    " << line << '\n';
    }
  }
}

std::vector<std::string> Manager::loaded_patches() {
  std::vector<std::string> out;
  for (const auto& n : sys_.list(kLivepatch))
    if (sys_.exists(kLivepatch + n + "/enabled")) out.push_back(n);
  return out;
}

// After an atomic replace, the replaced patches' modules stay loaded but
// are no longer livepatches in sysfs: remove them.
void Manager::remove_replaced() {
  auto live = loaded_patches();
  for (const auto& line : split(sys_.read("/proc/modules").value_or(""), '\n')) {
    std::string name = line.substr(0, line.find(' '));
    bool livepatch = line.find("K)") != std::string::npos && line.find('(') != std::string::npos;
    if (!livepatch || std::find(live.begin(), live.end(), name) != live.end()) continue;
    if (sys_.delete_module(name) == 0) out_ << "kpatch: removed replaced patch " << name << '\n';
  }
}

int Manager::load(const std::string& target) {
  std::string path = resolve(target);
  auto m = read_module(path);
  if (!m) return 1;
  std::string name = m->info.name();
  if (sys_.exists(kLivepatch + name)) return fail(name + " is already loaded (" + state_of(name) + ")");
  if (!compatible(*m, path)) return 1;
  if (int e = sys_.load_module(path); e != 0) return fail(path + ": " + errno_text(e, name));
  if (!wait_transition(name)) {
    err_ << "kpatch: error: " << name << ": the patch transition did not finish in " << opt_.timeout.count()
         << "s; reverting\n";
    report_blocking_tasks(name);
    std::string why;
    sys_.write(kLivepatch + name + "/enabled", "0", why);
    wait_transition(name);
    sys_.delete_module(name);
    sys_.log(name + ": load timed out; reverted");
    return 1;
  }
  remove_replaced();
  sys_.log("loaded " + name);
  out_ << "loaded " << name << '\n';
  return 0;
}

std::vector<Installed> Manager::installed(const std::string& release) {
  std::vector<Installed> out;
  std::string dir = kLibDir + release + "/";
  for (const auto& f : sys_.list(dir)) {
    if (!f.ends_with(".ko")) continue;
    auto image = sys_.read(dir + f);
    std::string why;
    auto mi = image ? parse_modinfo(*image, why) : std::nullopt;
    if (mi) out.push_back({dir + f, *mi});
    else err_ << "kpatch: warning: " << dir << f << ": " << (image ? why : "unreadable") << '\n';
  }
  return out;
}

// Newest version of each patch id, in id order.
int Manager::load_all() {
  std::map<std::string, Installed> newest;
  for (auto& m : installed(sys_.release())) {
    std::string id = m.info.get("kpatch_id").empty() ? m.info.name() : m.info.get("kpatch_id");
    auto it = newest.find(id);
    if (it == newest.end() || it->second.info.version() < m.info.version()) newest[id] = m;
  }
  int status = 0;
  for (auto& [id, m] : newest) {
    if (state_of(m.info.name()) == "enabled") continue;
    if (load(m.path) != 0) status = 1;
  }
  return status;
}

int Manager::unload(const std::string& target) {
  std::string name = target;
  std::replace(name.begin(), name.end(), '-', '_');
  if (name.ends_with(".ko")) name = name.substr(name.rfind('/') + 1, name.size() - name.rfind('/') - 4);
  std::string state = state_of(name);
  if (state.empty() && !sys_.exists("/sys/module/" + name)) return fail(name + " is not loaded");
  if (state == "enabled" || state == "enabling") {
    std::string why;
    if (!sys_.write(kLivepatch + name + "/enabled", "0", why)) return fail(name + ": cannot disable: " + why);
    if (!wait_transition(name)) {
      report_blocking_tasks(name);
      return fail(name + ": disabling did not finish in " + std::to_string(opt_.timeout.count()) + "s");
    }
  }
  for (int tries = 0; tries < 50; ++tries) {  // the core releases the module asynchronously
    int e = sys_.delete_module(name);
    if (e == 0) {
      sys_.log("unloaded " + name);
      out_ << "unloaded " << name << '\n';
      return 0;
    }
    if (e != EAGAIN && e != EBUSY && e != EWOULDBLOCK) return fail(name + ": cannot remove: " + std::strerror(e));
    sys_.sleep(std::chrono::milliseconds(100));
  }
  return fail(name + ": still in use; not removed");
}

int Manager::unload_all() {
  int status = 0;
  for (const auto& line : split(sys_.read("/proc/modules").value_or(""), '\n')) {  // newest first
    std::string name = line.substr(0, line.find(' '));
    if (sys_.exists(kLivepatch + name) && unload(name) != 0) status = 1;
  }
  return status;
}

int Manager::install(const std::string& file) {
  auto m = read_module(file);
  if (!m) return 1;
  std::string kernel = target_kernel();
  if (m->info.vermagic_release() != kernel)
    return fail(file + ": built for kernel " + m->info.vermagic_release() + ", not " + kernel);
  std::string dst = kLibDir + kernel + "/" + m->info.name() + ".ko";
  std::string why;
  if (!sys_.copy_atomic(file, dst, why)) return fail("cannot install " + dst + ": " + why);
  out_ << "installed " << m->info.name() << " for " << kernel << '\n';
  return 0;
}

int Manager::uninstall(const std::string& target) {
  std::string name = target;
  std::replace(name.begin(), name.end(), '-', '_');
  std::string path = kLibDir + target_kernel() + "/" + name + ".ko";
  std::string why;
  if (!sys_.exists(path)) return fail(name + " is not installed for " + target_kernel());
  if (!sys_.remove(path, why)) return fail("cannot remove " + path + ": " + why);
  out_ << "uninstalled " << name << " for " << target_kernel() << '\n';
  return 0;
}

std::vector<std::string> Manager::patched_functions(const std::string& name) {
  std::vector<std::string> out;
  for (const auto& obj : sys_.list(kLivepatch + name)) {
    std::string dir = kLivepatch + name + "/" + obj;
    if (sys_.exists(dir + "/enabled") || !sys_.exists(dir + "/patched")) continue;
    for (const auto& fn : sys_.list(dir))
      if (sys_.exists(dir + "/" + fn + "/"))
        if (fn != "patched") out.push_back(obj + ":" + fn);
  }
  return out;
}

int Manager::signal() {
  int status = 0;
  for (const auto& n : loaded_patches()) {
    std::string why;
    if (!sys_.exists(kLivepatch + n + "/signal")) return fail("this kernel has no livepatch signal attribute");
    if (state_of(n).ends_with("ing") && !sys_.write(kLivepatch + n + "/signal", "1", why)) status = 1;
  }
  return status;
}

}  // namespace kpatch
