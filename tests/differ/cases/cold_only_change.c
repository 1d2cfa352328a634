// Only the .cold part of a function changes (an error message): the
// function it belongs to is the one patched, with its new cold part.
//
// EXPECT-EXIT: 0
// COMPILERS: gcc
// NOTE: gcc splits .cold parts; clang 14 does not without profile data
// EXPECT-CHANGED: handle
// REQUIRE-ORIG-SYMBOL: handle.cold func
// REQUIRE-PATCHED-SYMBOL: handle.cold func
// EXPECT-SYMBOL: handle.cold func defined
// EXPECT-CONTENT: .rodata* bad request count %d, patched
// EXPECT-ENTRIES: .kpatch.funcs 1 handle
#include <kshim.h>

void report_error(int) __cold;

int handle(int *req, int n)
{
	int i, sum = 0;

	if (n < 0) {
		report_error(n);
#ifdef PATCHED
		pr_err("handle: bad request count %d, patched\n", n);
#else
		pr_err("handle: bad request count %d\n", n);
#endif
		return -22;
	}
	for (i = 0; i < n; i++)
		sum += req[i];
	return sum;
}
