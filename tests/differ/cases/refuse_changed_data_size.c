// Growing existing data: refused, naming the object and both sizes.
//
// EXPECT-EXIT: 2
// EXPECT-STDERR: data object 'slots': size changed from 16 to 20
// EXPECT-STDERR: [changed-data]
#include <kshim.h>

#ifdef PATCHED
int slots[5];
#else
int slots[4];
#endif

int slot(int i)
{
	return slots[i & 3];
}
