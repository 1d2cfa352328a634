// Once flags: WARN_ONCE() and printk_once() keep `__already_done` in
// .data.once, RCU_LOCKDEP_WARN() keeps `__warned`. A changed function's
// flags are new data in the patch (its warnings may fire once more), never
// references to the running kernel's. The flags of both functions share
// .data.once and .data.unlikely, and the changed function's are not the
// first there, so the patch must move them (gcc lays out the statics of the
// last function of the file first).
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: once_b
// [gcc] REQUIRE-ORIG-SYMBOL: __already_done.* object local section=.data.once
// [clang] REQUIRE-ORIG-SYMBOL: *.__already_done* object local section=.data.once
// [gcc] REQUIRE-ORIG-SYMBOL: __warned.* object local
// [clang] REQUIRE-ORIG-SYMBOL: *.__warned object local
// [gcc] EXPECT-SYMBOL: __already_done.* object local defined
// [clang] EXPECT-SYMBOL: *.__already_done* object local defined
// [gcc] EXPECT-SYMBOL: __warned.* object local defined
// [clang] EXPECT-SYMBOL: *.__warned object local defined
// EXPECT-NO-SYMBOL: .klp.sym.*__already_done*
// EXPECT-NO-SYMBOL: .klp.sym.*__warned*
#include <kshim.h>

int once_b(int *p)
{
	WARN_ONCE(*p < 0, "negative: %d\n", *p);
	printk_once(KERN_INFO "once_b\n");
	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "once_b() needs rcu_read_lock()");
#ifdef PATCHED
	return *p + 1;
#else
	return *p;
#endif
}

int once_a(int *p)
{
	WARN_ONCE(*p < 0, "negative: %d\n", *p);
	printk_once(KERN_INFO "once_a\n");
	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "once_a() needs rcu_read_lock()");
	return *p;
}
