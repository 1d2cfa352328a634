// Everything the runtime manager touches on the machine: files under a
// root (so tests run against a fake /sys, /proc and /var/lib/kpatch), the
// module syscalls, the kernel release, and time.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace kpatch {

class System {
 public:
  virtual ~System() = default;
  virtual std::optional<std::string> read(const std::string& path) = 0;
  virtual bool write(const std::string& path, const std::string& text, std::string& err) = 0;
  virtual std::vector<std::string> list(const std::string& dir) = 0;  // names, sorted
  virtual bool exists(const std::string& path) = 0;
  virtual bool copy_atomic(const std::string& from, const std::string& to, std::string& err) = 0;
  virtual bool remove(const std::string& path, std::string& err) = 0;
  // finit_module(2) / delete_module(2); errno on failure, 0 on success.
  virtual int load_module(const std::string& path) = 0;
  virtual int delete_module(const std::string& name) = 0;
  virtual std::string release() = 0;  // uname -r
  virtual void sleep(std::chrono::milliseconds d) = 0;
  virtual std::chrono::steady_clock::time_point now() = 0;
  virtual void log(const std::string& line) = 0;  // to the kernel log / journal
};

class LinuxSystem : public System {
 public:
  explicit LinuxSystem(std::string root = "") : root_(std::move(root)) {}
  std::optional<std::string> read(const std::string& path) override;
  bool write(const std::string& path, const std::string& text, std::string& err) override;
  std::vector<std::string> list(const std::string& dir) override;
  bool exists(const std::string& path) override;
  bool copy_atomic(const std::string& from, const std::string& to, std::string& err) override;
  bool remove(const std::string& path, std::string& err) override;
  int load_module(const std::string& path) override;
  int delete_module(const std::string& name) override;
  std::string release() override;
  void sleep(std::chrono::milliseconds d) override;
  std::chrono::steady_clock::time_point now() override;
  void log(const std::string& line) override;

 private:
  std::string at(const std::string& p) const { return p.starts_with("/") ? root_ + p : p; }
  std::string root_;
};

}  // namespace kpatch
