// KPATCH_FORCE_UNSAFE has no meaning with the livepatch core: a warning
// names the function, which is patched as usual.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: show_count
// EXPECT-STDERR: KPATCH_FORCE_UNSAFE(show_count) has no effect
// EXPECT-STDERR: [force-unsafe]
// EXPECT-NO-SECTION: .kpatch.force
#include <kshim.h>

/* The expansion of KPATCH_FORCE_UNSAFE(fn) in kmod/kpatch-macros.h. */
#define KPATCH_FORCE_UNSAFE(_fn) \
	static void *__kpatch_force_##_fn \
	__used __section(".kpatch.force") __aligned(8) = (void *)(_fn)

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
KPATCH_FORCE_UNSAFE(show_count);
#endif
