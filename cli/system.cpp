#include "system.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

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

bool LinuxSystem::exists(const std::string& path) { return ::access(at(path).c_str(), F_OK) == 0; }

bool LinuxSystem::copy_atomic(const std::string& from, const std::string& to, std::string& err) {
  std::error_code ec;
  fs::path dst = at(to);
  fs::create_directories(dst.parent_path(), ec);
  fs::path tmp = dst;
  tmp += ".tmp";
  if (!fs::copy_file(at(from), tmp, fs::copy_options::overwrite_existing, ec)) {
    err = ec.message();
    return false;
  }
  fs::rename(tmp, dst, ec);
  if (ec) {
    err = ec.message();
    fs::remove(tmp, ec);
    return false;
  }
  return true;
}

bool LinuxSystem::remove(const std::string& path, std::string& err) {
  std::error_code ec;
  if (!fs::remove(at(path), ec)) {
    err = ec ? ec.message() : "no such file";
    return false;
  }
  return true;
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

void LinuxSystem::sleep(std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }

std::chrono::steady_clock::time_point LinuxSystem::now() { return std::chrono::steady_clock::now(); }

void LinuxSystem::log(const std::string& line) {
  int fd = ::open(at("/dev/kmsg").c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return;
  std::string msg = "kpatch: " + line + "\n";
  [[maybe_unused]] ssize_t n = ::write(fd, msg.data(), msg.size());
  ::close(fd);
}

}  // namespace kpatch
