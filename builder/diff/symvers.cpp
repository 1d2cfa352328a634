#include "diff/symvers.h"

#include <sys/stat.h>

#include <sstream>

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

Symvers Symvers::parse(const std::string& name, const std::string& text) {
  Symvers s;
  std::istringstream in(text);
  std::string line;
  size_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty()) continue;
    // crc <TAB> symbol <TAB> module path <TAB> export type [<TAB> namespace]
    std::istringstream fields(line);
    std::string crc, sym, module;
    if (!std::getline(fields, crc, '\t') || !std::getline(fields, sym, '\t') || !std::getline(fields, module, '\t') ||
        !crc.starts_with("0x"))
      throw Fatal(name + ":" + std::to_string(lineno) + ": error: not a Module.symvers line [unreadable-symvers]");
    size_t slash = module.rfind('/');
    s.exports_[sym] = slash == std::string::npos ? module : module.substr(slash + 1);
  }
  return s;
}

std::string Symvers::exporter(const std::string& symbol) const {
  auto it = exports_.find(symbol);
  return it == exports_.end() ? std::string() : it->second;
}

}  // namespace kp
