// The same source compiled twice: nothing changed.
//
// EXPECT-EXIT: 3
#include <kshim.h>

struct mutex lock;
DEFINE_STATIC_KEY_FALSE(key);

int everything(int *p, int x)
{
	static int calls;

	calls++;
	mutex_init(&lock);
	WARN_ON(x > 100);
	might_sleep();
	if (static_branch_unlikely(&key))
		pr_info("key on %d\n", calls);
	pr_debug("x=%d\n", x);
	printk_ratelimited(KERN_INFO "limited\n");
	mb();
	atomic_inc(p);
	return x;
}
