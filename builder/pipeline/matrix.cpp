// Several kernels of one manifest in one run.
//
// A security fix goes to every release in service: Debian 12 alone has
// eleven 6.1 releases in three flavours. A warm build of one kernel is
// mostly serial work (patch, a handful of compiles, the differ, a module
// link of a few objects), so one kernel rarely keeps two cores busy; the
// kernels of a matrix are independent, so they build side by side.
//
// Approach: a pool of `width` worker threads takes kernels from a shared
// index, each kernel a BuildCtx of its own with its own runner, work
// directory and output directory, and writes its result into its slot, so
// the table keeps the order given. The -j budget is split: width kernels
// of jobs/width make jobs each (a kernel's make of a few objects gains
// little from more). Preparing the same release twice at once is safe
// (kernel-tree locks each release), two releases prepare in parallel.
//
// Output: each build's lines pass through a LineStream onto one LineSink,
// so lines of different kernels interleave but never mix, each naming its
// kernel. On a terminal (cfg.board_width) each kernel's progress is one
// row, rewritten as its stages finish; warnings, errors and results are
// printed above the rows and stay. Stopping: a stop signal reaches every thread's running command
// (sys/signals.h); each build cleans up its own tree, no worker starts
// another kernel, and Interrupted is rethrown once every worker is done —
// finished kernels keep their modules, nothing half-written is left.
#include "pipeline/matrix.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "pipeline/pipeline.h"
#include "support/line_stream.h"
#include "support/terminal.h"
#include "sys/signals.h"

namespace kp {

MatrixPlan plan_matrix(size_t kernels, unsigned jobs) {
  MatrixPlan p;
  jobs = std::max(1u, jobs);
  p.width = static_cast<unsigned>(std::clamp<size_t>(std::min<size_t>(kernels, jobs), 1, kMaxConcurrentKernels));
  p.jobs_each = std::max(1u, jobs / p.width);
  return p;
}

namespace {

// A stage's progress line (pipeline.cpp): "kpatch-build: [   1.2s] REL: ...".
bool is_progress_line(const std::string& line) {
  return line.starts_with("kpatch-build: [");
}

struct Matrix {
  Matrix(const BuildConfig& c, const Manifest& m, const std::vector<std::string>& k, unsigned jobs, std::ostream& err)
      : cfg(c), manifest(m), kernels(k), jobs_each(jobs), sink(err), results(k.size()) {}

  const BuildConfig& cfg;
  const Manifest& manifest;
  const std::vector<std::string>& kernels;
  unsigned jobs_each;
  LineSink sink;
  std::vector<KernelResult> results;
  std::atomic<size_t> next{0};
  std::atomic<int> stopped_by{0};
  std::mutex error_mu;
  std::exception_ptr error;  // anything but a build's own failure

  void build(size_t i) {
    const std::string& rel = kernels[i];
    BuildConfig one = cfg;
    if (kernels.size() > 1) one.output_dir /= rel;
    one.jobs = jobs_each;
    LineStream out(sink, cfg.board_width ? i : LineSink::kNoRow);
    PosixRunner runner("");
    if (cfg.debug >= 2) runner.set_echo(&out);
    BuildCtx ctx(one, manifest, rel, runner);
    bool ok = build_one(ctx, out, out);
    results[i] = kernel_result(ctx, ok);
  }

  void work() {
    for (size_t i; stopped_by == 0 && (i = next++) < kernels.size();) {
      try {
        build(i);
      } catch (const Interrupted& e) {
        stopped_by = e.signo();
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mu);
        if (!error) error = std::current_exception();
        stopped_by = -1;
      }
    }
  }
};

}  // namespace

std::vector<KernelResult> build_kernels(const BuildConfig& cfg, const Manifest& m,
                                        const std::vector<std::string>& kernels, std::ostream& err) {
  MatrixPlan plan = plan_matrix(kernels.size(), cfg.jobs);
  Matrix mx(cfg, m, kernels, plan.jobs_each, err);
  if (cfg.board_width) {
    std::vector<std::string> rows;
    for (const std::string& k : kernels) rows.push_back("kpatch-build: " + terminal_safe(k) + ": waiting");
    mx.sink.show_board(std::move(rows), cfg.board_width, is_progress_line);
  }
  if (plan.width == 1) {
    mx.work();  // in this thread: nothing to share
  } else {
    std::vector<std::thread> workers;
    for (unsigned w = 0; w < plan.width; ++w) workers.emplace_back([&mx] { mx.work(); });
    for (auto& t : workers) t.join();
  }
  mx.sink.close_board();
  if (mx.error) std::rethrow_exception(mx.error);
  if (mx.stopped_by > 0) throw Interrupted(mx.stopped_by);
  return std::move(mx.results);
}

}  // namespace kp
