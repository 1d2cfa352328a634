// Lines inserted above functions using lockdep macros: mutex_init() (a
// static lock_class_key per site, no line number) and RCU_LOCKDEP_WARN()
// (a __warned flag and __LINE__ passed to lockdep_rcu_suspicious()).
//
// The patched build numbers the lines below from 200, as if the patch had
// inserted lines above them. (Blank lines inside #ifdef PATCHED would not
// do: __LINE__ counts physical lines, the same in both builds.)
//
// EXPECT-EXIT: 3
// REQUIRE-DIFFERENT: .text.read_protected
#include <kshim.h>
#ifdef PATCHED
#line 200
#endif

struct mutex lock_a, lock_b;

void setup_locks(void)
{
	mutex_init(&lock_a);
	mutex_init(&lock_b);
}

int read_protected(int *p)
{
	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "read_protected() needs rcu_read_lock()");
	return *p;
}
