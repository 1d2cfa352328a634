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
#include "support/file.h"
#include "build/headers.h"

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
    if (std::regex_search(line, m, patching)) file = m[1];
    else if (std::regex_search(line, m, hunk))
      msg += patch.string() + ": hunk #" + m[1].str() + " of " + file + " does not apply (at line " + m[2].str() +
             ")\n";
    else if (std::regex_search(line, m, missing))
      msg += patch.string() + ":" + m[1].str() + ": the file to patch does not exist in the kernel tree\n";
  }
  if (msg.empty()) msg = patch.string() + ": does not apply:\n" + output;
  if (!msg.empty() && msg.back() == '\n') msg.pop_back();
  return msg;
}

namespace {

void run_patch(BuildCtx& ctx, bool dry_run) {
  for (const fs::path& p : ctx.manifest.patches) {
    Command cmd{{"patch", "-p1", "--forward", "--batch", "-d", ctx.tree.string(), "-i", fs::absolute(p).string()}, {}, {}};
    if (dry_run) cmd.argv.push_back("--dry-run");
    ProcResult r = ctx.run.run(cmd);
    if (r.status != 0) throw BuildError(patch_failure(p, r.output));
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

void apply_patches(BuildCtx& ctx) { run_patch(ctx, false); }

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
