// Dynamic debug in a module: the jump label key lives in the descriptor,
// which the patch defines itself, so it is not a key "defined in the
// module" being patched and is accepted.
//
// PARENT: mydriver
// EXPECT-EXIT: 0
// EXPECT-CHANGED: debug_b
// [gcc] EXPECT-SYMBOL: __UNIQUE_ID_ddebug* object local defined
// [clang] EXPECT-SYMBOL: *.__UNIQUE_ID_ddebug* object local defined
// EXPECT-ENTRIES: __jump_table 1 debug_b
#include <kshim.h>

int debug_a(int x)
{
	pr_debug("debug_a %d\n", x);
	return x;
}

int debug_b(int x)
{
	pr_debug("debug_b %d\n", x);
#ifdef PATCHED
	return x + 1;
#else
	return x;
#endif
}
