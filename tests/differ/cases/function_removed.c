// The patch removes a function along with its last caller's use of it: the
// caller changed; the removed function stays in the running kernel,
// untouched, and the patch neither carries nor references it.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: caller
// REQUIRE-NO-PATCHED-SYMBOL: obsolete
// EXPECT-NO-SYMBOL: *obsolete*
#include <kshim.h>

#ifndef PATCHED
noinline int obsolete(int x)
{
	return x - 1;
}
#endif

int caller(int x)
{
#ifdef PATCHED
	return x;
#else
	return obsolete(x);
#endif
}
