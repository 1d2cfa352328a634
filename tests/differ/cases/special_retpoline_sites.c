// .retpoline_sites: two functions hold a site objtool would record, one changes.
// The patch keeps exactly that function's entry.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: site_b
// EXPECT-ENTRIES: .retpoline_sites 1 site_b
// EXPECT-RELOCS: .retpoline_sites 1
#include <kshim.h>

int site_a(int x)
{
	RETPOLINE_SITE();
	return x;
}

int site_b(int x)
{
	RETPOLINE_SITE();
#ifdef PATCHED
	return x + 1;
#else
	return x;
#endif
}
