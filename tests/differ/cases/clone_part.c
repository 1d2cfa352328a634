// Partial inlining: gcc inlines the fast path of check() into its callers
// and outlines the rest as check.part.0. A change in the outlined part
// changes check.part.0 alone.
//
// EXPECT-EXIT: 0
// COMPILERS: gcc
// NOTE: gcc splits .part pieces; clang 14 does not
// EXPECT-CHANGED: check.part.0
// REQUIRE-ORIG-SYMBOL: check.part.0 func local
// REQUIRE-PATCHED-SYMBOL: check.part.0 func local
// REQUIRE-NO-ORIG-SYMBOL: check
#include <kshim.h>

int work(int);

static int check(int x)
{
	if (likely(x == 0))
		return 0;
	x = work(x) + work(x + 1) + work(x + 2) + work(x + 3);
#ifdef PATCHED
	x += work(x) * work(x * 3);
#else
	x += work(x) * work(x * 2);
#endif
	x -= work(x) + work(x - 7);
	return x;
}

int user_a(int x)
{
	return check(x) + 1;
}

int user_b(int x)
{
	return check(x * 3) - 1;
}
