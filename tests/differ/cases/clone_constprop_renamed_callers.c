// The clone is unchanged but its callers change: they keep calling the
// running kernel's clone, found by its original name and position.
//
// EXPECT-EXIT: 0
// COMPILERS: gcc
// NOTE: gcc makes .constprop clones; clang 14 does not
// EXPECT-CHANGED: scale_one
// REQUIRE-ORIG-SYMBOL: scaled.constprop.0 func local
// EXPECT-SYMBOL: .klp.sym.vmlinux.scaled.constprop.0,1 undef
// EXPECT-NO-SYMBOL: scaled.constprop.0 defined
#include <kshim.h>

int sink(int);

static noinline int scaled(int x, int mode)
{
	return sink(x * mode) + sink(mode);
}

int scale_one(int x)
{
#ifdef PATCHED
	return scaled(x, 8) + 1;
#else
	return scaled(x, 8);
#endif
}

int scale_two(int x)
{
	return scaled(x + 1, 8);
}
