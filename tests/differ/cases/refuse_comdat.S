// A change inside a COMDAT group: the linker may discard the group or merge
// it with another object's copy, so the function the patch would replace is
// not reliably this one. Refused, naming the function and its group.
// (C compilers emit COMDAT groups for inline functions in C++ and for some
// compiler helpers; the kernel itself has a few in assembly.)
//
// EXPECT-EXIT: 2
// EXPECT-STDERR: function 'shared_helper' is in COMDAT group
// EXPECT-STDERR: [comdat]
// REQUIRE-ORIG-SYMBOL: shared_helper func weak section=.text.shared_helper

	.file	"refuse_comdat.c"

// An ordinary function, unchanged.
	.section .text.plain,"ax",@progbits
	.globl	plain
	.type	plain, @function
plain:
1:	.byte 0x0f, 0x1f, 0x44, 0x00, 0x00	// the NOPed call to __fentry__
	.pushsection __mcount_loc, "a", @progbits
	.quad	1b
	.popsection
	movl	$1, %eax
	jmp	__x86_return_thunk
	.size	plain, .-plain

// The same function in a COMDAT group of its own, as gcc emits it.
	.section .text.shared_helper,"axG",@progbits,shared_helper,comdat
	.weak	shared_helper
	.type	shared_helper, @function
shared_helper:
1:	.byte 0x0f, 0x1f, 0x44, 0x00, 0x00
	.pushsection __mcount_loc, "a", @progbits
	.quad	1b
	.popsection
#ifdef PATCHED
	movl	$3, %eax
#else
	movl	$2, %eax
#endif
	jmp	__x86_return_thunk
	.size	shared_helper, .-shared_helper
