// .discard.func_stack_frame_non_standard holds 8-byte function pointers
// (STACK_FRAME_NON_STANDARD): two functions are listed, one changes. The
// patch keeps that function's whole entry, relocation included, or none;
// never half of a pointer.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: odd_b
// EXPECT-ENTRIES: .discard.func_stack_frame_non_standard 1 odd_b
#include <kshim.h>

int odd_a(int x)
{
	return x * 3;
}
STACK_FRAME_NON_STANDARD(odd_a);

int odd_b(int x)
{
#ifdef PATCHED
	return x * 5;
#else
	return x * 4;
#endif
}
STACK_FRAME_NON_STANDARD(odd_b);
