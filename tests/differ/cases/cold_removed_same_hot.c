// The .cold part of a function disappears while its hot part stays byte
// for byte the same: the error path now ends in a call gcc does not
// consider cold. The removal alone must mark the function changed.
//
// EXPECT-EXIT: 0
// COMPILERS: gcc
// NOTE: gcc splits .cold parts; clang 14 does not without profile data
// EXPECT-CHANGED: handle
// REQUIRE-ORIG-SYMBOL: handle.cold func
// REQUIRE-NO-PATCHED-SYMBOL: handle.cold
// SYMVERS: report_warning vmlinux
#include <kshim.h>

void report_error(int) __cold;
void report_warning(int);

int handle(int *req, int n)
{
	int i, sum = 0;

	if (n < 0) {
#ifdef PATCHED
		report_warning(n);
#else
		report_error(n);
#endif
		return -22;
	}
	for (i = 0; i < n; i++)
		sum += req[i];
	return sum;
}
