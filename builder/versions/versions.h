// Version rules of the two package formats, from the distributions' own
// libraries, so that our ordering of patch packages and kernel releases is
// exactly the one apt and dnf apply: libdpkg's dpkg_version_compare for
// Debian versions (epoch:upstream-revision, '~' sorting before everything),
// librpm's rpmvercmp for RPM version and release strings.
#pragma once

#include <optional>
#include <string>

namespace kp::pkg {

// Why `version` is not a valid Debian version, or nullopt when it is.
std::optional<std::string> debian_version_error(const std::string& version);

// <0, 0, >0 as a sorts before, equal to, after b under Debian's rules.
// Throws kp::Fatal when either is not a valid Debian version.
int compare_debian_versions(const std::string& a, const std::string& b);

// <0, 0, >0 under RPM's rules (rpmvercmp on one version or release field).
int compare_rpm_versions(const std::string& a, const std::string& b);

// Why `name` is not a valid Debian package name, or nullopt when it is.
std::optional<std::string> debian_package_name_error(const std::string& name);

}  // namespace kp::pkg
