// .discard.* objtool annotations: each entry points at an instruction. Two
// functions carry ANNOTATE_UNREACHABLE, ANNOTATE_RETPOLINE_SAFE and
// instrumentation_begin/end; one changes. The patch keeps exactly its
// entries in every .discard table.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: annotated_b
// EXPECT-ENTRIES: .discard.unreachable 1 annotated_b
// EXPECT-ENTRIES: .discard.retpoline_safe 1 annotated_b
// EXPECT-ENTRIES: .discard.instr_begin 1 annotated_b
// EXPECT-ENTRIES: .discard.instr_end 1 annotated_b
#include <kshim.h>

#define ANNOTATED_BODY()                                                       \
	do {                                                                   \
		instrumentation_begin();                                       \
		asm volatile(ANNOTATE_RETPOLINE_SAFE "nop");                   \
		instrumentation_end();                                         \
	} while (0)

int annotated_a(int x)
{
	ANNOTATED_BODY();
	if (x == 42) {
		annotate_unreachable();
		__builtin_unreachable();
	}
	return x;
}

int annotated_b(int x)
{
	ANNOTATED_BODY();
	if (x == 42) {
		annotate_unreachable();
		__builtin_unreachable();
	}
#ifdef PATCHED
	return x + 1;
#else
	return x;
#endif
}
