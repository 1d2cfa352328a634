#include "command_line.h"

#include <charconv>
#include <string_view>

namespace kpatch {

const char* const kUsage =
    "usage: kpatch <command> [options]\n"
    "  install [-k KVER] MODULE.ko    install a patch module for a kernel release\n"
    "  uninstall [-k KVER] NAME       remove an installed patch module\n"
    "  load MODULE.ko|NAME|--all      load patch modules into the running kernel\n"
    "  unload NAME|--all              disable and remove loaded patch modules\n"
    "  list [--json]                  loaded and installed patch modules\n"
    "  info NAME|MODULE.ko [--json]   what a patch module contains\n"
    "  status [--json]                running kernel, live patches, CVEs fixed live\n"
    "  signal                         signal tasks blocking a transition\n"
    "  version, --version, -v         print the version\n"
    "options: --force (load despite a kernel mismatch; install over a different module),\n"
    "  --timeout SECS (default 60), --lock-timeout SECS (wait for another kpatch run, default 300),\n"
    "  -k KVER, --kernel-version KVER (install, uninstall: the kernel release)\n";

namespace {

bool usage_error(std::ostream& err, const std::string& why) {
  err << "kpatch: " << printable(why) << '\n' << kUsage;
  return false;
}

bool seconds(const std::string& option, std::string_view v, std::chrono::seconds& out, std::ostream& err) {
  long secs = -1;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), secs);
  if (ec != std::errc() || end != v.data() + v.size() || secs < 0)
    return usage_error(err, option + " takes a number of seconds, not '" + std::string(v) + "'");
  out = std::chrono::seconds(secs);
  return true;
}

// An option that takes a value: OPT VALUE, OPT=VALUE for a long one, -kVALUE.
bool takes_value(const std::string& opt) {
  return opt == "-k" || opt == "--kernel" || opt == "--kernel-version" || opt == "--timeout" || opt == "--lock-timeout";
}

bool set_value(CommandLine& cl, const std::string& opt, const std::string& value, std::ostream& err) {
  if (opt == "--timeout") return seconds(opt, value, cl.opt.timeout, err);
  if (opt == "--lock-timeout") return seconds(opt, value, cl.opt.lock_timeout, err);
  if (value.empty()) return usage_error(err, opt + " takes a kernel release");
  cl.opt.kernel = value;
  return true;
}

bool set_flag(CommandLine& cl, const std::string& a) {
  if (a == "--json")
    cl.opt.json = true;
  else if (a == "--force" || a == "-f")
    cl.opt.force = true;
  else if (a == "--all" || a == "-a")
    cl.all = true;
  else
    return false;
  return true;
}

}  // namespace

std::optional<CommandLine> parse_command_line(const std::vector<std::string>& argv, std::ostream& err) {
  if (argv.empty()) {
    err << kUsage;
    return std::nullopt;
  }
  CommandLine cl;
  cl.command = argv[0];
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    size_t eq = a.starts_with("--") ? a.find('=') : std::string::npos;
    std::string opt = eq == std::string::npos ? a : a.substr(0, eq);
    if (set_flag(cl, a)) continue;
    if (takes_value(opt) && eq != std::string::npos) {
      if (!set_value(cl, opt, a.substr(eq + 1), err)) return std::nullopt;
    } else if (takes_value(a) && i + 1 < argv.size()) {
      if (!set_value(cl, a, argv[++i], err)) return std::nullopt;
    } else if (a.starts_with("-k") && a.size() > 2) {
      if (!set_value(cl, "-k", a.substr(2), err)) return std::nullopt;
    } else if (a.starts_with("-") && a != "-") {
      usage_error(err, "unknown option " + a);
      return std::nullopt;
    } else {
      cl.args.push_back(a);
    }
  }
  return cl;
}

int run(const CommandLine& cl, System& sys, std::ostream& out, std::ostream& err) {
  Manager m(sys, out, err, cl.opt);
  const std::string& cmd = cl.command;
  auto one = [&](int (Manager::*fn)(const std::string&)) {
    if (cl.args.size() == 1) return (m.*fn)(cl.args[0]);
    err << kUsage;
    return 1;
  };
  if (cmd == "install") return one(&Manager::install);
  if (cmd == "uninstall") return one(&Manager::uninstall);
  if (cmd == "load") return cl.all && cl.args.empty() ? m.load_all() : one(&Manager::load);
  if (cmd == "unload") return cl.all && cl.args.empty() ? m.unload_all() : one(&Manager::unload);
  if (cmd == "info") return one(&Manager::info);
  if (cl.args.empty()) {
    if (cmd == "list") return m.list();
    if (cmd == "status") return m.status();
    if (cmd == "signal") return m.signal();
    if (cmd == "version" || cmd == "--version" || cmd == "-v") {
      out << kVersion << '\n';
      return 0;
    }
  }
  err << kUsage;
  return 1;
}

}  // namespace kpatch
