// Three functions each with `static int count`: count.0, count.1, count.2.
// The changed one keeps using its own, referenced by its original name
// and position; the others are neither included nor referenced.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: two
// [gcc] REQUIRE-ORIG-SYMBOL: count.0
// [clang] REQUIRE-ORIG-SYMBOL: one.count
// [gcc] REQUIRE-ORIG-SYMBOL: count.1
// [clang] REQUIRE-ORIG-SYMBOL: two.count
// [gcc] REQUIRE-ORIG-SYMBOL: count.2
// [clang] REQUIRE-ORIG-SYMBOL: three.count
// [gcc] EXPECT-SYMBOL: .klp.sym.vmlinux.count.1,1 undef
// [clang] EXPECT-SYMBOL: .klp.sym.vmlinux.two.count,1 undef
// [gcc] EXPECT-NO-SYMBOL: .klp.sym.vmlinux.count.0,*
// [clang] EXPECT-NO-SYMBOL: .klp.sym.vmlinux.one.count,*
// [gcc] EXPECT-NO-SYMBOL: .klp.sym.vmlinux.count.2,*
// [clang] EXPECT-NO-SYMBOL: .klp.sym.vmlinux.three.count,*
// [gcc] EXPECT-NO-SYMBOL: count.*
// [clang] EXPECT-NO-SYMBOL: *.count
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
