// __ex_table: two functions read user memory with a fixup, one changes.
// The patch keeps exactly that function's exception entry: insn and fixup
// relocations, both into the function.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: get_b
// EXPECT-ENTRIES: __ex_table 1 get_b
// EXPECT-RELOCS: __ex_table 2
#include <kshim.h>

int get_a(const int *uptr)
{
	int v;

	if (read_user_int(uptr, &v))
		return -14;
	return v;
}

int get_b(const int *uptr)
{
	int v;

	if (read_user_int(uptr, &v))
		return -14;
#ifdef PATCHED
	return v + 1;
#else
	return v;
#endif
}
