// The machine the manager's tests run on: a FakeSystem taught what the
// kernel does.
//
//   finit_module  the module appears in /proc/modules (tainted OEK) and in
//                 /sys/module with its taint; its patch appears under
//                 /sys/kernel/livepatch enabled, in transition for as long
//                 as `enable_transition` says, with one directory per
//                 patched function; a replace patch makes every other patch
//                 leave sysfs, their modules staying loaded.
//   enabled := 0  the patch goes into the reverse transition
//                 (`disable_transition`); := 1 (a disabling patch reversed)
//                 into `enable_transition`.
//   delete_module the module and its patch are gone.
//
// Tests then assert on the exact output, the exit status, the recorded calls
// and the kernel log.
#pragma once

#include <gtest/gtest.h>

#include <sstream>

#include "fake_system.h"
#include "manager.h"
#include "module_image.h"

namespace kpatch::testing {

inline const std::vector<unsigned char> kBuildIdBytes = {0x4c, 0x1e, 0x9a, 0x03, 0x77, 0x00, 0xfe, 0x12, 0x34, 0x56,
                                                         0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x01, 0x02, 0x03, 0x04, 0x05};
inline constexpr const char* kBuildId = "4c1e9a037700fe123456789abcdef00102030405";
inline const std::string kLib = std::string("/var/lib/kpatch/") + kRelease + "/";
inline const std::string kLp = "/sys/kernel/livepatch/";

class CliTest : public ::testing::Test {
 protected:
  FakeSystem sys;
  std::ostringstream out, err;
  Options opt;
  // Successive reads of a patch's `transition` after a load, and after
  // `enabled` is set to 0; the last value sticks ({"1"}: never finishes).
  std::deque<std::string> enable_transition = {"1", "0"};
  std::deque<std::string> disable_transition = {"1", "0"};

  void SetUp() override {
    sys.files["/sys/kernel/notes"] = kernel_notes(kBuildIdBytes);
    sys.mkdir("/sys/kernel/livepatch");
    sys.files["/proc/modules"] = "ext4 1114112 2 - Live 0xffffffffc0300000\n";
    sys.files["/sys/module/ext4/refcnt"] = "2\n";
    sys.on_load = [this](const std::string& path) { kernel_load(path); };
    sys.on_delete = [this](const std::string& name) { kernel_delete(name); };
    sys.on_write = [this](const std::string& path, const std::string& text) {
      if (path.starts_with(kLp) && path.ends_with("/enabled"))
        sys.scripted[path.substr(0, path.size() - 8) + "/transition"] =
            text == "0" ? disable_transition : enable_transition;
    };
  }

  // Whatever a test did, nothing was changed outside /var/lib/kpatch and
  // the patches' sysfs files.
  void TearDown() override { EXPECT_EQ(sys.escapes(), std::vector<std::string>{}); }

  Manager kpatch() { return Manager(sys, out, err, opt); }

  // A patch module file at `path`.
  void put(const std::string& path, const Patch& p) { sys.files[path] = p.image(); }
  // A patch module installed for the running kernel.
  void install(const Patch& p, const std::string& release = kRelease) {
    sys.files["/var/lib/kpatch/" + release + "/" + p.name + ".ko"] = p.image();
  }

  // A patch already live: "enabled", "enabling", "disabling", "disabled".
  void add_loaded(const std::string& name, const std::string& state = "enabled",
                  const std::vector<std::string>& functions = {}) {
    add_patch_dir(name, state, functions);
    add_module(name, "(OEK)");
  }
  // Only the patch's directory in /sys/kernel/livepatch.
  void add_patch_dir(const std::string& name, const std::string& state,
                     const std::vector<std::string>& functions = {}) {
    std::string dir = kLp + name;
    sys.files[dir + "/enabled"] = state.starts_with("enabl") ? "1\n" : "0\n";
    sys.files[dir + "/transition"] = state.ends_with("ing") ? "1\n" : "0\n";
    sys.files[dir + "/force"] = "";
    sys.files[dir + "/signal"] = "";
    for (const auto& f : functions) {  // "object:function"
      std::string obj = f.substr(0, f.find(':'));
      sys.files[dir + "/" + obj + "/patched"] = "1\n";
      sys.mkdir(dir + "/" + obj + "/" + f.substr(f.find(':') + 1) + ",1");
    }
  }
  // A module in /proc/modules (newest first) and /sys/module.
  void add_module(const std::string& name, const std::string& flags) {
    sys.files["/proc/modules"] = name + " 16384 1 - Live 0xffffffffc0a00000" + (flags.empty() ? "" : " " + flags) +
                                 "\n" + sys.files["/proc/modules"];
    sys.files["/sys/module/" + name + "/taint"] = flags.empty() ? "\n" : flags.substr(1, flags.size() - 2) + "\n";
  }

  std::string proc_modules_without(const std::string& name) {
    std::string out;
    std::istringstream in(sys.files["/proc/modules"]);
    for (std::string line; std::getline(in, line);)
      if (line.substr(0, line.find(' ')) != name) out += line + "\n";
    return out;
  }

  void kernel_load(const std::string& path) {
    std::string why;
    auto mi = parse_modinfo(sys.files.at(path), why);
    ASSERT_TRUE(mi) << why;
    std::string name = mi->name();
    if (mi->get("kpatch_replace") != "0") {
      for (const auto& other : sys.list(kLp)) sys.remove_tree(kLp + other);
    }
    add_loaded(name, "enabling");
    sys.files.erase(kLp + name + "/transition");
    sys.scripted[kLp + name + "/transition"] = enable_transition;
    std::string fns = mi->get("kpatch_functions");
    for (size_t pos = 0; pos < fns.size();) {
      size_t end = std::min(fns.find(',', pos), fns.size());
      std::string f = fns.substr(pos, end - pos);
      std::string obj = f.substr(0, f.find(':'));
      sys.files[kLp + name + "/" + obj + "/patched"] = "1\n";
      sys.mkdir(kLp + name + "/" + obj + "/" + f.substr(f.find(':') + 1) + ",1");
      pos = end + 1;
    }
  }

  void kernel_delete(const std::string& name) {
    sys.remove_tree(kLp + name);
    sys.scripted.erase(kLp + name + "/transition");
    sys.remove_tree("/sys/module/" + name);
    sys.files["/proc/modules"] = proc_modules_without(name);
  }

  // A task in /proc: patch_state is -1 outside a transition, else 0
  // (unpatched) or 1 (patched).
  void add_task(int pid, int tid, const std::string& comm, const std::string& patch_state,
                const std::string& stack = "") {
    std::string base = "/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid);
    sys.files[base + "/comm"] = comm + "\n";
    sys.files[base + "/patch_state"] = patch_state + "\n";
    sys.files[base + "/stack"] = stack;
  }

  using Calls = std::vector<std::string>;

  // `calls` made under the lock on /var/lib/kpatch.
  static Calls locked(Calls calls) {
    calls.insert(calls.begin(), "lock /var/lib/kpatch/.lock");
    calls.push_back("unlock /var/lib/kpatch/.lock");
    return calls;
  }
};

}  // namespace kpatch::testing
