// One diagnostics sink for every tool of the builder.
//
// Messages name where the problem is, in the order a patch author looks for
// it: `file: section+0xoff (symbol): severity: text [tag]`. The tag is stable
// and each one is documented in docs/diagnostics.md.
//
// Two kinds of failure:
//   - unsupported(): the input is fine but the change cannot be live patched.
//     These accumulate so one run reports every problem; checkpoint() then
//     stops the run with ExitCode::Unsupported.
//   - fatal(): the input itself is broken (corrupt ELF, unreadable file) or an
//     internal invariant failed. Thrown as kp::Fatal, caught only in main().
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>

namespace kp {

// Exit codes of create-diff-object, compatible with the classic tool.
enum class ExitCode : int { Ok = 0, Error = 1, Unsupported = 2, NoChange = 3 };

struct Where {
  std::string file;
  std::string section;
  std::optional<uint64_t> offset;
  std::string symbol;

  std::string str() const;
};

// Thrown for broken input or internal errors; main() turns it into exit 1.
class Fatal : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Thrown by Diag::checkpoint() when unsupported changes were reported.
class Refused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Diag {
 public:
  explicit Diag(std::ostream& out, std::ostream& err) : out_(out), err_(err) {}

  void set_debug(bool on) { debug_ = on; }

  [[noreturn]] void fatal(const Where& where, const std::string& msg, const std::string& tag);
  void unsupported(const Where& where, const std::string& msg, const std::string& tag);
  void warn(const Where& where, const std::string& msg, const std::string& tag);
  void debug(const std::string& msg);
  // A result line on stdout, e.g. "cmdline.o: changed function: foo".
  void result(const std::string& line);

  int refusals() const { return refusals_; }
  // Throws Refused if any unsupported change was reported since the start.
  void checkpoint() const;

 private:
  std::ostream& out_;
  std::ostream& err_;
  bool debug_ = false;
  int refusals_ = 0;
};

std::string format_message(const Where& where, const char* severity, const std::string& msg,
                           const std::string& tag);

std::string hex(uint64_t v);

}  // namespace kp
