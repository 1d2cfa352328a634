// Reusing the module link's compiled objects.
//
// Linking a patch module compiles three or four C files with the kernel's
// flags (module_recipe.cpp): the hook (kmod/patch-hook.c), the patch's
// metadata (kpatch-meta.c), modpost's NAME.mod.c and, since 6.12,
// scripts/module-common.c. On a warm build these compiles are most of the
// time left, yet each object is a function of its command, the compiler
// and the files it reads: .module-common.o is the same for every patch of
// a kernel, and all of them are the same when a fix is built again (a new
// manifest version, another output dir, a matrix run after a --check).
//
// So, as ccache does in its direct mode, each compile the recipe runs is
// kept in CACHE/module-objects/<FNV of the key>/ with
//
//   key       format, release, `CC --version`, and the command with the
//             module dir as @DIR@ (name and KPATCH_REPLACE as they ran)
//   inputs    "SIZE FNV PATH" of every file the compiler's dependency file
//             (-Wp,-MMD,FILE) lists: the source, every header, the forced
//             includes; PATH relative to the tree, or @DIR@/FILE
//   object.o  the object, and `sum` the size and FNV of inputs and object
//
// and a later compile with the same key reads the listed inputs (in its
// own tree and module dir, each file once per link) and takes the object
// when every one has the recorded size and checksum. A header the patch
// changes is an input like any other, so an object that includes it is
// compiled again. What the dependency file cannot show is a file that is
// not there: a header added by the patch could shadow one the compile
// found further down the include path, so a build whose patches add files
// compiles everything. The compiler's own headers are not listed (-MMD
// leaves system headers out) and are covered by its --version line.
// Entries are written whole or not at all (support/cache_entry.h); a
// damaged one is compiled again and replaced. The compiler writes paths
// into the object's debug info (the module dir in DW_AT_name and
// __FILE__, the tree in DW_AT_comp_dir): a reused object names the dirs
// of the build that compiled it, which were private scratch dirs anyway.
#include "pipeline/module_objects.h"

#include <regex>

#include "support/cache_entry.h"
#include "support/diag.h"
#include "support/file.h"

namespace kp {

namespace {

constexpr const char* kFormat = "kpatch-module-object 1";
constexpr const char* kDir = "@DIR@";

std::string with_dir_open(std::string cmd, const fs::path& dir) {
  const std::string d = dir.string(), open = kDir;
  for (size_t at = cmd.find(d); at != std::string::npos; at = cmd.find(d, at + open.size()))
    cmd.replace(at, d.size(), open);
  return cmd;
}

std::string object_key(BuildCtx& ctx, const std::string& command, const fs::path& dir) {
  return std::string(kFormat) + "\nrelease=" + ctx.target.release + "\ncompiler=" + compiler_version(ctx) +
         "\ncommand=" + with_dir_open(command, dir) + "\n";
}

// One checksum over the inputs and the object: a reader that met a
// concurrent build replacing the entry (another tree, other inputs) between
// the two reads holds a pair that matches neither's sum.
std::string entry_sum(const std::string& inputs, const std::string& object) {
  return size_and_digest(inputs + '\0' + object);
}

// The dependency file the command writes (-Wp,-MMD,FILE), "" if none.
std::string dependency_file(const std::string& command) {
  static const std::regex mmd(R"((?:^|\s)-Wp,-MMD,([^\s,]+))");
  std::smatch m;
  return std::regex_search(command, m, mmd) ? m[1].str() : "";
}

// The prerequisites of the first rule of a dependency file; nullopt for
// anything but plain paths (make escapes a space or '$' with '\' or '$$').
std::optional<std::vector<std::string>> prerequisites(const std::string& text) {
  size_t colon = text.find(": ");
  if (colon == std::string::npos) return std::nullopt;
  std::vector<std::string> out;
  size_t at = colon + 2;
  while (at < text.size()) {
    size_t start = text.find_first_not_of(" \t", at);
    if (start == std::string::npos) break;
    if (text[start] == '\n') break;  // the end of the rule
    size_t end = text.find_first_of(" \t\n", start);
    if (end == std::string::npos) end = text.size();
    std::string token = text.substr(start, end - start);
    at = end;
    if (token == "\\" && at < text.size() && text[at] == '\n') {
      ++at;  // a continued line
      continue;
    }
    if (token.find_first_of("\\$:") != std::string::npos) return std::nullopt;
    out.push_back(token);
  }
  if (out.empty()) return std::nullopt;
  return out;
}

// An input's path as an entry records it, and back.
std::string recorded_path(const std::string& dep, const fs::path& dir) {
  const std::string d = dir.string() + "/";
  return dep.starts_with(d) ? std::string(kDir) + "/" + dep.substr(d.size()) : dep;
}
fs::path actual_path(const BuildCtx& ctx, const std::string& recorded, const fs::path& dir) {
  const std::string d = std::string(kDir) + "/";
  if (recorded.starts_with(d)) return dir / recorded.substr(d.size());
  return fs::path(recorded).is_absolute() ? fs::path(recorded) : ctx.tree / recorded;
}

// "SIZE FNV" of a file, read once per link; "" when it cannot be read.
const std::string& digest_of(const fs::path& file, InputDigests& digests) {
  auto [it, fresh] = digests.try_emplace(file.string());
  if (fresh) {
    std::optional<std::string> text = read_file(file.string());
    if (text) {
      it->second = size_and_digest(*text);
      it->second.pop_back();  // the newline
    }
  }
  return it->second;
}

// Files the patches create: what they hold is read, where they shadow
// another file is not (the essay above).
bool patches_add_files(const BuildCtx& ctx) {
  const fs::path& before = ctx.oot ? ctx.oot->src : ctx.target.src;
  std::error_code ec;
  for (const std::string& f : ctx.changed_files)
    if (!fs::exists(before / f, ec)) return true;
  return false;
}

bool usable(const BuildCtx& ctx, const std::string& command) {
  return !module_objects_dir(ctx).empty() && !dependency_file(command).empty() && !patches_add_files(ctx);
}

}  // namespace

fs::path module_objects_dir(const BuildCtx& ctx) {
  return ctx.target.cache.empty() ? fs::path() : ctx.target.cache / "module-objects";
}

CacheLookup reuse_module_object(BuildCtx& ctx, const std::string& command, const fs::path& dir, const fs::path& out,
                                InputDigests& digests) {
  if (!usable(ctx, command)) return CacheLookup::Miss;
  std::string key = object_key(ctx, command, dir);
  fs::path entry = module_objects_dir(ctx) / fnv1a_hex(key);
  std::error_code ec;
  if (!fs::is_directory(entry, ec)) return CacheLookup::Miss;
  if (read_file((entry / "key").string()) != key) return CacheLookup::Stale;
  std::optional<std::string> inputs = read_file((entry / "inputs").string());
  if (!inputs || inputs->empty() || inputs->back() != '\n') return CacheLookup::Corrupt;
  for (size_t at = 0; at < inputs->size();) {
    size_t nl = inputs->find('\n', at);
    std::string line = inputs->substr(at, nl - at);
    at = nl + 1;
    size_t sp1 = line.find(' '), sp2 = sp1 == std::string::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string::npos) return CacheLookup::Corrupt;
    const std::string& now = digest_of(actual_path(ctx, line.substr(sp2 + 1), dir), digests);
    if (now.empty() || now != line.substr(0, sp2)) return CacheLookup::Stale;
  }
  std::optional<std::string> obj = read_file((entry / "object.o").string());
  std::optional<std::string> sum = read_file((entry / "sum").string());
  if (!obj || !sum || obj->empty() || *sum != entry_sum(*inputs, *obj)) return CacheLookup::Corrupt;
  try {
    write_file_atomically(out.string(), *obj);
  } catch (const Fatal&) {
    return CacheLookup::Miss;  // the compile will say what is wrong with the dir
  }
  return CacheLookup::Hit;
}

std::string keep_module_object(BuildCtx& ctx, const std::string& command, const fs::path& dir, const fs::path& out,
                               InputDigests& digests) {
  if (!usable(ctx, command)) return "";
  fs::path depfile = dependency_file(command);
  if (depfile.is_relative()) depfile = ctx.tree / depfile;
  std::optional<std::string> deps = read_file(depfile.string());
  std::optional<std::vector<std::string>> files = deps ? prerequisites(*deps) : std::nullopt;
  std::optional<std::string> obj = read_file(out.string());
  if (!files || !obj || obj->empty()) return "";  // nothing to key it by: compiled every time
  std::string inputs;
  for (const std::string& f : *files) {
    std::string rec = recorded_path(f, dir);
    const std::string& digest = digest_of(actual_path(ctx, rec, dir), digests);
    if (digest.empty()) return "";
    inputs += digest + " " + rec + "\n";
  }
  std::string key = object_key(ctx, command, dir);
  std::string why =
      store_cache_entry(module_objects_dir(ctx), fnv1a_hex(key),
                        {{"key", key}, {"inputs", inputs}, {"object.o", *obj}, {"sum", entry_sum(inputs, *obj)}});
  return why.empty() ? "" : "cannot write the module-object cache: " + why;
}

}  // namespace kp
