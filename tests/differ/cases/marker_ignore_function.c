// KPATCH_IGNORE_FUNCTION (kmod/kpatch-macros.h) leaves a pointer to the
// function in .kpatch.ignore.functions: its change is not patched, the
// other change is, and the marker section stays out of the output.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: show_count
// EXPECT-NO-SECTION: .kpatch.ignore.functions
// EXPECT-NO-SYMBOL: debug_dump defined
#include <kshim.h>

/* The expansion of KPATCH_IGNORE_FUNCTION(fn) in kmod/kpatch-macros.h. */
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

int show_count(void)
{
#ifdef PATCHED
	return counter + 2;
#else
	return counter + 1;
#endif
}

#ifdef PATCHED
KPATCH_IGNORE_FUNCTION(debug_dump);
#endif
