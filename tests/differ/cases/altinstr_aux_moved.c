// cpu_feature_enabled() on Linux 6.12 (arch/x86/include/asm/cpufeature.h,
// _static_cpu_has): until alternatives are applied, the function jumps to
// a `testb; jnz; jmp` piece of .altinstr_aux, a code section without
// symbols that every function of the object appends its pieces to, in the
// order the compiler emits the functions. Here the first function gains a
// second check, so the piece of the last one, unchanged, starts further
// into .altinstr_aux: its relocation's addend differs, its code does not.
// Only the first function is changed (on 6.12's fs/proc/task_mmu.o the
// same shift made pfn_swap_entry_to_page, a notrace inline, "changed").
// The .altinstructions entry of ALTERNATIVE_TERNARY is left out: only the
// jump into .altinstr_aux matters here.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: feature_a
// EXPECT-SECTION: .altinstr_aux
// REQUIRE-DIFFERENT: .rela.text.feature_c
#include <kshim.h>

unsigned char cpu_caps[32];

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
#ifdef PATCHED
	if (cpu_has_aux(9 * 8 + 2))
		return 3;
#endif
	return cpu_has_aux(9 * 8 + 1) ? 1 : 0;
}

int feature_b(void)
{
	return cpu_has_aux(4 * 8 + 5) ? 5 : 6;
}

int feature_c(void)
{
	return cpu_has_aux(2 * 8 + 3) ? 7 : 8;
}
