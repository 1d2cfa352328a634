// Patching a module: the changed function's references to the module's
// unchanged static function and static variable become livepatch symbols
// of that module (.klp.sym.mydriver.<name>,<pos>), its references to the
// module's globals .klp.sym.mydriver.<name>,0; vmlinux exports stay plain.
// .kpatch.funcs names the module as the object.
//
// PARENT: mydriver
// EXPECT-EXIT: 0
// EXPECT-CHANGED: driver_op
// EXPECT-SYMBOL: .klp.sym.mydriver.driver_helper,1 undef
// EXPECT-SYMBOL: .klp.sym.mydriver.driver_count,1 undef
// EXPECT-SYMBOL: .klp.sym.mydriver.driver_global,0 undef
// EXPECT-SYMBOL: _printk undef
// EXPECT-CONTENT: .kpatch.strings mydriver\x00
#include <kshim.h>

static int driver_count;
int driver_global;

static noinline int driver_helper(int x)
{
	return x * 3 + 1;
}

int driver_op(int x)
{
	driver_count += driver_global;
#ifdef PATCHED
	pr_info("driver_op %d\n", x);
#endif
	return driver_helper(x);
}
