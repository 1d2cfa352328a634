#include "package/rpm.h"

#include <rpm/header.h>
#include <rpm/rpmbuild.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmspec.h>
#include <rpm/rpmtag.h>
#include <rpm/rpmtd.h>
#include <rpm/rpmts.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "package/scripts.h"
#include "package/text.h"
#include "support/diag.h"

namespace kp::pkg {

namespace {

const char* const kScriptTags[] = {"POSTIN", "PREUN", "POSTUN", "POSTTRANS"};

std::string module_path(const Patch& p) {
  return "/usr/lib/kpatch/" + p.release + "/" + p.module + ".ko";
}

// A Debian release (6.1.0-56-cloud-amd64) has several '-', which rpmbuild
// refuses in a dependency's version ("Invalid version (double separator
// '-')") unless %_wrong_version_format_terminate_build is 0, when it only
// warns. Such a Provides is stored as written, and dnf (libsolv) matches
// `kpatch-patch = 6.1.0-56-cloud-amd64` against it exactly as the same
// string on both sides; another release (-57-, -rt-) does not match
// (docs/packaging.md, tested by package.repo).
bool several_dashes(const std::string& release) {
  return std::count(release.begin(), release.end(), '-') > 1;
}

// Preamble shared by binary and source specs, up to the first section.
std::string preamble(const RpmIntent& in, const Settings& s, const Patch& p) {
  std::string out =
      "%global __os_install_post %{nil}\n"
      "%global debug_package %{nil}\n"
      "%define _build_id_links none\n";
  if (several_dashes(p.release)) out += "%global _wrong_version_format_terminate_build 0\n";
  out += "Name:      " + in.name + "\n";
  out += "Version:   " + in.version + "\n";
  out += "Release:   " + in.release + "\n";
  out += "Summary:   " + rpm_escape(in.summary) + "\n";
  out += "License:   GPL-2.0-only\n";
  out += "Group:     System Environment/Kernel\n";
  out += "Packager:  " + rpm_escape(s.maintainer) + "\n";
  for (const auto& r : in.requires_) out += "Requires:  " + r + "\n";
  for (const auto& r : in.provides) out += "Provides:  " + r + "\n";
  out += "Conflicts: " + in.name + " < " + in.version + "-1\n";
  if (!s.homepage.empty()) out += "URL:       " + s.homepage + "\n";
  return out;
}

// %description, %files, the scriptlets and %changelog.
std::string body(const Patch& p, const RpmIntent& in, const Settings& s) {
  std::string out = "\n%description\n" + rpm_description(description_paragraphs(p));
  out += "\n%files\n%dir /usr/lib/kpatch/" + p.release + "\n" + module_path(p) + "\n";
  size_t n = 0;
  const RpmScriptlet* all = rpm_scriptlets(&n);
  for (size_t i = 0; i < n; ++i) out += std::string("\n") + all[i].tag + "\n" + rpm_escape(in.scriptlets[i].second);
  out += "\n%changelog\n* " + s.rpm_date() + " " + rpm_escape(s.maintainer) + " - " + in.version + "-1\n- " +
         rpm_escape(changelog_text(p)) + "\n";
  return out;
}

// A path that can stand in a spec's shell section as it is.
std::string spec_path(const fs::path& p) {
  std::string s = p.string();
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || std::string("/._+-").find(c) != std::string::npos))
      throw Fatal(s + ": the work directory's path has a character rpmbuild's shell would interpret (set TMPDIR)");
  return s;
}

struct RpmGlobal {
  std::string log;
  RpmGlobal() {
    if (rpmReadConfigFiles(nullptr, "x86_64") != 0) throw Fatal("librpm: cannot read its configuration");
    rpmSetVerbosity(RPMLOG_WARNING);
    rpmlogSetCallback(
        [](rpmlogRec rec, rpmlogCallbackData data) {
          static_cast<std::string*>(data)->append(rpmlogRecMessage(rec));
          return 0;
        },
        &log);
  }
};

RpmGlobal& rpm_global() {
  static RpmGlobal g;
  return g;
}

void define(const char* name, const std::string& value) {
  rpmPushMacroFlags(nullptr, name, nullptr, value.c_str(), RMIL_CMDLINE, RPMMACRO_LITERAL);
}

std::string header_string(Header h, rpmTagVal tag) {
  const char* v = headerGetString(h, tag);
  return v ? v : "";
}

std::vector<std::string> header_strings(Header h, rpmTagVal tag) {
  std::vector<std::string> out;
  rpmtd td = rpmtdNew();
  if (headerGet(h, tag, td, HEADERGET_EXT)) {
    while (const char* s = rpmtdNextString(td)) out.emplace_back(s);
  }
  rpmtdFreeData(td);
  rpmtdFree(td);
  return out;
}

// "NAME OP VERSION" of a dependency tag triple.
std::vector<std::string> dependencies(Header h, rpmTagVal names, rpmTagVal versions, rpmTagVal flags) {
  auto n = header_strings(h, names), v = header_strings(h, versions);
  std::vector<std::string> out;
  rpmtd td = rpmtdNew();
  std::vector<uint32_t> f;
  if (headerGet(h, flags, td, HEADERGET_DEFAULT))
    while (uint32_t* x = rpmtdNextUint32(td)) f.push_back(*x);
  rpmtdFreeData(td);
  rpmtdFree(td);
  for (size_t i = 0; i < n.size(); ++i) {
    uint32_t sense = i < f.size() ? f[i] & RPMSENSE_SENSEMASK : 0;
    std::string op = sense == RPMSENSE_EQUAL ? " = " : sense == (RPMSENSE_GREATER | RPMSENSE_EQUAL) ? " >= " : "";
    out.push_back(n[i] + (op.empty() ? "" : op + (i < v.size() ? v[i] : "")));
  }
  return out;
}

void expect(const fs::path& pkg, const char* what, const std::string& want, const std::string& got) {
  if (want != got)
    throw Fatal(pkg.string() + ": " + what + " is '" + printable(got) + "', meant '" + printable(want) +
                "' (rpmbuild changed the text)");
}

void expect_each(const fs::path& pkg, const char* what, const std::vector<std::string>& want,
                 const std::vector<std::string>& got) {
  for (const auto& w : want)
    if (std::find(got.begin(), got.end(), w) == got.end())
      throw Fatal(pkg.string() + ": " + what + " lacks '" + printable(w) + "'");
}

}  // namespace

RpmIntent rpm_intent(const Patch& p, const Settings& s) {
  RpmIntent in;
  in.name = p.rpm_name();
  in.version = std::to_string(p.version);
  in.summary = synopsis(p);
  in.description = description_text(description_paragraphs(p));
  in.description.pop_back();  // rpm keeps no final newline
  in.requires_ = {"kpatch >= " + s.tools_version};
  in.provides = {"kpatch-patch(" + p.release + ") = " + in.version};
  // Classic kpatch's form, so `dnf install "kpatch-patch = $(uname -r)"`
  // works, for every release: see several_dashes().
  in.provides.push_back("kpatch-patch = " + p.release);
  size_t n = 0;
  const RpmScriptlet* all = rpm_scriptlets(&n);
  for (size_t i = 0; i < n; ++i) in.scriptlets.emplace_back(kScriptTags[i], script_body(p, Format::Rpm, all[i].call));
  in.files = {"/usr/lib/kpatch/" + p.release, module_path(p)};
  return in;
}

std::string binary_spec(const Patch& p, const Settings& s, const fs::path& staging) {
  const RpmIntent in = rpm_intent(p, s);
  return "# Generated by kpatch-package; see docs/packaging.md.\n" + preamble(in, s, p) + "\n%install\ncp -a " +
         spec_path(staging) + "/. %{buildroot}/\n" + body(p, in, s);
}

std::string source_spec(const Patch& p, const Settings& s, const std::string& tarball) {
  const RpmIntent in = rpm_intent(p, s);
  return "# Generated by kpatch-package --srpm; see docs/packaging.md.\n"
         "# Build: rpmbuild --rebuild X.src.rpm (KPATCH_BUILD=path overrides kpatch-build).\n" +
         preamble(in, s, p) + "Source0:   " + tarball + "\nBuildRequires: kpatch-build >= " + s.tools_version +
         "\nExclusiveArch: x86_64\n\n%prep\n%setup -q\n\n%build\n${KPATCH_BUILD:-kpatch-build} --manifest "
         "manifest.yaml -o out\n\n"
         "%install\ninstall -D -m 0644 out/" +
         p.module + ".ko %{buildroot}" + module_path(p) + "\n" + body(p, in, s);
}

fs::path rpmbuild(const fs::path& spec, const fs::path& topdir, const fs::path& sourcedir, bool source) {
  RpmGlobal& g = rpm_global();
  g.log.clear();
  define("_topdir", spec_path(topdir));
  define("_sourcedir", spec_path(sourcedir));
  define("_tmppath", spec_path(topdir / "tmp"));
  // What the rpmbuild command makes before it builds.
  for (const char* d : {"BUILD", "BUILDROOT", "RPMS", "SRPMS", "tmp"}) fs::create_directories(topdir / d);
  std::unique_ptr<rpmSpec_s, rpmSpec (*)(rpmSpec)> parsed(rpmSpecParse(spec.c_str(), RPMSPEC_NONE, nullptr),
                                                          rpmSpecFree);
  if (!parsed) throw Fatal(spec.string() + ": rpmbuild cannot parse the spec:\n" + g.log);
  rpmts ts = rpmtsCreate();
  rpmBuildArguments_s ba{};
  ba.buildAmount = source ? RPMBUILD_PACKAGESOURCE
                          : RPMBUILD_PREP | RPMBUILD_BUILD | RPMBUILD_INSTALL | RPMBUILD_CHECK | RPMBUILD_FILECHECK |
                                RPMBUILD_PACKAGEBINARY | RPMBUILD_CLEAN;
  int rc = rpmSpecBuild(ts, parsed.get(), &ba);
  rpmtsFree(ts);
  if (rc != 0) throw Fatal(spec.string() + ": rpmbuild failed:\n" + g.log);
  Header h = rpmSpecSourceHeader(parsed.get());
  std::string nvr =
      header_string(h, RPMTAG_NAME) + "-" + header_string(h, RPMTAG_VERSION) + "-" + header_string(h, RPMTAG_RELEASE);
  return source ? topdir / "SRPMS" / (nvr + ".src.rpm") : topdir / "RPMS" / "x86_64" / (nvr + ".x86_64.rpm");
}

void verify_rpm(const fs::path& package, const RpmIntent& want) {
  rpm_global();
  rpmts ts = rpmtsCreate();
  rpmtsSetVSFlags(ts, RPMVSF_MASK_NOSIGNATURES);
  FD_t fd = Fopen(package.c_str(), "r.ufdio");
  if (!fd || Ferror(fd)) {
    if (fd) Fclose(fd);
    rpmtsFree(ts);
    throw Fatal(package.string() + ": cannot open the package just built");
  }
  Header h = nullptr;
  rpmRC rc = rpmReadPackageFile(ts, fd, package.c_str(), &h);
  Fclose(fd);
  rpmtsFree(ts);
  if (rc != RPMRC_OK && rc != RPMRC_NOTTRUSTED && rc != RPMRC_NOKEY)
    throw Fatal(package.string() + ": librpm cannot read it");
  std::unique_ptr<headerToken_s, Header (*)(Header)> hold(h, headerFree);
  expect(package, "Name", want.name, header_string(h, RPMTAG_NAME));
  expect(package, "Version", want.version, header_string(h, RPMTAG_VERSION));
  expect(package, "Release", want.release, header_string(h, RPMTAG_RELEASE));
  expect(package, "Summary", want.summary, header_string(h, RPMTAG_SUMMARY));
  expect(package, "Description", want.description, header_string(h, RPMTAG_DESCRIPTION));
  expect_each(package, "Requires", want.requires_,
              dependencies(h, RPMTAG_REQUIRENAME, RPMTAG_REQUIREVERSION, RPMTAG_REQUIREFLAGS));
  expect_each(package, "Provides", want.provides,
              dependencies(h, RPMTAG_PROVIDENAME, RPMTAG_PROVIDEVERSION, RPMTAG_PROVIDEFLAGS));
  for (const auto& [tag, script] : want.scriptlets) {
    std::string got = header_string(h, rpmTagGetValue(tag.c_str()));
    // rpm drops the body's final newline.
    std::string meant = script.ends_with('\n') ? script.substr(0, script.size() - 1) : script;
    expect(package, tag.c_str(), meant, got);
  }
  if (!want.files.empty()) {
    auto files = header_strings(h, RPMTAG_FILENAMES);
    std::sort(files.begin(), files.end());
    auto meant = want.files;
    std::sort(meant.begin(), meant.end());
    std::string a, b;
    for (const auto& f : meant) a += f + " ";
    for (const auto& f : files) b += f + " ";
    expect(package, "file list", a, b);
  }
}

}  // namespace kp::pkg
