// A marker entry that points at data, not at a function, is an error
// naming the marker section, not silently dropped.
//
// EXPECT-EXIT: 1
// EXPECT-STDERR: .kpatch.ignore.functions
// EXPECT-STDERR: marker entry does not point at a function
#include <kshim.h>

int counter;

int show_count(void)
{
#ifdef PATCHED
	return counter + 2;
#else
	return counter + 1;
#endif
}

#ifdef PATCHED
static void *bogus_marker __used __section(".kpatch.ignore.functions") __aligned(8) = &counter;
#endif
