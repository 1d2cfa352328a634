// A changed function using printk_ratelimited(): its `_rs` ratelimit state
// is new data in the patch, never a reference to the running kernel's.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: noisy_b
// [gcc] REQUIRE-ORIG-SYMBOL: _rs.* object local
// [clang] REQUIRE-ORIG-SYMBOL: *._rs object local
// [gcc] EXPECT-SYMBOL: _rs.* object local defined
// [clang] EXPECT-SYMBOL: *._rs object local defined
// EXPECT-NO-SYMBOL: .klp.sym.*_rs*
#include <kshim.h>

void noisy_a(int x)
{
	printk_ratelimited(KERN_WARNING "noisy a %d\n", x);
}

void noisy_b(int x)
{
#ifdef PATCHED
	printk_ratelimited(KERN_WARNING "noisy b, patched %d\n", x);
#else
	printk_ratelimited(KERN_WARNING "noisy b %d\n", x);
#endif
}
