// A COMDAT group written from C with the section-name trick (`#` ends the
// flags gcc appends): a change inside it is refused, naming the function.
//
// EXPECT-EXIT: 2
// COMPILERS: gcc
// NOTE: the `#` trick ends gcc's section flags; clang takes the whole string as the section name
// EXPECT-STDERR: function 'grouped' is in COMDAT group
// EXPECT-STDERR: [comdat]
// REQUIRE-ORIG-SYMBOL: grouped func section=.text.grouped
#include <kshim.h>

__attribute__((section(".text.grouped,\"axG\",@progbits,grouped,comdat#")))
int grouped(int x)
{
#ifdef PATCHED
	return x + 2;
#else
	return x + 1;
#endif
}

int ungrouped(int x)
{
	return grouped(x) * 2;
}
