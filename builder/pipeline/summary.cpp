// Results per kernel. A run of kpatch-build covers one or several kernels
// (a manifest's list, several --kernel); each ends in one KernelResult
// made from its BuildCtx after build_one. Two readers present them:
//
//  - --check, which stops after the differ: the verdict says whether the
//    fix can be live-patched on that kernel and, per object, what would be
//    replaced, what is new and every refusal with the differ's reasons.
//  - a build for several kernels: one row per kernel (result, changed
//    functions, seconds, and the first line of the error of a failed
//    one), on the terminal and as DIR/summary.json for the release
//    tooling. One failed kernel never hides the others' results.
//
// Verdicts come from the differ's exit status per object (diag.h ExitCode)
// and from the build's own failure; nothing is inferred from message text.
#include "pipeline/summary.h"

#include <cstdio>

#include "common/text.h"
#include "support/diag.h"
#include "support/terminal.h"

namespace kp {

namespace {

bool has_status(const BuildCtx& ctx, ExitCode code) {
  for (const ObjectJob& o : ctx.objects)
    if (o.diff_status == static_cast<int>(code)) return true;
  return false;
}

bool all_diffed(const BuildCtx& ctx) {
  for (const ObjectJob& o : ctx.objects)
    if (o.diff_status < 0) return false;
  return !ctx.objects.empty();
}

std::string first_line(const std::string& s) {
  return s.substr(0, s.find('\n'));
}

std::string json_objects(const std::vector<ObjectJob>& objects) {
  std::vector<std::string> each;
  for (const ObjectJob& o : objects) each.push_back(object_json(o));
  return "[" + join(each, ", ") + "]";
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", s);
  return buf;
}

std::string result_json(const KernelResult& r) {
  return "{\"kernel\": " + json_string(r.release) + ", \"result\": " + json_string(r.result) +
         ", \"changed\": " + std::to_string(r.changed) + ", \"new\": " + std::to_string(r.added) +
         ", \"seconds\": " + seconds_text(r.seconds) + ", \"detail\": " + json_string(r.detail) +
         ", \"objects\": " + json_objects(r.objects) + "}";
}

std::string joined(const std::vector<std::string>& v) {
  return v.empty() ? "-" : join(v, ", ");
}

}  // namespace

std::string check_result(const BuildCtx& ctx) {
  // A refusal is the verdict even when it stopped the build before the
  // differ saw the other objects (a changed export CRC).
  if (has_status(ctx, ExitCode::Error)) return "error";
  if (has_status(ctx, ExitCode::Unsupported)) return "refused";
  if (!all_diffed(ctx)) return "error";
  if (has_status(ctx, ExitCode::Ok)) return "patchable";
  return "unchanged";
}

KernelResult kernel_result(const BuildCtx& ctx, bool ok) {
  KernelResult r;
  r.release = ctx.target.release;
  r.objects = ctx.objects;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - ctx.start).count();
  for (const ObjectJob& o : ctx.objects)
    if (o.diff_status == static_cast<int>(ExitCode::Ok)) {
      r.changed += o.changed.size();
      r.added += o.added.size();
    }
  std::string diffed = check_result(ctx);
  if (ctx.cfg.check_only && ok) {
    r.result = diffed;
  } else if (ok) {
    r.result = "built";
    r.detail = ctx.ko.string();
  } else {
    // A failed build whose differ ran says what the differ found.
    r.result = diffed == "refused" || diffed == "unchanged" ? diffed : "error";
    r.detail = first_line(ctx.failure);
  }
  if (r.detail.empty() && r.result == "refused") r.detail = "the patch cannot be applied live";
  return r;
}

void print_check(const std::vector<KernelResult>& results, std::ostream& out) {
  for (const KernelResult& r : results) {
    out << terminal_safe(r.release) << ": " << r.result;
    if (r.result == "error" && !r.detail.empty()) out << ": " << terminal_safe(r.detail);
    out << '\n';
    for (const ObjectJob& o : r.objects) {
      out << "  " << terminal_safe(o.path) << " (" << terminal_safe(o.parent) << "): " << diff_outcome(o.diff_status);
      if (o.diff_status == static_cast<int>(ExitCode::Ok))
        out << "; changed: " << terminal_safe(joined(o.changed)) << "; new: " << terminal_safe(joined(o.added));
      out << '\n';
      if (o.diff_status == static_cast<int>(ExitCode::Unsupported) ||
          o.diff_status == static_cast<int>(ExitCode::Error))
        for (size_t at = 0; at < o.messages.size();) {
          size_t nl = o.messages.find('\n', at);
          if (nl == std::string::npos) nl = o.messages.size();
          out << "    " << terminal_safe(o.messages.substr(at, nl - at)) << '\n';
          at = nl + 1;
        }
    }
  }
}

void print_summary(const std::vector<KernelResult>& results, std::ostream& out) {
  size_t width = 6;
  for (const KernelResult& r : results) width = std::max(width, terminal_safe(r.release).size());
  auto row = [&](const std::string& k, const std::string& res, const std::string& ch, const std::string& secs,
                 const std::string& detail) {
    char buf[64];
    std::snprintf(buf, sizeof buf, " %-9s %7s %8s", res.c_str(), ch.c_str(), secs.c_str());
    out << k << std::string(width - k.size(), ' ') << buf << (detail.empty() ? "" : "  " + detail) << '\n';
  };
  row("kernel", "result", "changed", "seconds", "");
  for (const KernelResult& r : results)
    row(terminal_safe(r.release), r.result, r.result == "built" ? std::to_string(r.changed) : "-",
        seconds_text(r.seconds), r.result == "built" ? "" : terminal_safe(r.detail));
}

std::string results_json(const std::vector<KernelResult>& results) {
  std::string s = "{\"kernels\": [";
  for (size_t i = 0; i < results.size(); ++i) s += std::string(i ? "," : "") + "\n  " + result_json(results[i]);
  return s + "\n]}\n";
}

}  // namespace kp
