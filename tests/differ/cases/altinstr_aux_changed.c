// The other side of altinstr_aux_moved.c: a function whose only change is
// in its .altinstr_aux piece (cpu_feature_enabled() of another feature
// bit: the `testb` immediate and the byte it reads differ), at the same
// offset. Its own bytes and relocations are the same; the piece it jumps
// to is not, so it is changed, and the output has .altinstr_aux.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: feature_b
// EXPECT-SECTION: .altinstr_aux
// REQUIRE-DIFFERENT: .altinstr_aux
#include <kshim.h>

unsigned char cpu_caps[32];

/* as in altinstr_aux_moved.c */
static __always_inline bool cpu_has_aux(unsigned int bit)
{
	asm goto("jmp 6f\n"
		 ".pushsection .altinstr_aux,\"ax\"\n"
		 "6:\n"
		 " testb %[bitnum], %a[cap_byte]\n"
		 " jnz %l[t_yes]\n"
		 " jmp %l[t_no]\n"
		 ".popsection\n"
		 : : [bitnum] "i"(1 << (bit & 7)), [cap_byte] "i"(&cpu_caps[bit >> 3])
		 : : t_yes, t_no);
t_yes:
	return true;
t_no:
	return false;
}

int feature_a(void)
{
	return cpu_has_aux(9 * 8 + 1) ? 1 : 0;
}

int feature_b(void)
{
#ifdef PATCHED
	return cpu_has_aux(4 * 8 + 6) ? 5 : 6;
#else
	return cpu_has_aux(4 * 8 + 5) ? 5 : 6;
#endif
}

int feature_c(void)
{
	return cpu_has_aux(2 * 8 + 3) ? 7 : 8;
}
