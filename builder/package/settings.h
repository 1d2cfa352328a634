// What every package of one kpatch-package run shares: the tools version
// it depends on, who maintains it, the distribution's page, the timestamp.
#pragma once

#include <cstdint>
#include <string>

namespace kp::pkg {

struct Settings {
  std::string tools_version;  // kpatch (>= this)
  std::string maintainer;     // "Name <mail>", KPATCH_MAINTAINER
  std::string homepage;       // KPATCH_HOMEPAGE, empty: none
  int64_t epoch = 0;          // SOURCE_DATE_EPOCH, else now

  // From the environment; throws kp::Fatal naming the variable at fault.
  static Settings from_environment(const std::string& tools_version);
  std::string rfc2822_date() const;  // Debian changelogs
  std::string rpm_date() const;      // RPM %changelog
};

}  // namespace kp::pkg
