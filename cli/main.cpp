// kpatch: the runtime manager. Command line compatible with the classic
// tool; see docs/kpatch.md and cli/command_line.h.
#include <cstdlib>
#include <iostream>

#include "command_line.h"

int main(int argc, char** argv) {
  auto cl = kpatch::parse_command_line(std::vector<std::string>(argv + 1, argv + argc), std::cerr);
  if (!cl) return 1;
  kpatch::LinuxSystem sys(std::getenv("KPATCH_ROOT") ? std::getenv("KPATCH_ROOT") : "");
  return kpatch::run(*cl, sys, std::cout, std::cerr);
}
