// A module object with several .cold parts (the shape of fs/xfs/xfs_error.o):
// the patch gives one more function an error path that gcc moves to a new
// .cold part. The changed function comes with its new cold part and
// nothing else: the other functions' cold parts stay in the running module.
//
// PARENT: xfs
// EXPECT-EXIT: 0
// COMPILERS: gcc
// NOTE: gcc splits .cold parts; clang 14 does not without profile data
// EXPECT-CHANGED: verify_c
// REQUIRE-ORIG-SYMBOL: verify_a.cold func
// REQUIRE-ORIG-SYMBOL: verify_b.cold func
// REQUIRE-NO-ORIG-SYMBOL: verify_c.cold
// REQUIRE-PATCHED-SYMBOL: verify_c.cold func
// EXPECT-SYMBOL: verify_c.cold func defined
// EXPECT-SYMBOL: verify_c func defined
// EXPECT-NO-SYMBOL: verify_a*
// EXPECT-NO-SYMBOL: verify_b*
// EXPECT-ENTRIES: .kpatch.funcs 1 verify_c
// SYMVERS: report_error vmlinux
#include <kshim.h>

void report_error(int) __cold;

int verify_a(int *req, int n)
{
	if (n < 0) {
		report_error(n);
		pr_err("verify_a: bad count %d\n", n);
		return -22;
	}
	return req[n];
}

int verify_b(int *req, int n)
{
	if (n > 4096) {
		report_error(n);
		pr_err("verify_b: count %d too large\n", n);
		return -7;
	}
	return req[0] + n;
}

int verify_c(int *req, int n)
{
	int i, sum = 0;

#ifdef PATCHED
	if (n == -12345) {
		report_error(n);
		pr_err("verify_c: odd count %d\n", n);
		return -5;
	}
#endif
	for (i = 0; i < n; i++)
		sum += req[i];
	return sum;
}
