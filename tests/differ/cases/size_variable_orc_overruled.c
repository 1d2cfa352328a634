// ORC_STRUCT_SIZE=8 on an object whose .orc_unwind holds 6-byte entries,
// one per .orc_unwind_ip entry: the section's own size wins, with a
// warning, and the changed function's entry is kept in both tables.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: unwind_b
// ENV: ORC_STRUCT_SIZE=8
// EXPECT-STDERR: .orc_unwind: warning: expected 3 entries of 8 bytes (ORC_STRUCT_SIZE=8), one per entry of .orc_unwind_ip; found 0x12 bytes; using 6 bytes [entry-size]
// EXPECT-ENTRIES: .orc_unwind_ip 1 unwind_b
// EXPECT-ENTRIES: .orc_unwind 1
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
