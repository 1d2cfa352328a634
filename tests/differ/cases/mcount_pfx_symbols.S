// A module object of Linux 6.12 as objtool leaves it (a single-object
// module is checked by objtool with --prefix=16 --mcount): each function's
// 16 bytes of padding carry a __pfx_ symbol of their own, the function
// starts with endbr64, and __mcount_loc points at the call at +4. The
// __pfx_ symbols are padding, not functions: never changed or new on their
// own (no "new function: __pfx_fresh"), taken along with their function,
// and never an ftrace site.
//
// PARENT: demo
// EXPECT-EXIT: 0
// EXPECT-CHANGED: changed
// EXPECT-NEW: fresh
// EXPECT-FTRACE-SITES: 2 changed fresh
// EXPECT-PADDING: 16 changed fresh
// EXPECT-SYMBOL: __pfx_changed func local section=.text.changed
// EXPECT-SYMBOL: __pfx_fresh func local section=.text.fresh
// EXPECT-NO-SYMBOL: __pfx_same
// EXPECT-NO-SYMBOL: same

	.file	"mcount_pfx_symbols.c"

#define FUNC(name)					\
	.section .text.name,"ax",@progbits;		\
	.p2align 4;					\
	.globl	__pfx_##name;				\
	.type	__pfx_##name, @function;		\
__pfx_##name:						\
	.fill	16, 1, 0x90;				\
	.size	__pfx_##name, 16;			\
	.globl	name;					\
	.type	name, @function;			\
name:							\
	endbr64;					\
1:	call	__fentry__;				\
	.pushsection __mcount_loc, "a", @progbits;	\
	.quad	1b;					\
	.popsection

FUNC(same)
	movl	$1, %eax
	jmp	__x86_return_thunk
	.size	same, .-same

FUNC(changed)
#ifdef PATCHED
	movl	$3, %eax
#else
	movl	$2, %eax
#endif
	jmp	__x86_return_thunk
	.size	changed, .-changed

#ifdef PATCHED
FUNC(fresh)
	call	changed
	addl	$1, %eax
	jmp	__x86_return_thunk
	.size	fresh, .-fresh
#endif
