// Objects that differ only in __UNIQUE_ID_* numbering (the patch adds a
// __COUNTER__ use near the top, as a new MODULE_INFO or pr_debug would):
// the dynamic-debug descriptors and .modinfo entries change names, nothing
// changes function.
//
// EXPECT-EXIT: 3
// [gcc] REQUIRE-ORIG-SYMBOL: __UNIQUE_ID_ddebug* object local
// [clang] REQUIRE-ORIG-SYMBOL: *.__UNIQUE_ID_ddebug* object local
// REQUIRE-ORIG-SYMBOL: __UNIQUE_ID_license* object local
#include <kshim.h>

#ifdef PATCHED
static const int __UNIQUE_ID(spacer) __used = 1;
#endif

MODULE_LICENSE("GPL");

int debug_me(int x)
{
	pr_debug("debug_me %d\n", x);
	return x;
}
