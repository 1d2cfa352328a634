// Lines inserted above functions calling might_sleep(): only the __LINE__
// immediate passed to __might_sleep() differs, which is no functional change.
//
// The patched build numbers the lines below from 200, as if the patch had
// inserted lines above them. (Blank lines inside #ifdef PATCHED would not
// do: __LINE__ counts physical lines, the same in both builds.)
//
// EXPECT-EXIT: 3
// REQUIRE-DIFFERENT: .text.sleepy
// REQUIRE-DIFFERENT: .text.sleepier
#include <kshim.h>
#ifdef PATCHED
#line 200
#endif

int sleepy(int x)
{
	might_sleep();
	return x + 1;
}

int sleepier(int x, int y)
{
	might_sleep();
	if (x > y)
		might_sleep();
	return x - y;
}
