#include "sys/signals.h"

#include <signal.h>

#include <atomic>

namespace kp {

namespace {

// Process-wide because a signal handler can reach nothing else.
volatile sig_atomic_t g_signal = 0;
std::atomic<bool> g_reported{false};
std::atomic<pid_t> g_group{0};

void on_stop(int signo) {
  if (g_signal == 0) g_signal = signo;
  pid_t group = g_group.load();
  if (!g_reported.load() && group > 0) kill(-group, SIGTERM);
}

}  // namespace

Interrupted::Interrupted(int signo) : std::runtime_error("stopped by " + signal_name(signo)), signo_(signo) {}

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocking read returns EINTR
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaction(s, &sa, nullptr);
  // A closed stderr (`kpatch-build ... 2>&1 | head`) must not kill the
  // build halfway with its tree mounted: writes then fail instead.
  // PosixRunner restores SIGPIPE for the commands it runs.
  signal(SIGPIPE, SIG_IGN);
}

int stop_signal() {
  return g_signal;
}

std::string signal_name(int signo) {
  switch (signo) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    default: return "signal " + std::to_string(signo);
  }
}

bool stop_pending() {
  return g_signal != 0 && !g_reported.load();
}

void throw_if_stopped() {
  if (!stop_pending()) return;
  g_reported = true;
  throw Interrupted(g_signal);
}

void set_running_group(pid_t pgid) {
  g_group = pgid;
  if (pgid > 0 && stop_pending()) kill(-pgid, SIGTERM);
}

void reset_stop_signal() {
  g_signal = 0;
  g_reported = false;
  g_group = 0;
}

}  // namespace kp
