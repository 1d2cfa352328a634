#include "package/deb.h"

#include <md5.h>

#include <algorithm>
#include <fstream>

#include "package/scripts.h"
#include "package/text.h"
#include "versions/versions.h"
#include "support/diag.h"

namespace kp::pkg {

namespace {

void check_name(const std::string& name) {
  if (auto why = debian_package_name_error(name)) throw Fatal("'" + name + "' is not a Debian package name: " + *why);
}

void check_version(const std::string& v) {
  if (auto why = debian_version_error(v)) throw Fatal("'" + v + "' is not a Debian version: " + *why);
}

// Installed-Size as dpkg-gencontrol counts it: each file in KiB rounded up,
// each directory one.
uint64_t installed_kib(const fs::path& root) {
  uint64_t kib = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.path().filename() == "DEBIAN" && e.is_directory()) continue;
    if (e.path().parent_path().filename() == "DEBIAN") continue;
    kib += e.is_regular_file() ? (e.file_size() + 1023) / 1024 : 1;
  }
  return kib;
}

std::string md5sums(const fs::path& root) {
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file() && !e.path().lexically_relative(root).string().starts_with("DEBIAN/"))
      files.push_back(e.path().lexically_relative(root).string());
  std::sort(files.begin(), files.end());
  std::string out;
  for (const auto& f : files) {
    char digest[MD5_DIGEST_STRING_LENGTH];
    if (!MD5File((root / f).c_str(), digest)) throw Fatal((root / f).string() + ": cannot read");
    out += std::string(digest) + "  " + f + "\n";
  }
  return out;
}

}  // namespace

void run_checked(Runner& run, const Command& cmd, const std::string& what) {
  ProcResult r = run.run(cmd);
  if (r.status != 0) throw Fatal(what + " failed (" + cmd.str() + "):\n" + r.output);
}

void write_text(const fs::path& path, const std::string& text, fs::perms mode) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw Fatal(path.string() + ": cannot write");
  fs::permissions(path, mode);
}

std::string deb_depends(const Patch& p, const Settings& s) {
  check_version(s.tools_version);
  check_name("linux-image-" + p.release);
  return "Depends: kpatch (>= " + s.tools_version + "), linux-image-" + p.release + "\n";
}

std::string deb_control(const Patch& p, const Settings& s, uint64_t kib) {
  std::string version = std::to_string(p.version) + "-1";
  check_name(p.deb_name());
  check_version(version);
  return "Package: " + p.deb_name() + "\nVersion: " + version + "\nArchitecture: amd64\nMaintainer: " + s.maintainer +
         "\nInstalled-Size: " + std::to_string(kib) + "\n" + deb_depends(p, s) +
         "Section: kernel\nPriority: optional\n" + (s.homepage.empty() ? "" : "Homepage: " + s.homepage + "\n") +
         deb_description(synopsis(p), description_paragraphs(p));
}

std::string dsc_control(const Patch& p, const Settings& s) {
  check_name(p.deb_name());
  return "Source: " + p.deb_name() + "\nSection: kernel\nPriority: optional\nMaintainer: " + s.maintainer +
         "\nBuild-Depends: kpatch-build (>= " + s.tools_version +
         ")\nStandards-Version: 4.6.2\nRules-Requires-Root: no\n" +
         (s.homepage.empty() ? "" : "Homepage: " + s.homepage + "\n") + "\nPackage: " + p.deb_name() +
         "\nArchitecture: amd64\n" + deb_depends(p, s) + deb_description(synopsis(p), description_paragraphs(p));
}

std::string deb_changelog(const Patch& p, const Settings& s) {
  return p.deb_name() + " (" + std::to_string(p.version) + "-1) unstable; urgency=medium\n\n  * " + changelog_text(p) +
         "\n\n -- " + s.maintainer + "  " + s.rfc2822_date() + "\n";
}

std::string deb_copyright(const std::string& pkg) {
  return pkg +
         ": built from the kpatch project.\n\n"
         "Copyright (C) 2024-2025 the kpatch authors\nLicense: GPL-2\n\n"
         "This program is free software; you can redistribute it and/or modify it\n"
         "under the terms of the GNU General Public License, version 2, as\n"
         "published by the Free Software Foundation.\n\n"
         "On Debian systems, the complete text of the GNU General Public License\n"
         "version 2 can be found in '/usr/share/common-licenses/GPL-2'.\n";
}

fs::path build_deb(Runner& run, const Patch& p, const Settings& s, const fs::path& work) {
  const auto file = kFileMode, exec = kExecMode;
  const std::string pkg = p.deb_name(), version = std::to_string(p.version) + "-1";
  fs::path root = work / ("deb-" + p.module);
  fs::path ko = root / "usr/lib/kpatch" / p.release / (p.module + ".ko");
  fs::create_directories(ko.parent_path());
  fs::copy_file(p.ko, ko);
  fs::permissions(ko, file);
  fs::path doc = root / "usr/share/doc" / pkg;
  write_text(doc / "copyright", deb_copyright(pkg), file);
  write_text(doc / "changelog.Debian", deb_changelog(p, s), file);
  run_checked(run, Command{{"gzip", "-9n", (doc / "changelog.Debian").string()}, {}, {}}, "gzip");
  write_text(root / "usr/share/lintian/overrides" / pkg, lintian_overrides(pkg), file);
  for (const char* name : {"postinst", "prerm", "postrm"})
    write_text(root / "DEBIAN" / name, deb_script(p, name), exec);
  write_text(root / "DEBIAN/md5sums", md5sums(root), file);
  const std::string control = deb_control(p, s, installed_kib(root));
  write_text(root / "DEBIAN/control", control, file);
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_directory()) fs::permissions(e.path(), exec);
  fs::path out = work / "out" / (pkg + "_" + version + "_amd64.deb");
  run_checked(run,
              Command{{"dpkg-deb", "--root-owner-group", "-Zxz", "--build", root.string(), out.string()},
                      {},
                      {"SOURCE_DATE_EPOCH=" + std::to_string(s.epoch)}},
              "dpkg-deb");
  // Read back: the control data in the package is exactly what was meant.
  ProcResult back = run.run(Command{{"dpkg-deb", "--info", out.string(), "control"}, {}, {}});
  if (back.status != 0 || back.output != control)
    throw Fatal(out.string() + ": its control data is not what was written:\n" + back.output);
  return out;
}

}  // namespace kp::pkg
