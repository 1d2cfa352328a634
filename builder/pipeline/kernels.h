// Which kernels a build is for: a manifest's kernels: entries or --kernel
// values, each an exact release or a pattern (common/names.h), resolved
// against the releases the archive offers.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sys/process.h"

namespace kp {

// A release split into its ABI ("6.1.0-56", "6.12.118+deb12") and its
// flavour ("cloud-amd64"); nullopt for a name not of Debian's form.
struct ReleaseParts {
  std::string abi, flavour;
};
std::optional<ReleaseParts> split_release(const std::string& release);

// <0, 0, >0: a before, equal to, after b — by the ABI under Debian's
// version rules (libdpkg, as apt orders the packages), then the flavour.
int compare_releases(const std::string& a, const std::string& b);

// The releases that have a headers package in the apt lists
// (`apt-cache search --names-only`), in compare_releases order.
std::vector<std::string> archive_releases(Runner& run);

// The kernels `selectors` name, in order of first mention, each once:
// exact releases as given (kernel-tree refuses unknown ones with the
// nearest), patterns expanded over `available` in compare_releases order.
// Throws Fatal for a pattern that matches nothing, listing what exists.
std::vector<std::string> select_kernels(const std::vector<std::string>& selectors,
                                        const std::vector<std::string>& available);

}  // namespace kp
