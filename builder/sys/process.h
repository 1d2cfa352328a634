// Running other programs, behind an interface so the builder's logic can
// be tested with a fake that records commands instead of building kernels.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace kp {

struct Command {
  std::vector<std::string> argv;
  std::string cwd;               // empty: inherit
  std::vector<std::string> env;  // NAME=VALUE added to the environment

  std::string str() const;       // shell-like rendering for logs and tests
};

struct ProcResult {
  int status = 0;      // exit status, or 128+signal
  std::string output;  // stdout and stderr, interleaved
};

class Runner {
 public:
  virtual ~Runner() = default;
  virtual ProcResult run(const Command& cmd) = 0;
  // Where the output of later commands is logged, if anywhere.
  virtual void set_log(const std::string& /*path*/) {}
};

// Runs commands for real. Output is captured and appended to `log` (if
// non-empty), each command preceded by a "$ command" line.
class PosixRunner : public Runner {
 public:
  explicit PosixRunner(std::string log) : log_(std::move(log)) {}
  ProcResult run(const Command& cmd) override;
  void set_log(const std::string& path) override { log_ = path; }
  // Also writes what goes to the log to `echo` (terminal-safe), after each
  // command: kpatch-build -dd, as classic kpatch-build's log goes to stdout.
  void set_echo(std::ostream* echo) { echo_ = echo; }

 private:
  std::string log_;
  std::ostream* echo_ = nullptr;
};

}  // namespace kp
