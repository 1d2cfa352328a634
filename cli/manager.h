// The operations of the kpatch runtime manager. See cli/manager.cpp.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "common/names.h"
#include "common/patch_info.h"
#include "common/text.h"
#include "modinfo.h"
#include "system.h"

namespace kpatch {

// The rules shared with the builder (common/), by their names here.
using kp::json_string;
using kp::kbuild_module_name;
namespace pi = kp::patch_info;
using kp::kMaxModuleName;
using kp::kMaxRelease;
using kp::kModuleNameRule;
using kp::kReleaseRule;
using kp::printable;
using kp::valid_module_name;
using kp::valid_release;

// finit_module(2) failing with EBUSY (another patch in transition) is
// tried this often, this far apart, as by the classic kpatch.
inline constexpr int kLoadAttempts = 5;
inline constexpr std::chrono::seconds kLoadRetryInterval{2};

struct Options {
  bool json = false;
  bool force = false;
  std::chrono::seconds timeout{60};
  std::chrono::seconds lock_timeout{300};  // how long to wait for /var/lib/kpatch/.lock
  std::string kernel;                      // -k: release for install/uninstall; default: running
};

// A patch module found on disk.
struct Installed {
  std::string path;
  ModInfo info;
};

class Manager {
 public:
  Manager(System& sys, std::ostream& out, std::ostream& err, Options opt)
      : sys_(sys), out_(out), err_(err), opt_(std::move(opt)) {}

  int install(const std::string& file);
  int uninstall(const std::string& name);
  int load(const std::string& target);
  int load_all();
  int unload(const std::string& name);
  int unload_all();
  int list();
  int info(const std::string& target);
  int status();
  int signal();

  std::vector<Installed> installed(const std::string& release);

 private:
  int fail(const std::string& msg);
  void warn(const std::string& msg);
  void log(const std::string& line);
  std::optional<std::string> resolve(const std::string& target);
  std::string installed_path(const std::string& release, const std::string& name);
  std::optional<std::string> module_name_arg(const std::string& arg);
  std::optional<std::string> checked_release(const std::string& release, const std::string& source);
  std::optional<std::string> target_kernel();
  std::optional<std::string> running_release() { return checked_release(sys_.release(), "uname -r"); }
  std::optional<Installed> read_module(const std::string& path, std::string* image = nullptr);
  bool compatible(const Installed& m, const std::string& path);
  bool wait_transition(const std::string& name);
  int load_checked(const Installed& m);
  int load_module_retrying(const std::string& path, bool& transition_busy);
  int reenable(const Installed& m);
  int revert_stalled(const std::string& name);
  bool same_build(const Installed& m, const std::string& name);
  bool livepatch_module_loaded(const std::string& name);
  int unload_locked(const std::string& name);
  int remove_module(const std::string& name);
  struct Task {
    std::string tid, comm;
    std::vector<std::string> stack;  // lines of /proc/PID/task/TID/stack
  };
  std::vector<Task> stalled_tasks(const std::string& name);
  void report_blocking_tasks(const std::string& name);
  std::string stalled_json(const std::string& name);
  void remove_replaced();
  std::vector<std::string> loaded_patches();
  // The metadata a loaded patch exposes itself (kpatch-build makes every
  // kpatch_* field a read-only module parameter): for patches loaded by
  // path, which /var/lib/kpatch does not know.
  std::optional<Installed> live_metadata(const std::string& name);
  std::string state_of(const std::string& name);
  // A state_of() of a patch whose transition runs: "enabling", "disabling".
  static bool in_transition(const std::string& state) { return state.ends_with("ing"); }
  // The loaded patch in transition (the livepatch core runs one at a time), or "".
  std::string patch_in_transition();
  std::vector<std::string> patched_functions(const std::string& name);
  std::string running_build_id();
  // cli/install.cpp
  int locked(const std::function<int()>& fn);
  bool acquire_lock();
  bool write_atomic(const std::string& dir, const std::string& name, const std::string& data, std::string& err);
  int install_locked(const Installed& m, const std::string& release, const std::string& image);
  int uninstall_locked(const std::string& name, const std::string& release);

  System& sys_;
  std::ostream& out_;
  std::ostream& err_;
  Options opt_;
  std::unique_ptr<Lock> lock_;  // held for the outermost command that changes state
};

}  // namespace kpatch
