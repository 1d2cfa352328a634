// clang marks address-taken symbols in .llvm_addrsig (SHT_LLVM_ADDRSIG, a
// list of symbol-table indices for the linker's identical code folding).
// The indices are those of the input's symbol table, meaningless in the
// patch object: the section is dropped, and the function whose address is
// taken is still patched and referenced normally.
//
// COMPILERS: clang
// EXPECT-EXIT: 0
// EXPECT-CHANGED: pick
// EXPECT-NO-SECTION: .llvm_addrsig
// EXPECT-SYMBOL: .klp.sym.vmlinux.handler_a,1 undef
#include <kshim.h>

static noinline int handler_a(int x)
{
	return x + 1;
}

static noinline int handler_b(int x)
{
	return x * 2;
}

int (*pick(int which))(int)
{
#ifdef PATCHED
	return which > 1 ? handler_b : handler_a;
#else
	return which ? handler_b : handler_a;
#endif
}
