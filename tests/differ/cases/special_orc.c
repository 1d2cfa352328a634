// .orc_unwind_ip and .orc_unwind are parallel tables: entry i of one
// describes entry i of the other. Two functions have ORC entries (two in
// the first, one in the second), the second changes: the patch keeps its
// entry in both tables, and only it.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: unwind_b
// EXPECT-ENTRIES: .orc_unwind_ip 1 unwind_b
// EXPECT-ENTRIES: .orc_unwind 1
// EXPECT-RELOCS: .orc_unwind_ip 1
// EXPECT-CONTENT: .orc_unwind \x18\x00\x00\x00\x05\x00
#include <kshim.h>

int unwind_a(int x)
{
	ORC_ENTRY(8);
	ORC_ENTRY(16);
	return x;
}

int unwind_b(int x)
{
	ORC_ENTRY(24);
#ifdef PATCHED
	return x + 1;
#else
	return x;
#endif
}
