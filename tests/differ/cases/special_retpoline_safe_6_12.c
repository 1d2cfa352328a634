// ANNOTATE_RETPOLINE_SAFE of Linux 6.12 (asm/nospec-branch.h): `.long 999b`,
// 4 bytes, where 6.1 wrote an 8-byte `.quad 999b`. Sliced by 8, two 6.12
// entries look like one 6.1 entry, so the 6.1 size must be refused by the
// form of its key (a 64-bit pointer) and the 4-byte layout used: the patch
// keeps exactly the changed function's entry. With 8, the entry of the
// function next to it came along, naming code the patch does not have (on
// 6.12's fs/proc/task_mmu.o, gather_pte_stats), which objtool refuses
// ("unexpected relocation symbol type in .rela.discard.retpoline_safe"),
// writing no .return_sites for the whole module.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: annotated_a
// EXPECT-ENTRIES: .discard.retpoline_safe@4 1 annotated_a
// EXPECT-RELOCS: .discard.retpoline_safe 1
#include <kshim.h>

#define ANNOTATE_RETPOLINE_SAFE_6_12                                           \
	"999:\n\t"                                                             \
	".pushsection .discard.retpoline_safe\n\t"                             \
	".long 999b\n\t"                                                       \
	".popsection\n\t"

int annotated_a(int x)
{
	asm volatile(ANNOTATE_RETPOLINE_SAFE_6_12 "nop");
#ifdef PATCHED
	return x + 1;
#else
	return x;
#endif
}

int annotated_b(int x)
{
	asm volatile(ANNOTATE_RETPOLINE_SAFE_6_12 "nop");
	return x * 2;
}

int annotated_c(int x)
{
	asm volatile(ANNOTATE_RETPOLINE_SAFE_6_12 "nop");
	return x * 3;
}

/* a fourth, so that the 8-byte slicing covers the table without a tail */
int annotated_d(int x)
{
	asm volatile(ANNOTATE_RETPOLINE_SAFE_6_12 "nop");
	return x * 4;
}
