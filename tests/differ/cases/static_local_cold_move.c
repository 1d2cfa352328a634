// A static local used by the cold part of a function in the original
// (errors++ on the error path, in handle.cold) and by the hot part in the
// patched version. It pairs through the function family and is reached by
// its original name. gcc splits a block into foo.cold when it calls a
// __cold function.
//
// EXPECT-EXIT: 0
// COMPILERS: gcc
// NOTE: gcc splits .cold parts; clang 14 does not without profile data
// EXPECT-CHANGED: handle
// REQUIRE-ORIG-SYMBOL: handle.cold func
// REQUIRE-PATCHED-SYMBOL: handle.cold func
// REQUIRE-ORIG-SYMBOL: errors.* object
// EXPECT-SYMBOL: .klp.sym.vmlinux.errors.*,1 undef
// EXPECT-NO-SYMBOL: errors.*
// EXPECT-SYMBOL: handle.cold func defined
#include <kshim.h>

void report_error(int) __cold;

int handle(int *req, int n)
{
	static int errors;
	int i, sum = 0;

	if (n < 0) {
		report_error(n);
#ifdef PATCHED
		pr_err("handle: bad request count %d\n", n);
#else
		errors++;
		pr_err("handle: bad request count %d (errors %d)\n", n, errors);
#endif
		return -22;
	}
#ifdef PATCHED
	errors++;
#endif
	for (i = 0; i < n; i++)
		sum += req[i];
	return sum;
}
