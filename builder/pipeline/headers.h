// Which objects a changed header reaches: the files of this kernel's
// configuration that include it, directly or through other headers. See
// headers.cpp.
#pragma once

#include <cstddef>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "pipeline/context.h"

namespace kp {

// One `#include` (or `#include_next`) line with a literal file name.
struct Include {
  std::string name;     // "linux/fs.h", "internal.h"
  bool angled = false;  // <...> rather than "..."
  bool next = false;    // #include_next
  bool operator==(const Include&) const = default;
};

// The #include lines of a C, assembly or header file, in order. Lines with
// a macro instead of a file name (#include TRACE_INCLUDE(...)) are skipped;
// lines inside comments or #if 0 are not told apart (an extra edge only
// costs a compile).
std::vector<Include> scan_includes(std::string_view text);

// The include graph of a kernel tree, read lazily: only the files reachable
// from the roots asked about are opened.
class IncludeGraph {
 public:
  // `tree` is the top of the kernel tree, `arch` its SRCARCH ("x86"). Lists
  // the tree once (without tools/ and Documentation/).
  IncludeGraph(fs::path tree, std::string arch);

  // The members of `roots` (tree-relative paths of .c and .S files) that
  // include `header` (tree-relative), directly or indirectly, sorted.
  std::vector<std::string> includers(const std::vector<std::string>& roots, const std::string& header);

  // What `from` may include through `inc`, tree-relative: the file the
  // compiler finds, or when it finds none in the tree (a directory added
  // with -I by a Makefile), every file whose path ends in the name.
  std::vector<std::string> resolve(const std::string& from, const Include& inc) const;

  // Every file of the tree with one of these extensions, tree-relative.
  std::vector<std::string> files_with_extension(const std::set<std::string>& exts) const;
  size_t files_read() const { return edges_.size(); }

 private:
  void read(const std::string& file);
  std::vector<std::string> search(const std::string& dir, const Include& inc) const;

  fs::path tree_;
  std::vector<std::string> search_;  // -I directories, in the compiler's order
  std::vector<std::string> forced_;  // -include files
  std::unordered_set<std::string> files_;
  std::unordered_multimap<std::string, std::string> by_basename_;
  std::unordered_map<std::string, std::vector<std::string>> edges_;  // file -> what it includes
  std::unordered_multimap<std::string, std::string> rev_;            // the reverse, for edges_ so far
  size_t rev_edges_ = 0;
  mutable std::unordered_map<std::string, std::vector<std::string>> memo_;  // resolve() by directory and name
};

// The source file names of every object in vmlinux and the modules, as FILE
// symbols give them ("cmdline.c", "entry_64.o" for assembly), from the
// `readelf -s` text of the cache.
std::set<std::string> built_source_names(const fs::path& vmlinux_symtab, const fs::path& module_symtabs);

// Whether `file` (tree-relative .c or .S) may be the source of an object of
// `names` for SRCARCH `arch`. Names are base names, so this is a filter
// (there are 21 core.c in vmlinux), not a proof.
bool may_be_built(const std::string& file, const std::set<std::string>& names, const std::string& arch);

// The limit on objects one changed header may bring in.
inline constexpr size_t kMaxHeaderObjects = 200;

// For find_objects: adds to ctx.objects the objects this configuration
// builds that include one of `headers`, compiling the candidates in the
// private tree to find out which really are part of the kernel.
void add_header_objects(BuildCtx& ctx, const std::vector<std::string>& headers);

}  // namespace kp
