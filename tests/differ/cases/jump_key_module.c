// __jump_table with a key defined in the module being patched: livepatch
// resolves the key only after jump labels are set up, so this is refused,
// naming the key.
//
// PARENT: mydriver
// EXPECT-EXIT: 2
// EXPECT-STDERR: jump label key 'local_key' is defined in module 'mydriver'
// EXPECT-STDERR: [jump-key-module]
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
