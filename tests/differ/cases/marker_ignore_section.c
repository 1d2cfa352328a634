// KPATCH_IGNORE_SECTION(".init.text") points at the section's name: the
// changed __init function, refused otherwise (refuse_changed_init.c), is
// ignored and the ordinary change is patched.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: driver_show
// EXPECT-NO-SECTION: .kpatch.ignore.sections
#include <kshim.h>

/* The expansion of KPATCH_IGNORE_SECTION(sec) in kmod/kpatch-macros.h. */
#define KPATCH_IGNORE_SECTION(_sec) \
	static const char *__UNIQUE_ID(kpatch_ignore_section_) \
	__used __section(".kpatch.ignore.sections") __aligned(8) = (_sec)

int driver_state;

int __init driver_init(void)
{
#ifdef PATCHED
	driver_state = 2;
#else
	driver_state = 1;
#endif
	return 0;
}

int driver_show(void)
{
#ifdef PATCHED
	return driver_state + 10;
#else
	return driver_state;
#endif
}

#ifdef PATCHED
KPATCH_IGNORE_SECTION(".init.text");
#endif
