#include "package/binary.h"

#include <algorithm>
#include <iostream>
#include <set>

#include "package/deb.h"
#include "package/osv.h"
#include "package/patch.h"
#include "package/rpm.h"
#include "support/diag.h"

namespace kp::pkg {

namespace {

const auto kFile = kFileMode;

void modules_in(const fs::path& dir, std::vector<fs::path>& out) {
  std::vector<fs::path> found;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".ko") found.push_back(e.path());
    if (e.is_directory())
      for (const auto& sub : fs::directory_iterator(e.path()))
        if (sub.is_regular_file() && sub.path().extension() == ".ko") found.push_back(sub.path());
  }
  std::sort(found.begin(), found.end());
  out.insert(out.end(), found.begin(), found.end());
}

fs::path build_rpm(const Patch& p, const Settings& s, const fs::path& work) {
  fs::path dir = work / ("rpm-" + p.module);
  fs::path ko = dir / "staging/usr/lib/kpatch" / p.release / (p.module + ".ko");
  fs::create_directories(ko.parent_path());
  fs::copy_file(p.ko, ko);
  fs::permissions(ko, kFile);
  fs::path spec = dir / (p.rpm_name() + ".spec");
  write_text(spec, binary_spec(p, s, dir / "staging"), kFile);
  fs::path made = rpmbuild(spec, dir / "build", dir, false);
  verify_rpm(made, rpm_intent(p, s));
  fs::path out = work / "out" / made.filename();
  fs::rename(made, out);
  return out;
}

}  // namespace

std::vector<fs::path> find_modules(const std::vector<fs::path>& dirs) {
  std::vector<fs::path> out;
  for (const auto& d : dirs) {
    if (!fs::is_directory(d)) throw Fatal(d.string() + ": not a directory");
    size_t before = out.size();
    modules_in(d, out);
    if (out.size() == before) throw Fatal(d.string() + ": no kpatch-build module (*.ko) in it");
  }
  return out;
}

std::vector<fs::path> build_binary_packages(Runner& run, const std::vector<fs::path>& dirs, Formats f,
                                            const Settings& s, const fs::path& work) {
  std::vector<Patch> patches;
  std::set<std::string> seen;
  for (const auto& ko : find_modules(dirs)) {
    Patch p = read_built_module(ko);
    if (!seen.insert(p.release + "/" + std::to_string(p.version)).second)
      throw Fatal(ko.string() + ": a second module for " + p.release + " version " + std::to_string(p.version) +
                  "; one package each");
    patches.push_back(p);
  }
  std::vector<fs::path> made;
  for (const auto& p : patches) {
    made.push_back(work / "out" / osv_file_name(p));
    write_text(made.back(), osv_record(p, s), kFile);
    if (f.deb) {
      std::cerr << "kpatch-package: " << p.deb_name() << " " << p.version << "-1: building .deb\n";
      made.push_back(build_deb(run, p, s, work));
    }
    if (f.rpm) {
      std::cerr << "kpatch-package: " << p.rpm_name() << " " << p.version << "-1: building .rpm\n";
      made.push_back(build_rpm(p, s, work));
    }
  }
  return made;
}

}  // namespace kp::pkg
