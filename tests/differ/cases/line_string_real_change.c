// The __LINE__ tolerance for "FILE.c:LINE" strings is about the digits
// after a file name only: a change to another number in the same string
// literal ("size 16" -> "size 32") is a change.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: copy_field
#include <kshim.h>

int copy_field(char *dst, int size)
{
#ifdef PATCHED
	if (WARN_ONCE(size > 16, "field at " __FILE__ ":12 (size 32)\n"))
#else
	if (WARN_ONCE(size > 16, "field at " __FILE__ ":12 (size 16)\n"))
#endif
		size = 16;
	for (int i = 0; i < size; i++)
		dst[i] = 0x90;
	return size;
}
