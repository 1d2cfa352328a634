// A module function testing a key exported by vmlinux: accepted, the key is
// resolved by the module loader like any export.
//
// PARENT: mydriver
// EXPECT-EXIT: 0
// EXPECT-CHANGED: fast_b
// EXPECT-ENTRIES: __jump_table 1 fast_b
// EXPECT-SYMBOL: feature_key undef
// SYMVERS: feature_key vmlinux
#include <kshim.h>

DECLARE_STATIC_KEY_FALSE(feature_key);

int fast_b(int x)
{
	if (static_branch_unlikely(&feature_key))
#ifdef PATCHED
		return x * 4;
#else
		return x * 3;
#endif
	return x;
}
