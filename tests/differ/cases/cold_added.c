// The patch adds an error path that gcc moves to a new .cold part: the
// function changed, and its new cold part is included.
//
// EXPECT-EXIT: 0
// COMPILERS: gcc
// NOTE: gcc splits .cold parts; clang 14 does not without profile data
// EXPECT-CHANGED: handle
// REQUIRE-NO-ORIG-SYMBOL: handle.cold
// SYMVERS: report_error vmlinux
// REQUIRE-PATCHED-SYMBOL: handle.cold func
// EXPECT-SYMBOL: handle.cold func defined
#include <kshim.h>

void report_error(int) __cold;

int handle(int *req, int n)
{
	int i, sum = 0;

#ifdef PATCHED
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
