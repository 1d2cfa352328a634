// ALT_STRUCT_SIZE says 14 (struct alt_instr since 6.3), but the object has
// 12-byte 6.1 entries: its relocations (instr and repl of each entry)
// repeat every 12 bytes. The section's evidence wins, with a warning
// naming both, and exactly the changed function's entry is kept.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: publish_b
// ENV: ALT_STRUCT_SIZE=14
// EXPECT-STDERR: .altinstructions: warning: entries of 14 bytes (ALT_STRUCT_SIZE=14) do not fit
// EXPECT-STDERR: repeating every 12 bytes; using 12 bytes, the Linux 6.1 layout [entry-size]
// EXPECT-ENTRIES: .altinstructions 1 publish_b
// EXPECT-RELOCS: .altinstructions 2
#include <kshim.h>

int published_a, published_b, published_c;

void publish_a(int v)
{
	published_a = v;
	mb();
}

void publish_b(int v)
{
#ifdef PATCHED
	published_b = v + 1;
#else
	published_b = v;
#endif
	mb();
}

void publish_c(int v)
{
	published_c = v;
	mb();
}
