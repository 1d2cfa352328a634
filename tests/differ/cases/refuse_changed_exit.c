// A changed __exit function only runs at unload, from the original module:
// refused, naming it.
//
// PARENT: mydriver
// EXPECT-EXIT: 2
// EXPECT-STDERR: function 'driver_exit' is __exit
// EXPECT-STDERR: [init-exit]
#include <kshim.h>

int driver_state;

void __exit driver_exit(void)
{
#ifdef PATCHED
	driver_state = 3;
#else
	driver_state = 0;
#endif
}
