// The patched function starts using globals that neither the parent symtab
// (here: the original object, which does not use them) nor Module.symvers
// knows: `printk` (not the exported `_printk`), data the linker script
// defines (`jiffies`, `empty_zero_page`), a function that another object of
// the same patch adds. They stay plain undefined symbols: whether they
// resolve is for the link of the patch module to say (kpatch's rule), not
// a livepatch symbol and not a refusal.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: caller
// EXPECT-SYMBOL: printk undef global
// EXPECT-SYMBOL: jiffies undef global
// EXPECT-SYMBOL: empty_zero_page undef global
// EXPECT-SYMBOL: helper_from_another_object undef global
// EXPECT-NO-SYMBOL: .klp.sym.*
// REQUIRE-NO-ORIG-SYMBOL: printk
// REQUIRE-NO-ORIG-SYMBOL: jiffies
// REQUIRE-PATCHED-SYMBOL: jiffies undef
// REQUIRE-PATCHED-SYMBOL: helper_from_another_object undef
#include <kshim.h>

int (printk)(const char *fmt, ...);  /* the function, not kshim.h's macro */
extern volatile unsigned long jiffies;
extern char empty_zero_page[4096];
int helper_from_another_object(int);

int caller(int x)
{
#ifdef PATCHED
	(printk)("caller %d\n", x);
	return helper_from_another_object(x) + (int)jiffies + empty_zero_page[x];
#else
	return x;
#endif
}
