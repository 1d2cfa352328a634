// The 24-byte absolute __jump_table layout, with the key defined in the
// module being patched: the key is the entry's last field (offset 16 here,
// 8 in the relative layout), and it is found and refused as in 6.1.
//
// PARENT: mydriver
// ENV: JUMP_STRUCT_SIZE=24
// EXPECT-EXIT: 2
// EXPECT-STDERR: jump label key 'mod_key' is defined in module 'mydriver'
// EXPECT-STDERR: [jump-key-module]
#include <kshim.h>

DEFINE_STATIC_KEY_FALSE(mod_key);

static __always_inline bool abs_static_branch(struct static_key *const key, const bool branch)
{
	asm_volatile_goto("1:"
		".byte 0x0f,0x1f,0x44,0x00,0x00\n\t"
		".pushsection __jump_table,  \"aw\" \n\t"
		".balign 8\n\t"
		".quad 1b, %l[l_yes], %c0 + %c1\n\t"
		".popsection \n\t"
		: : "i"(key), "i"(branch) : : l_yes);
	return false;
l_yes:
	return true;
}

int mod_a(int x) { return abs_static_branch(&mod_key.key, false) ? x * 2 : x; }

int mod_b(int x)
{
	if (abs_static_branch(&mod_key.key, false))
#ifdef PATCHED
		return x * 4;
#else
		return x * 3;
#endif
	return x;
}
