// The patch removes the error path that was the function's .cold part: the
// function changed, and nothing of the old cold part is carried.
//
// EXPECT-EXIT: 0
// COMPILERS: gcc
// NOTE: gcc splits .cold parts; clang 14 does not without profile data
// EXPECT-CHANGED: handle
// REQUIRE-ORIG-SYMBOL: handle.cold func
// REQUIRE-NO-PATCHED-SYMBOL: handle.cold
// EXPECT-NO-SYMBOL: *handle.cold*
// EXPECT-NO-SYMBOL: report_error
#include <kshim.h>

void report_error(int) __cold;

int handle(int *req, int n)
{
	int i, sum = 0;

#ifndef PATCHED
	if (n < 0) {
		report_error(n);
		pr_err("handle: bad request count %d\n", n);
		return -22;
	}
#endif
	for (i = 0; i < n; i++)
		sum += req[i];
	return sum;
}
