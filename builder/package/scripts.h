// Maintainer scripts of a kpatch-patch package: the shared body
// (packaging/templates/patch-scripts.sh, compiled into the tool) behind the
// patch's identity as shell assignments, and one dispatch call. The
// identity's values are validated names (package/patch.h) and are quoted
// besides; no other text reaches a script.
#pragma once

#include <string>

#include "package/patch.h"

namespace kp::pkg {

enum class Format { Deb, Rpm };

// Text compiled into the tool from packaging/ (generated at build time).
extern const char* const kPatchScriptsTemplate;
extern const char* const kLintianPatchOverrides;

// The body of one maintainer script: identity, template, `call`.
// `call` is one of our dispatch lines, e.g. kp_deb_postinst "$@".
std::string script_body(const Patch& p, Format f, const std::string& call);

// A complete DEB maintainer script (postinst, prerm, postrm).
std::string deb_script(const Patch& p, const std::string& name);

struct RpmScriptlet {
  const char* tag;   // %post, ...
  const char* call;  // dispatch line
};
// The RPM scriptlets in spec order.
const RpmScriptlet* rpm_scriptlets(size_t* count);

// The lintian overrides file for package `pkg`.
std::string lintian_overrides(const std::string& pkg);

}  // namespace kp::pkg
