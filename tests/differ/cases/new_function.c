// A new function called by a changed one: reported as new, defined in the
// patch, called directly; its caller is the only patched function.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: compute
// EXPECT-NEW: scale
// EXPECT-SYMBOL: scale func global defined
// EXPECT-ENTRIES: __mcount_loc 2 compute scale
// EXPECT-ENTRIES: .kpatch.funcs 1 compute
#include <kshim.h>

#ifdef PATCHED
noinline int scale(int x)
{
	return x * 3 + 1;
}
#endif

int compute(int x)
{
#ifdef PATCHED
	return scale(x) + 1;
#else
	return x + 1;
#endif
}
