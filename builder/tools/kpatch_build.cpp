// kpatch-build: from a patch to a livepatch module for a Debian kernel.
//
//   kpatch-build --manifest FILE | --bundle FILE|DIR [--kernel REL]... [-o DIR] [-j N] [--debug]
//                [--sign-key KEY --sign-cert CERT] [--skip-compiler-check] [--allow-fuzz]
//   kpatch-build [--kernel REL] [-n NAME] [-o DIR] [-R] [--skip-compiler-check] PATCH...
//   kpatch-build -s SRCDIR [-c CONFIG] [-v VMLINUX] [--symvers FILE] [-n NAME] [-o DIR] PATCH...
//
// See docs/kpatch-build.md.
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>

#include "common/text.h"
#include "manifest/bundle.h"
#include "pipeline/command_line.h"
#include "pipeline/pipeline.h"
#include "support/diag.h"
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
    kp::Manifest m = cfg->manifest_path ? kp::load_manifest(*cfg->manifest_path)
                     : cfg->bundle_path ? bundle_for(*cfg)
                                        : manifest_from_patches(*cfg);
    if (cfg->replace) m.replace = *cfg->replace;
    std::vector<std::string> kernels = cfg->kernels.empty() ? m.kernels : cfg->kernels;
    if (!cfg->sourcedir.empty()) kernels = {cfg->sourcedir.string()};  // prepare_target reads the release
    bool ok = true;
    for (const std::string& rel : kernels) {
      kp::BuildConfig one = *cfg;
      if (kernels.size() > 1) one.output_dir /= rel;
      kp::PosixRunner runner("");
      if (cfg->debug >= 2) runner.set_echo(&std::cerr);
      kp::BuildCtx ctx(one, m, rel, runner);
      ok = kp::build_one(ctx, std::cerr, std::cerr) && ok;
    }
    return ok ? 0 : 1;
  } catch (const kp::Fatal& e) {
    std::cerr << kp::terminal_safe(e.what()) << '\n';
    return 1;
  } catch (const kp::Interrupted& e) {
    return 128 + e.signo();  // build_one() said so
  }
}
