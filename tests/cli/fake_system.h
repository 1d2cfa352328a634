// An in-memory machine for the runtime manager: files by path (directories
// are implied by the paths under them, or made explicitly), the module
// syscalls recorded with scripted errno results, a clock that moves only
// when the manager sleeps, scripted values for files the kernel changes on
// its own (a livepatch's `transition`), and the lines sent to the kernel log.
//
// The fake knows nothing about livepatch; tests/cli/cli_fixture.h teaches it
// what the kernel does on finit_module, delete_module and `enabled` writes.
#pragma once

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "system.h"

namespace kpatch::testing {

class FakeSystem : public System {
 public:
  // --- the machine's state, set up by tests ---
  std::map<std::string, std::string> files;
  std::set<std::string> dirs;  // directories that exist even when empty
  std::string kernel_release = "6.1.0-56-cloud-amd64";

  // Successive reads of a scripted path return the next value; the last
  // one sticks. A scripted path exists while it has values.
  std::map<std::string, std::deque<std::string>> scripted;

  // errno results of the module syscalls, consumed in order per module path
  // or name; when none is left the call succeeds (0).
  std::map<std::string, std::deque<int>> load_errno, delete_errno;
  std::string copy_error;                          // non-empty: copy_atomic fails with this text
  std::map<std::string, std::string> write_error;  // path -> why a write fails

  // What the kernel does when a call succeeds (set by the fixture).
  std::function<void(const std::string& path)> on_load;
  std::function<void(const std::string& name)> on_delete;
  std::function<void(const std::string& path, const std::string& text)> on_write;

  // --- what the manager did ---
  std::vector<std::string> calls;  // mutating calls, in order
  std::vector<std::string> logs;
  int sleeps = 0;

  // --- helpers ---
  void mkdir(const std::string& dir) { dirs.insert(strip(dir)); }
  void remove_tree(const std::string& dir) {
    std::string d = strip(dir), prefix = d + "/";
    std::erase_if(files, [&](const auto& kv) { return kv.first == d || kv.first.starts_with(prefix); });
    std::erase_if(scripted, [&](const auto& kv) { return kv.first.starts_with(prefix); });
    std::erase_if(dirs, [&](const std::string& x) { return x == d || x.starts_with(prefix); });
  }
  std::chrono::milliseconds elapsed() const { return elapsed_; }

  // --- System ---
  std::optional<std::string> read(const std::string& path) override {
    std::string p = strip(path);
    if (auto s = scripted.find(p); s != scripted.end() && !s->second.empty()) {
      std::string v = s->second.front();
      if (s->second.size() > 1) s->second.pop_front();
      return v;
    }
    if (auto f = files.find(p); f != files.end()) return f->second;
    return std::nullopt;
  }

  bool write(const std::string& path, const std::string& text, std::string& err) override {
    std::string p = strip(path);
    calls.push_back("write " + p + " " + text);
    if (auto w = write_error.find(p); w != write_error.end()) {
      err = w->second;
      return false;
    }
    if (!files.contains(p)) {
      err = "No such file or directory";
      return false;
    }
    files[p] = text;
    if (on_write) on_write(p, text);
    return true;
  }

  std::vector<std::string> list(const std::string& dir) override {
    std::string prefix = strip(dir) + "/";
    std::set<std::string> names;
    auto child = [&](const std::string& p) {
      if (p.size() > prefix.size() && p.starts_with(prefix))
        names.insert(p.substr(prefix.size(), p.find('/', prefix.size()) - prefix.size()));
    };
    for (const auto& [p, _] : files) child(p);
    for (const auto& [p, v] : scripted)
      if (!v.empty()) child(p);
    for (const auto& d : dirs) child(d);
    return {names.begin(), names.end()};
  }

  // "path/" asks for a directory, as access(2) does.
  bool exists(const std::string& path) override {
    std::string p = strip(path);
    bool is_dir = dirs.contains(p) || !list(p).empty();
    if (path.ends_with("/")) return is_dir;
    return is_dir || files.contains(p) || (scripted.contains(p) && !scripted[p].empty());
  }

  bool copy_atomic(const std::string& from, const std::string& to, std::string& err) override {
    calls.push_back("copy " + from + " " + to);
    if (!copy_error.empty()) {
      err = copy_error;
      return false;
    }
    auto f = files.find(strip(from));
    if (f == files.end()) {
      err = "No such file or directory";
      return false;
    }
    files[strip(to)] = f->second;
    return true;
  }

  bool remove(const std::string& path, std::string& err) override {
    calls.push_back("remove " + path);
    if (files.erase(strip(path)) == 0) {
      err = "no such file";
      return false;
    }
    return true;
  }

  int load_module(const std::string& path) override {
    calls.push_back("finit_module " + path);
    if (int e = next_errno(load_errno, path)) return e;
    if (on_load) on_load(path);
    return 0;
  }

  int delete_module(const std::string& name) override {
    calls.push_back("delete_module " + name);
    if (int e = next_errno(delete_errno, name)) return e;
    if (on_delete) on_delete(name);
    return 0;
  }

  std::string release() override { return kernel_release; }
  void sleep(std::chrono::milliseconds d) override {
    ++sleeps;
    elapsed_ += d;
  }
  std::chrono::steady_clock::time_point now() override { return std::chrono::steady_clock::time_point{} + elapsed_; }
  void log(const std::string& line) override { logs.push_back(line); }

 private:
  static std::string strip(std::string p) {
    while (p.size() > 1 && p.ends_with("/")) p.pop_back();
    return p;
  }
  static int next_errno(std::map<std::string, std::deque<int>>& m, const std::string& key) {
    auto it = m.find(key);
    if (it == m.end() || it->second.empty()) return 0;
    int e = it->second.front();
    it->second.pop_front();
    return e;
  }

  std::chrono::milliseconds elapsed_{0};
};

}  // namespace kpatch::testing
