// __mcount_loc is regenerated: one entry per included function with an
// ftrace site (the changed ones and the new one), none for unchanged
// functions.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: alpha gamma
// EXPECT-NEW: delta
// EXPECT-ENTRIES: __mcount_loc 3 alpha gamma delta
// EXPECT-RELOCS: __mcount_loc 3
#include <kshim.h>

int alpha(int x)
{
#ifdef PATCHED
	return x + 2;
#else
	return x + 1;
#endif
}

int beta(int x)
{
	return x + 2;
}

int gamma(int x)
{
#ifdef PATCHED
	return x + 4;
#else
	return x + 3;
#endif
}

#ifdef PATCHED
int delta(int x)
{
	return x + 4;
}
#endif
