// A changed notrace function has no ftrace call site through which
// livepatch could redirect it: refused, naming it.
//
// EXPECT-EXIT: 2
// EXPECT-STDERR: function 'fast_path' has no ftrace call site
// EXPECT-STDERR: [no-fentry]
#include <kshim.h>

notrace int fast_path(int x)
{
#ifdef PATCHED
	return x * 3;
#else
	return x * 2;
#endif
}
