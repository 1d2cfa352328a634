// A fix to a module whose file name has a dash (md-mod.ko, the module
// md_mod) calling a function the module exports itself: it is resolved
// by livepatch in md_mod (.klp.sym.md_mod.md_new_event,0), not linked,
// which would make the patch depend on and pin the module it patches.
// Module.symvers says drivers/md/md-mod; the parent is named md_mod.
//
// PARENT: md_mod
// SYMVERS: md_new_event drivers/md/md-mod
// EXPECT-EXIT: 0
// EXPECT-CHANGED: md_update
// EXPECT-SYMBOL: .klp.sym.md_mod.md_new_event,0 undef
// EXPECT-NO-SYMBOL: md_new_event
#include <kshim.h>

noinline void md_new_event(void)
{
	asm volatile("" ::: "memory");
}

int md_update(int x)
{
	md_new_event();
#ifdef PATCHED
	return x + 2;
#else
	return x + 1;
#endif
}
