// The patch adds a function using mutex_init() and printk_ratelimited()
// after an unchanged one using them too: gcc numbers function-scope statics
// last function first, so the unchanged function's lock class keys and
// ratelimit state are renumbered (__key.4 -> __key.8, ...). Such per-site
// statics are compared by what they are, not by number: the old function
// is not changed.
//
// EXPECT-EXIT: 0
// COMPILERS: gcc
// NOTE: gcc renumbers statics (__key.4 -> __key.8); clang names them after their function (setup.__key)
// EXPECT-NEW: setup_more
// REQUIRE-ORIG-SYMBOL: __key.4
// REQUIRE-NO-PATCHED-SYMBOL: __key.4
// REQUIRE-PATCHED-SYMBOL: __key.8
// EXPECT-ENTRIES: .kpatch.funcs 0
#include <kshim.h>

struct mutex lock_a, lock_b, lock_c;

void setup_locks(void)
{
	mutex_init(&lock_a);
	mutex_init(&lock_b);
	printk_ratelimited(KERN_INFO "locks ready\n");
}

#ifdef PATCHED
void setup_more(void)
{
	mutex_init(&lock_c);
	printk_ratelimited(KERN_INFO "more locks ready\n");
}
#endif
