// Dynamic debug: pr_debug() defines a descriptor in __dyndbg (named
// __UNIQUE_ID_ddebugN as in 6.1, or `descriptor` as in older kernels) and
// tests it with a jump label whose key is inside the descriptor. A changed
// function's descriptors are new data in the patch, with their jump
// entries; the other function's are not carried.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: debug_b
// [gcc] REQUIRE-ORIG-SYMBOL: __UNIQUE_ID_ddebug* object local section=__dyndbg
// [clang] REQUIRE-ORIG-SYMBOL: *.__UNIQUE_ID_ddebug* object local section=__dyndbg
// [gcc] REQUIRE-ORIG-SYMBOL: descriptor.* object local section=__dyndbg
// [clang] REQUIRE-ORIG-SYMBOL: *.descriptor object local section=__dyndbg
// [gcc] EXPECT-SYMBOL: __UNIQUE_ID_ddebug* object local defined
// [clang] EXPECT-SYMBOL: *.__UNIQUE_ID_ddebug* object local defined
// [gcc] EXPECT-SYMBOL: descriptor.* object local defined
// [clang] EXPECT-SYMBOL: *.descriptor object local defined
// EXPECT-NO-SYMBOL: .klp.sym.*
// EXPECT-ENTRIES: __dyndbg 2
// EXPECT-ENTRIES: __jump_table 2 debug_b
#include <kshim.h>

int debug_a(int x)
{
	pr_debug("debug_a %d\n", x);
	pr_debug_descriptor("debug_a again %d\n", x);
	return x;
}

int debug_b(int x)
{
	pr_debug("debug_b %d\n", x);
	pr_debug_descriptor("debug_b again %d\n", x);
#ifdef PATCHED
	return x + 1;
#else
	return x;
#endif
}
