// Lines inserted above functions printing their own __LINE__ (the
// pr_info("%s:%d") idiom): only the immediate passed to _printk() differs.
// The printk index entries (_entry) record the line as data; they are
// per-site statics and never compared.
//
// The patched build numbers the lines below from 200, as if the patch had
// inserted lines above them. (Blank lines inside #ifdef PATCHED would not
// do: __LINE__ counts physical lines, the same in both builds.)
//
// EXPECT-EXIT: 3
// REQUIRE-DIFFERENT: .text.traced
// REQUIRE-DIFFERENT: .text.traced_twice
#include <kshim.h>
#ifdef PATCHED
#line 200
#endif

int traced(int x)
{
	pr_info_line("value %d\n", x);
	return x;
}

int traced_twice(int x)
{
	if (x)
		pr_info_line("nonzero\n");
	pr_info_line("done %d\n", x);
	return 0;
}
