// One build for one kernel release, stage by stage, with progress lines
// and the guarantee that a failed build leaves no module behind and
// releases the private tree.
#include "pipeline/pipeline.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <iostream>

#include "common/text.h"
#include "pipeline/oot_module.h"
#include "pipeline/summary.h"
#include "support/diag.h"
#include "support/terminal.h"
#include "sys/signals.h"

namespace kp {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// Warnings the stages added since the last call, one line each.
void flush_warnings(BuildCtx& ctx, std::ostream& out, size_t& shown) {
  for (; shown < ctx.warnings.size(); ++shown)
    out << "kpatch-build: " << terminal_safe(ctx.target.release) << ": warning: " << terminal_safe(ctx.warnings[shown])
        << '\n';
}

// Runs one stage; its progress line says it is done, so a stage that fails
// prints none (the error says what happened instead).
template <typename Fn>
void run_stage(BuildCtx& ctx, std::ostream& progress, size_t& shown, const char* name, Fn&& fn) {
  auto begin = std::chrono::steady_clock::now();
  try {
    fn(ctx);
    throw_if_stopped();  // a signal during in-process work
  } catch (const Interrupted&) {
    throw;  // build_one() says so in one line
  } catch (...) {
    ctx.timings.emplace_back(name, seconds_since(begin));
    flush_warnings(ctx, progress, shown);
    throw;
  }
  double secs = seconds_since(begin);
  ctx.timings.emplace_back(name, secs);
  char buf[32];
  std::snprintf(buf, sizeof buf, "[%6.1fs] ", seconds_since(ctx.start));
  progress << "kpatch-build: " << buf << terminal_safe(ctx.target.release) << ": " << name << " (" << std::fixed
           << std::setprecision(1) << secs << "s)" << std::endl;
  flush_warnings(ctx, progress, shown);
}

void stages(BuildCtx& ctx, std::ostream& progress) {
  size_t shown = 0;
  auto stage = [&](const char* name, auto&& fn) { run_stage(ctx, progress, shown, name, fn); };
  stage("kernel ready", [](BuildCtx& c) {
    prepare_target(c);
    check_kernel_files(c);
    check_oot_module(c);  // --oot-module: built for this kernel
  });
  stage("compiler checked", check_compiler);
  stage("private tree ready", make_workdir);
  stage("patches apply", check_patches);
  stage("objects found", find_objects);
  stage("original objects compiled", compile_original);
  stage("patches applied", apply_patches);
  stage("patched objects compiled", compile_patched);
  stage("exported symbols keep their CRCs", check_exported_crcs);
  stage("objects compared", [](BuildCtx& c) {  // ctx.build_id is read when the kernel is checked
    diff_objects(c);
    if (!c.cfg.check_only) judge_diffs(c);
  });
  if (ctx.cfg.check_only) {
    // What a build would do next with these results, short of linking.
    if (check_result(ctx) == "patchable") stage("originals match the shipped kernel", verify_originals);
    return;
  }
  stage("originals match the shipped kernel", verify_originals);
  stage("module linked", assemble_module);
  stage("module would load", check_module_loads);
  stage("livepatch module written", finish_module);
  write_report(ctx);
}

}  // namespace

void check_output_dir(const fs::path& dir) {
  auto fail = [&](const std::string& why) {
    throw Fatal("kpatch-build: error: -o " + printable(dir.string()) + ": " + why +
                "; -o names the directory the module is written to");
  };
  fs::path p = fs::absolute(dir).lexically_normal();
  if (!p.has_filename()) p = p.parent_path();
  std::error_code ec;
  for (fs::path at = p;; at = at.parent_path()) {
    auto st = fs::status(at, ec);
    if (fs::exists(st)) {
      if (!fs::is_directory(st))
        fail(at == p ? "exists and is not a directory" : printable(at.string()) + " is not a directory");
      if (::access(at.c_str(), W_OK | X_OK) != 0) fail(printable(at.string()) + " is not writable");
      return;
    }
    if (at == at.parent_path()) return;
  }
}

bool build_one(BuildCtx& ctx, std::ostream& progress, std::ostream& err) {
  // The work directory goes where TMPDIR says, as classic kpatch-build's.
  const char* tmpdir = std::getenv("TMPDIR");
  std::string parent = tmpdir && *tmpdir ? tmpdir : "/tmp";
  std::string tmpl = parent + "/kpatch-build-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) {
    err << "kpatch-build: error: cannot create a work directory in " << terminal_safe(parent) << ": "
        << std::strerror(errno) << '\n';
    return false;
  }
  ctx.work = tmpl;
  ctx.log = ctx.cfg.log_file.empty() ? ctx.work / "build.log" : ctx.cfg.log_file;
  ctx.run.set_log(ctx.log.string());
  bool ok = true;
  try {
    stages(ctx, progress);
  } catch (const BuildError& e) {
    err << "kpatch-build: " << terminal_safe(ctx.target.release) << ": error: " << terminal_safe(e.what()) << '\n';
    ctx.failure = e.what();
    ok = false;
  } catch (const Fatal& e) {
    err << "kpatch-build: " << terminal_safe(ctx.target.release) << ": " << terminal_safe(e.what()) << '\n';
    ctx.failure = e.what();
    ok = false;
  } catch (const fs::filesystem_error& e) {
    err << "kpatch-build: " << terminal_safe(ctx.target.release) << ": error: " << terminal_safe(e.what()) << '\n';
    ctx.failure = e.what();
    ok = false;
  } catch (const Interrupted& e) {
    // Children are stopped; take the overlay down and the work dir away.
    release_workdir(ctx);
    std::error_code ec;
    fs::remove_all(ctx.work, ec);
    err << "kpatch-build: " << terminal_safe(ctx.target.release) << ": " << e.what()
        << ": its commands were stopped and the work directory " << terminal_safe(ctx.work.string()) << " removed\n";
    throw;
  }
  release_workdir(ctx);
  if (!ok) {
    err << "kpatch-build: the full log is " << terminal_safe(ctx.log.string()) << '\n';
    return false;
  }
  if (ctx.cfg.check_only)
    progress << "kpatch-build: " << terminal_safe(ctx.target.release) << ": " << check_result(ctx) << '\n';
  else
    progress << "kpatch-build: " << terminal_safe(ctx.target.release) << ": wrote " << terminal_safe(ctx.ko.string())
             << '\n';
  if (ctx.cfg.debug || ctx.cfg.keep_workdir) {
    progress << "kpatch-build: work directory kept: " << terminal_safe(ctx.work.string()) << '\n';
  } else {
    std::error_code ec;
    fs::remove_all(ctx.work, ec);
  }
  return true;
}

}  // namespace kp
