// Objects a changed header reaches.
//
// A patch to include/linux/foo.h changes every object that includes it, but
// kpatch-build works on a prepared tree that was never built: there are no
// Kbuild dependency files (.o.d, .cmd) to ask. Building the whole kernel to
// get them takes an hour, so the objects are found in three steps, each
// erring on the side of including too much (an extra object costs a
// compile; a missing one loses part of the fix):
//
//   1. Roots: the .c and .S files that may be built by this configuration.
//      Every object of vmlinux and of the modules leaves a FILE symbol with
//      its source's base name (measured on 6.1.0-56-cloud-amd64: all 2,141
//      C objects of vmlinux, and "entry_64.o" for assembly), so a file
//      whose base name is in no symbol table is not built, and nor is one
//      under another architecture's arch/ directory. Base names are
//      ambiguous (21 core.c in vmlinux alone), so this is a superset: it
//      keeps 6,116 of the 30,818 sources.
//   2. Includers: the roots that include the header, directly or through
//      other files. #include lines are read with the compiler's search
//      order (the including file's directory for "", then the -I list of
//      LINUXINCLUDE), only from files reachable from the roots (so the
//      300 MB of amdgpu register headers are never read unless amdgpu is
//      built). An include the standard paths do not find comes from a
//      Makefile's -I, so it is taken to be every file whose path ends in
//      the name. The forced -include files are included by every root.
//      Checked against the dependency lists Kbuild wrote for 45 objects:
//      every header they list is found. Reading the 14,000 reachable files
//      takes ~0.4 s with a warm page cache, listing the tree ~0.3 s.
//   3. Membership: the candidates are compiled in the private tree, and
//      kept only if they compile and the parent (vmlinux, or the module
//      Kbuild compiled them for) has most of their functions: an object
//      outside the configuration is compiled as if built in, so its
//      functions are missing from vmlinux.
//
// The objects left are compiled again by the normal stages (make finds them
// up to date) and the differ decides which changed: one whose functions do
// not use what the patch changed drops out.
//
// An out-of-tree module (--oot-module) is the same on the copy of its source
// dir: every .c and .S there is a root, the candidates are compiled with M=,
// and the parent is the module as given.
//
// Limits: #include with a macro (#include TRACE_INCLUDE(...), a trace
// header including itself) is not followed; a header generated at build
// time (asm-offsets.h) hides what it was generated from.
#include "pipeline/headers.h"

#include <algorithm>
#include <deque>
#include <fstream>
#include <regex>
#include <sstream>

#include "pipeline/kernel_files.h"
#include "pipeline/verify.h"
#include "support/diag.h"
#include "support/file.h"

namespace kp {

std::vector<Include> scan_includes(std::string_view text) {
  std::vector<Include> out;
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  for (size_t hash = text.find('#'); hash != std::string_view::npos; hash = text.find('#', hash + 1)) {
    size_t bol = hash;
    while (bol > 0 && blank(text[bol - 1])) --bol;
    if (bol > 0 && text[bol - 1] != '\n') continue;  // not the first thing on its line
    size_t eol = text.find('\n', hash);
    std::string_view line =
        text.substr(hash + 1, eol == std::string_view::npos ? std::string_view::npos : eol - hash - 1);
    size_t i = 0;
    while (i < line.size() && blank(line[i])) ++i;
    Include inc;
    std::string_view rest = line.substr(i);
    if (rest.starts_with("include_next")) {
      inc.next = true;
      i += 12;
    } else if (rest.starts_with("include")) {
      i += 7;
    } else {
      continue;
    }
    while (i < line.size() && blank(line[i])) ++i;
    if (i >= line.size() || (line[i] != '<' && line[i] != '"')) continue;
    inc.angled = line[i] == '<';
    size_t end = line.find(inc.angled ? '>' : '"', i + 1);
    if (end == std::string_view::npos || end == i + 1) continue;
    inc.name = std::string(line.substr(i + 1, end - i - 1));
    out.push_back(std::move(inc));
  }
  return out;
}

namespace {

// "a/b/../c.h" -> "a/c.h"; "" if it leaves the tree.
std::string normal(const std::string& path) {
  std::string n = fs::path(path).lexically_normal().generic_string();
  if (n.starts_with("../") || n == ".." || n.starts_with("/")) return {};
  if (n.starts_with("./")) n = n.substr(2);
  return n;
}

std::string dir_of(const std::string& file) {
  size_t slash = file.rfind('/');
  return slash == std::string::npos ? std::string() : file.substr(0, slash);
}

std::string join(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : dir + "/" + name;
}

}  // namespace

IncludeGraph::IncludeGraph(fs::path tree, std::string arch) : tree_(std::move(tree)) {
  // LINUXINCLUDE and the forced includes of the top Makefile and
  // scripts/Makefile.lib, as a .cmd file of 6.1 shows them.
  std::string a = "arch/" + arch + "/include";
  search_ = {
      a, a + "/generated", "include", a + "/uapi", a + "/generated/uapi", "include/uapi", "include/generated/uapi"};
  forced_ = {"include/linux/compiler-version.h", "include/linux/kconfig.h", "include/linux/compiler_types.h"};
  std::error_code ec;
  auto it = fs::recursive_directory_iterator(tree_, fs::directory_options::skip_permission_denied, ec);
  if (ec) throw BuildError(tree_.string() + ": cannot list the kernel tree: " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) throw BuildError(tree_.string() + ": cannot list the kernel tree: " + ec.message());
    std::string rel = it->path().lexically_relative(tree_).generic_string();
    if (it->is_directory(ec)) {
      if (it.depth() == 0 && (rel == "tools" || rel == "Documentation")) it.disable_recursion_pending();
      if (rel.substr(rel.rfind('/') + 1).starts_with(".")) it.disable_recursion_pending();
      continue;
    }
    files_.insert(rel);
    by_basename_.emplace(it->path().filename().string(), rel);
  }
}

std::vector<std::string> IncludeGraph::files_with_extension(const std::set<std::string>& exts) const {
  std::vector<std::string> out;
  for (const std::string& f : files_) {
    size_t dot = f.rfind('.');
    if (dot != std::string::npos && f.find('/', dot) == std::string::npos && exts.count(f.substr(dot)))
      out.push_back(f);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> IncludeGraph::resolve(const std::string& from, const Include& inc) const {
  // Only the directory of `from` matters, and only for "...": memoized.
  std::string key = std::string(inc.next ? "n" : "i") + (inc.angled ? "<" : dir_of(from) + "\"") + inc.name;
  auto [it, fresh] = memo_.try_emplace(key);
  if (fresh) it->second = search(dir_of(from), inc);
  std::vector<std::string> out = it->second;
  if (inc.next || out.size() > 1) std::erase(out, from);
  return out;
}

std::vector<std::string> IncludeGraph::search(const std::string& dir, const Include& inc) const {
  auto exists = [&](const std::string& p) { return !p.empty() && files_.count(p) != 0; };
  if (!inc.next) {
    if (!inc.angled)
      if (std::string p = normal(join(dir, inc.name)); exists(p)) return {p};
    for (const std::string& d : search_)
      if (std::string p = normal(join(d, inc.name)); exists(p)) return {p};
  } else {
    // The search goes on after the directory the including file was found
    // in; every hit is a superset of that.
    std::vector<std::string> hits;
    for (const std::string& d : search_)
      if (std::string p = normal(join(d, inc.name)); exists(p)) hits.push_back(p);
    if (!hits.empty()) return hits;
  }
  // A directory a Makefile adds with -I: any file whose path ends in the name.
  std::string suffix = normal(inc.name);
  while (suffix.starts_with("../")) suffix = suffix.substr(3);
  if (suffix.empty()) suffix = fs::path(inc.name).filename().string();
  std::vector<std::string> out;
  auto [lo, hi] = by_basename_.equal_range(fs::path(suffix).filename().string());
  for (auto it = lo; it != hi; ++it)
    if (it->second == suffix || it->second.ends_with("/" + suffix)) out.push_back(it->second);
  std::sort(out.begin(), out.end());
  return out;
}

void IncludeGraph::read(const std::string& file) {
  std::vector<std::string>& out = edges_[file];
  for (const Include& inc : scan_includes(read_file((tree_ / file).string()).value_or("")))
    for (std::string& p : resolve(file, inc)) out.push_back(std::move(p));
}

std::vector<std::string> IncludeGraph::includers(const std::vector<std::string>& roots, const std::string& header) {
  // Forward from the roots, reading each file once; then backward from the
  // header over the edges read.
  std::deque<std::string> todo(roots.begin(), roots.end());
  todo.insert(todo.end(), forced_.begin(), forced_.end());
  while (!todo.empty()) {
    std::string f = std::move(todo.front());
    todo.pop_front();
    if (edges_.count(f) || !files_.count(f)) continue;
    read(f);
    for (const std::string& t : edges_[f])
      if (!edges_.count(t)) todo.push_back(t);
  }
  if (rev_edges_ != edges_.size()) {
    rev_.clear();
    for (const auto& [from, tos] : edges_)
      for (const std::string& to : tos) rev_.emplace(to, from);
    rev_edges_ = edges_.size();
  }
  const auto& rev = rev_;
  std::set<std::string> rootset(roots.begin(), roots.end());
  bool forced = std::find(forced_.begin(), forced_.end(), header) != forced_.end();
  std::unordered_set<std::string> seen{header};
  std::deque<std::string> q{header};
  while (!q.empty()) {
    std::string f = std::move(q.front());
    q.pop_front();
    if (std::find(forced_.begin(), forced_.end(), f) != forced_.end()) forced = true;
    auto [lo, hi] = rev.equal_range(f);
    for (auto it = lo; it != hi; ++it)
      if (seen.insert(it->second).second) q.push_back(it->second);
  }
  if (forced) return std::vector<std::string>(rootset.begin(), rootset.end());
  std::vector<std::string> out;
  for (const std::string& f : seen)
    if (rootset.count(f)) out.push_back(f);
  std::sort(out.begin(), out.end());
  return out;
}

std::set<std::string> built_source_names(const fs::path& vmlinux_symtab, const fs::path& module_symtabs) {
  std::set<std::string> names;
  auto add = [&](const fs::path& p) {
    std::ifstream in(p);
    if (!in) throw BuildError(p.string() + ": cannot read the symbol table");
    for (std::string line; std::getline(in, line);) {
      size_t at = line.find(" FILE ");
      if (at == std::string::npos) continue;
      size_t sp = line.find_last_of(' ');
      std::string name = line.substr(sp + 1);
      if (!name.empty() && !name.ends_with(".mod.c")) names.insert(name);
    }
  };
  add(vmlinux_symtab);
  if (fs::is_directory(module_symtabs))
    for (const auto& e : fs::recursive_directory_iterator(module_symtabs))
      if (e.path().filename().string().ends_with(".symtab")) add(e.path());
  return names;
}

bool may_be_built(const std::string& file, const std::set<std::string>& names, const std::string& arch) {
  if (file.starts_with("arch/") && !file.starts_with("arch/" + arch + "/")) return false;
  std::string base = fs::path(file).filename().string();
  if (base.ends_with(".S")) base = base.substr(0, base.size() - 2) + ".o";
  return names.count(base) != 0;
}

namespace {

// The differ handles x86-64 only.
const std::string kArch = "x86";

std::string object_of(const std::string& source) {
  return fs::path(source).replace_extension(".o").generic_string();
}

// "vmlinux", or the module Kbuild compiled the object for; "" for a module
// object without KBUILD_MODNAME.
std::string compiled_for(const fs::path& tree, const std::string& obj) {
  return kbuild_parent(read_file(kbuild_cmd_file(tree, obj).string()).value_or(""));
}

// Most of the object's functions are in the parent (see the top).
bool part_of(const Object& obj, const std::string& objpath, const ParentBinary& parent) {
  std::string source = obj.source_name().empty() ? fs::path(objpath).filename().string() : obj.source_name();
  size_t total = 0, found = 0;
  for (const Symbol& s : obj.symbols()) {
    if (!s.is_func() || s.sec == nullptr) continue;
    ++total;
    if (!parent.candidates(s.name, s.is_local(), source).empty()) ++found;
  }
  return total == 0 || 2 * found > total;
}

void note(const BuildCtx& ctx, const std::string& line) {
  if (!ctx.log.empty()) std::ofstream(ctx.log, std::ios::app) << "kpatch-build: " << line << '\n';
}

}  // namespace

void add_header_objects(BuildCtx& ctx, const std::vector<std::string>& headers) {
  if (headers.empty()) return;
  const fs::path& root = ctx.src_root();
  IncludeGraph graph(root, kArch);
  std::set<std::string> names;
  if (!ctx.oot) names = built_source_names(ctx.target.vmlinux_symtab, ctx.target.module_symtabs);
  std::vector<std::string> roots;
  for (std::string& f : graph.files_with_extension({".c", ".S"}))
    if (ctx.oot || may_be_built(f, names, kArch)) roots.push_back(std::move(f));

  std::set<std::string> candidates;
  for (const std::string& h : headers) {
    std::vector<std::string> inc = graph.includers(roots, h);
    note(ctx, h + ": included by " + std::to_string(inc.size()) + " sources this configuration may build");
    if (inc.size() > kMaxHeaderObjects)
      throw BuildError(h + ": included by " + std::to_string(inc.size()) +
                       " objects this configuration may build; too many to patch live safely (the limit is " +
                       std::to_string(kMaxHeaderObjects) + "); change the .c files that need the fix instead");
    for (const std::string& f : inc) candidates.insert(object_of(f));
  }
  if (candidates.size() > kMaxHeaderObjects)
    throw BuildError("the changed headers are included by " + std::to_string(candidates.size()) +
                     " objects this configuration may build; too many to patch live safely (the limit is " +
                     std::to_string(kMaxHeaderObjects) + "); change the .c files that need the fix instead");
  for (const ObjectJob& o : ctx.objects) candidates.erase(o.path);
  note(ctx, std::to_string(graph.files_read()) + " files read for #include lines, " + std::to_string(roots.size()) +
                " roots, " + std::to_string(candidates.size()) + " candidate objects");
  if (candidates.empty()) return;

  // Compile them all; an object outside the configuration may not compile.
  Command cmd = kbuild_objects_command(ctx, true);
  for (const auto& o : candidates) cmd.argv.push_back(o);
  ProcResult r = ctx.run.run(cmd);

  std::map<std::string, std::optional<ParentBinary>> parents;
  auto parent = [&](const std::string& name) -> const ParentBinary* {
    auto it = parents.find(name);
    if (it == parents.end()) {
      std::optional<ParentBinary> p;
      if (name == "vmlinux")
        p = ParentBinary::open(ctx.target.vmlinux.string(), "vmlinux");
      else if (auto ko = shipped_module(ctx, name))
        p = ParentBinary::open(module_elf(ctx, *ko).string(), "module " + name);
      it = parents.emplace(name, std::move(p)).first;
    }
    return it->second ? &*it->second : nullptr;
  };
  size_t compiled = 0;
  for (const std::string& o : candidates) {
    if (!fs::exists(root / o)) {
      note(ctx, o + ": dropped: does not compile in this configuration");
      continue;
    }
    ++compiled;
    std::string name = compiled_for(root, o);
    const ParentBinary* p = name.empty() ? nullptr : parent(name);
    if (p == nullptr || !part_of(Object::load((root / o).string()), o, *p)) {
      note(ctx, o + ": dropped: not part of " + (name.empty() ? "any module" : name) + " in this configuration");
      continue;
    }
    ObjectJob job;
    job.path = o;
    ctx.objects.push_back(std::move(job));
  }
  if (compiled == 0) {
    std::string tail = r.output.size() > 3000 ? "..." + r.output.substr(r.output.size() - 3000) : r.output;
    throw BuildError("none of the " + std::to_string(candidates.size()) +
                     " objects that include the changed headers compiled:\n" + tail);
  }
}

}  // namespace kp
