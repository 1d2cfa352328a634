// A change inside a function that gcc rewrote by IPA-SRA (the struct
// pointer replaced by the fields it reads): the clone changed, its callers,
// which call it by the same symbol, did not.
//
// EXPECT-EXIT: 0
// COMPILERS: gcc
// NOTE: gcc makes .isra clones; clang 14 does not
// EXPECT-CHANGED: summarise.isra.0
// REQUIRE-ORIG-SYMBOL: summarise.isra.0 func local
// REQUIRE-PATCHED-SYMBOL: summarise.isra.0 func local
// REQUIRE-NO-ORIG-SYMBOL: summarise
// EXPECT-ENTRIES: .kpatch.funcs 1 summarise.isra.0
// EXPECT-CONTENT: .kpatch.strings summarise.isra.0
#include <kshim.h>

struct req {
	int a, b, c, d;
};

int sink(int);

static noinline int summarise(struct req *r)
{
#ifdef PATCHED
	return sink(r->a + r->b * 5);
#else
	return sink(r->a + r->b * 3);
#endif
}

int first_summary(struct req *r)
{
	return summarise(r) + 1;
}

int second_summary(struct req *r)
{
	return summarise(r + 1) + 2;
}
