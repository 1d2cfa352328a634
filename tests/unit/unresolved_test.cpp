// A link that fails on a symbol nothing defines: the message names each
// symbol and the patched object that needs it (pipeline/module.cpp).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "pipeline/context.h"

namespace kp {
namespace {

namespace fs = std::filesystem;

TEST(UnresolvedSymbols, NamedWithTheObjectsThatNeedThem) {
  fs::path dir = fs::temp_directory_path() / ("kpatch-unresolved-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "x.c") << "extern int missing_var; void missing_fn(void);\n"
                                "int f(void) { missing_fn(); return missing_var; }\n";
  std::string cc =
      std::string(KP_UNIT_CC) + " -c -o " + (dir / "diff-fs__proc__x.o").string() + " " + (dir / "x.c").string();
  ASSERT_EQ(std::system(cc.c_str()), 0);
  std::string make =
      "  MODPOST /w/Module.symvers\n"
      "ERROR: modpost: \"missing_fn\" [/w/module/kpatch_x.ko] undefined!\n"
      "ERROR: modpost: \"missing_var\" [/w/module/kpatch_x.ko] undefined!\n"
      "ERROR: modpost: \"missing_fn\" [/w/module/kpatch_x.ko] undefined!\n"
      "make[2]: *** [scripts/Makefile.modpost:126: Module.symvers] Error 1\n";
  std::string why = unresolved_symbols(make, dir);
  EXPECT_EQ(why.substr(0, why.find("\n(")),
            "the patch module would not load: nothing defines or exports\n"
            "  missing_fn (needed by fs__proc__x.o)\n"
            "  missing_var (needed by fs__proc__x.o)");
  EXPECT_EQ(unresolved_symbols("make: *** some other failure\n", dir), "");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kp
