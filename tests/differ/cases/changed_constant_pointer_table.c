// A constant table of string pointers whose strings change: the table
// changes (its relocations point at other strings), and so do the function
// reading it and, through two levels of constants, the function handing
// out a constant structure that points to it.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: state_name current_table
// EXPECT-SYMBOL: state_names object local defined
// EXPECT-SYMBOL: state_table object local defined
// EXPECT-CONTENT: .rodata* sleeping
#include <kshim.h>

static const char *const state_names[] = {
	"running",
#ifdef PATCHED
	"sleeping",
#else
	"asleep",
#endif
};

struct state_table {
	const char *const *names;
	int count;
};

static const struct state_table state_table = { state_names, 2 };

const char *state_name(int i)
{
	return state_names[i & 1];
}

const struct state_table *current_table(void)
{
	return &state_table;
}
