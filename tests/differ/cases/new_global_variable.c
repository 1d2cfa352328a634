// A new global variable used by a changed function is defined in the patch
// and stays global; an existing global it also uses is referenced in the
// running kernel (.klp.sym.vmlinux.<name>,0: defined by the parent).
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: limit_check
// EXPECT-SYMBOL: new_limit object global defined
// EXPECT-SYMBOL: .klp.sym.vmlinux.old_limit,0 undef
// EXPECT-NO-SYMBOL: old_limit
#include <kshim.h>

int old_limit = 10;
#ifdef PATCHED
int new_limit = 20;
#endif

int limit_check(int x)
{
#ifdef PATCHED
	return x < old_limit || x > new_limit;
#else
	return x < old_limit;
#endif
}
