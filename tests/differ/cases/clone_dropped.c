// The patch makes gcc stop specialising a function (it gains a caller
// passing another constant): the clone scaled.constprop.0 is gone, the
// general scaled() is new, and the callers that now call it changed.
//
// EXPECT-EXIT: 0
// COMPILERS: gcc
// NOTE: gcc makes .isra/.constprop clones; clang 14 does not
// EXPECT-CHANGED: scale_one scale_two
// EXPECT-NEW: scaled scale_three
// REQUIRE-ORIG-SYMBOL: scaled.constprop.0 func
// REQUIRE-NO-PATCHED-SYMBOL: scaled.constprop.*
// EXPECT-SYMBOL: scaled func local defined
#include <kshim.h>

int sink(int);

static noinline int scaled(int x, int mode)
{
	return sink(x * mode) + sink(mode);
}

int scale_one(int x)
{
	return scaled(x, 8);
}

int scale_two(int x)
{
	return scaled(x + 1, 8);
}

#ifdef PATCHED
int scale_three(int x)
{
	return scaled(x, x);
}
#endif
