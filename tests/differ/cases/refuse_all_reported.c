// Every refusal of a run is reported before it stops, not just the first.
//
// EXPECT-EXIT: 2
// EXPECT-STDERR: data object 'limit': initial value changed
// EXPECT-STDERR: function 'setup' is __init
// EXPECT-STDERR: function 'hot' has no ftrace call site
// EXPECT-STDERR: 3 unsupported change(s)
#include <kshim.h>

#ifdef PATCHED
#define PATCHED_DELTA 2
#else
#define PATCHED_DELTA 1
#endif

#ifdef PATCHED
int limit = 2;
#else
int limit = 1;
#endif

int __init setup(void)
{
	return limit + PATCHED_DELTA;
}

notrace int hot(int x)
{
	return x + PATCHED_DELTA;
}

int fine(int x)
{
	return x + PATCHED_DELTA;
}
