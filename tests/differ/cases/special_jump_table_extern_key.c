// __jump_table: two functions test a static key defined elsewhere in
// vmlinux; one changes. The patch keeps that function's jump entry with
// its three relocations (code, target, key); the key stays an undefined
// symbol for the module loader.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: fast_b
// EXPECT-ENTRIES: __jump_table 1 fast_b
// EXPECT-RELOCS: __jump_table 3
// EXPECT-SYMBOL: feature_key undef
// SYMVERS: feature_key vmlinux
#include <kshim.h>

DECLARE_STATIC_KEY_FALSE(feature_key);

int fast_a(int x)
{
	if (static_branch_unlikely(&feature_key))
		return x * 2;
	return x;
}

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
