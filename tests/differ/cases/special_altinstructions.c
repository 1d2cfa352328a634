// .altinstructions: two functions use an alternative (mb(): a locked add
// replaced by mfence), one changes. The patch keeps exactly that
// function's alt_instr entry, with its two relocations, and the
// replacement code it points to.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: publish_b
// EXPECT-ENTRIES: .altinstructions 1 publish_b
// EXPECT-RELOCS: .altinstructions 2
// EXPECT-SECTION: .altinstr_replacement
#include <kshim.h>

int published_a, published_b;

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
