// The patched function calls a function that is neither exported nor part
// of the object being patched: nothing could resolve it when the patch
// loads. Refused, naming the symbol.
//
// EXPECT-EXIT: 2
// EXPECT-STDERR: symbol 'brand_new_helper' is neither exported nor defined
// EXPECT-STDERR: [unresolved-symbol]
// EXPECT-CHANGED: caller
#include <kshim.h>

int brand_new_helper(int);

int caller(int x)
{
#ifdef PATCHED
	return brand_new_helper(x);
#else
	return x;
#endif
}
