#include "support/cache_entry.h"

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace kp {

namespace fs = std::filesystem;

std::string fnv1a_hex(std::string_view data) {
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string size_and_digest(std::string_view data) {
  return std::to_string(data.size()) + " " + fnv1a_hex(data) + "\n";
}

std::string store_cache_entry(const fs::path& root, const std::string& name,
                              const std::vector<std::pair<std::string, std::string>>& files) {
  std::error_code ec;
  fs::create_directories(root, ec);
  std::string tmpl = (root / ".tmp-XXXXXX").string();
  if (ec) return "cannot create " + root.string() + ": " + ec.message();
  if (::mkdtemp(tmpl.data()) == nullptr) return "cannot write in " + root.string() + ": " + std::strerror(errno);
  fs::path tmp = tmpl;
  bool ok = true;
  for (const auto& [file, text] : files) {
    std::ofstream f(tmp / file, std::ios::binary);
    f << text;
    ok = ok && static_cast<bool>(f.flush());
  }
  fs::path entry = root / name;
  if (ok) {
    // An old entry (stale or corrupt) goes aside first; a concurrent build
    // that stored the same entry a moment ago wins the rename, equally good.
    fs::path old = root / (".old-" + tmp.filename().string());
    fs::rename(entry, old, ec);
    fs::rename(tmp, entry, ec);
    fs::remove_all(old, ec);
  }
  fs::remove_all(tmp, ec);
  return ok ? "" : "cannot write the entry " + entry.string();
}

}  // namespace kp
