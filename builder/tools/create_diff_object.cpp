// create-diff-object: compare an original and a patched kernel object and
// write the parts a live patch needs. See docs/create-diff-object.md.
//
//   create-diff-object [-d] ORIG.o PATCHED.o PARENT-NAME PARENT-SYMTAB
//                      MODULE.SYMVERS PATCH-NAME OUTPUT.o
//
// Exit status: 0 patch object written, 1 error, 2 unsupported change,
// 3 no functional change.
#include <iostream>
#include <string_view>
#include <vector>

#include "diff/context.h"

namespace {

constexpr std::string_view kUsage =
    "usage: create-diff-object [-d|--debug] ORIG.o PATCHED.o PARENT-NAME PARENT-SYMTAB MODULE.SYMVERS "
    "PATCH-NAME OUTPUT.o\n";

std::optional<kp::DiffConfig> parse_args(int argc, char** argv) {
  kp::DiffConfig cfg;
  std::vector<std::string> pos;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "-d" || a == "--debug") cfg.debug = true;
    else if (a == "-h" || a == "--help") return std::nullopt;
    else if (a.starts_with("-") && a.size() > 1) {
      std::cerr << "create-diff-object: unknown option '" << a << "'\n";
      return std::nullopt;
    } else pos.emplace_back(a);
  }
  if (pos.size() != 7) return std::nullopt;
  cfg.orig_path = pos[0];
  cfg.patched_path = pos[1];
  cfg.parent_name = pos[2];
  cfg.parent_symtab_path = pos[3];
  cfg.symvers_path = pos[4];
  // pos[5], the patch module name, is accepted as in the classic tool; the
  // output does not depend on it.
  cfg.output_path = pos[6];
  return cfg;
}

}  // namespace

int main(int argc, char** argv) {
  auto cfg = parse_args(argc, argv);
  if (!cfg) {
    std::cerr << kUsage;
    return static_cast<int>(kp::ExitCode::Error);
  }
  kp::Diag diag(std::cout, std::cerr);
  diag.set_debug(cfg->debug);
  kp::DiffCtx ctx(*cfg, diag);
  return static_cast<int>(kp::run_differ_reporting(ctx, std::cerr));
}
