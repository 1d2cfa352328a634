// When the only changed function is ignored, nothing is left to patch:
// exit 3 as for identical objects.
//
// EXPECT-EXIT: 3
// REQUIRE-DIFFERENT: .text.debug_dump
#include <kshim.h>

#define KPATCH_IGNORE_FUNCTION(_fn) \
	static void *__kpatch_ignore_function_##_fn \
	__used __section(".kpatch.ignore.functions") __aligned(8) = (void *)(_fn)

int counter;

noinline int debug_dump(void)
{
#ifdef PATCHED
	return counter * 3;
#else
	return counter * 2;
#endif
}

#ifdef PATCHED
KPATCH_IGNORE_FUNCTION(debug_dump);
#endif
