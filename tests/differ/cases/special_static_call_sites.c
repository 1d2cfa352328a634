// .static_call_sites: two functions hold a static call site, one changes.
// The patch keeps exactly that function's entry: the call site and the
// static call key (__SCK__...), which stays a vmlinux reference.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: call_b
// EXPECT-ENTRIES: .static_call_sites 1 call_b
// EXPECT-RELOCS: .static_call_sites 2
// EXPECT-SYMBOL: __SCK__pv_sched_clock undef
// SYMVERS: __SCK__pv_sched_clock vmlinux
#include <kshim.h>

int call_a(int x)
{
	STATIC_CALL_SITE(pv_sched_clock);
	return x;
}

int call_b(int x)
{
	STATIC_CALL_SITE(pv_sched_clock);
#ifdef PATCHED
	return x + 1;
#else
	return x;
#endif
}
