// Linking the patch module without Kbuild's make.
//
// Kbuild links an external module in a handful of commands: compile each
// C source, write the object list (NAME.mod), `ld -r` it into NAME.o
// (with objtool on 6.12), write modules.order, run modpost (which writes
// NAME.mod.c), compile NAME.mod.o (and .module-common.o on 6.12), and
// `ld -r` the .ko. The commands take well under a second; make takes about
// two more to get there, most of it re-evaluating the compiler checks of
// the top and arch Makefiles in each of its three passes. For a given
// kernel, compiler and kmod/ those commands are the same for every patch
// module but for three things: the module dir, the module's name (as a
// file name, and in Kbuild form, '-' as '_', where Kbuild writes that) and
// KPATCH_REPLACE. So the first make link of a kernel's cache is kept as
// a recipe, CACHE/module-recipe: each output's command from its .cmd file
// (as kbuild_replay.cpp reads them) with @DIR@, @NAME@ and @REPLACE@ put
// back in, under a key of everything else they depend on (format, release,
// compiler, make arguments, Module.symvers path, kmod/ by digest). Later
// links of that kernel run the recipe with /bin/sh in the tree, as make
// runs each command.
//
// A recipe is kept only when it is general: every .cmd file make left is
// one of the known steps, the name appears only where Kbuild puts it (a
// name that also occurs in a path is not recorded), and both C compiles
// carry KPATCH_REPLACE. It is replayed only when its key is this build's,
// the tree has no vmlinux (make would add BTF to the .ko then), and the
// module dir is plain path text. A step that fails (an unresolved symbol
// in modpost, say) removes what the recipe wrote and lets make link the
// module, so every error reads as Kbuild reports it.
#include "pipeline/module_recipe.h"

#include <fstream>
#include <set>
#include <sstream>

#include "common/names.h"
#include "pipeline/kbuild_replay.h"
#include "pipeline/module_objects.h"
#include "pipeline/originals.h"
#include "support/diag.h"
#include "support/file.h"

namespace kp {

namespace {

constexpr const char* kFormat = "kpatch-module-recipe 2";
constexpr const char* kDir = "@DIR@";
constexpr const char* kName = "@NAME@";
// The name in Kbuild form ('-' as '_'), where Kbuild writes that:
// KBUILD_MODNAME, __KBUILD_MODNAME and the .mod.o's KBUILD_BASENAME.
constexpr const char* kModName = "@MODNAME@";
constexpr const char* kReplace = "@REPLACE@";

struct Output {
  const char* file;  // relative to the module dir, @NAME@ for the name
  bool required;
};

// Kbuild's outputs of an external module link, in the order it makes them.
constexpr Output kOutputs[] = {
    {"patch-hook.o", true},   {"kpatch-meta.o", true}, {"@NAME@.o", true},          {"modules.order", true},
    {"Module.symvers", true}, {"@NAME@.mod.o", true},  {".module-common.o", false},  // 6.12 and later
    {"@NAME@.ko", true},
};

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

std::string with_name(std::string s, const std::string& name) {
  replace_all(s, kName, name);
  replace_all(s, kModName, kbuild_module_name(name));
  return s;
}

// A recorded command with the module dir, name and KPATCH_REPLACE as
// placeholders; "" when the name is left anywhere else.
std::string generalize(std::string cmd, const fs::path& dir, const std::string& name) {
  replace_all(cmd, dir.string(), kDir);
  const std::string d = std::string(kDir) + "/", n = kName, modname = kbuild_module_name(name), m = kModName;
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {d + name + ".", d + n + "."},
           {d + "." + name + ".", d + "." + n + "."},
           {d + name + "\"", d + n + "\""},
           {"'\"" + modname + "\"'", "'\"" + m + "\"'"},
           {"'\"" + modname + ".mod\"'", "'\"" + m + ".mod\"'"},
           {"=kmod_" + modname + " ", "=kmod_" + m + " "},
           {"-DKPATCH_REPLACE=0", std::string("-DKPATCH_REPLACE=") + kReplace},
           {"-DKPATCH_REPLACE=1", std::string("-DKPATCH_REPLACE=") + kReplace}})
    replace_all(cmd, from, to);
  return cmd.find(name) == std::string::npos && cmd.find(modname) == std::string::npos ? cmd : "";
}

std::optional<std::vector<RecipeStep>> load_recipe(BuildCtx& ctx) {
  fs::path file = module_recipe_file(ctx);
  if (file.empty()) return std::nullopt;
  std::optional<std::string> text = read_file(file.string());
  if (!text) return std::nullopt;
  std::string key = module_recipe_key(ctx) + "\n";
  if (!text->starts_with(key)) return std::nullopt;
  std::vector<RecipeStep> steps;
  size_t at = key.size();
  while (at < text->size()) {
    size_t nl = text->find('\n', at), tab = text->find('\t', at);
    if (nl == std::string::npos || tab == std::string::npos || tab > nl) return std::nullopt;
    steps.push_back({text->substr(at, tab - at), text->substr(tab + 1, nl - tab - 1)});
    at = nl + 1;
  }
  if (steps.empty()) return std::nullopt;
  return steps;
}

// NAME.mod as Kbuild writes it: each object's path once, in order.
std::string object_list(const fs::path& dir, const std::vector<std::string>& objects) {
  std::string list;
  std::set<std::string> seen;
  for (const std::string& o : objects)
    if (seen.insert(o).second) list += (dir / o).string() + "\n";
  return list;
}

// A .cmd file as Kbuild writes one, `$` escaped for make.
void write_cmd_file(const fs::path& out, const std::string& cmd) {
  std::string escaped = cmd;
  replace_all(escaped, "$", "$$");
  std::ofstream(kbuild_cmd_file(out.parent_path(), out.filename().string()))
      << "cmd_" << out.string() << " := " << escaped << "\n";
}

void remove_outputs(const fs::path& dir, const std::string& name, const std::vector<RecipeStep>& steps) {
  std::error_code ec;
  for (const RecipeStep& s : steps) fs::remove(dir / with_name(s.output, name), ec);
  for (const char* f : {"@NAME@.mod", "@NAME@.mod.c"}) fs::remove(dir / with_name(f, name), ec);
}

}  // namespace

std::optional<std::vector<RecipeStep>> recipe_from_link(const fs::path& dir, const std::string& name,
                                                        std::string& why) {
  std::set<std::string> known = {"." + name + ".mod.cmd"};
  std::vector<RecipeStep> steps;
  for (const Output& o : kOutputs) {
    std::string file = with_name(o.file, name);
    fs::path cmd_file = kbuild_cmd_file(dir, file);
    known.insert(cmd_file.filename().string());
    std::optional<std::string> text = read_file(cmd_file.string());
    std::optional<std::string> cmd = text ? kbuild_recorded_command(*text, (dir / file).string()) : std::nullopt;
    if (!cmd) {
      if (!o.required && !text) continue;
      why = "Kbuild recorded no command in " + cmd_file.filename().string();
      return std::nullopt;
    }
    std::string general = generalize(*cmd, dir, name);
    if (general.empty()) {
      why = "the module name " + name + " appears in " + file + "'s command where kpatch-build cannot tell it apart";
      return std::nullopt;
    }
    if ((file == "patch-hook.o" || file == "kpatch-meta.o") && general.find(kReplace) == std::string::npos) {
      why = file + "'s command has no -DKPATCH_REPLACE";
      return std::nullopt;
    }
    steps.push_back({o.file, general});
  }
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string f = e.path().filename().string();
    if (!f.starts_with(".") || !f.ends_with(".cmd") || known.contains(f) || f.starts_with(".diff-")) continue;
    why = "Kbuild made " + f + ", which is not a step kpatch-build knows";
    return std::nullopt;
  }
  return steps;
}

std::string module_recipe_key(BuildCtx& ctx) {
  std::string key = std::string(kFormat) + "\nrelease=" + ctx.target.release + "\ncompiler=" + compiler_version(ctx) +
                    "\nsymvers=" + ctx.target.symvers.string() + "\n";
  if (!ctx.cfg.kmod_dir.empty()) key += "kmod=" + kmod_digest(ctx.cfg.kmod_dir) + "\n";
  for (const auto& a : ctx.target.make_args)
    if (!a.starts_with("KCFLAGS=")) key += "make=" + a + "\n";
  return key;
}

fs::path module_recipe_file(const BuildCtx& ctx) {
  return ctx.target.cache.empty() ? fs::path() : ctx.target.cache / "module-recipe";
}

std::string store_module_recipe(BuildCtx& ctx, const fs::path& dir) {
  fs::path file = module_recipe_file(ctx);
  if (file.empty() || load_recipe(ctx)) return "";
  std::string why;
  std::optional<std::vector<RecipeStep>> steps = recipe_from_link(dir, ctx.module_name(), why);
  if (!steps) return "";  // make links this kernel's modules; nothing is wrong
  std::string text = module_recipe_key(ctx) + "\n";
  for (const RecipeStep& s : *steps) text += s.output + "\t" + s.command + "\n";
  try {
    write_file_atomically(file.string(), text);
  } catch (const Fatal& e) {
    std::string why = e.what();
    return "cannot write the module recipe " + file.string() + ": " + why.substr(why.rfind(": ") + 2);
  }
  return "";
}

bool replay_module_link(BuildCtx& ctx, const fs::path& dir, const std::vector<std::string>& objects) {
  std::error_code ec;
  if (fs::exists(ctx.tree / "vmlinux", ec) || !plain_path_text(dir.string())) return false;
  std::optional<std::vector<RecipeStep>> steps = load_recipe(ctx);
  if (!steps) return false;
  const std::string name = ctx.module_name();
  std::ofstream(dir / (name + ".mod")) << object_list(dir, objects);
  const std::string replace = ctx.manifest.replace ? "1" : "0";
  InputDigests digests;
  std::string cache_warning;
  for (const RecipeStep& s : *steps) {
    std::string cmd = with_name(s.command, name);
    replace_all(cmd, kDir, dir.string());
    replace_all(cmd, kReplace, replace);
    fs::path out = dir / with_name(s.output, name);
    if (reuse_module_object(ctx, cmd, dir, out, digests) == CacheLookup::Hit) {
      ++ctx.module_objects_from_cache;
      write_cmd_file(out, cmd);
      continue;
    }
    ProcResult r = ctx.run.run(Command{{"/bin/sh", "-c", cmd}, ctx.tree.string(), {}});
    if (r.status != 0 || !fs::is_regular_file(out, ec)) {
      remove_outputs(dir, name, *steps);
      ctx.module_objects_from_cache = 0;  // make compiles them all
      return false;
    }
    if (std::string w = keep_module_object(ctx, cmd, dir, out, digests); !w.empty() && cache_warning.empty())
      cache_warning = w;  // once a link, not once an object
    // modpost reads each object's .cmd file (for #SYMVER lines) as Kbuild
    // leaves it; these export nothing, so the command alone will do.
    if (out.extension() == ".o") write_cmd_file(out, cmd);
  }
  if (!cache_warning.empty()) ctx.warnings.push_back(cache_warning);
  return true;
}

}  // namespace kp
