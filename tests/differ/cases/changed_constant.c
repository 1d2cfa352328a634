// A changed constant changes exactly the function that returns it. The new
// version is local to the patch: the running kernel keeps the global name.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: answer
// EXPECT-ENTRIES: __mcount_loc 1 answer
// EXPECT-ENTRIES: .kpatch.funcs 1 answer
// EXPECT-NO-SYMBOL: question defined
// EXPECT-SYMBOL: answer func local defined
#include <kshim.h>

int answer(void)
{
#ifdef PATCHED
	return 43;
#else
	return 42;
#endif
}

int question(void)
{
	return 6 * 9;
}
