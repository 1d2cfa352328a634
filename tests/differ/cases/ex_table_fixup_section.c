// The exception tables of kernels before 5.17: the fixup code of a
// faulting instruction lives in .fixup, which has no symbols; the
// __ex_table entry (insn, fixup, handler) points at an offset in it. Each
// of three functions has its 12-byte piece of fixup code (mov, xor, jmp
// back). The changed function takes its piece along, and only its piece:
// the output's .fixup is 12 bytes whose one relocation jumps back into
// get_c, and the kept entry's fixup field points into it.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: get_c
// EXPECT-ENTRIES: __ex_table 1 get_c
// EXPECT-RELOCS: __ex_table 3
// EXPECT-ENTRIES: .fixup@12 1
// EXPECT-RELOCS: .fixup 1
// EXPECT-SYMBOL: ex_handler_default undef
#include <kshim.h>

/* arch/x86/include/asm/uaccess.h of 5.x, __get_user_asm */
#define get_user_old(ptr, val, err)                                            \
	asm volatile("1:	movl %2, %1\n"                                 \
		     "2:\n"                                                    \
		     ".pushsection .fixup,\"ax\"\n"                            \
		     "3:	movl $-14, %0\n"                               \
		     "	xorl %1, %1\n"                                         \
		     "	jmp 2b\n"                                              \
		     ".popsection\n"                                           \
		     ".pushsection __ex_table,\"a\"\n"                         \
		     " .balign 4\n"                                            \
		     " .long 1b - .\n"                                         \
		     " .long 3b - .\n"                                         \
		     " .long ex_handler_default - .\n"                         \
		     ".popsection\n"                                           \
		     : "+r"(err), "=r"(val) : "m"(*(ptr)))

int get_a(const int *p) { int v, err = 0; get_user_old(p, v, err); return err ? err : v; }
int get_b(const int *p) { int v, err = 0; get_user_old(p, v, err); return err ? err : v * 2; }

int get_c(const int *p)
{
	int v, err = 0;

	get_user_old(p, v, err);
#ifdef PATCHED
	return err ? err : v + 1;
#else
	return err ? err : v;
#endif
}
