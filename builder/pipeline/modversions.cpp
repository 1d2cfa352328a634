// Exported symbols must keep their CRCs.
//
// With CONFIG_MODVERSIONS every module records, for each exported symbol it
// uses, a CRC of the symbol's type as genksyms saw it when the kernel was
// built; the running kernel keeps the CRCs it was built with, and a live
// patch cannot change them. A patch that changes an exported symbol's CRC
// therefore either changes a type that callers depend on (a struct layout,
// a prototype), which live patching cannot apply, or only changes how much
// of a type genksyms could see: typically a new #include that turns a
// forward-declared struct into a defined one. Both are refused, naming the
// symbol; for the second the usual fix is to hide the new include from
// genksyms with `#ifndef __GENKSYMS__`.
//
// The CRCs are the `#SYMVER <symbol> 0x<crc>` lines that Linux 6.1's Kbuild
// appends to an exporting object's .<object>.cmd file (scripts/
// Makefile.build, gen_symversions); they are read after each compile, so
// the comparison is between the two builds of the same tree, never against
// a file from elsewhere. Without CONFIG_MODVERSIONS there are no lines and
// nothing to check.
#include <sstream>

#include "pipeline/context.h"
#include "support/diag.h"
#include "support/file.h"

namespace kp {

std::map<std::string, std::string> read_symvers_lines(const std::string& cmd_text) {
  std::map<std::string, std::string> crcs;
  std::istringstream in(cmd_text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("#SYMVER ")) continue;
    std::istringstream fields(line.substr(8));
    std::string sym, crc;
    if (fields >> sym >> crc) crcs[sym] = crc;
  }
  return crcs;
}

void check_exported_crcs(BuildCtx& ctx) {
  std::string refusals;
  for (ObjectJob& o : ctx.objects) {
    for (const auto& [sym, before] : o.crcs_orig) {
      auto after = o.crcs_patched.find(sym);
      if (after == o.crcs_patched.end() || after->second == before) continue;
      std::string why = o.path + ": exported symbol '" + sym + "' would change its CRC from " + before + " to " +
                        after->second +
                        " (CONFIG_MODVERSIONS): the running kernel and its modules keep the old one. The patch "
                        "changes a type the symbol's prototype reaches as genksyms sees it, often by a new "
                        "#include; if no layout changes, hide that include from genksyms with #ifndef "
                        "__GENKSYMS__\n";
      // The object is refused as the differ refuses one (--check and the
      // summary say so, with this reason); the others are not compared.
      o.diff_status = static_cast<int>(ExitCode::Unsupported);
      o.messages += why;
      refusals += why;
    }
  }
  if (!refusals.empty()) {
    refusals.pop_back();
    throw BuildError("the patch cannot be applied live:\n" + refusals);
  }
}

}  // namespace kp
