#include "sys/signals.h"

#include <signal.h>

#include <array>
#include <atomic>

namespace kp {

namespace {

// Process-wide because a signal handler can reach nothing else: the
// signal, and the running group of each thread that runs commands (a slot
// claimed by the thread's first command, kept for its life).
volatile sig_atomic_t g_signal = 0;
std::array<std::atomic<pid_t>, kMaxRunningGroups> g_groups{};
std::atomic<int> g_next_slot{0};
// Per thread: whether this thread was told (its cleanup's commands are not
// stopped), and its slot.
thread_local bool t_reported = false;
thread_local int t_slot = -1;

void on_stop(int signo) {
  if (g_signal == 0) g_signal = signo;
  for (auto& group : g_groups) {
    pid_t g = group.load();
    if (g > 0) kill(-g, SIGTERM);
  }
}

std::atomic<pid_t>* my_slot() {
  if (t_slot < 0) t_slot = g_next_slot.fetch_add(1);
  if (t_slot >= kMaxRunningGroups) return nullptr;  // not stopped by the handler, only at the next step
  return &g_groups[static_cast<size_t>(t_slot)];
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
  return g_signal != 0 && !t_reported;
}

void throw_if_stopped() {
  if (!stop_pending()) return;
  t_reported = true;
  if (auto* slot = my_slot()) slot->store(0);
  throw Interrupted(g_signal);
}

void set_running_group(pid_t pgid) {
  auto* slot = my_slot();
  // Once told, this thread's commands are its cleanup: left to finish.
  if (slot) slot->store(t_reported ? 0 : pgid);
  if (pgid > 0 && stop_pending()) kill(-pgid, SIGTERM);
}

void reset_stop_signal() {
  g_signal = 0;
  t_reported = false;
  for (auto& group : g_groups) group.store(0);
}

}  // namespace kp
