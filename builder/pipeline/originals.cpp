// The cache of original objects. Most of a warm one-file build goes into
// compiling the object before the patch, yet that object depends only on
// the kernel tree (never written: builds use private views of it), the
// compiler and the flags. So each kernel's cache directory keeps, per
// object, what the original compile produced: CACHE/originals/<object
// path with '/' as '%'>/ holding
//
//   key         what the object was compiled with: the object path, the
//               make arguments (KERNELRELEASE, CC, KCFLAGS: the prepared
//               tree's; kpatch's headers, which only patched files include,
//               are in the view's include/, not in the flags), the
//               compiler's --version line, the format
//   object.o    the object
//   cmd         Kbuild's .cmd text (parent module, exported CRCs)
//   sum         size and FNV-1a 64 of object.o
//
// A second fix to the same file, or the same fix rebuilt, then compiles
// only the patched side. An entry is used only if its key matches exactly
// (else it is stale: rebuilt and replaced) and its object has the recorded
// size and checksum (else it is corrupt: rebuilt). Entries are made in a
// scratch dir and renamed into place, so a killed build leaves either a
// whole entry or none; a cache that cannot be written costs a warning, not
// the build. Kernel trees given with -s have no cache directory and are
// always compiled, as are the objects of an out-of-tree module
// (--oot-module).
#include "pipeline/originals.h"

#include <algorithm>

#include "support/cache_entry.h"
#include "support/file.h"

namespace kp {

namespace {

constexpr const char* kFormat = "kpatch-originals 2";

std::string flat(const std::string& path) {
  std::string s = path;
  for (char& c : s)
    if (c == '/') c = '%';
  return s;
}

std::string compiler_of(const BuildCtx& ctx) {
  for (const auto& a : ctx.target.make_args)
    if (a.starts_with("CC=")) return a.substr(3);
  return "gcc";
}

}  // namespace

std::string kmod_digest(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file(ec)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::string all;
  for (const fs::path& f : files) all += f.filename().string() + '\0' + read_file(f.string()).value_or("") + '\0';
  return fnv1a_hex(all);
}

const std::string& compiler_version(BuildCtx& ctx) {
  if (ctx.compiler_version.empty()) {
    ProcResult r = ctx.run.run({{compiler_of(ctx), "--version"}, "", {}});
    ctx.compiler_version = r.status == 0 ? r.output.substr(0, r.output.find('\n')) : "";
    if (ctx.compiler_version.empty()) ctx.compiler_version = "unknown";
  }
  return ctx.compiler_version;
}

fs::path originals_dir(const BuildCtx& ctx) {
  // --oot-module: entries are keyed by kernel-tree paths (oot_module.cpp).
  return ctx.target.cache.empty() || !ctx.cfg.oot_module.empty() ? fs::path() : ctx.target.cache / "originals";
}

std::string original_key(BuildCtx& ctx, const std::string& object) {
  std::string key = std::string(kFormat) + "\nobject=" + object + "\ncompiler=" + compiler_version(ctx) + "\n";
  for (const auto& a : ctx.target.make_args) key += "make=" + a + "\n";
  return key;
}

CacheLookup find_original(BuildCtx& ctx, const std::string& object, CachedOriginal& out) {
  fs::path root = originals_dir(ctx);
  if (root.empty()) return CacheLookup::Miss;
  fs::path entry = root / flat(object);
  std::error_code ec;
  if (!fs::is_directory(entry, ec)) return CacheLookup::Miss;
  auto key = read_file((entry / "key").string());
  if (!key || *key != original_key(ctx, object)) return CacheLookup::Stale;
  auto obj = read_file((entry / "object.o").string());
  auto sum = read_file((entry / "sum").string());
  auto cmd = read_file((entry / "cmd").string());
  if (!obj || !sum || !cmd || obj->empty() || *sum != size_and_digest(*obj)) return CacheLookup::Corrupt;
  out.object = std::move(*obj);
  out.cmd_text = std::move(*cmd);
  return CacheLookup::Hit;
}

std::string store_original(BuildCtx& ctx, const std::string& object, const fs::path& built,
                           const std::string& cmd_text) {
  fs::path root = originals_dir(ctx);
  if (root.empty()) return "";
  auto obj = read_file(built.string());
  if (!obj || obj->empty()) return "";
  std::string why = store_cache_entry(
      root, flat(object),
      {{"key", original_key(ctx, object)}, {"object.o", *obj}, {"cmd", cmd_text}, {"sum", size_and_digest(*obj)}});
  return why.empty() ? "" : "cannot write the original-object cache: " + why;
}

}  // namespace kp
