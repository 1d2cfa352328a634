// Lines shift above two functions calling might_sleep(); one of them also
// changes a constant. Only that one changed: the tolerance covers the
// __LINE__ argument, not the rest of the function.
//
// The patched build numbers the lines below from 200, as if the patch had
// inserted lines above them. (Blank lines inside #ifdef PATCHED would not
// do: __LINE__ counts physical lines, the same in both builds.)
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: step_two
// REQUIRE-DIFFERENT: .text.step_one
#include <kshim.h>
#ifdef PATCHED
#line 200
#endif

int step_one(int x)
{
	might_sleep();
	return x + 1;
}

int step_two(int x)
{
	might_sleep();
#ifdef PATCHED
	return x + 3;
#else
	return x + 2;
#endif
}
