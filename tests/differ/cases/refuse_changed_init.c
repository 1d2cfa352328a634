// A changed __init function has already run and been freed: refused,
// naming it.
//
// EXPECT-EXIT: 2
// EXPECT-STDERR: function 'driver_init' is __init
// EXPECT-STDERR: [init-exit]
#include <kshim.h>

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
