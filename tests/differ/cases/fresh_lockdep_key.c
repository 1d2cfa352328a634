// A changed function using mutex_init(): its static lock_class_key is new
// data in the patch (a fresh lock class), never a reference to the running
// kernel's key.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: setup_b
// [gcc] REQUIRE-ORIG-SYMBOL: __key.* object local
// [clang] REQUIRE-ORIG-SYMBOL: *.__key object local
// [gcc] EXPECT-SYMBOL: __key.* object local defined
// [clang] EXPECT-SYMBOL: *.__key object local defined
// EXPECT-NO-SYMBOL: .klp.sym.*__key*
#include <kshim.h>

struct mutex lock_a, lock_b;

void setup_a(void)
{
	mutex_init(&lock_a);
}

int setup_b(int x)
{
	mutex_init(&lock_b);
#ifdef PATCHED
	return x + 1;
#else
	return x;
#endif
}
