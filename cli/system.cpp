#include "system.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace kpatch {

namespace fs = std::filesystem;

std::optional<std::string> LinuxSystem::read(const std::string& path) {
  std::ifstream in(at(path), std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream b;
  b << in.rdbuf();
  return b.str();
}

bool LinuxSystem::write(const std::string& path, const std::string& text, std::string& err) {
  int fd = ::open(at(path).c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    err = std::strerror(errno);
    return false;
  }
  ssize_t n = ::write(fd, text.data(), text.size());
  int e = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size())) {
    err = std::strerror(e);
    return false;
  }
  return true;
}

std::vector<std::string> LinuxSystem::list(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(at(dir), ec)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

bool LinuxSystem::exists(const std::string& path) {
  return ::access(at(path).c_str(), F_OK) == 0;
}

namespace {

class FdFile : public File {
 public:
  FdFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~FdFile() override { ::close(fd_); }
  const std::string& path() const override { return path_; }
  bool write(const std::string& data, std::string& err) override {
    for (size_t done = 0; done < data.size();) {
      ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return fail(err);
      done += static_cast<size_t>(n);
    }
    return true;
  }
  bool sync(std::string& err) override { return ::fsync(fd_) == 0 || fail(err); }

 private:
  static bool fail(std::string& err) {
    err = std::strerror(errno);
    return false;
  }
  int fd_;
  std::string path_;
};

class FlockLock : public Lock {
 public:
  explicit FlockLock(int fd) : fd_(fd) {}
  ~FlockLock() override { ::close(fd_); }  // releases the flock

 private:
  int fd_;
};

bool errno_false(std::string& err) {
  err = std::strerror(errno);
  return false;
}

}  // namespace

std::unique_ptr<File> LinuxSystem::create_temp(const std::string& dir, const std::string& prefix, std::string& err) {
  std::string name = dir + "/" + prefix + "XXXXXX";
  std::string real = at(name);
  int fd = ::mkostemp(real.data(), O_CLOEXEC);
  if (fd < 0 || ::fchmod(fd, 0644) != 0) {
    errno_false(err);
    if (fd >= 0) {
      ::unlink(real.c_str());
      ::close(fd);
    }
    return nullptr;
  }
  name.replace(name.size() - 6, 6, real.substr(real.size() - 6));
  return std::make_unique<FdFile>(fd, name);
}

bool LinuxSystem::rename(const std::string& from, const std::string& to, std::string& err) {
  return ::rename(at(from).c_str(), at(to).c_str()) == 0 || errno_false(err);
}

bool LinuxSystem::sync_dir(const std::string& dir, std::string& err) {
  int fd = ::open(at(dir).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_false(err);
  bool ok = ::fsync(fd) == 0 || errno_false(err);
  ::close(fd);
  return ok;
}

bool LinuxSystem::make_dir(const std::string& dir, std::string& err) {
  return ::mkdir(at(dir).c_str(), 0755) == 0 || errno_false(err);
}

bool LinuxSystem::remove(const std::string& path, std::string& err) {
  return ::unlink(at(path).c_str()) == 0 || errno_false(err);
}

bool LinuxSystem::remove_dir(const std::string& dir, std::string& err) {
  return ::rmdir(at(dir).c_str()) == 0 || errno_false(err);
}

int LinuxSystem::try_lock(const std::string& path, std::unique_ptr<Lock>& lock) {
  std::string real = at(path);
  constexpr int flags = O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW;
  int fd = ::open(real.c_str(), flags, 0600);
  if (fd < 0 && errno == ENOENT) {
    // Every missing directory up to the lock's (a fresh system or a
    // minimal initramfs has no /var/lib yet), each 0755.
    fs::path dir;
    for (const auto& part : fs::path(real).parent_path()) {
      dir /= part;
      ::mkdir(dir.c_str(), 0755);
    }
    fd = ::open(real.c_str(), flags, 0600);
  }
  if (fd < 0) return errno;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    ::close(fd);
    return e;
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) {
    [[maybe_unused]] ssize_t n = ::pwrite(fd, pid.data(), pid.size(), 0);
  }
  lock = std::make_unique<FlockLock>(fd);
  return 0;
}

int LinuxSystem::load_module(const std::string& path) {
  int fd = ::open(at(path).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  long r = ::syscall(SYS_finit_module, fd, "", 0);
  int e = errno;
  ::close(fd);
  return r == 0 ? 0 : e;
}

int LinuxSystem::delete_module(const std::string& name) {
  long r = ::syscall(SYS_delete_module, name.c_str(), O_NONBLOCK);
  return r == 0 ? 0 : errno;
}

std::string LinuxSystem::release() {
  if (const char* v = std::getenv("KPATCH_RELEASE"); v && *v) return v;  // tests
  utsname u{};
  ::uname(&u);
  return u.release;
}

void LinuxSystem::sleep(std::chrono::milliseconds d) {
  std::this_thread::sleep_for(d);
}

std::chrono::steady_clock::time_point LinuxSystem::now() {
  return std::chrono::steady_clock::now();
}

void LinuxSystem::log(const std::string& line) {
  int fd = ::open(at("/dev/kmsg").c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return;
  std::string msg = "kpatch: " + line + "\n";
  [[maybe_unused]] ssize_t n = ::write(fd, msg.data(), msg.size());
  ::close(fd);
}

// systemctl from PATH, run with the root's --root (KPATCH_ROOT) so a test
// root is enabled in, not the machine; --quiet: no "Created symlink" noise.
std::optional<std::string> LinuxSystem::enable_service(const std::string& unit) {
  std::string systemctl;
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path && *path ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
  for (std::string dir; systemctl.empty() && std::getline(dirs, dir, ':');)
    if (!dir.empty() && ::access((dir + "/systemctl").c_str(), X_OK) == 0) systemctl = dir + "/systemctl";
  if (systemctl.empty()) return std::nullopt;
  std::vector<std::string> args = {systemctl, "--quiet", "--no-ask-password"};
  if (!root_.empty()) args.push_back("--root=" + root_);
  args.insert(args.end(), {"enable", unit});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return std::string(std::strerror(errno));
  if (pid == 0) {
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return std::string(std::strerror(errno));
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return std::string();
  if (WIFEXITED(status)) return "systemctl exited with status " + std::to_string(WEXITSTATUS(status));
  return "systemctl was killed by signal " + std::to_string(WTERMSIG(status));
}

}  // namespace kpatch
