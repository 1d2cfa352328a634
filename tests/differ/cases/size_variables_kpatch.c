// kpatch-build sets its entry-size variables for every object; with the
// 6.1 values they must change nothing. ORC_STRUCT_SIZE is the size of a
// .orc_unwind entry (6); .orc_unwind_ip entries are an s32 whatever it says.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: site_b
// ENV: ALT_STRUCT_SIZE=12
// ENV: BUG_STRUCT_SIZE=12
// ENV: EX_STRUCT_SIZE=12
// ENV: JUMP_STRUCT_SIZE=16
// ENV: ORC_STRUCT_SIZE=6
// ENV: PARA_STRUCT_SIZE=16
// ENV: STATIC_CALL_STRUCT_SIZE=8
// ENV: PRINTK_INDEX_STRUCT_SIZE=8
// EXPECT-ENTRIES: .orc_unwind_ip 1 site_b
// EXPECT-ENTRIES: .orc_unwind 1
// EXPECT-CONTENT: .orc_unwind \x18\x00\x00\x00\x05\x00
// EXPECT-ENTRIES: .altinstructions 1 site_b
// EXPECT-RELOCS: .altinstructions 2
#include <kshim.h>

int published_a, published_b;

void site_a(int v)
{
	ORC_ENTRY(8);
	ORC_ENTRY(16);
	published_a = v;
	mb();
}

void site_b(int v)
{
	ORC_ENTRY(24);
#ifdef PATCHED
	published_b = v + 1;
#else
	published_b = v;
#endif
	mb();
}
