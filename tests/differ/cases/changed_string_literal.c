// A changed string literal changes exactly the function that prints it;
// the new string travels with it, the unchanged function's does not.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: greet
// EXPECT-CONTENT: .rodata* hello, patched world
// EXPECT-NO-CONTENT: .rodata* hello, original world
// EXPECT-NO-CONTENT: .rodata* farewell
// EXPECT-ENTRIES: .printk_index 1
// EXPECT-SYMBOL: _printk undef
#include <kshim.h>

int greet(int who)
{
#ifdef PATCHED
	pr_info("hello, patched world %d\n", who);
#else
	pr_info("hello, original world %d\n", who);
#endif
	return who;
}

int farewell(int who)
{
	pr_info("farewell %d\n", who);
	return who;
}
