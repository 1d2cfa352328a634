// Calls to static call trampolines (what static_call(foo) leaves in code
// before objtool records the site). When objtool checks the linked patch
// module (6.12's IBT kernels), it records each site with its key if the
// module names `__SCK__foo`, else with the trampoline, which the kernel
// accepts only for a trampoline exported alone (EXPORT_STATIC_CALL_TRAMP):
// "Failed to fixup __raw_static_call() usage", and no load. So the patch
// names the key of an exported trampoline when the key is exported too
// (tp_func_probe: an exported tracepoint), and not when only the
// trampoline is (sched_hook). (A trampoline that is not exported is
// reached through livepatch, and objtool records no site for its call.)
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: fire_all
// EXPECT-SYMBOL: __SCT__tp_func_probe undef global
// EXPECT-SYMBOL: __SCK__tp_func_probe undef global
// EXPECT-SYMBOL: __SCT__sched_hook undef global
// EXPECT-NO-SYMBOL: __SCK__sched_hook
// SYMVERS: __SCT__tp_func_probe vmlinux
// SYMVERS: __SCK__tp_func_probe vmlinux
// SYMVERS: __SCT__sched_hook vmlinux
#include <kshim.h>

void __SCT__tp_func_probe(int v);
void __SCT__sched_hook(void);

void fire_all(int v)
{
#ifdef PATCHED
	__SCT__tp_func_probe(v + 1);
#else
	__SCT__tp_func_probe(v);
#endif
	__SCT__sched_hook();
}
