#include "pipeline/command_line.h"

#include <charconv>
#include <map>
#include <optional>

#include "common/text.h"
#include "pipeline/kernel_files.h"
#include "pipeline/oot_module.h"
#include "support/diag.h"

namespace kp {

const char* const kBuildUsage =
    "usage: kpatch-build --manifest FILE | --bundle FILE|DIR [--kernel REL]... [-o DIR] [-j N] [-d]\n"
    "                    [--sign-key KEY --sign-cert CERT] [--skip-compiler-check] [--allow-fuzz]\n"
    "       kpatch-build [--kernel REL]... [-n NAME] [-o DIR] [-j N] [-R] [--skip-compiler-check]\n"
    "                    [--skip-cleanup] [--allow-fuzz] [--no-replay] PATCH...\n"
    "       kpatch-build --check [--json] (--manifest FILE | PATCH...) [--kernel REL]...\n"
    "       kpatch-build -s SRCDIR [-c CONFIG] [-v VMLINUX] [--symvers FILE] [-n NAME] [-o DIR] [-R] PATCH...\n"
    "       kpatch-build -v VMLINUX [-n NAME] [-o DIR] [-R] PATCH...   (a Debian kernel's -dbg vmlinux)\n"
    "       kpatch-build --oot-module FILE.ko --oot-module-src DIR [--kernel REL | -s SRCDIR ...] PATCH...\n"
    "       kpatch-build -h | --help | --version\n";

namespace {

enum class Opt {
  Manifest,
  Bundle,
  Kernel,
  Output,
  Jobs,
  Name,
  SourceDir,
  Config,
  Vmlinux,
  Symvers,
  SignKey,
  SignCert,
  NonReplace,
  Debug,
  SkipCompilerCheck,
  SkipCleanup,
  AllowFuzz,
  NoReplay,
  Check,
  Json,
  Help,
  Version,
  SourceRpm,
  Target,
  OotModule,
  OotModuleSrc,
};

struct Spec {
  Opt opt;
  bool takes_value;
};

// Long names; the short ones are below. Classic kpatch-build's names come
// first in each group.
const std::map<std::string, Spec>& long_options() {
  static const std::map<std::string, Spec> table{
      {"manifest", {Opt::Manifest, true}},
      {"bundle", {Opt::Bundle, true}},
      {"kernel", {Opt::Kernel, true}},
      {"archversion", {Opt::Kernel, true}},  // classic name
      {"output", {Opt::Output, true}},
      {"jobs", {Opt::Jobs, true}},
      {"name", {Opt::Name, true}},
      {"sourcedir", {Opt::SourceDir, true}},
      {"config", {Opt::Config, true}},
      {"vmlinux", {Opt::Vmlinux, true}},
      {"symvers", {Opt::Symvers, true}},
      {"sign-key", {Opt::SignKey, true}},
      {"sign-cert", {Opt::SignCert, true}},
      {"non-replace", {Opt::NonReplace, false}},
      {"debug", {Opt::Debug, false}},
      {"skip-compiler-check", {Opt::SkipCompilerCheck, false}},
      {"skip-gcc-check", {Opt::SkipCompilerCheck, false}},  // classic name
      {"skip-cleanup", {Opt::SkipCleanup, false}},
      {"allow-fuzz", {Opt::AllowFuzz, false}},
      {"no-replay", {Opt::NoReplay, false}},
      {"check", {Opt::Check, false}},
      {"json", {Opt::Json, false}},
      {"help", {Opt::Help, false}},
      {"version", {Opt::Version, false}},
      {"sourcerpm", {Opt::SourceRpm, true}},
      {"target", {Opt::Target, true}},
      {"oot-module", {Opt::OotModule, true}},
      {"oot-module-src", {Opt::OotModuleSrc, true}},
  };
  return table;
}

std::optional<Spec> short_option(char c) {
  switch (c) {
    case 'k': return Spec{Opt::Kernel, true};
    case 'a': return Spec{Opt::Kernel, true};  // classic -a ARCHVERSION
    case 'o': return Spec{Opt::Output, true};
    case 'j': return Spec{Opt::Jobs, true};
    case 'n': return Spec{Opt::Name, true};
    case 's': return Spec{Opt::SourceDir, true};
    case 'c': return Spec{Opt::Config, true};
    case 'v': return Spec{Opt::Vmlinux, true};
    case 'R': return Spec{Opt::NonReplace, false};
    case 'd': return Spec{Opt::Debug, false};
    case 'h': return Spec{Opt::Help, false};
    case 'r': return Spec{Opt::SourceRpm, true};
    case 't': return Spec{Opt::Target, true};
    default: return std::nullopt;
  }
}

// Why an option of the classic tool is refused here, or "".
std::string refused(Opt o) {
  switch (o) {
    case Opt::SourceRpm:
      return "-r/--sourcerpm takes a kernel source RPM; Debian kernels come from their packages: use --kernel REL "
             "(or -s SRCDIR for a prepared tree)";
    default: return "";
  }
}

int usage_error(std::ostream& err, const std::string& why) {
  err << "kpatch-build: " << why << '\n' << kBuildUsage;
  return 1;
}

// Applies one option; -1 to go on, else the exit status.
int apply(Opt o, const std::string& v, BuildConfig& cfg, std::ostream& out, std::ostream& err) {
  if (std::string why = refused(o); !why.empty()) {
    err << "kpatch-build: " << why << '\n';
    return 1;
  }
  switch (o) {
    case Opt::Manifest: cfg.manifest_path = v; break;
    case Opt::Bundle: cfg.bundle_path = v; break;
    case Opt::Kernel: cfg.kernels.push_back(v); break;
    case Opt::Output: cfg.output_dir = v; break;
    case Opt::Jobs: {
      unsigned n = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || end != v.data() + v.size() || n == 0 || n > 1024) {
        err << "kpatch-build: Invalid number of make jobs '" << printable(v) << "'\n";
        return 1;
      }
      cfg.jobs = n;
      break;
    }
    case Opt::Name: cfg.name = v; break;
    case Opt::SourceDir: cfg.sourcedir = v; break;
    case Opt::Config: cfg.config = v; break;
    case Opt::Vmlinux: cfg.vmlinux = v; break;
    case Opt::Symvers: cfg.symvers = v; break;
    case Opt::SignKey: cfg.sign_key = v; break;
    case Opt::SignCert: cfg.sign_cert = v; break;
    case Opt::OotModule: cfg.oot_module = v; break;
    case Opt::OotModuleSrc: cfg.oot_module_src = v; break;
    case Opt::NonReplace: cfg.replace = false; break;
    case Opt::Debug: ++cfg.debug; break;
    case Opt::SkipCompilerCheck: cfg.skip_compiler_check = true; break;
    case Opt::SkipCleanup: cfg.keep_workdir = true; break;
    case Opt::NoReplay: cfg.kbuild_replay = false; break;
    case Opt::Target:
      // Classic kpatch-build builds the whole kernel (or these targets) twice;
      // here only the objects the patch touches are compiled. A script that
      // names its targets goes on working.
      err << "kpatch-build: note: -t/--target " << printable(v)
          << " ignored: only the objects the patch touches are compiled\n";
      break;
    case Opt::AllowFuzz: cfg.allow_fuzz = true; break;
    case Opt::Check: cfg.check_only = true; break;
    case Opt::Json: cfg.json = true; break;
    case Opt::Help: out << kBuildUsage; return 0;
    case Opt::Version: out << KPATCH_VERSION << '\n'; return 0;
    default: break;
  }
  return -1;
}

int check_combinations(const BuildConfig& cfg, std::ostream& err) {
  if (cfg.sign_key.empty() != cfg.sign_cert.empty()) return usage_error(err, "--sign-key and --sign-cert go together");
  if (cfg.manifest_path && cfg.bundle_path) return usage_error(err, "--manifest and --bundle do not go together");
  if ((cfg.manifest_path || cfg.bundle_path) == !cfg.patches.empty())
    return usage_error(err, cfg.patches.empty() ? "nothing to build: give --manifest, --bundle or PATCH..."
                                                : "PATCH arguments do not go with --manifest or --bundle");
  if (cfg.sourcedir.empty() && !(cfg.config.empty() && cfg.symvers.empty()))
    return usage_error(err, "-c and --symvers go with -s SRCDIR");
  if (cfg.json && !cfg.check_only) return usage_error(err, "--json goes with --check");
  if (cfg.check_only && !cfg.sign_key.empty()) return usage_error(err, "--check writes no module to sign");
  if (!cfg.sourcedir.empty() && !cfg.kernels.empty())
    return usage_error(err, "-s SRCDIR builds for that tree's kernel; --kernel does not go with it");
  if (cfg.oot_module.empty() != cfg.oot_module_src.empty())
    return usage_error(err, cfg.oot_module.empty()
                                ? "--oot-module-src needs --oot-module FILE.ko, the built module to patch"
                                : "--oot-module needs --oot-module-src DIR, the module's source directory");
  if (!cfg.oot_module.empty() && cfg.bundle_path) return usage_error(err, "--oot-module does not go with --bundle");
  if (!cfg.oot_module.empty() && cfg.kernels.size() > 1)
    return usage_error(err, "--oot-module patches a module built for one kernel: give at most one --kernel");
  return -1;
}

// --oot-module FILE.ko --oot-module-src DIR: both are checked before
// anything is built (oot_module.h). Without --kernel, -s or -v the build is
// for the release FILE.ko's vermagic names, as in classic kpatch-build.
int oot_module_release(BuildConfig& cfg, std::ostream& err) {
  if (cfg.oot_module.empty()) return -1;
  OotModuleInfo info;
  try {
    info = read_oot_module(cfg.oot_module);
    check_oot_source(cfg.oot_module_src);
  } catch (const Fatal& e) {
    err << "kpatch-build: " << printable(e.what()) << '\n';
    return 1;
  }
  if (cfg.kernels.empty() && cfg.sourcedir.empty()) cfg.kernels = {vermagic_release(info.vermagic)};
  return -1;
}

// -v VMLINUX without -s, as classic kpatch-build takes it for a distribution
// kernel: the debuginfo vmlinux (/usr/lib/debug/boot/vmlinux-REL) names the
// release to build for, from its linux_banner; the build then uses that
// release's prepared tree, whose vmlinux must be this one (kernel_files.cpp).
int release_from_vmlinux(BuildConfig& cfg, std::ostream& err) {
  if (cfg.vmlinux.empty() || !cfg.sourcedir.empty()) return -1;
  std::string v = printable(cfg.vmlinux.string()), rel;
  std::error_code ec;
  if (!fs::is_regular_file(cfg.vmlinux, ec)) {
    err << "kpatch-build: vmlinux file '" << v << "' not found\n";
    return 1;
  }
  try {
    rel = vmlinux_release(cfg.vmlinux);
  } catch (const Fatal& e) {
    err << "kpatch-build: " << printable(e.what()) << '\n';
    return 1;
  }
  if (rel.empty()) {
    err << "kpatch-build: Unable to determine the kernel version from " << v << " (it has no linux_banner)\n";
    return 1;
  }
  for (const std::string& k : cfg.kernels)
    if (k != rel) {
      err << "kpatch-build: Kernel version mismatch: " << printable(k) << " was specified but " << v
          << " was built for " << printable(rel) << '\n';
      return 1;
    }
  cfg.kernels = {rel};
  return -1;
}

}  // namespace

int parse_build_command_line(const std::vector<std::string>& args, BuildConfig& cfg, std::ostream& out,
                             std::ostream& err) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto next = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    int rc = -1;
    if (a == "--") {
      for (++i; i < args.size(); ++i) cfg.patches.emplace_back(args[i]);
    } else if (a.starts_with("--")) {
      size_t eq = a.find('=');
      std::string name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      auto it = long_options().find(name);
      if (it == long_options().end()) return usage_error(err, "unknown option " + printable(a));
      std::optional<std::string> v;
      if (it->second.takes_value)
        v = eq != std::string::npos ? a.substr(eq + 1) : next();
      else if (eq != std::string::npos)
        return usage_error(err, "--" + name + " takes no value");
      if (it->second.takes_value && !v) return usage_error(err, "--" + name + " needs a value");
      rc = apply(it->second.opt, v.value_or(""), cfg, out, err);
    } else if (a.size() > 1 && a[0] == '-') {
      // Short options, bundled as getopt takes them: -dR, -j4, -n foo.
      for (size_t k = 1; k < a.size() && rc == -1; ++k) {
        auto spec = short_option(a[k]);
        if (!spec) return usage_error(err, "unknown option -" + printable(std::string(1, a[k])));
        std::optional<std::string> v;
        if (spec->takes_value) {
          v = k + 1 < a.size() ? std::optional<std::string>(a.substr(k + 1)) : next();
          if (!v) return usage_error(err, "-" + std::string(1, a[k]) + " needs a value");
          k = a.size();
        }
        rc = apply(spec->opt, v.value_or(""), cfg, out, err);
      }
    } else {
      cfg.patches.emplace_back(a);
    }
    if (rc != -1) return rc;
  }
  if (int rc = check_combinations(cfg, err); rc != -1) return rc;
  if (int rc = release_from_vmlinux(cfg, err); rc != -1) return rc;
  return oot_module_release(cfg, err);
}

}  // namespace kp
