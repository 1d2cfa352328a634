// A machine-readable record, beside each package, of the CVEs it fixes live
// on the kernel release it targets, in the OSV format (https://ossf.github.io/
// osv-schema/, schema 1.6): vulnerability scanners that read Debian's and
// other distributions' OSV data read it as they are. OSV rather than CSAF
// VEX because it is a single small JSON document per fix whose "affected"
// ranges say directly which package version fixes which CVE; CSAF needs a
// product tree and a publisher document around the same two facts.
//
// One record per package (not per CVE): its "upstream" lists the CVEs, its
// "affected" entry says the kpatch-patch package of that kernel is the fix
// from version V-1 on, and database_specific names the kernel release, the
// module and its build ID so a scanner can match the running kernel.
#pragma once

#include <string>

#include "package/patch.h"
#include "package/settings.h"

namespace kp::pkg {

// The file name: <deb package>_<V>-1.osv.json.
std::string osv_file_name(const Patch& p);

// The record as pretty-printed JSON.
std::string osv_record(const Patch& p, const Settings& s);

}  // namespace kp::pkg
