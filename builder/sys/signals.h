// Stopping a build on SIGINT, SIGTERM or SIGHUP, with everything cleaned up.
//
// The handler only records the signal and passes SIGTERM on to the process
// groups of the commands running at the time (PosixRunner starts each
// command in a group of its own, so make's gcc children stop too). The
// runner then throws Interrupted at its next step, build_one() releases
// the private tree and removes the work directory, and main() exits
// 128+signal. Commands run after that (the cleanup) are not stopped.
//
// Several kernels may build at once, one thread each (pipeline/matrix.h):
// each thread has its own running group (a slot of a fixed table the
// handler can walk) and is told of the stop once, by its own Interrupted,
// so that each cleans up its own build.
#pragma once

#include <sys/types.h>

#include <stdexcept>
#include <string>

namespace kp {

class Interrupted : public std::runtime_error {
 public:
  explicit Interrupted(int signo);
  int signo() const { return signo_; }

 private:
  int signo_;
};

// Installs the handlers and ignores SIGPIPE (main() only).
void install_stop_handlers();
// The first stop signal received, or 0.
int stop_signal();
// "SIGINT", "SIGTERM", "SIGHUP".
std::string signal_name(int signo);
// Throws Interrupted the first time it is called in this thread after a
// stop signal; later calls (during cleanup) return.
void throw_if_stopped();

// For PosixRunner: the process group of this thread's running command (0:
// none). A stop signal that came before the group was known is passed on
// here. At most kMaxRunningGroups threads run commands at once.
inline constexpr int kMaxRunningGroups = 64;
void set_running_group(pid_t pgid);
// Whether a stop signal was received and not yet reported to this thread:
// commands started now are stopped at once.
bool stop_pending();
// For tests: forget any signal received.
void reset_stop_signal();

}  // namespace kp
