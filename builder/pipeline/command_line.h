// kpatch-build's command line, compatible with the classic tool's: its
// options and their getopt forms (--name=foo, -nfoo, bundled short flags
// such as -dR, -j4), its exit codes (-h: usage and 0; a bad option: usage
// and 1) and its messages ("Invalid number of make jobs"), with our own
// interface (manifests, bundles, --kernel) on top. Options of the classic
// tool that have no meaning for Debian kernels are refused with what to use
// instead, never silently ignored.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "pipeline/context.h"

namespace kp {

extern const char* const kBuildUsage;

// Fills `cfg` from `args` (argv without the program name). Returns -1 when
// the build should run, else the exit status (after printing usage, the
// version or the reason on `out`/`err`).
int parse_build_command_line(const std::vector<std::string>& args, BuildConfig& cfg, std::ostream& out,
                             std::ostream& err);

}  // namespace kp
