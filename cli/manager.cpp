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
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <sstream>

#include "common/build_id.h"

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
    case ENOENT: return name + " needs a symbol the kernel does not have (see dmesg: Unknown symbol)";
    case EBUSY:
      return "another patch is still in transition after " + std::to_string(kLoadAttempts) +
             " attempts (Device or resource busy); wait for it (kpatch list), then load again";
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

// A line of /proc/modules, "name size refs deps state address (flags)",
// for a loaded (Live) livepatch module: its taint flags include K, after
// any of P, O, E and before any of X, T, N.
bool live_livepatch_module(const std::string& line) {
  auto f = split(line, ' ');
  return f.size() >= 7 && f[4] == "Live" && f.back().starts_with("(") && f.back().find('K') != std::string::npos;
}

// Why a module's name= cannot be used, or "".
std::string name_problem(const ModInfo& mi) {
  if (mi.name().empty()) return "no name= in .modinfo; not a kernel module";
  if (!valid_module_name(mi.name()))
    return "invalid module name '" + mi.name() + "' in .modinfo (" + kModuleNameRule + ")";
  return "";
}

}  // namespace

// Every message goes through printable(): it may carry a path or name from
// the command line, a module or /proc.
int Manager::fail(const std::string& msg) {
  err_ << "kpatch: error: " << printable(msg) << '\n';
  return 1;
}

void Manager::warn(const std::string& msg) {
  err_ << "kpatch: warning: " << printable(msg) << '\n';
}

void Manager::log(const std::string& line) {
  sys_.log(printable(line));
}

// A NAME argument, with dashes for underscores and an optional ".ko".
std::optional<std::string> Manager::module_name_arg(const std::string& arg) {
  std::string name = kbuild_module_name(arg.ends_with(".ko") ? arg.substr(0, arg.size() - 3) : arg);
  if (valid_module_name(name)) return name;
  fail("invalid module name '" + arg + "' (" + kModuleNameRule + ")");
  return std::nullopt;
}

std::optional<std::string> Manager::checked_release(const std::string& release, const std::string& source) {
  if (valid_release(release)) return release;
  fail("invalid kernel release '" + release + "' from " + source + " (" + kReleaseRule + ")");
  return std::nullopt;
}

std::optional<std::string> Manager::target_kernel() {
  return opt_.kernel.empty() ? running_release() : checked_release(opt_.kernel, "-k");
}

// A path; NAME.ko that is no file here, or NAME: the installed module.
std::optional<std::string> Manager::resolve(const std::string& target) {
  if (target.find('/') != std::string::npos || (target.ends_with(".ko") && sys_.exists(target))) return target;
  auto name = module_name_arg(target);
  auto release = name ? running_release() : std::nullopt;
  if (!release) return std::nullopt;
  return installed_path(*release, *name);
}

// /var/lib/kpatch/RELEASE/NAME.ko, as we install it, or else a file the
// classic kpatch installed under the name it was given (kpatch-fix.ko),
// matched as the classic kpatch matches: without .ko, dashes read as
// underscores. NAME.ko when there is neither: the caller says it is missing.
std::string Manager::installed_path(const std::string& release, const std::string& name) {
  std::string dir = kLibDir + release + "/";
  if (sys_.exists(dir + name + ".ko")) return dir + name + ".ko";
  for (const auto& f : sys_.list(dir)) {
    if (!f.ends_with(".ko")) continue;
    if (kbuild_module_name(f.substr(0, f.size() - 3)) == name) return dir + f;
  }
  return dir + name + ".ko";
}

std::optional<Installed> Manager::read_module(const std::string& path, std::string* bytes) {
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
  if (std::string why = name_problem(*mi); !why.empty()) {
    fail(path + ": " + why);
    return std::nullopt;
  }
  if (bytes) *bytes = std::move(*image);
  return Installed{path, *mi};
}

std::string Manager::running_build_id() {
  auto notes = sys_.read("/sys/kernel/notes");
  return notes ? kp::gnu_build_id(*notes) : std::string();
}

// Built for the running kernel? Both checks print both values; --force
// turns a refusal into a logged warning.
bool Manager::compatible(const Installed& m, const std::string& path) {
  std::vector<std::string> problems;
  std::string want = m.info.vermagic_release(), have = sys_.release();
  if (want != have) problems.push_back("built for kernel " + want + ", running " + have);
  std::string want_id = m.info.get(pi::kBuildId), have_id = running_build_id();
  if (!want_id.empty() && !have_id.empty() && want_id != have_id)
    problems.push_back("built for kernel build ID " + want_id + ", running " + have_id);
  if (problems.empty()) return true;
  for (const auto& p : problems) {
    if (!opt_.force) {
      fail(path + ": " + p + " (--force to load anyway)");
    } else {
      warn(path + ": " + p + "; loading anyway (--force)");
      log("forced load of " + path + ": " + p);
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

// Polls at least once, so that a zero timeout means "do not wait".
bool Manager::wait_transition(const std::string& name) {
  auto deadline = sys_.now() + opt_.timeout;
  for (;;) {
    auto t = sys_.read(kLivepatch + name + "/transition");
    if (!t || trim(*t) == "0") return true;
    if (sys_.now() >= deadline) return false;
    sys_.sleep(std::chrono::milliseconds(100));
  }
}

// delete_module(2), retried while the module is busy: the livepatch core
// frees a disabled or replaced patch from a work item, and drops its
// reference on the module only then. Returns 0 or the last errno.
int Manager::remove_module(const std::string& name) {
  int e = 0;
  for (int tries = 0; tries < 50; ++tries) {
    if (tries) sys_.sleep(std::chrono::milliseconds(100));
    e = sys_.delete_module(name);
    if (e != EAGAIN && e != EBUSY && e != EWOULDBLOCK) return e;
  }
  return e;
}

// A task blocks the transition of `name` while its patch_state is not the
// transition's target (1 when enabling, 0 when disabling; -1: none).
std::vector<Manager::Task> Manager::stalled_tasks(const std::string& name) {
  std::vector<Task> out;
  std::string target = state_of(name) == "disabling" ? "0" : "1";
  for (const std::string& pid : sys_.list("/proc")) {
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    for (const std::string& tid : sys_.list("/proc/" + pid + "/task")) {
      if (tid.empty() || tid.find_first_not_of("0123456789") != std::string::npos) continue;
      std::string base = "/proc/" + pid + "/task/" + tid;
      std::string st = trim(sys_.read(base + "/patch_state").value_or("-1"));
      if (st == "-1" || st == target) continue;
      out.push_back(
          {tid, trim(sys_.read(base + "/comm").value_or("?")), split(sys_.read(base + "/stack").value_or(""), '\n')});
    }
  }
  return out;
}

void Manager::report_blocking_tasks(const std::string& name) {
  for (const Task& t : stalled_tasks(name)) {
    err_ << "kpatch: blocking task: pid " << printable(t.tid) << " (" << printable(t.comm) << ")\n";
    for (const auto& line : t.stack) err_ << "    " << printable(line) << '\n';
  }
}

std::vector<std::string> Manager::loaded_patches() {
  std::vector<std::string> out;
  for (const auto& n : sys_.list(kLivepatch))
    if (sys_.exists(kLivepatch + n + "/enabled")) out.push_back(n);
  return out;
}

// After an atomic replace, the replaced patches' modules stay loaded:
// remove them. The core disables a replaced patch at once but frees it
// later, so for a moment it may still be in sysfs, disabled, and its
// module still referenced.
void Manager::remove_replaced() {
  for (const auto& line : split(sys_.read("/proc/modules").value_or(""), '\n')) {
    std::string name = line.substr(0, line.find(' '));
    if (!live_livepatch_module(line)) continue;
    if (std::string st = state_of(name); !st.empty() && st != "disabled") continue;
    if (int e = remove_module(name); e == 0)
      out_ << "kpatch: removed replaced patch " << printable(name) << '\n';
    else
      warn("cannot remove replaced patch " + name + ": " + std::strerror(e));
  }
}

// The module is read and checked before the lock is taken; whether its
// patch is loaded is state, checked under the lock.
int Manager::load(const std::string& target) {
  auto path = resolve(target);
  auto m = path ? read_module(*path) : std::nullopt;
  if (!m || !compatible(*m, *path)) return 1;
  return locked([&] { return load_checked(*m); });
}

// What is there already decides, as with the classic kpatch:
//   enabled      nothing to do;
//   enabling     someone else's load: its transition is waited for (and
//                reverted if it does not finish, as ours would be);
//   disabling    the same build is re-enabled: writing 1 to `enabled`
//                reverses the transition;
//   disabled     the core is about to free the patch (it cannot be
//                re-enabled) and its module stays loaded, as does the
//                module of a replaced patch that has left sysfs: the module
//                is removed and loaded again.
int Manager::load_checked(const Installed& m) {
  const std::string& path = m.path;
  std::string name = m.info.name();
  std::string state = state_of(name);
  if (state == "enabling" && wait_transition(name)) state = "enabled";
  if (state == "enabled") {
    out_ << name << " is already loaded and enabled\n";
    return 0;
  }
  if (state == "enabling") return revert_stalled(name);
  if (state == "disabling") return reenable(m);
  if (state == "disabled" || (state.empty() && livepatch_module_loaded(name))) {
    if (int e = remove_module(name); e != 0)
      return fail(name + ": its disabled patch's module cannot be removed: " + std::strerror(e));
  }
  bool transition_busy = false;
  if (int e = load_module_retrying(path, transition_busy); e != 0) {
    if (e == EBUSY && !transition_busy)
      return fail(path + ": the kernel refused " + name +
                  " (Device or resource busy) with no other patch in transition: a pre-patch callback or the "
                  "module's init refused it (see dmesg)");
    return fail(path + ": " + errno_text(e, name));
  }
  if (!wait_transition(name)) return revert_stalled(name);
  remove_replaced();
  log("loaded " + name);
  out_ << "loaded " << printable(name) << '\n';
  return 0;
}

// finit_module(2), tried again while it fails with EBUSY, as the classic
// kpatch retries insmod: the livepatch core refuses to enable a patch while
// another patch's transition is in progress (klp_enable_patch), and that
// transition, someone else's load or unload, usually ends within seconds.
// Each retry is announced; the last EBUSY is returned to the caller. Our
// own patch in transition cannot cause it (load_checked waits for or
// reverses that one), so writing 1 to `enabled` is not retried. EBUSY with
// no patch in transition is the module's own refusal (a pre-patch callback
// returning -EBUSY): not retried, since each try would run its callbacks
// again; `transition_busy` tells the caller which it was.
int Manager::load_module_retrying(const std::string& path, bool& transition_busy) {
  for (int attempt = 1;; ++attempt) {
    int e = sys_.load_module(path);
    if (e != EBUSY) return e;
    std::string moving = patch_in_transition();
    transition_busy = !moving.empty();
    if (!transition_busy || attempt == kLoadAttempts) return e;
    warn(path + ": " + moving + " is in transition (Device or resource busy); " + "retrying in " +
         std::to_string(kLoadRetryInterval.count()) + "s (attempt " + std::to_string(attempt + 1) + " of " +
         std::to_string(kLoadAttempts) + ")");
    sys_.sleep(kLoadRetryInterval);
  }
}

std::string Manager::patch_in_transition() {
  for (const auto& n : loaded_patches())
    if (in_transition(state_of(n))) return n;
  return "";
}

bool Manager::livepatch_module_loaded(const std::string& name) {
  return sys_.read("/sys/module/" + name + "/taint").value_or("").find('K') != std::string::npos;
}

// The loaded module is the build in `m`: their srcversion (modpost's
// checksum of the sources) and kpatch_built (a module parameter) agree,
// each where both sides have it.
bool Manager::same_build(const Installed& m, const std::string& name) {
  const std::string built_param = std::string("parameters/") + pi::kBuilt;
  for (auto [field, file] :
       {std::pair<std::string, std::string>{"srcversion", "srcversion"}, {pi::kBuilt, built_param}}) {
    std::string mine = m.info.get(field), live = trim(sys_.read("/sys/module/" + name + "/" + file).value_or(""));
    if (!mine.empty() && !live.empty() && mine != live) return false;
  }
  return true;
}

int Manager::reenable(const Installed& m) {
  std::string name = m.info.name(), why;
  if (!same_build(m, name))
    return fail(name + " is being disabled and " + m.path +
                " is another build of it; wait for the unload to finish, then load again");
  out_ << "re-enabling " << printable(name) << '\n';
  if (!sys_.write(kLivepatch + name + "/enabled", "1", why)) return fail(name + ": cannot re-enable: " + why);
  if (!wait_transition(name)) return revert_stalled(name);
  log("re-enabled " + name);
  out_ << "loaded " << printable(name) << '\n';
  return 0;
}

// A transition to `name` that did not finish in time is reverted and the
// module removed, so that a failed load leaves nothing half applied.
int Manager::revert_stalled(const std::string& name) {
  err_ << "kpatch: error: " << name << ": the patch transition did not finish in " << opt_.timeout.count()
       << "s; reverting\n";
  report_blocking_tasks(name);
  std::string why;
  sys_.write(kLivepatch + name + "/enabled", "0", why);
  if (!wait_transition(name)) {
    log(name + ": load timed out; revert did not finish");
    return fail(name + ": reverting did not finish in " + std::to_string(opt_.timeout.count()) +
                "s either; run 'kpatch signal', then 'kpatch unload " + name + "'");
  }
  if (int e = remove_module(name); e != 0) {
    log(name + ": load timed out; reverted, module not removed");
    return fail(name + ": reverted, but the module cannot be removed: " + std::strerror(e) + "; run 'kpatch unload " +
                name + "'");
  }
  log(name + ": load timed out; reverted");
  return 1;
}

// A directory that is not a valid release (the lock file, a stray name) is
// no release; a module with an unusable name is skipped with a warning.
std::vector<Installed> Manager::installed(const std::string& release) {
  std::vector<Installed> out;
  if (!valid_release(release)) return out;
  std::string dir = kLibDir + release + "/";
  for (const auto& f : sys_.list(dir)) {
    if (!f.ends_with(".ko")) continue;
    auto image = sys_.read(dir + f);
    std::string why = image ? "" : "unreadable";
    auto mi = image ? parse_modinfo(*image, why) : std::nullopt;
    if (mi && (why = name_problem(*mi)).empty())
      out.push_back({dir + f, *mi});
    else
      warn(dir + f + ": " + why);
  }
  return out;
}

// Newest version of each patch id, in id order.
int Manager::load_all() {
  auto release = running_release();
  if (!release) return 1;
  return locked([&] {
    std::map<std::string, Installed> newest;
    for (auto& m : installed(*release)) {
      std::string id = m.info.get(pi::kId).empty() ? m.info.name() : m.info.get(pi::kId);
      auto it = newest.find(id);
      if (it == newest.end() || it->second.info.version() < m.info.version()) newest[id] = m;
    }
    int status = 0;
    for (auto& [id, m] : newest) {
      if (state_of(m.info.name()) == "enabled") continue;
      if (load(m.path) != 0) status = 1;
    }
    return status;
  });
}

// NAME, or a path to NAME.ko.
int Manager::unload(const std::string& target) {
  bool path = target.ends_with(".ko") && target.find('/') != std::string::npos;
  auto name = module_name_arg(path ? target.substr(target.rfind('/') + 1) : target);
  if (!name) return 1;
  return locked([&] { return unload_locked(*name); });
}

int Manager::unload_locked(const std::string& name) {
  std::string state = state_of(name);
  if (state.empty()) {  // a replaced patch's module may still be loaded
    if (!sys_.exists("/sys/module/" + name)) return fail(name + " is not loaded");
    if (sys_.read("/sys/module/" + name + "/taint").value_or("").find('K') == std::string::npos)
      return fail(name + " is not a livepatch module");
  }
  if (state == "enabled" || state == "enabling") {
    std::string why;
    if (!sys_.write(kLivepatch + name + "/enabled", "0", why)) return fail(name + ": cannot disable: " + why);
  }
  if (!state.empty() && state != "disabled") {
    if (!wait_transition(name)) {
      report_blocking_tasks(name);
      return fail(name + ": disabling did not finish in " + std::to_string(opt_.timeout.count()) + "s");
    }
  }
  int e = remove_module(name);
  if (e == 0) {
    log("unloaded " + name);
    out_ << "unloaded " << printable(name) << '\n';
    return 0;
  }
  if (e == EAGAIN || e == EBUSY || e == EWOULDBLOCK) return fail(name + ": still in use; not removed");
  return fail(name + ": cannot remove: " + std::strerror(e));
}

int Manager::unload_all() {
  return locked([&] {
    int status = 0;
    for (const auto& line : split(sys_.read("/proc/modules").value_or(""), '\n')) {  // newest first
      std::string name = line.substr(0, line.find(' '));
      if (sys_.exists(kLivepatch + name) && unload_locked(name) != 0) status = 1;
    }
    return status;
  });
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

// As the classic kpatch: a kernel without the signal attribute signals
// stalled tasks itself, so there is nothing to do (a warning, status 0).
int Manager::signal() {
  int status = 0;
  bool warned = false;
  for (const auto& n : loaded_patches()) {
    if (!in_transition(state_of(n))) continue;
    if (!sys_.exists(kLivepatch + n + "/signal")) {
      if (!warned) warn("this kernel has no livepatch signal attribute; it signals stalled tasks itself");
      warned = true;
      continue;
    }
    std::string why;
    if (!sys_.write(kLivepatch + n + "/signal", "1", why)) status = fail(n + ": cannot signal: " + why);
  }
  return status;
}

}  // namespace kpatch
