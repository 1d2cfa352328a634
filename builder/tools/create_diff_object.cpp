// create-diff-object: compare an original and a patched kernel object and
// write the parts a live patch needs. See docs/create-diff-object.md.
//
//   create-diff-object [-d] ORIG.o PATCHED.o PARENT-NAME PARENT-SYMTAB
//                      MODULE.SYMVERS PATCH-NAME OUTPUT.o
//   create-diff-object --index-symtab PARENT-SYMTAB INDEX
//
// PARENT-SYMTAB is `readelf -s --wide` text or its index; the second form
// writes the index of a text (diff/symtab_index.h).
//
// Exit status: 0 patch object (or index) written, 1 error, 2 unsupported
// change, 3 no functional change.
#include <iostream>
#include <string_view>
#include <vector>

#include "diff/context.h"
#include "diff/symtab_index.h"

namespace {

constexpr std::string_view kUsage =
    "usage: create-diff-object [-d|--debug] ORIG.o PATCHED.o PARENT-NAME PARENT-SYMTAB MODULE.SYMVERS "
    "PATCH-NAME OUTPUT.o\n"
    "       create-diff-object --index-symtab PARENT-SYMTAB INDEX\n";

// --index-symtab TEXT INDEX: the index of a `readelf -s --wide` text.
int index_symtab(const std::string& text, const std::string& index) {
  try {
    if (kp::is_symtab_index(text))
      throw kp::Fatal(text + ": error: already a symbol table index, not `readelf -s --wide` text [unreadable-symtab]");
    auto stamp = kp::symtab_stamp(text);
    if (!stamp) throw kp::Fatal(text + ": error: cannot read the parent symbol table [unreadable-symtab]");
    kp::ParentSymtab table = kp::ParentSymtab::parse_file(text, true);
    kp::write_symtab_index(table, *stamp, index);
    return static_cast<int>(kp::ExitCode::Ok);
  } catch (const kp::Fatal& e) {
    std::cerr << e.what() << "\n";
    return static_cast<int>(kp::ExitCode::Error);
  }
}

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
  if (argc >= 2 && std::string_view(argv[1]) == "--index-symtab") {
    if (argc != 4) {
      std::cerr << kUsage;
      return static_cast<int>(kp::ExitCode::Error);
    }
    return index_symtab(argv[2], argv[3]);
  }
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
