// A changed function hands out a pointer to a new static function (a
// callback): the new function is included, reported and defined in the
// patch although nothing calls it directly.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: setup
// EXPECT-NEW: on_event_v2
// EXPECT-SYMBOL: on_event_v2 func local defined
// EXPECT-SYMBOL: .klp.sym.vmlinux.on_event,1 undef
// EXPECT-SYMBOL: register_callback undef
#include <kshim.h>

void register_callback(int (*cb)(int));

static int on_event(int x)
{
	return x + 1;
}

#ifdef PATCHED
static int on_event_v2(int x)
{
	return x + 2;
}
#endif

void setup(int which)
{
#ifdef PATCHED
	register_callback(which ? on_event_v2 : on_event);
#else
	register_callback(on_event);
#endif
}
