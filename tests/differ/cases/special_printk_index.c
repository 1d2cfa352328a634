// .printk_index: each printk() site has a static pi_entry (`_entry`) and a
// pointer to it in .printk_index. The entry names its function only through
// its `func` field (__func__). Two functions print, one changes: the patch
// keeps exactly that function's index entry, with a fresh `_entry`.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: print_b
// [gcc] EXPECT-ENTRIES: .printk_index 1 _entry*
// [clang] EXPECT-ENTRIES: .printk_index 1 *._entry
// EXPECT-RELOCS: .printk_index 1
// [gcc] EXPECT-SYMBOL: _entry.* object local defined
// [clang] EXPECT-SYMBOL: *._entry object local defined
// EXPECT-NO-SYMBOL: .klp.sym.*_entry*
// EXPECT-CONTENT: .rodata* print_b
// EXPECT-NO-CONTENT: .rodata* print_a
#include <kshim.h>

void print_a(int x)
{
	pr_info("a is %d\n", x);
}

void print_b(int x)
{
#ifdef PATCHED
	pr_info("b is now %d\n", x);
#else
	pr_info("b is %d\n", x);
#endif
}
