#include "package/osv.h"

#include <ctime>
#include <nlohmann/json.hpp>

namespace kp::pkg {

namespace {

std::string rfc3339(int64_t epoch) {
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

std::string osv_file_name(const Patch& p) {
  return p.deb_name() + "_" + std::to_string(p.version) + "-1.osv.json";
}

std::string osv_record(const Patch& p, const Settings& s) {
  const std::string version = std::to_string(p.version) + "-1";
  nlohmann::ordered_json affected = {
      {"package", {{"ecosystem", "Debian:12"}, {"name", p.deb_name()}}},
      {"ranges", {{{"type", "ECOSYSTEM"}, {"events", {{{"introduced", "0"}}, {{"fixed", version}}}}}}},
  };
  nlohmann::ordered_json j = {
      {"schema_version", "1.6.0"},
      {"id", "KPATCH-" + p.release + "-" + p.id + "-" + std::to_string(p.version)},
      {"modified", rfc3339(s.epoch)},
      {"published", rfc3339(s.epoch)},
      {"upstream", p.cves},
      {"summary", p.summary},
      {"details", "Live patch " + p.id + " version " + std::to_string(p.version) +
                      " fixes the listed vulnerabilities in the running kernel " + p.release +
                      " without a reboot once " + p.deb_name() + " " + version + " or later is installed."},
      {"affected", {affected}},
      {"database_specific",
       {{"kernel_release", p.release},
        {"livepatch_module", p.module},
        {"build_id", p.build_id},
        {"rpm_package", p.rpm_name()},
        {"rpm_fixed", std::to_string(p.version) + "-1"}}},
  };
  return j.dump(2) + "\n";
}

}  // namespace kp::pkg
