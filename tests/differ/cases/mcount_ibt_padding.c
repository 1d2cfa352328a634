// Linux 6.12's function layout (Debian's 6.12 config: CONFIG_X86_KERNEL_IBT,
// CONFIG_CALL_PADDING with CONFIG_FUNCTION_PADDING_BYTES=16): every function
// is preceded by 16 bytes of NOP padding and starts with endbr64, so its
// `call __fentry__` is at +4, not at the symbol. Each output __mcount_loc
// entry must point at that call (the kernel checks the five bytes there
// when the module loads: a wrong entry WARNs in ftrace_verify_code and
// turns ftrace off, and the livepatch then fails with -ENODEV), and the
// padding goes into the output with each function it belongs to.
//
// gcc records the sites in __mcount_loc (-mrecord-mcount, as the kernel's
// CONFIG_FTRACE_MCOUNT_USE_CC); clang is not asked to, so there the site
// comes from the __fentry__ relocation.
//
// [gcc] CFLAGS: -mno-nop-mcount
// CFLAGS: -fcf-protection=branch -fpatchable-function-entry=16,16
// EXPECT-EXIT: 0
// EXPECT-CHANGED: alpha gamma sched_b
// EXPECT-NEW: delta
// EXPECT-FTRACE-SITES: 4 alpha gamma delta sched_b
// EXPECT-PADDING: 16 alpha gamma delta sched_b
// EXPECT-NO-SYMBOL: beta
// EXPECT-NO-SYMBOL: sched_a
// EXPECT-SECTION: .text.alpha
// EXPECT-SECTION: .text.sched_b
// EXPECT-NO-SECTION: .sched.text
// EXPECT-NO-SECTION: __patchable_function_entries
// REQUIRE-PATCHED-SYMBOL: alpha func section=.text.alpha
#include <kshim.h>

int alpha(int x)
{
#ifdef PATCHED
	return x + 2;
#else
	return x + 1;
#endif
}

int beta(int x)
{
	return x + 2;
}

/* Static, not address-taken: no endbr64 (the call is at +0), but padded. */
static noinline int gamma(int x)
{
#ifdef PATCHED
	return x * 4;
#else
	return x * 3;
#endif
}

int call_gamma(int x)
{
	return gamma(x) + 1;
}

#ifdef PATCHED
int delta(int x)
{
	return gamma(x) + 4;
}
#endif

/* Two functions in one shared section (__sched): the changed one is taken
   out alone, with the padding before it. */
__attribute__((section(".sched.text"))) int sched_a(int x)
{
	return x - 1;
}

__attribute__((section(".sched.text"))) int sched_b(int x)
{
#ifdef PATCHED
	return x - 3;
#else
	return x - 2;
#endif
}
