// Static locals renamed by the compiler (calls.1 -> calls.2, notes.0 ->
// notes.1) because the patch adds a static to another function. gcc 12
// numbers function-scope statics in the order it emits functions, last
// function of the file first, so the new static goes into the last one.
// The renamed statics pair with their originals through the references of
// their functions:
//   - note() is unchanged although its static changed name,
//   - count() changed, and reaches the running kernel's `calls` by its
//     original name,
//   - last() changed and brings its new static along, defined in the patch.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: count last
// [gcc] REQUIRE-ORIG-SYMBOL: calls.1 object local
// [clang] REQUIRE-ORIG-SYMBOL: count.calls object local
// [gcc] REQUIRE-PATCHED-SYMBOL: calls.2 object local
// [clang] REQUIRE-PATCHED-SYMBOL: count.calls object local
// [gcc] REQUIRE-ORIG-SYMBOL: notes.0 object local
// [clang] REQUIRE-ORIG-SYMBOL: note.notes object local
// [gcc] REQUIRE-PATCHED-SYMBOL: notes.1 object local
// [clang] REQUIRE-PATCHED-SYMBOL: note.notes object local
// [gcc] EXPECT-SYMBOL: .klp.sym.vmlinux.calls.1,1 undef
// [clang] EXPECT-SYMBOL: .klp.sym.vmlinux.count.calls,1 undef
// [gcc] EXPECT-NO-SYMBOL: calls.*
// [clang] EXPECT-NO-SYMBOL: count.calls
// EXPECT-NO-SYMBOL: *notes*
// [gcc] EXPECT-SYMBOL: lasts.0 object local defined
// [clang] EXPECT-SYMBOL: *.lasts object local defined
#include <kshim.h>

int count(void)
{
	static int calls;

#ifdef PATCHED
	calls += 2;
#else
	calls++;
#endif
	return calls;
}

int note(int v)
{
	static int notes;

	notes += v;
	return notes;
}

int last(int x)
{
#ifdef PATCHED
	static int lasts;

	lasts += x;
	return lasts;
#else
	return x;
#endif
}
