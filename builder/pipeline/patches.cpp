// Applying the patch files to the private tree, and finding the objects
// they affect.
//
// Patches are checked with a dry run before anything is compiled, so a
// patch that does not apply fails in a second, naming the file and hunk.
// They are applied for real only after the original objects are built.
//
// A changed .c file gives its object. Whether the object is built into
// vmlinux or into a module is read back from the compile command Kbuild
// records (.<obj>.cmd): module objects are compiled with -DMODULE and
// -DKBUILD_MODNAME. A changed header gives the objects of this configuration
// that include it (build/headers.cpp).
#include <algorithm>
#include <fstream>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "pipeline/context.h"
#include "pipeline/headers.h"
#include "support/file.h"

namespace kp {

namespace {

// The name on a ---/+++ line, without the timestamp.
std::string header_name(const std::string& line) {
  std::string f = line.substr(4);
  f = f.substr(0, f.find('\t'));
  while (!f.empty() && f.back() == ' ') f.pop_back();
  return f;
}

bool has_dotdot(const fs::path& p) {
  return std::any_of(p.begin(), p.end(), [](const fs::path& c) { return c == ".."; });
}

}  // namespace

std::vector<PatchedFile> patched_files(const fs::path& patch, const std::string& diff, const std::string& root) {
  std::vector<PatchedFile> out;
  std::istringstream in(diff);
  std::string line, old_name;
  int n = 0;
  bool after_old = false;  // a "+++ " line names a file only right after a "--- " line
  while (std::getline(in, line)) {
    ++n;
    bool is_new = after_old && line.starts_with("+++ ");
    after_old = line.starts_with("--- ");
    if (after_old) old_name = header_name(line);
    if (!is_new) continue;
    std::string f = header_name(line);
    if (f == "/dev/null") continue;
    std::string where = patch.string() + ":" + std::to_string(n) + ": ";
    if (f.starts_with("/") || (old_name.starts_with("/") && old_name != "/dev/null"))
      throw BuildError(where + "'" + (f.starts_with("/") ? f : old_name) +
                       "' is an absolute path; a patch names files relative to the top of " +
                       (root.empty() ? "the kernel tree (a/fs/proc/cmdline.c, b/fs/proc/cmdline.c)"
                                     : root + " (a/FILE.c, b/FILE.c)"));
    size_t slash = f.find('/');
    if (slash != std::string::npos) f = f.substr(slash + 1);  // -p1
    if (has_dotdot(f))
      throw BuildError(where + "'" + f + "' leaves " + (root.empty() ? "the kernel tree" : root) + " ('..')");
    bool created = old_name == "/dev/null";
    auto same = [&](const PatchedFile& p) { return p.name == f; };
    if (std::none_of(out.begin(), out.end(), same)) out.push_back({f, n, created});
  }
  return out;
}

std::vector<std::string> files_in_patch(const std::string& diff) {
  std::vector<std::string> out;
  for (const PatchedFile& f : patched_files("patch", diff)) out.push_back(f.name);
  return out;
}

// Turns GNU patch's complaints into one line per problem.
std::string patch_failure(const fs::path& patch, const std::string& output) {
  std::istringstream in(output);
  std::string line, file, msg;
  std::smatch m;
  static const std::regex patching("(?:checking|patching) file '?([^']+)'?");
  static const std::regex hunk("Hunk #([0-9]+) FAILED at ([0-9]+)");
  static const std::regex missing("can't find file to patch at input line ([0-9]+)");
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, patching))
      file = m[1];
    else if (std::regex_search(line, m, hunk))
      msg +=
          patch.string() + ": hunk #" + m[1].str() + " of " + file + " does not apply (at line " + m[2].str() + ")\n";
    else if (std::regex_search(line, m, missing))
      msg += patch.string() + ":" + m[1].str() + ": the file to patch does not exist in the kernel tree\n";
  }
  if (msg.empty()) msg = patch.string() + ": does not apply:\n" + output;
  if (!msg.empty() && msg.back() == '\n') msg.pop_back();
  return msg;
}

std::vector<InexactHunk> inexact_hunks(const std::string& output) {
  std::istringstream in(output);
  std::string line, file;
  std::smatch m;
  static const std::regex patching("(?:checking|patching) file '?([^']+)'?");
  static const std::regex hunk(
      "Hunk #([0-9]+) succeeded at ([0-9]+)(?: with fuzz ([0-9]+))?(?: \\(offset (-?[0-9]+) lines?\\))?");
  std::vector<InexactHunk> out;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, patching)) {
      file = m[1];
    } else if (std::regex_search(line, m, hunk)) {
      InexactHunk h{file, std::stoi(m[1]), std::stoi(m[2]), m[3].matched ? std::stoi(m[3]) : 0,
                    m[4].matched ? std::stoi(m[4]) : 0};
      if (h.fuzz != 0 || h.offset != 0) out.push_back(h);
    }
  }
  return out;
}

namespace {

// "PATCH: hunk #N of FILE applies [only with fuzz F ]at line L[, offset K lines]"
std::string describe(const fs::path& patch, const InexactHunk& h) {
  std::string s = patch.string() + ": hunk #" + std::to_string(h.hunk) + " of " + h.file + " applies ";
  if (h.fuzz != 0) s += "only with fuzz " + std::to_string(h.fuzz) + " ";
  s += "at line " + std::to_string(h.line);
  if (h.offset != 0) s += ", offset " + std::to_string(h.offset) + " lines";
  return s;
}

// GNU patch applies a hunk whose context does not quite match ("fuzz"):
// it may then change another function than the author meant, so fuzz is
// refused unless asked for. An offset alone only means the lines moved.
void judge_hunks(BuildCtx& ctx, const fs::path& patch, const std::string& output) {
  std::string refused;
  for (const InexactHunk& h : inexact_hunks(output)) {
    if (h.fuzz == 0)
      ctx.warnings.push_back(describe(patch, h));
    else if (ctx.cfg.allow_fuzz)
      ctx.warnings.push_back(describe(patch, h) + " (--allow-fuzz)");
    else
      refused += (refused.empty() ? "" : "\n") + describe(patch, h) +
                 ": its context does not match this kernel's source, so it may change the wrong lines; refresh "
                 "the patch against this kernel, or check the result and pass --allow-fuzz";
  }
  if (!refused.empty()) throw BuildError(refused);
}

void run_patch(BuildCtx& ctx, bool dry_run) {
  for (const fs::path& p : ctx.manifest.patches) {
    // LC_ALL=C: its messages are parsed (patch_failure, inexact_hunks).
    Command cmd{{"patch", "-p1", "--forward", "--batch", "-d", ctx.src_root().string(), "-i", fs::absolute(p).string()},
                {},
                {"LC_ALL=C"}};
    // The dry run lets patch fuzz so that a fuzzy hunk is named as such;
    // the real run then takes no more fuzz than was allowed.
    if (dry_run)
      cmd.argv.push_back("--dry-run");
    else if (!ctx.cfg.allow_fuzz)
      cmd.argv.push_back("--fuzz=0");
    ProcResult r = ctx.run.run(cmd);
    if (r.status != 0) throw BuildError(patch_failure(p, r.output));
    if (dry_run) judge_hunks(ctx, p, r.output);
  }
}

}  // namespace

namespace {

// How messages name the top the patch's names are relative to: "" for the
// kernel tree, else the out-of-tree module's source dir.
std::string oot_root(const BuildCtx& ctx) {
  return ctx.oot ? "the out-of-tree module's source " + ctx.cfg.oot_module_src.string() : "";
}

// What a dry run cannot catch: a new source file would need a Makefile
// change, and a '+++' name that is not the file patch found by its '---'
// name would make Kbuild build an object that does not exist.
void check_names(const BuildCtx& ctx, const fs::path& patch, const std::vector<PatchedFile>& files) {
  for (const PatchedFile& f : files) {
    std::string where = patch.string() + ":" + std::to_string(f.line) + ": ";
    std::string ext = fs::path(f.name).extension().string();
    if (ctx.oot && !f.created && !fs::is_regular_file(ctx.oot->copy / f.name))
      throw BuildError(where + f.name + " is not a file of the out-of-tree module's source " +
                       ctx.cfg.oot_module_src.string() +
                       " (--oot-module-src); a patch for the module names its files relative to that directory "
                       "(a/FILE.c, b/FILE.c), and patches the module's files only");
    if (f.created && (ext == ".c" || ext == ".S"))
      throw BuildError(where + "creates " + f.name +
                       ", which no Makefile of the kernel builds; put the new code in a file the kernel already "
                       "builds (a new function in the file that calls it)");
    if (!f.created && !fs::exists(ctx.src_root() / f.name))
      throw BuildError(where + f.name +
                       " is not in the kernel tree; the '---' and '+++' lines must name the same "
                       "file (a/" +
                       f.name + ", b/" + f.name + ")");
  }
}

}  // namespace

void check_patches(BuildCtx& ctx) {
  std::vector<std::pair<fs::path, std::vector<PatchedFile>>> files;
  for (const fs::path& p : ctx.manifest.patches) {
    std::optional<std::string> text = read_file(p.string());
    if (!text) throw BuildError(p.string() + ": cannot read the patch");
    if (text->empty()) throw BuildError(p.string() + ": empty patch");
    files.emplace_back(p, patched_files(p, *text, oot_root(ctx)));
    for (const PatchedFile& f : files.back().second)
      if (std::find(ctx.changed_files.begin(), ctx.changed_files.end(), f.name) == ctx.changed_files.end())
        ctx.changed_files.push_back(f.name);
  }
  if (ctx.changed_files.empty()) throw BuildError("the patches change no files (are they unified diffs?)");
  if (ctx.oot)  // a file outside the module's source is named as such, before patch says it is missing
    for (const auto& [p, list] : files) check_names(ctx, p, list);
  run_patch(ctx, true);
  for (const auto& [p, list] : files) check_names(ctx, p, list);
}

void apply_patches(BuildCtx& ctx) {
  run_patch(ctx, false);
}

void find_objects(BuildCtx& ctx) {
  std::vector<std::string> headers;
  for (const std::string& f : ctx.changed_files) {
    fs::path p(f);
    std::string ext = p.extension().string();
    if (ext == ".c" || ext == ".S") {
      ObjectJob job;
      job.path = p.replace_extension(".o").string();
      ctx.objects.push_back(job);
    } else if (ext == ".h") {
      headers.push_back(f);
    } else {
      throw BuildError(f + ": only C and assembly sources can be live patched (not build files or docs)");
    }
  }
  add_header_objects(ctx, headers);  // build/headers.cpp
  if (ctx.objects.empty()) {
    std::string list;
    for (const std::string& h : headers) list += (list.empty() ? "" : ", ") + h;
    throw BuildError(list + ": no object of this kernel's configuration includes the changed headers");
  }
}

}  // namespace kp
