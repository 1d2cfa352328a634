// __jump_table of kernels before relative jump labels (x86-64 before
// 5.3, RHEL 7 and 8): struct jump_entry { u64 code, target, key } written
// as three absolute .quad fields, 24 bytes. No JUMP_STRUCT_SIZE is set.
// Two entries (48 bytes of R_X86_64_64 every 8 bytes) also slice into
// three 16-byte pieces; but the 6.1 entry's code field is PC-relative, so
// the 6.1 layout does not fit and the 24-byte one is used: only the
// changed function's entry is kept, its three fields with it.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: old_b
// EXPECT-ENTRIES: __jump_table@24 1 old_b
// EXPECT-RELOCS: __jump_table 3
// EXPECT-SYMBOL: .klp.sym.vmlinux.old_key,0 undef
#include <kshim.h>

DEFINE_STATIC_KEY_FALSE(old_key);

static __always_inline bool old_static_branch(struct static_key *const key, const bool branch)
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

int old_a(int x)
{
	if (old_static_branch(&old_key.key, false))
		return x * 2;
	return x;
}

int old_b(int x)
{
	if (old_static_branch(&old_key.key, false))
#ifdef PATCHED
		return x * 4;
#else
		return x * 3;
#endif
	return x;
}
