// __bug_table: two functions use WARN_ON(), one changes. The patch keeps
// exactly the changed function's bug entry, with both its relocations (the
// ud2 address and the file name string), and the objtool annotations of
// that site (.discard.reachable, .discard.instr_begin/end).
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: check_b
// EXPECT-ENTRIES: __bug_table 1 check_b
// EXPECT-RELOCS: __bug_table 2
// EXPECT-CONTENT: .rodata* special_bug_table.c
// EXPECT-ENTRIES: .discard.reachable 1 check_b
// EXPECT-ENTRIES: .discard.instr_begin 1 check_b
// EXPECT-ENTRIES: .discard.instr_end 1 check_b
#include <kshim.h>

int check_a(int x)
{
	WARN_ON(x > 10);
	return x;
}

int check_b(int x)
{
#ifdef PATCHED
	WARN_ON(x > 20);
#else
	WARN_ON(x > 10);
#endif
	return x;
}
