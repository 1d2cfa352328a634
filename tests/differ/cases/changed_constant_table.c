// A changed `static const` lookup table: the function reading it is
// unchanged byte for byte, yet it must be patched to see the new table,
// which the patch carries. An unchanged table read by another function
// stays in the running kernel.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: lookup
// EXPECT-SYMBOL: table object local defined
// EXPECT-NO-SYMBOL: other_table defined
// EXPECT-CONTENT: .rodata* \x01\x00\x00\x00\x02\x00\x00\x00\x03\x00\x00\x00\x05\x00\x00\x00
#include <kshim.h>

static const int table[4] = {
#ifdef PATCHED
	1, 2, 3, 5,
#else
	1, 2, 3, 4,
#endif
};

static const int other_table[4] = { 9, 8, 7, 6 };

int lookup(int i)
{
	return table[i & 3];
}

int other_lookup(int i)
{
	return other_table[i & 3];
}
