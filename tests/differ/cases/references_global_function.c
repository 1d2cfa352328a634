// A changed function calling globals of the same object: one exported by
// vmlinux (a plain undefined symbol the module loader resolves), one not
// exported (a livepatch symbol, .klp.sym.vmlinux.<name>,0). Neither is
// copied into the patch.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: entry
// EXPECT-SYMBOL: exported_helper undef
// EXPECT-SYMBOL: .klp.sym.vmlinux.internal_helper,0 undef
// EXPECT-NO-SYMBOL: internal_helper
// EXPECT-NO-SYMBOL: exported_helper defined
// SYMVERS: exported_helper vmlinux
#include <kshim.h>

noinline int exported_helper(int x)
{
	return x + 1;
}

noinline int internal_helper(int x)
{
	return x * 2;
}

int entry(int x)
{
#ifdef PATCHED
	return exported_helper(x) + internal_helper(x + 1);
#else
	return exported_helper(x) + internal_helper(x);
#endif
}
