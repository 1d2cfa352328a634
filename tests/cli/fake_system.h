// An in-memory machine for the runtime manager: files by path (directories
// are implied by the paths under them, or made explicitly), the module
// syscalls recorded with scripted errno results, a clock that moves only
// when the manager sleeps, scripted values for files the kernel changes on
// its own (a livepatch's `transition`), and the lines sent to the kernel log.
// Every step of writing under /var/lib/kpatch (create, write, fsync, close,
// rename, mkdir, rmdir, remove) and the lock (lock, unlock) is a recorded
// call that a test can make fail (`call_error`); escapes() lists the calls
// that touched anything outside /var/lib/kpatch and the patches' sysfs files.
//
// The fake knows nothing about livepatch; tests/cli/cli_fixture.h teaches it
// what the kernel does on finit_module, delete_module and `enabled` writes.
#pragma once

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <memory>
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
  std::map<std::string, std::string> write_error;  // path -> why a write fails
  // A recorded call (as in `calls`) -> why it fails: "fsync /var/lib/...".
  std::map<std::string, std::string> call_error;
  // errno results of successive try_lock calls; when none is left it succeeds.
  std::deque<int> lock_errno;
  // What enable_service returns: "" done, why it failed, nullopt no systemctl.
  std::optional<std::string> enable_result = "";

  // What the kernel does when a call succeeds (set by the fixture).
  std::function<void(const std::string& path)> on_load;
  std::function<void(const std::string& name)> on_delete;
  std::function<void(const std::string& path, const std::string& text)> on_write;
  std::function<void()> on_lock;  // when a lock is granted: what another process does meanwhile

  // --- what the manager did ---
  std::vector<std::string> calls;  // mutating calls, in order
  std::vector<std::string> logs;
  std::vector<std::string> enabled_services;  // enable_service calls, in order
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

  // Temporary names end in a counter instead of mkostemp's random letters:
  // DIR/PREFIX000001, then 000002, skipping names that exist (O_EXCL).
  std::unique_ptr<File> create_temp(const std::string& dir, const std::string& prefix, std::string& err) override {
    std::string path;
    do {
      std::string n = std::to_string(++temp_counter_);
      path = strip(dir) + "/" + prefix + std::string(6 - std::min<size_t>(6, n.size()), '0') + n;
    } while (files.contains(path));
    if (!call("create " + path, err)) return nullptr;
    files[path] = "";
    return std::make_unique<FakeFile>(*this, path);
  }

  bool rename(const std::string& from, const std::string& to, std::string& err) override {
    if (!call("rename " + from + " " + to, err)) return false;
    auto f = files.find(strip(from));
    if (f == files.end()) return fail(err, "No such file or directory");
    std::string data = std::move(f->second);
    files.erase(f);
    files[strip(to)] = std::move(data);
    return true;
  }

  bool sync_dir(const std::string& dir, std::string& err) override { return call("fsync " + dir, err); }

  bool make_dir(const std::string& dir, std::string& err) override {
    if (!call("mkdir " + dir, err)) return false;
    if (exists(dir)) return fail(err, "File exists");
    mkdir(dir);
    return true;
  }

  bool remove(const std::string& path, std::string& err) override {
    if (!call("remove " + path, err)) return false;
    if (files.erase(strip(path)) == 0) return fail(err, "No such file or directory");
    return true;
  }

  bool remove_dir(const std::string& dir, std::string& err) override {
    if (!call("rmdir " + dir, err)) return false;
    if (!list(dir).empty()) return fail(err, "Directory not empty");
    dirs.erase(strip(dir));
    return true;
  }

  // The lock file is created; a test that wants a holder's pid in it sets
  // files["/var/lib/kpatch/.lock"].
  int try_lock(const std::string& path, std::unique_ptr<Lock>& lock) override {
    calls.push_back("lock " + path);
    if (!lock_errno.empty()) {
      int e = lock_errno.front();
      lock_errno.pop_front();
      if (e) return e;
    }
    files.try_emplace(strip(path), "");
    lock = std::make_unique<FakeLock>(*this, path);
    if (on_lock) on_lock();
    return 0;
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

  // Calls that changed a file outside /var/lib/kpatch (or, for `write`,
  // outside /sys/kernel/livepatch), or named a path with a "." or ".."
  // component: none, whatever a test feeds the manager.
  std::vector<std::string> escapes() const {
    std::vector<std::string> out;
    for (const auto& c : calls) {
      std::string op = c.substr(0, c.find(' '));
      if (op == "finit_module" || op == "delete_module") continue;
      std::vector<std::string> paths = {c.substr(op.size() + 1, c.find(' ', op.size() + 1) - op.size() - 1)};
      if (op == "rename") paths.push_back(c.substr(c.rfind(' ') + 1));
      for (const auto& p : paths)
        if (!(under(p, "/var/lib/kpatch") || (op == "write" && under(p, "/sys/kernel/livepatch")))) out.push_back(c);
    }
    return out;
  }

  std::string release() override { return kernel_release; }
  void sleep(std::chrono::milliseconds d) override {
    ++sleeps;
    elapsed_ += d;
  }
  std::chrono::steady_clock::time_point now() override { return std::chrono::steady_clock::time_point{} + elapsed_; }
  void log(const std::string& line) override { logs.push_back(line); }
  std::optional<std::string> enable_service(const std::string& unit) override {
    enabled_services.push_back(unit);
    return enable_result;
  }

 private:
  class FakeFile : public File {
   public:
    FakeFile(FakeSystem& sys, std::string path) : sys_(sys), path_(std::move(path)) {}
    ~FakeFile() override { sys_.calls.push_back("close " + path_); }
    const std::string& path() const override { return path_; }
    bool write(const std::string& data, std::string& err) override {
      if (!sys_.call("write " + path_ + " (" + std::to_string(data.size()) + " bytes)", err)) return false;
      sys_.files[path_] += data;
      return true;
    }
    bool sync(std::string& err) override { return sys_.call("fsync " + path_, err); }

   private:
    FakeSystem& sys_;
    std::string path_;
  };

  class FakeLock : public Lock {
   public:
    FakeLock(FakeSystem& sys, std::string path) : sys_(sys), path_(std::move(path)) {}
    ~FakeLock() override { sys_.calls.push_back("unlock " + path_); }

   private:
    FakeSystem& sys_;
    std::string path_;
  };

  // Records `c`; false with the scripted error if it is to fail.
  bool call(const std::string& c, std::string& err) {
    calls.push_back(c);
    auto e = call_error.find(c);
    return e == call_error.end() || fail(err, e->second);
  }
  static bool fail(std::string& err, const std::string& why) {
    err = why;
    return false;
  }
  // `p` is `dir` or below it, with no empty, "." or ".." component.
  static bool under(const std::string& p, const std::string& dir) {
    if (p != dir && !p.starts_with(dir + "/")) return false;
    for (size_t pos = 1; pos <= p.size();) {
      size_t end = std::min(p.find('/', pos), p.size());
      std::string part = p.substr(pos, end - pos);
      if (part.empty() || part == "." || part == "..") return false;
      pos = end + 1;
    }
    return true;
  }
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
  int temp_counter_ = 0;
};

}  // namespace kpatch::testing
