// JUMP_STRUCT_SIZE=24, as kpatch-build sets it for a kernel before
// relative jump labels: three absolute .quad fields per entry, one per
// function here (three entries). The variable fits the section, so no
// warning; the changed function's entry is kept whole.
//
// ENV: JUMP_STRUCT_SIZE=24
// EXPECT-EXIT: 0
// EXPECT-CHANGED: abs_c
// EXPECT-ENTRIES: __jump_table@24 1 abs_c
// EXPECT-RELOCS: __jump_table 3
#include <kshim.h>

DEFINE_STATIC_KEY_FALSE(abs_key);

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

int abs_a(int x) { return abs_static_branch(&abs_key.key, false) ? x * 2 : x; }
int abs_b(int x) { return abs_static_branch(&abs_key.key, true) ? x * 5 : x; }

int abs_c(int x)
{
	if (abs_static_branch(&abs_key.key, false))
#ifdef PATCHED
		return x * 4;
#else
		return x * 3;
#endif
	return x;
}
