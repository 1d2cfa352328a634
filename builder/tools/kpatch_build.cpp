// kpatch-build: from a patch to a livepatch module for a Debian kernel.
//
//   kpatch-build --manifest FILE | --bundle FILE|DIR [--kernel REL]... [-o DIR] [-j N] [--debug]
//                [--sign-key KEY --sign-cert CERT] [--skip-compiler-check] [--allow-fuzz]
//   kpatch-build [--kernel REL] [-n NAME] [-o DIR] [-R] [--skip-compiler-check] PATCH...
//   kpatch-build -s SRCDIR [-c CONFIG] [-v VMLINUX] [--symvers FILE] [-n NAME] [-o DIR] PATCH...
//   kpatch-build --oot-module FILE.ko --oot-module-src DIR [--kernel REL | -s SRCDIR ...] PATCH...
//
// See docs/kpatch-build.md.
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <string_view>

#include "common/names.h"
#include "common/text.h"
#include "manifest/bundle.h"
#include "pipeline/command_line.h"
#include "pipeline/kernels.h"
#include "pipeline/matrix.h"
#include "pipeline/pipeline.h"
#include "pipeline/summary.h"
#include "support/diag.h"
#include "support/file.h"
#include "support/terminal.h"
#include "sys/signals.h"

namespace {

std::string running_release() {
  utsname u{};
  uname(&u);
  return u.release;
}

// A bundle for the kernels asked for (each must be listed by every part:
// load_bundle names the part that does not), else for those all list.
kp::Manifest bundle_for(const kp::BuildConfig& cfg) {
  for (const auto& rel : cfg.kernels) kp::load_bundle(*cfg.bundle_path, rel);
  return kp::load_bundle(*cfg.bundle_path, cfg.kernels.size() == 1 ? cfg.kernels.front() : "");
}

// The classic form has no manifest: make one from the arguments.
kp::Manifest manifest_from_patches(const kp::BuildConfig& cfg) {
  kp::check_patch_files(cfg.patches);
  return kp::classic_manifest(cfg.name, cfg.patches, running_release());
}

// A run-time data directory: the environment's, else the source tree's
// (in-tree use), else the installed one (DATADIR/kpatch/SUB, see
// docs/packaging.md).
std::filesystem::path data_dir(const char* env, const char* sub) {
  if (const char* v = std::getenv(env); v && *v) return v;
  std::filesystem::path in_tree = std::filesystem::path(KPATCH_SOURCE_DIR) / sub;
  std::error_code ec;
  if (std::filesystem::is_directory(in_tree, ec)) return in_tree;
  return std::filesystem::path(KPATCH_DATA_DIR) / sub;
}

// Patterns among the kernels resolved against the archive, the list said;
// each release once (two builds of one release would share DIR/RELEASE).
std::vector<std::string> resolve_kernels(const std::vector<std::string>& selectors) {
  if (std::none_of(selectors.begin(), selectors.end(), [](const auto& s) { return kp::is_kernel_pattern(s); }))
    return kp::select_kernels(selectors, {});
  kp::PosixRunner runner("");
  std::vector<std::string> out = kp::select_kernels(selectors, kp::archive_releases(runner));
  std::cerr << "kpatch-build: " << out.size() << (out.size() == 1 ? " kernel:" : " kernels:");
  for (const auto& rel : out) std::cerr << ' ' << kp::terminal_safe(rel);
  std::cerr << '\n';
  return out;
}

// The end of a run: --check's report, or for several kernels the summary
// table and DIR/summary.json. Exit 0 only if every kernel succeeded.
int report_results(const kp::BuildConfig& cfg, const std::vector<kp::KernelResult>& results) {
  bool all_ok = true;
  for (const auto& r : results) all_ok = all_ok && r.result == (cfg.check_only ? "patchable" : "built");
  if (cfg.check_only) {
    if (cfg.json)
      std::cout << kp::results_json(results);
    else
      kp::print_check(results, std::cout);
  } else if (results.size() > 1) {
    kp::print_summary(results, std::cout);
    std::filesystem::create_directories(cfg.output_dir);
    kp::write_file_atomically((cfg.output_dir / "summary.json").string(), kp::results_json(results));
  }
  return all_ok ? 0 : 1;
}

// As classic kpatch-build: with CACHEDIR set, the log of the run is
// CACHEDIR/build.log, emptied first, kept after the build. Without it, each
// build logs in its own work directory.
bool open_cachedir_log(kp::BuildConfig& cfg) {
  const char* dir = std::getenv("CACHEDIR");
  if (!dir || !*dir) return true;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  cfg.log_file = std::filesystem::path(dir) / "build.log";
  if (!ec && std::ofstream(cfg.log_file, std::ios::trunc)) return true;
  std::cerr << "kpatch-build: error: cannot write " << kp::terminal_safe(cfg.log_file.string()) << " (CACHEDIR)"
            << (ec ? ": " + ec.message() : "") << '\n';
  return false;
}

// A terminal's width when stderr is one (and not TERM=dumb), else 0.
size_t stderr_terminal_width() {
  const char* term = std::getenv("TERM");
  if (!isatty(STDERR_FILENO) || !term || std::string_view(term) == "dumb") return 0;
  winsize ws{};
  return ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<kp::BuildConfig> cfg(std::in_place);
  cfg->jobs = std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
  if (int rc = kp::parse_build_command_line({argv + 1, argv + argc}, *cfg, std::cout, std::cerr); rc != -1) return rc;
  if (!open_cachedir_log(*cfg)) return 1;
  kp::install_stop_handlers();
  cfg->tools_dir = data_dir("KPATCH_TOOLS_DIR", "scripts");
  cfg->kmod_dir = data_dir("KPATCH_KMOD_DIR", "kmod");
  try {
    kp::check_output_dir(cfg->output_dir);
    cfg->kernels = resolve_kernels(cfg->kernels);
    kp::Manifest m = cfg->manifest_path ? kp::load_manifest(*cfg->manifest_path)
                     : cfg->bundle_path ? bundle_for(*cfg)
                                        : manifest_from_patches(*cfg);
    if (cfg->replace) m.replace = *cfg->replace;
    std::vector<std::string> kernels = cfg->kernels.empty() ? resolve_kernels(m.kernels) : cfg->kernels;
    if (!cfg->sourcedir.empty()) kernels = {cfg->sourcedir.string()};  // prepare_target reads the release
    if (kernels.size() > 1 && cfg->debug < 2) cfg->board_width = stderr_terminal_width();
    std::vector<kp::KernelResult> results = kp::build_kernels(*cfg, m, kernels, std::cerr);
    return report_results(*cfg, results);
  } catch (const kp::Fatal& e) {
    std::cerr << kp::terminal_safe(e.what()) << '\n';
    return 1;
  } catch (const kp::Interrupted& e) {
    return 128 + e.signo();  // build_one() said so
  }
}
