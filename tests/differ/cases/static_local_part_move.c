// A static local used only by the outlined body of a partially inlined
// function (check.part.0) in the original, and also by the fast path that
// gcc inlines into the callers in the patched version. It keeps its
// original identity wherever it is used.
//
// EXPECT-EXIT: 0
// COMPILERS: gcc
// NOTE: gcc splits .part pieces; clang 14 does not
// EXPECT-CHANGED: check.part.0 user_a user_b
// REQUIRE-ORIG-SYMBOL: check.part.0 func
// REQUIRE-ORIG-SYMBOL: slow.* object
// EXPECT-SYMBOL: .klp.sym.vmlinux.slow.*,1 undef
// EXPECT-NO-SYMBOL: slow.*
#include <kshim.h>

int work(int);

static int check(int x)
{
	static int slow;

#ifdef PATCHED
	slow++;
#endif
	if (likely(x == 0))
		return 0;
#ifndef PATCHED
	slow++;
#endif
	x = work(x) + work(x + 1) + work(x + 2) + work(x + 3);
	x += work(x) * work(x * 2);
	x -= work(x) + work(x - 7);
	pr_info("check: slow path %d\n", slow);
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
