#include "package/settings.h"

#include <cstdlib>
#include <ctime>
#include <regex>

#include "package/patch.h"
#include "support/diag.h"

namespace kp::pkg {

namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

std::string utc(int64_t epoch, const char* format) {
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);  // C locale: the process never calls setlocale
  return buf;
}

}  // namespace

Settings Settings::from_environment(const std::string& tools_version) {
  Settings s;
  s.tools_version = tools_version;
  s.maintainer = env_or("KPATCH_MAINTAINER", "kpatch maintainers <kpatch@example.org>");
  s.homepage = env_or("KPATCH_HOMEPAGE", "");
  if (auto why = text_line_error(s.maintainer);
      !why.empty() || !std::regex_match(s.maintainer, std::regex("[^<>]+ <[^<>@ ]+@[^<> ]+>")))
    throw Fatal("KPATCH_MAINTAINER: '" + printable(s.maintainer) + "' is not 'Name <address>'");
  if (!s.homepage.empty() && !std::regex_match(s.homepage, std::regex("https?://[A-Za-z0-9._~:/?#@!$&*+,;=-]+")))
    throw Fatal("KPATCH_HOMEPAGE: '" + printable(s.homepage) + "' is not an http(s) URL");
  std::string epoch = env_or("SOURCE_DATE_EPOCH", "");
  if (epoch.empty())
    s.epoch = std::time(nullptr);
  else if (std::regex_match(epoch, std::regex("[0-9]{1,12}")))
    s.epoch = std::stoll(epoch);
  else
    throw Fatal("SOURCE_DATE_EPOCH: '" + printable(epoch) + "' is not a number of seconds");
  return s;
}

std::string Settings::rfc2822_date() const {
  return utc(epoch, "%a, %d %b %Y %H:%M:%S +0000");
}
std::string Settings::rpm_date() const {
  return utc(epoch, "%a %b %d %Y");
}

}  // namespace kp::pkg
