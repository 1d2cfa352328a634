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
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "build/context.h"
#include "build/headers.h"
#include "support/file.h"

namespace kp {

std::vector<std::string> files_in_patch(const std::string& diff) {
  std::vector<std::string> out;
  std::istringstream in(diff);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("+++ ")) continue;
    std::string f = line.substr(4);
    f = f.substr(0, f.find_first_of("\t"));
    while (!f.empty() && f.back() == ' ') f.pop_back();
    if (f == "/dev/null") continue;
    size_t slash = f.find('/');
    if (slash != std::string::npos) f = f.substr(slash + 1);  // -p1
    if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
  }
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
    Command cmd{
        {"patch", "-p1", "--forward", "--batch", "-d", ctx.tree.string(), "-i", fs::absolute(p).string()}, {}, {}};
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

void check_patches(BuildCtx& ctx) {
  for (const fs::path& p : ctx.manifest.patches) {
    std::string text = read_file(p.string()).value_or("");
    if (text.empty()) throw BuildError(p.string() + ": empty patch");
    for (auto& f : files_in_patch(text))
      if (std::find(ctx.changed_files.begin(), ctx.changed_files.end(), f) == ctx.changed_files.end())
        ctx.changed_files.push_back(f);
  }
  if (ctx.changed_files.empty()) throw BuildError("the patches change no files (are they unified diffs?)");
  run_patch(ctx, true);
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
