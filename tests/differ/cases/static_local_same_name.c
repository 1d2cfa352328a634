// Three functions each with `static int count`: count.0, count.1, count.2.
// The changed one keeps using its own, referenced by its original name
// and position; the others are neither included nor referenced.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: two
// REQUIRE-ORIG-SYMBOL: count.0
// REQUIRE-ORIG-SYMBOL: count.1
// REQUIRE-ORIG-SYMBOL: count.2
// EXPECT-SYMBOL: .klp.sym.vmlinux.count.1,1 undef
// EXPECT-NO-SYMBOL: .klp.sym.vmlinux.count.0,*
// EXPECT-NO-SYMBOL: .klp.sym.vmlinux.count.2,*
// EXPECT-NO-SYMBOL: count.*
#include <kshim.h>

int one(void)
{
	static int count;
	return ++count;
}

int two(void)
{
	static int count;
#ifdef PATCHED
	count += 2;
	return count;
#else
	return ++count;
#endif
}

int three(void)
{
	static int count;
	return ++count;
}
