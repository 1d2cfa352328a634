// What changes /var/lib/kpatch, and the lock that keeps two kpatch runs from
// changing it, or the loaded patches, at the same time.
//
// kpatch.service (`load --all` at boot), a patch package's postinst
// (`install`, then `load`) and an operator can run at once. Without a lock,
// two installs of one module raced on one temporary file, and a load could
// see a half-done unload. Every command that changes /var/lib/kpatch or
// loads or unloads takes an exclusive flock on /var/lib/kpatch/.lock for its
// whole run, after its arguments and module file are checked and before it
// looks at the state it changes. A second run waits, saying once whom it
// waits for, up to --lock-timeout seconds (default 300: a load can take twice
// --timeout plus a few seconds) and then gives up having changed nothing.
// `signal`, `list`, `info` and `status` never take it: `signal` exists to
// unstick the transition of a load that holds it.
//
// A module is installed from the bytes that were checked (not copied again
// by name, which could by then be another file), written to a file that
// only this run can have (O_EXCL, random suffix), fsync'd, renamed over the
// destination, and the directory fsync'd: after a crash the destination is
// the old module or the new one, whole.
#include <cerrno>
#include <cstring>

#include "manager.h"

namespace kpatch {

namespace {

const std::string kLibDir = "/var/lib/kpatch";
const std::string kLockFile = kLibDir + "/.lock";
constexpr std::chrono::milliseconds kLockPoll{100};

}  // namespace

int Manager::locked(const std::function<int()>& fn) {
  if (lock_) return fn();
  if (!acquire_lock()) return 1;
  int status = fn();
  lock_.reset();
  return status;
}

bool Manager::acquire_lock() {
  auto deadline = sys_.now() + opt_.lock_timeout;
  for (bool told = false;; told = true) {
    int e = sys_.try_lock(kLockFile, lock_);
    if (e == 0) return true;
    if (e != EWOULDBLOCK) {
      fail("cannot lock " + kLockFile + ": " + std::strerror(e));
      return false;
    }
    std::string pid = sys_.read(kLockFile).value_or("");
    while (!pid.empty() && pid.back() == '\n') pid.pop_back();
    std::string holder = pid.empty() ? "another kpatch" : "another kpatch (pid " + pid + ")";
    if (sys_.now() >= deadline) {
      fail(holder + " still holds " + kLockFile + " after " + std::to_string(opt_.lock_timeout.count()) +
           "s; nothing done (--lock-timeout SECS waits longer)");
      return false;
    }
    if (!told) err_ << "kpatch: waiting for " << printable(holder) << " to finish (" << kLockFile << ")\n";
    sys_.sleep(kLockPoll);
  }
}

// DIR/NAME replaced by DATA, whole or not at all.
bool Manager::write_atomic(const std::string& dir, const std::string& name, const std::string& data, std::string& err) {
  auto file = sys_.create_temp(dir, "." + name + ".", err);
  if (!file) return false;
  std::string tmp = file->path();
  bool ok = file->write(data, err) && file->sync(err);
  file.reset();  // closed
  ok = ok && sys_.rename(tmp, dir + "/" + name, err);
  std::string ignored;
  if (!ok) sys_.remove(tmp, ignored);
  return ok && sys_.sync_dir(dir, err);
}

int Manager::install(const std::string& file) {
  auto kernel = target_kernel();
  std::string image;
  auto m = kernel ? read_module(file, &image) : std::nullopt;
  if (!m) return 1;
  if (m->info.vermagic_release() != *kernel)
    return fail(file + ": built for kernel " + m->info.vermagic_release() + ", not " + *kernel);
  if (int status = locked([&] { return install_locked(*m, *kernel, image); }); status != 0) return status;
  // As the classic kpatch: what is installed is loaded at boot, by
  // kpatch.service. Without systemd, nothing to enable.
  if (auto why = sys_.enable_service("kpatch.service"); why && !why->empty())
    warn("cannot enable kpatch.service (" + *why + "); installed patches are not loaded at boot until it is enabled");
  return 0;
}

int Manager::install_locked(const Installed& m, const std::string& release, const std::string& image) {
  std::string dir = kLibDir + "/" + release, name = m.info.name() + ".ko", why;
  bool made = false;
  if (!sys_.exists(dir + "/")) {
    if (!sys_.make_dir(dir, why) || !sys_.sync_dir(kLibDir, why)) return fail("cannot create " + dir + ": " + why);
    made = true;
  }
  if (auto old = sys_.read(dir + "/" + name)) {
    if (*old == image) {
      out_ << m.info.name() << " is already installed for " << release << '\n';
      return 0;
    }
    if (!opt_.force)
      return fail(m.info.name() + " is already installed for " + release +
                  ", with different contents (--force to replace it)");
  }
  if (!write_atomic(dir, name, image, why)) {
    std::string ignored;
    if (made) sys_.remove_dir(dir, ignored);
    return fail("cannot install " + dir + "/" + name + ": " + why);
  }
  out_ << "installed " << m.info.name() << " for " << release << '\n';
  return 0;
}

int Manager::uninstall(const std::string& target) {
  auto name = module_name_arg(target);
  auto kernel = name ? target_kernel() : std::nullopt;
  if (!kernel) return 1;
  return locked([&] { return uninstall_locked(*name, *kernel); });
}

// A release directory left empty is removed too.
int Manager::uninstall_locked(const std::string& name, const std::string& release) {
  std::string dir = kLibDir + "/" + release, path = installed_path(release, name), why;
  if (!sys_.exists(path)) return fail(name + " is not installed for " + release);
  if (!sys_.remove(path, why) || !sys_.sync_dir(dir, why)) return fail("cannot remove " + path + ": " + why);
  if (sys_.list(dir).empty() && (!sys_.remove_dir(dir, why) || !sys_.sync_dir(kLibDir, why)))
    warn("cannot remove the empty directory " + dir + ": " + why);
  out_ << "uninstalled " << name << " for " << release << '\n';
  return 0;
}

}  // namespace kpatch
