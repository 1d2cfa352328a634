// A new file-scope static variable used by a changed function is new data:
// it is defined in the patch, not looked up in the running kernel.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: bump
// EXPECT-SYMBOL: bumps object local defined
// EXPECT-NO-SYMBOL: .klp.sym.*bumps*
#include <kshim.h>

#ifdef PATCHED
static int bumps = 5;
#endif

int bump(int x)
{
#ifdef PATCHED
	bumps += x;
	return bumps;
#else
	return x;
#endif
}
