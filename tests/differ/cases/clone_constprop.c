// A change inside a function that gcc specialised for a constant argument
// every caller passes (scaled.constprop.0, mode == 8): the clone changed,
// its callers did not.
//
// EXPECT-EXIT: 0
// COMPILERS: gcc
// NOTE: gcc makes .constprop clones; clang 14 does not
// EXPECT-CHANGED: scaled.constprop.0
// REQUIRE-ORIG-SYMBOL: scaled.constprop.0 func local
// REQUIRE-PATCHED-SYMBOL: scaled.constprop.0 func local
// EXPECT-ENTRIES: .kpatch.funcs 1 scaled.constprop.0
#include <kshim.h>

int sink(int);

static noinline int scaled(int x, int mode)
{
#ifdef PATCHED
	return sink(x * mode) - sink(mode);
#else
	return sink(x * mode) + sink(mode);
#endif
}

int scale_one(int x)
{
	return scaled(x, 8);
}

int scale_two(int x)
{
	return scaled(x + 1, 8);
}
