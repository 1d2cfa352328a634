// The patched function no longer uses a static local the original used:
// the state in the running kernel would be silently dropped. Refused, with
// the variable named.
//
// EXPECT-EXIT: 2
// [gcc] EXPECT-STDERR: static local 'seen.0' used by the original 'observe'
// [clang] EXPECT-STDERR: static local 'observe.seen' used by the original 'observe'
// EXPECT-STDERR: [static-local-lost]
// [gcc] REQUIRE-ORIG-SYMBOL: seen.0
// [clang] REQUIRE-ORIG-SYMBOL: observe.seen
// [gcc] REQUIRE-NO-PATCHED-SYMBOL: seen.*
// [clang] REQUIRE-NO-PATCHED-SYMBOL: *seen*
#include <kshim.h>

int observe(int x)
{
#ifdef PATCHED
	return x;
#else
	static int seen;

	seen += x;
	return seen;
#endif
}
