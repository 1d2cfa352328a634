// Pre-5.17 .fixup (see ex_table_fixup_section.c): the patch changes only
// the fixup code of get_c (the error it returns on a fault), not get_c's
// own bytes. get_c is changed all the same, and its new piece of .fixup
// comes along; get_a and get_b, whose fixup code did not change, are not.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: get_c
// EXPECT-ENTRIES: __ex_table 1 get_c
// EXPECT-ENTRIES: .fixup@12 1
// EXPECT-CONTENT: .fixup \xea\xff\xff\xff
// REQUIRE-DIFFERENT: .fixup
#include <kshim.h>

/* arch/x86/include/asm/uaccess.h of 5.x, __get_user_asm */
#define get_user_old(ptr, val, err, efault)                                    \
	asm volatile("1:	movl %2, %1\n"                                 \
		     "2:\n"                                                    \
		     ".pushsection .fixup,\"ax\"\n"                            \
		     "3:	movl $" #efault ", %0\n"                      \
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

int get_a(const int *p) { int v, err = 0; get_user_old(p, v, err, -14); return err ? err : v; }
int get_b(const int *p) { int v, err = 0; get_user_old(p, v, err, -14); return err ? err : v * 2; }

int get_c(const int *p)
{
	int v, err = 0;

#ifdef PATCHED
	get_user_old(p, v, err, -22);
#else
	get_user_old(p, v, err, -14);
#endif
	return err ? err : v;
}
