// kpatch-package: livepatch modules from kpatch-build into installable
// packages, one per module, for apt (.deb) and dnf (.rpm); or, from a
// manifest, source packages that a build farm turns into those packages by
// running kpatch-build itself.
//
//   kpatch-package [--deb] [--rpm] -o OUTDIR KPATCH_BUILD_OUT_DIR...
//   kpatch-package --srpm|--dsc -o OUTDIR MANIFEST.yaml
//
// Names, contents and the maintainer scripts' behaviour are described in
// docs/packaging.md. Every input is read and validated first, everything is
// built in a private work dir, and the packages are moved to OUTDIR only
// when all of them were made and read back: a failure leaves OUTDIR as it
// was.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>

#include "manifest/manifest.h"
#include "package/binary.h"
#include "package/patch.h"
#include "package/settings.h"
#include "package/source.h"
#include "support/diag.h"
#include "sys/process.h"

namespace fs = std::filesystem;

namespace {

constexpr const char* kUsage =
    "usage: kpatch-package [--deb] [--rpm] -o OUTDIR KPATCH_BUILD_OUT_DIR...\n"
    "       kpatch-package --srpm|--dsc -o OUTDIR MANIFEST.yaml\n";

struct Args {
  kp::pkg::Formats formats;
  std::optional<kp::pkg::SourceKind> source;
  fs::path outdir;
  std::vector<fs::path> inputs;
};

std::optional<Args> parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    if (s == "--deb")
      a.formats.deb = true;
    else if (s == "--rpm")
      a.formats.rpm = true;
    else if (s == "--srpm")
      a.source = kp::pkg::SourceKind::Srpm;
    else if (s == "--dsc")
      a.source = kp::pkg::SourceKind::Dsc;
    else if ((s == "-o" || s == "--output") && i + 1 < argc)
      a.outdir = argv[++i];
    else if (s == "--") {
      for (++i; i < argc; ++i) a.inputs.emplace_back(argv[i]);
    } else if (s.starts_with("-")) {
      std::cerr << "kpatch-package: unknown option or missing value: " << kp::pkg::printable(s) << '\n';
      return std::nullopt;
    } else
      a.inputs.emplace_back(s);
  }
  if (a.outdir.empty() || a.inputs.empty() || (a.source && a.inputs.size() != 1)) return std::nullopt;
  if (!a.formats.deb && !a.formats.rpm) a.formats = {true, true};
  return a;
}

// A private work dir, removed whatever happens.
class WorkDir {
 public:
  WorkDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/kpatch-package.XXXXXX";
    if (!mkdtemp(templ.data())) throw kp::Fatal(templ + ": cannot create a work directory");
    path_ = templ;
    fs::create_directories(path_ / "out");
  }
  ~WorkDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Moves the finished packages into OUTDIR (created now, not before).
void publish(const std::vector<fs::path>& made, const fs::path& outdir) {
  std::error_code ec;
  fs::create_directories(outdir, ec);
  if (ec || !fs::is_directory(outdir)) throw kp::Fatal(outdir.string() + ": cannot create the output directory");
  for (const auto& f : made) {
    fs::path dest = outdir / f.filename();
    fs::rename(f, dest, ec);
    if (ec) {  // another file system: copy beside, then rename
      fs::path tmp = outdir / ("." + f.filename().string() + ".tmp");
      fs::copy_file(f, tmp, fs::copy_options::overwrite_existing);
      fs::rename(tmp, dest);
    }
    std::cout << dest.string() << '\n';
  }
}

void check_outdir(const fs::path& outdir) {
  if (fs::exists(outdir) && !fs::is_directory(outdir))
    throw kp::Fatal(outdir.string() + ": exists and is not a directory");
}

}  // namespace

int main(int argc, char** argv) {
  auto args = parse_args(argc, argv);
  if (!args) {
    std::cerr << kUsage;
    return 1;
  }
  try {
    check_outdir(args->outdir);
    auto settings = kp::pkg::Settings::from_environment(KPATCH_TOOLS_VERSION);
    kp::PosixRunner run("");
    std::optional<kp::Manifest> manifest;
    if (args->source) manifest = kp::load_manifest(args->inputs.front());
    WorkDir work;
    std::vector<fs::path> made =
        args->source ? kp::pkg::build_source_package(run, *args->source, *manifest, settings, work.path())
                     : kp::pkg::build_binary_packages(run, args->inputs, args->formats, settings, work.path());
    publish(made, args->outdir);
  } catch (const kp::Fatal& e) {
    std::cerr << "kpatch-package: error: " << e.what() << '\n';
    return 1;
  } catch (const fs::filesystem_error& e) {
    std::cerr << "kpatch-package: error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
