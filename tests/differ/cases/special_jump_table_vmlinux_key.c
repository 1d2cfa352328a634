// __jump_table with a key defined in this object, in vmlinux: accepted,
// the key is reached through a livepatch relocation.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: fast_b
// EXPECT-ENTRIES: __jump_table 1 fast_b
// EXPECT-RELOCS: __jump_table 3
// EXPECT-SYMBOL: .klp.sym.vmlinux.local_key,0 undef
// EXPECT-NO-SYMBOL: local_key
#include <kshim.h>

DEFINE_STATIC_KEY_FALSE(local_key);

int fast_a(int x)
{
	if (static_branch_unlikely(&local_key))
		return x * 2;
	return x;
}

int fast_b(int x)
{
	if (static_branch_unlikely(&local_key))
#ifdef PATCHED
		return x * 4;
#else
		return x * 3;
#endif
	return x;
}
