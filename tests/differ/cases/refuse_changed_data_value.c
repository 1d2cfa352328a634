// Changing the initial value of existing data: a live patch cannot rewrite
// state that lives in the running kernel. Refused, naming the object.
//
// EXPECT-EXIT: 2
// EXPECT-STDERR: data object 'thresholds': initial value changed
// EXPECT-STDERR: [changed-data]
#include <kshim.h>

int thresholds[4] = {
#ifdef PATCHED
	10, 20, 30, 45,
#else
	10, 20, 30, 40,
#endif
};

int threshold(int i)
{
	return thresholds[i & 3];
}
