// Everything the runtime manager touches on the machine: files under a
// root (so tests run against a fake /sys, /proc and /var/lib/kpatch), the
// module syscalls, the kernel release, and time.
//
// Writing under /var/lib/kpatch is done in small steps the manager orders
// itself (cli/install.cpp), so tests can assert the order: a new file under
// a name no one else can have (create_temp), written and fsync'd, renamed
// over the destination, then the directory fsync'd.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kpatch {

// A file open for writing; closed when destroyed.
class File {
 public:
  virtual ~File() = default;
  virtual const std::string& path() const = 0;
  virtual bool write(const std::string& data, std::string& err) = 0;
  virtual bool sync(std::string& err) = 0;  // fsync(2)
};

// An exclusive lock, held until destroyed.
class Lock {
 public:
  virtual ~Lock() = default;
};

class System {
 public:
  virtual ~System() = default;
  virtual std::optional<std::string> read(const std::string& path) = 0;
  virtual bool write(const std::string& path, const std::string& text, std::string& err) = 0;
  virtual std::vector<std::string> list(const std::string& dir) = 0;  // names, sorted
  virtual bool exists(const std::string& path) = 0;
  // A new file DIR/PREFIX + a unique suffix, created with O_EXCL (mode 0644),
  // so two processes never get the same one.
  virtual std::unique_ptr<File> create_temp(const std::string& dir, const std::string& prefix, std::string& err) = 0;
  virtual bool rename(const std::string& from, const std::string& to, std::string& err) = 0;
  virtual bool sync_dir(const std::string& dir, std::string& err) = 0;    // fsync(2) of a directory
  virtual bool make_dir(const std::string& dir, std::string& err) = 0;    // mkdir(2), mode 0755
  virtual bool remove(const std::string& path, std::string& err) = 0;     // unlink(2)
  virtual bool remove_dir(const std::string& dir, std::string& err) = 0;  // rmdir(2): only if empty
  // flock(LOCK_EX | LOCK_NB) on PATH, created if missing (mode 0600, its
  // directory 0755), with the holder's pid written into it. 0 and `lock`
  // set, EWOULDBLOCK while another process holds it, or another errno.
  virtual int try_lock(const std::string& path, std::unique_ptr<Lock>& lock) = 0;
  // finit_module(2) / delete_module(2); errno on failure, 0 on success.
  virtual int load_module(const std::string& path) = 0;
  virtual int delete_module(const std::string& name) = 0;
  virtual std::string release() = 0;  // uname -r
  virtual void sleep(std::chrono::milliseconds d) = 0;
  virtual std::chrono::steady_clock::time_point now() = 0;
  virtual void log(const std::string& line) = 0;  // to the kernel log / journal
  // `systemctl enable UNIT`: "" when done, why it failed, or nullopt when
  // there is no systemctl (no systemd: an initramfs, a container).
  virtual std::optional<std::string> enable_service(const std::string& unit) = 0;
};

class LinuxSystem : public System {
 public:
  explicit LinuxSystem(std::string root = "") : root_(std::move(root)) {}
  std::optional<std::string> read(const std::string& path) override;
  bool write(const std::string& path, const std::string& text, std::string& err) override;
  std::vector<std::string> list(const std::string& dir) override;
  bool exists(const std::string& path) override;
  std::unique_ptr<File> create_temp(const std::string& dir, const std::string& prefix, std::string& err) override;
  bool rename(const std::string& from, const std::string& to, std::string& err) override;
  bool sync_dir(const std::string& dir, std::string& err) override;
  bool make_dir(const std::string& dir, std::string& err) override;
  bool remove(const std::string& path, std::string& err) override;
  bool remove_dir(const std::string& dir, std::string& err) override;
  int try_lock(const std::string& path, std::unique_ptr<Lock>& lock) override;
  int load_module(const std::string& path) override;
  int delete_module(const std::string& name) override;
  std::string release() override;
  void sleep(std::chrono::milliseconds d) override;
  std::chrono::steady_clock::time_point now() override;
  void log(const std::string& line) override;
  std::optional<std::string> enable_service(const std::string& unit) override;

 private:
  std::string at(const std::string& p) const { return p.starts_with("/") ? root_ + p : p; }
  std::string root_;
};

}  // namespace kpatch
