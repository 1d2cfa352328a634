// __LINE__ shifts in functions whose line-taking call is their last
// statement: gcc turns it into a tail call, `jmp _printk` rather than
// `call _printk`. Still only a line shift.
//
// The patched build numbers the lines below from 200, as if the patch had
// inserted lines above them.
//
// EXPECT-EXIT: 3
// REQUIRE-DIFFERENT: .text.where
// REQUIRE-DIFFERENT: .text.sleepy_tail
#include <kshim.h>
#ifdef PATCHED
#line 200
#endif

void where(int x)
{
	pr_info_line("at %d\n", x);
}

void sleepy_tail(void)
{
	might_sleep();
}
