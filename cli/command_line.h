// The command line of kpatch, as the classic tool takes it: a command, then
// options anywhere (`-k KVER`, `-kKVER`, `--kernel-version=KVER`, ...) and
// arguments. Parsed apart from main() so tests can feed it argv.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "manager.h"

namespace kpatch {

// The project version (CMakeLists.txt project(kpatch VERSION ...)).
inline constexpr const char* kVersion = KPATCH_VERSION;
extern const char* const kUsage;

struct CommandLine {
  std::string command;
  std::vector<std::string> args;
  bool all = false;
  Options opt;
};

// argv without the program name. On a usage error, prints why (and the
// usage) to `err` and returns nullopt.
std::optional<CommandLine> parse_command_line(const std::vector<std::string>& argv, std::ostream& err);

// Runs a parsed command: its exit status.
int run(const CommandLine& cl, System& sys, std::ostream& out, std::ostream& err);

}  // namespace kpatch
