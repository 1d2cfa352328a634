// The hot part of a function changes, its .cold part does not: the
// function is patched, and its cold part comes along (it has no entry point
// of its own and jumps back into the new function).
//
// EXPECT-EXIT: 0
// COMPILERS: gcc
// NOTE: gcc splits .cold parts; clang 14 does not without profile data
// EXPECT-CHANGED: handle
// REQUIRE-ORIG-SYMBOL: handle.cold func
// REQUIRE-PATCHED-SYMBOL: handle.cold func
// EXPECT-SYMBOL: handle.cold func defined
// EXPECT-SYMBOL: handle func defined
// EXPECT-ENTRIES: .kpatch.funcs 1 handle
// EXPECT-ENTRIES: __mcount_loc 1 handle
#include <kshim.h>

void report_error(int) __cold;

int handle(int *req, int n)
{
	int i, sum = 0;

	if (n < 0) {
		report_error(n);
		pr_err("handle: bad request count %d\n", n);
		return -22;
	}
	for (i = 0; i < n; i++)
#ifdef PATCHED
		sum += req[i] * 2;
#else
		sum += req[i];
#endif
	return sum;
}
