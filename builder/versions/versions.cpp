#include "versions/versions.h"

#define LIBDPKG_VOLATILE_API 1
extern "C" {
#include <dpkg/dpkg-db.h>
#include <dpkg/dpkg.h>
#include <dpkg/version.h>
}
#include <rpm/rpmver.h>

#include <regex>

#include "support/diag.h"

namespace kp::pkg {

namespace {

std::optional<std::string> parse(const std::string& text, dpkg_version& out) {
  dpkg_error err = DPKG_ERROR_INIT;
  if (parseversion(&out, text.c_str(), &err) == 0) return std::nullopt;
  std::string why = err.str ? err.str : "invalid version";
  dpkg_error_destroy(&err);
  return why;
}

}  // namespace

std::optional<std::string> debian_version_error(const std::string& version) {
  dpkg_version v{};
  return parse(version, v);
}

int compare_debian_versions(const std::string& a, const std::string& b) {
  dpkg_version va{}, vb{};
  if (auto why = parse(a, va)) throw Fatal("'" + a + "' is not a Debian version: " + *why);
  if (auto why = parse(b, vb)) throw Fatal("'" + b + "' is not a Debian version: " + *why);
  return dpkg_version_compare(&va, &vb);
}

int compare_rpm_versions(const std::string& a, const std::string& b) {
  return rpmvercmp(a.c_str(), b.c_str());
}

std::optional<std::string> debian_package_name_error(const std::string& name) {
  if (const char* why = pkg_name_is_illegal(name.c_str())) return std::string(why);
  // libdpkg still reads legacy names (capitals, '_'); Debian policy 5.6.1
  // and dpkg-deb --build take only these.
  if (!std::regex_match(name, std::regex("[a-z0-9][a-z0-9+.-]+")))
    return std::string("a package name is [a-z0-9][a-z0-9+.-]+ (Debian policy 5.6.1)");
  return std::nullopt;
}

}  // namespace kp::pkg
