// Compiling the affected objects, before and after the patch, through
// Kbuild so every flag matches the distribution's build; with
// -ffunction-sections -fdata-sections (from make.args) so the differ can
// take functions one by one. The patched side runs the command Kbuild
// recorded for the original when that is the same as make
// (kbuild_replay.cpp). Each object's .cmd file is read once per
// compile: its parent (vmlinux or a module) and its exported symbols' CRCs.
// An out-of-tree module's objects are compiled the same way in the copy of
// its source dir (M=, oot_module.cpp), and must be the module's.
#include <algorithm>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>

#include "pipeline/context.h"
#include "pipeline/kbuild_replay.h"
#include "pipeline/originals.h"
#include "support/file.h"

namespace kp {

fs::path kbuild_cmd_file(const fs::path& tree, const std::string& obj) {
  fs::path p = tree / obj;
  return p.parent_path() / ("." + p.filename().string() + ".cmd");
}

std::string kbuild_parent(const std::string& cmd_text) {
  static const std::regex modname("-DKBUILD_MODNAME='?\"?\\\\?\"?([A-Za-z0-9_-]+)");
  bool module = cmd_text.find(" -DMODULE ") != std::string::npos || cmd_text.find(" -DMODULE'") != std::string::npos;
  if (!module) return "vmlinux";
  std::smatch m;
  if (!std::regex_search(cmd_text, m, modname)) return {};
  std::string name = m[1];
  for (char& c : name)
    if (c == '-') c = '_';
  return name;
}

Command kbuild_objects_command(const BuildCtx& ctx, bool keep_going) {
  Command cmd{{"make"}, {}, {}};
  if (keep_going) cmd.argv.push_back("-k");
  cmd.argv.insert(cmd.argv.end(), {"-C", ctx.tree.string()});
  if (ctx.oot) cmd.argv.push_back("M=" + ctx.oot->copy.string());
  cmd.argv.push_back("-j" + std::to_string(ctx.cfg.jobs));
  for (const auto& a : ctx.target.make_args) cmd.argv.push_back(a);
  return cmd;
}

namespace {

// vmlinux, or the module the object was compiled for, from the text of
// its .cmd file; with --oot-module, that module.
std::string parent_of(const BuildCtx& ctx, const std::optional<std::string>& cmd_text, const fs::path& cmd,
                      const std::string& obj) {
  if (!cmd_text) throw BuildError(obj + ": Kbuild left no " + cmd.filename().string() + "; was it compiled?");
  std::string name = kbuild_parent(*cmd_text);
  if (name.empty()) throw BuildError(obj + ": a module object without KBUILD_MODNAME");
  if (ctx.oot && name != ctx.oot->name)
    throw BuildError(obj + ": compiled for module '" + name + "', not for " + ctx.oot->name + " (--oot-module " +
                     ctx.cfg.oot_module.string() + "); a patch changes one out-of-tree module, the one given");
  return name;
}

// Which side of the patch a compile is for; each has its dir in WORK/.
enum class Side { Original, Patched };

const char* work_subdir(Side side) {
  return side == Side::Original ? "orig" : "patched";
}

void record(const BuildCtx& ctx, ObjectJob& o, Side side, const fs::path& dst,
            const std::optional<std::string>& cmd_text, const fs::path& cmd) {
  if (side == Side::Original) {
    o.orig = dst;
    o.parent = parent_of(ctx, cmd_text, cmd, o.path);
    o.crcs_orig = read_symvers_lines(cmd_text.value_or(""));
    o.kbuild_command = kbuild_recorded_command(cmd_text.value_or(""), o.path);
  } else {
    o.patched = dst;
    if (!o.replayed) o.crcs_patched = read_symvers_lines(cmd_text.value_or(""));  // else replay_compile's
  }
}

// One Kbuild make of the objects `which` (indexes into ctx.objects). A
// single-target build can reach one object through two directories'
// sub-makes (6.12 builds arch/x86/lib/clear_page_64.o from obj=arch/x86
// and from obj=arch/x86/lib), which race under -j: one compile's
// dependency file is gone when the other's fixdep reads it. A make that
// fails so ("fixdep: error opening file") runs once more with -j1; any
// other failure is reported as it is.
void make_objects(BuildCtx& ctx, Side side, const std::vector<size_t>& which) {
  if (which.empty()) return;
  Command cmd = kbuild_objects_command(ctx);
  for (size_t i : which) cmd.argv.push_back(ctx.objects[i].path);
  ProcResult r = ctx.run.run(cmd);
  if (r.status != 0 && ctx.cfg.jobs > 1 && r.output.find("fixdep: error opening file") != std::string::npos) {
    std::replace(cmd.argv.begin(), cmd.argv.end(), "-j" + std::to_string(ctx.cfg.jobs), std::string("-j1"));
    r = ctx.run.run(cmd);
  }
  if (r.status != 0) {
    std::string tail = r.output.size() > 3000 ? "..." + r.output.substr(r.output.size() - 3000) : r.output;
    throw BuildError(std::string("compiling the ") + (side == Side::Original ? "original" : "patched") +
                     " objects failed:\n" + tail);
  }
}

// The patched objects Kbuild's recorded command compiled
// (kbuild_replay.cpp); the others are left for make.
std::vector<size_t> replay_patched(BuildCtx& ctx, const std::vector<size_t>& which) {
  std::vector<size_t> left;
  for (size_t i : which) {
    ObjectJob& o = ctx.objects[i];
    o.replayed = ctx.cfg.kbuild_replay && replay_refusal(ctx, o).empty() && replay_compile(ctx, o);
    if (!o.replayed) left.push_back(i);
  }
  return left;
}

// Compiles `which` and copies each result to WORK/orig/ or WORK/patched/;
// the originals also go to the cache.
void compile(BuildCtx& ctx, Side side, const std::vector<size_t>& which) {
  make_objects(ctx, side, side == Side::Patched ? replay_patched(ctx, which) : which);
  for (size_t i : which) {
    ObjectJob& o = ctx.objects[i];
    fs::path dst = ctx.work / work_subdir(side) / o.path;
    fs::create_directories(dst.parent_path());
    fs::copy_file(ctx.src_root() / o.path, dst, fs::copy_options::overwrite_existing);
    fs::path cmd = kbuild_cmd_file(ctx.src_root(), o.path);
    // A replayed compile leaves the .cmd as the original's.
    std::optional<std::string> cmd_text = o.replayed ? std::nullopt : read_file(cmd.string());
    record(ctx, o, side, dst, cmd_text, cmd);
    if (side == Side::Original && cmd_text)
      if (std::string w = store_original(ctx, o.path, dst, *cmd_text); !w.empty()) ctx.warnings.push_back(w);
  }
}

std::vector<size_t> all_objects(const BuildCtx& ctx) {
  std::vector<size_t> v(ctx.objects.size());
  for (size_t i = 0; i < v.size(); ++i) v[i] = i;
  return v;
}

}  // namespace

void compile_original(BuildCtx& ctx) {
  std::vector<size_t> misses;
  for (size_t i = 0; i < ctx.objects.size(); ++i) {
    ObjectJob& o = ctx.objects[i];
    CachedOriginal hit;
    if (find_original(ctx, o.path, hit) != CacheLookup::Hit) {
      misses.push_back(i);
      continue;
    }
    fs::path dst = ctx.work / work_subdir(Side::Original) / o.path;
    fs::create_directories(dst.parent_path());
    std::ofstream(dst, std::ios::binary) << hit.object;
    record(ctx, o, Side::Original, dst, hit.cmd_text, kbuild_cmd_file(ctx.tree, o.path));
    ++ctx.originals_from_cache;
  }
  compile(ctx, Side::Original, misses);
}

void compile_patched(BuildCtx& ctx) {
  compile(ctx, Side::Patched, all_objects(ctx));
}

}  // namespace kp
