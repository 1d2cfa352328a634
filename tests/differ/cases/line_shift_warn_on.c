// Lines inserted above functions using WARN_ON(), WARN_ON_ONCE(), WARN() and
// BUG(): the line numbers live in __bug_table, not in the code, so nothing
// changed.
//
// The patched build numbers the lines below from 200, as if the patch had
// inserted lines above them. (Blank lines inside #ifdef PATCHED would not
// do: __LINE__ counts physical lines, the same in both builds.)
//
// EXPECT-EXIT: 3
// REQUIRE-DIFFERENT: __bug_table
#include <kshim.h>
#ifdef PATCHED
#line 200
#endif

int check_range(int x)
{
	if (WARN_ON(x > 100))
		return -1;
	WARN_ON_ONCE(x < -100);
	return x;
}

int check_value(int x)
{
	WARN(x == 7, "seven is unlucky: %d\n", x);
	if (x == 13)
		BUG();
	return x * 2;
}
