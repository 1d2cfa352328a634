#include "sys/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <optional>

#include "support/diag.h"
#include "support/terminal.h"
#include "sys/signals.h"

extern char** environ;

namespace kp {

std::string Command::str() const {
  std::string s;
  for (const auto& e : env) s += e + " ";
  for (size_t i = 0; i < argv.size(); ++i) {
    if (i) s += ' ';
    bool quote = argv[i].find_first_of(" \t'\"$") != std::string::npos || argv[i].empty();
    s += quote ? "'" + argv[i] + "'" : argv[i];
  }
  if (!cwd.empty()) s += "  (in " + cwd + ")";
  return s;
}

namespace {

[[noreturn]] void exec_child(const Command& cmd, int out_fd) {
  setpgid(0, 0);             // a group of its own, stopped as one (sys/signals.h)
  signal(SIGPIPE, SIG_DFL);  // kpatch-build ignores it; its commands do not
  dup2(out_fd, STDOUT_FILENO);
  dup2(out_fd, STDERR_FILENO);
  int devnull = open("/dev/null", O_RDONLY);
  if (devnull >= 0) dup2(devnull, STDIN_FILENO);
  if (!cmd.cwd.empty() && chdir(cmd.cwd.c_str()) != 0) {
    dprintf(out_fd, "cannot enter %s: %s\n", cmd.cwd.c_str(), strerror(errno));
    _exit(127);
  }
  for (const auto& e : cmd.env) putenv(const_cast<char*>(e.c_str()));
  std::vector<char*> argv;
  for (const auto& a : cmd.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());
  dprintf(out_fd, "cannot run %s: %s\n", argv[0], strerror(errno));
  _exit(127);
}

// The command's output until every process of its group has closed it. A
// group that a stop signal did not end within 5 s is killed.
ProcResult collect(int fd, pid_t group) {
  ProcResult r;
  char buf[65536];
  std::optional<std::chrono::steady_clock::time_point> stopped;
  for (;;) {
    if (stop_pending() && !stopped) stopped = std::chrono::steady_clock::now();
    if (stopped && std::chrono::steady_clock::now() - *stopped > std::chrono::seconds(5)) kill(-group, SIGKILL);
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, stopped ? 200 : -1) <= 0) continue;  // EINTR or the timeout: look at the signal again
    ssize_t n = read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    r.output.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return r;
}

// After a stop signal: every process of the group gone, not only those
// that held the output pipe (one writing elsewhere outlives it), so that
// the tree can be unmounted. SIGKILL after 5 s; give up after 10.
void wait_group_gone(pid_t group) {
  auto begin = std::chrono::steady_clock::now();
  while (kill(-group, 0) == 0) {
    auto waited = std::chrono::steady_clock::now() - begin;
    if (waited > std::chrono::seconds(10)) return;
    kill(-group, waited > std::chrono::seconds(5) ? SIGKILL : SIGTERM);
    usleep(50'000);
  }
}

}  // namespace

ProcResult PosixRunner::run(const Command& cmd) {
  if (cmd.argv.empty()) throw Fatal("internal error: empty command");
  throw_if_stopped();
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw Fatal(std::string("pipe: ") + strerror(errno));
  pid_t pid = fork();
  if (pid < 0) throw Fatal(std::string("fork: ") + strerror(errno));
  if (pid == 0) {
    close(fds[0]);
    exec_child(cmd, fds[1]);
  }
  close(fds[1]);
  setpgid(pid, pid);  // also here: whichever runs first, the group exists before it is signalled
  set_running_group(pid);
  ProcResult r = collect(fds[0], pid);
  set_running_group(0);
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  if (stop_pending()) wait_group_gone(pid);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  std::string logged = "$ " + cmd.str() + '\n' + r.output;
  if (r.status != 0) logged += "(exit status " + std::to_string(r.status) + ")\n";
  if (!log_.empty()) std::ofstream(log_, std::ios::app) << logged;
  if (echo_) *echo_ << terminal_safe(logged) << std::flush;
  throw_if_stopped();  // a command cut short by a stop signal: its result means nothing
  return r;
}

}  // namespace kp
