// __tracepoints_ptrs entries point at tracepoint objects, not at code. The
// file defines tracepoint `old_event`; the patch adds `new_event` and calls
// it from a changed function. The new tracepoint is new data and its
// pointer entry is kept; the existing one stays in the running kernel
// (referenced, never redefined), and so does its entry.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: emit
// EXPECT-ENTRIES: __tracepoints_ptrs 1 __tracepoint_new_event
// EXPECT-SYMBOL: __tracepoint_new_event object global defined
// EXPECT-SYMBOL: .klp.sym.vmlinux.__tracepoint_old_event,0 undef
// EXPECT-NO-SYMBOL: __tracepoint_old_event defined
// SYMVERS: __traceiter_old_event vmlinux
// SYMVERS: __traceiter_new_event vmlinux
#include <kshim.h>

DECLARE_TRACE(old_event)
DEFINE_TRACE(old_event);
#ifdef PATCHED
DECLARE_TRACE(new_event)
DEFINE_TRACE(new_event);
#endif

int emit(int x)
{
	trace_old_event(x);
#ifdef PATCHED
	trace_new_event(x);
#endif
	return x;
}

int emit_other(int x)
{
	trace_old_event(x + 1);
	return x;
}
