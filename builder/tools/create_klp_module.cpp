// create-klp-module: the post-link step of a patch module.
//
//   create-klp-module IN.ko OUT.ko
//
// Moves relocations against .klp.sym.* symbols into .klp.rela.* sections
// (see builder/module/klp_convert.cpp). Exit 0 on success, 1 on error; OUT
// is written atomically and may be IN.
#include <iostream>

#include "module/klp_convert.h"
#include "support/diag.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: create-klp-module IN.ko OUT.ko\n";
    return 1;
  }
  try {
    kp::Object ko = kp::Object::load(argv[1]);
    kp::KlpConvertStats stats;
    kp::OutputObject out = kp::convert_klp_relocations(ko, stats);
    out.write(argv[2]);
    std::cout << argv[2] << ": " << stats.klp_relocs << " livepatch relocations in " << stats.klp_sections
              << " sections, " << stats.klp_symbols << " livepatch symbols\n";
  } catch (const kp::Fatal& e) {
    std::cerr << e.what() << '\n';
    return 1;
  }
  return 0;
}
