// The operations of the kpatch runtime manager. See cli/manager.cpp.
#pragma once

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

#include "modinfo.h"
#include "system.h"

namespace kpatch {

struct Options {
  bool json = false;
  bool force = false;
  std::chrono::seconds timeout{60};
  std::string kernel;  // -k: release for install/uninstall; default: running
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
  std::string resolve(const std::string& target);
  std::optional<Installed> read_module(const std::string& path);
  bool compatible(const Installed& m, const std::string& path);
  bool wait_transition(const std::string& name);
  int remove_module(const std::string& name);
  void report_blocking_tasks(const std::string& name);
  void remove_replaced();
  std::vector<std::string> loaded_patches();
  std::string state_of(const std::string& name);
  std::vector<std::string> patched_functions(const std::string& name);
  std::string running_build_id();
  std::string target_kernel() { return opt_.kernel.empty() ? sys_.release() : opt_.kernel; }

  System& sys_;
  std::ostream& out_;
  std::ostream& err_;
  Options opt_;
};

std::string json_string(const std::string& s);

}  // namespace kpatch
