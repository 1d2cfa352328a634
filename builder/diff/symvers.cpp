#include "diff/symvers.h"

#include <sys/stat.h>

#include <optional>
#include <string_view>

#include "common/names.h"
#include "support/diag.h"
#include "support/file.h"

namespace kp {

Symvers Symvers::parse_file(const std::string& path) {
  // A directory opens and reads as empty: it would pass for a kernel that
  // exports nothing.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw Fatal(path + ": error: is a directory, not Module.symvers [unreadable-symvers]");
  auto text = read_file(path);
  if (!text) throw Fatal(path + ": error: cannot read Module.symvers [unreadable-symvers]");
  return parse(path, *text);
}

namespace {

// The next field of a tab-separated line, or nullopt at its end.
std::optional<std::string_view> next_field(std::string_view& rest, bool& more) {
  if (!more) return std::nullopt;
  size_t tab = rest.find('\t');
  std::string_view f = rest.substr(0, tab);
  more = tab != std::string_view::npos;
  rest.remove_prefix(more ? tab + 1 : rest.size());
  return f;
}

}  // namespace

// One pass over the text without streams: the kernel's Module.symvers has
// some 30,000 lines.
Symvers Symvers::parse(const std::string& name, const std::string& text) {
  Symvers s;
  std::string_view all(text);
  size_t lineno = 0;
  s.exports_.reserve(all.size() / 48);
  for (size_t pos = 0; pos < all.size();) {
    size_t end = all.find('\n', pos);
    if (end == std::string_view::npos) end = all.size();
    std::string_view rest = all.substr(pos, end - pos);
    pos = end + 1;
    ++lineno;
    if (rest.empty()) continue;
    // crc <TAB> symbol <TAB> module path <TAB> export type [<TAB> namespace]
    bool more = true;
    auto crc = next_field(rest, more);
    auto sym = next_field(rest, more);
    auto module = next_field(rest, more);
    if (!module || !crc->starts_with("0x") || sym->empty() || module->empty())
      throw Fatal(name + ":" + std::to_string(lineno) + ": error: not a Module.symvers line [unreadable-symvers]");
    size_t slash = module->rfind('/');
    // "drivers/md/md-mod" -> "md_mod", the name the kernel (and livepatch)
    // knows the module by.
    s.exports_[std::string(*sym)] = kbuild_module_name(slash == std::string_view::npos ? *module : module->substr(slash + 1));
  }
  return s;
}

std::string Symvers::exporter(const std::string& symbol) const {
  auto it = exports_.find(symbol);
  return it == exports_.end() ? std::string() : it->second;
}

}  // namespace kp
