// A change to a static inline helper reaches every function it was inlined
// into: all of them changed, the helper itself has no symbol.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: area perimeter diagonal_sq
// REQUIRE-NO-ORIG-SYMBOL: clamp
#include <kshim.h>

static inline int clamp(int v)
{
#ifdef PATCHED
	return v < 0 ? 0 : v > 1000 ? 1000 : v;
#else
	return v < 0 ? 0 : v > 100 ? 100 : v;
#endif
}

int area(int w, int h)
{
	return clamp(w) * clamp(h);
}

int perimeter(int w, int h)
{
	return 2 * (clamp(w) + clamp(h));
}

int diagonal_sq(int w, int h)
{
	return clamp(w) * clamp(w) + clamp(h) * clamp(h);
}

int unrelated(int w)
{
	return w * 7;
}
