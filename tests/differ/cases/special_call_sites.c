// .call_sites: two functions hold a site objtool would record, one changes.
// The patch keeps exactly that function's entry.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: site_b
// EXPECT-ENTRIES: .call_sites 1 site_b
// EXPECT-RELOCS: .call_sites 1
#include <kshim.h>

int site_a(int x)
{
	CALL_SITE();
	return x;
}

int site_b(int x)
{
	CALL_SITE();
#ifdef PATCHED
	return x + 1;
#else
	return x;
#endif
}
