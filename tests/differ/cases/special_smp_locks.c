// .smp_locks: two functions use LOCK_PREFIX (atomic_inc), one changes. The
// patch keeps exactly that function's two lock prefix entries.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: inc_b
// EXPECT-ENTRIES: .smp_locks 2 inc_b
// EXPECT-RELOCS: .smp_locks 2
#include <kshim.h>

void inc_a(int *v)
{
	atomic_inc(v);
}

void inc_b(int *v)
{
	atomic_inc(v);
#ifdef PATCHED
	atomic_inc(v + 1);
#endif
}
