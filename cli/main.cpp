// kpatch: the runtime manager. Command line compatible with the classic
// tool; see docs/kpatch.md.
#include <charconv>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "manager.h"

namespace {

constexpr const char* kUsage =
    "usage: kpatch <command> [options]\n"
    "  install [-k KVER] MODULE.ko    install a patch module for a kernel release\n"
    "  uninstall [-k KVER] NAME       remove an installed patch module\n"
    "  load MODULE.ko|NAME|--all      load patch modules into the running kernel\n"
    "  unload NAME|--all              disable and remove loaded patch modules\n"
    "  list [--json]                  loaded and installed patch modules\n"
    "  info NAME|MODULE.ko [--json]   what a patch module contains\n"
    "  status [--json]                running kernel, live patches, CVEs fixed live\n"
    "  signal                         signal tasks blocking a transition\n"
    "  version                        print the version\n"
    "options: --force (load despite a kernel mismatch), --timeout SECS (default 60),\n"
    "  --lock-timeout SECS (wait for another kpatch run, default 300)\n";

constexpr const char* kVersion = "0.1.0";

// A whole number of seconds, 0 or more, for OPTION.
std::optional<std::chrono::seconds> seconds(const std::string& option, std::string_view v) {
  long secs = -1;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), secs);
  if (ec == std::errc() && end == v.data() + v.size() && secs >= 0) return std::chrono::seconds(secs);
  std::cerr << "kpatch: " << option << " takes a number of seconds, not '" << kpatch::printable(v) << "'\n" << kUsage;
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return 1;
  }
  std::string cmd = argv[1];
  kpatch::Options opt;
  std::vector<std::string> args;
  bool all = false;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--json")
      opt.json = true;
    else if (a == "--force" || a == "-f")
      opt.force = true;
    else if (a == "--all" || a == "-a")
      all = true;
    else if ((a == "-k" || a == "--kernel") && i + 1 < argc)
      opt.kernel = argv[++i];
    else if ((a == "--timeout" || a == "--lock-timeout") && i + 1 < argc) {
      auto secs = seconds(a, argv[++i]);
      if (!secs) return 1;
      (a == "--timeout" ? opt.timeout : opt.lock_timeout) = *secs;
    } else if (a.starts_with("-")) {
      std::cerr << "kpatch: unknown option " << kpatch::printable(a) << '\n' << kUsage;
      return 1;
    } else
      args.push_back(a);
  }
  kpatch::LinuxSystem sys(std::getenv("KPATCH_ROOT") ? std::getenv("KPATCH_ROOT") : "");
  kpatch::Manager m(sys, std::cout, std::cerr, opt);
  auto one = [&](auto fn) {
    if (args.size() != 1) {
      std::cerr << kUsage;
      return 1;
    }
    return (m.*fn)(args[0]);
  };
  if (cmd == "install") return one(&kpatch::Manager::install);
  if (cmd == "uninstall") return one(&kpatch::Manager::uninstall);
  if (cmd == "load") return all && args.empty() ? m.load_all() : one(&kpatch::Manager::load);
  if (cmd == "unload") return all && args.empty() ? m.unload_all() : one(&kpatch::Manager::unload);
  if (cmd == "list" && args.empty()) return m.list();
  if (cmd == "info") return one(&kpatch::Manager::info);
  if (cmd == "status" && args.empty()) return m.status();
  if (cmd == "signal" && args.empty()) return m.signal();
  if (cmd == "version") {
    std::cout << "kpatch " << kVersion << '\n';
    return 0;
  }
  std::cerr << kUsage;
  return 1;
}
