// Two functions in one explicitly named code section (as __sched puts
// functions in .sched.text), one changes: the patch takes that function
// alone, into a section of its own, with its own ftrace entry.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: sched_b
// EXPECT-SECTION: .text.sched_b
// EXPECT-NO-SECTION: .sched.text
// EXPECT-SYMBOL: sched_b func local defined section=.text.sched_b
// EXPECT-NO-SYMBOL: sched_a defined
// EXPECT-ENTRIES: __mcount_loc 1 sched_b
#include <kshim.h>

#define __sched __section(".sched.text")

noinline int __sched sched_a(int x)
{
	return x + 10;
}

noinline int __sched sched_b(int x)
{
#ifdef PATCHED
	return x + 21;
#else
	return x + 20;
#endif
}
