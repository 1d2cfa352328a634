/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpatch-syscall.h: KPATCH_SYSCALL_DEFINE1..6, to patch a system call
 * defined with SYSCALL_DEFINE1..6 (x86-64 kernels of our targets, 6.1 and
 * 6.12). Replace the SYSCALL_DEFINEn of the syscall you change by
 * KPATCH_SYSCALL_DEFINEn, same arguments:
 *
 *	#include "kpatch-syscall.h"
 *	KPATCH_SYSCALL_DEFINE1(newuname, struct new_utsname __user *, name)
 *	{ ... }
 *
 * Why: SYSCALL_DEFINEn emits more than the functions. SYSCALL_METADATA
 * defines the syscall's trace-event descriptors (registered once at boot,
 * then written by the tracing core), and the stubs add an entry to the
 * error-injection list. A patch must not bring second copies of that data;
 * it only needs the functions, with the same names as in the running
 * kernel so that they are patched in place:
 *
 *	__x64_sys_NAME   the 64-bit entry (pt_regs to arguments)
 *	__ia32_sys_NAME  the 32-bit entry, with CONFIG_IA32_EMULATION
 *	__se_sys_NAME    sign extension of 32-bit arguments
 *	__do_sys_NAME    the body
 *
 * The body is forced inline. The kernel's `inline` implies notrace, and
 * gcc may keep __do_sys_NAME out of line (it does for newuname on 6.1):
 * a changed function without an ftrace call site cannot be redirected, so
 * the differ would refuse it. Inlined, the change lands in __se_sys_NAME
 * or the entries, which ftrace can redirect; the old out-of-line body is
 * simply no longer called.
 *
 * Otherwise these are the kernel's own __SYSCALL_DEFINEx stubs without the
 * metadata and error-injection entries; the argument plumbing (__MAP, SC_*_REGS_TO_ARGS)
 * is the kernel's, so it follows the tree the patch is built against.
 */
#ifndef KPATCH_SYSCALL_H
#define KPATCH_SYSCALL_H

#include <linux/syscalls.h>

#if !defined(CONFIG_X86_64) || !defined(CONFIG_ARCH_HAS_SYSCALL_WRAPPER)
#error "kpatch-syscall.h: KPATCH_SYSCALL_DEFINE supports x86-64 kernels with syscall wrappers"
#endif

#define __KPATCH_SYS_STUBx(abi, name, ...)					\
	long __##abi##_##name(const struct pt_regs *regs);			\
	long __##abi##_##name(const struct pt_regs *regs)			\
	{									\
		return __se_##name(__VA_ARGS__);				\
	}

#define __KPATCH_X64_SYS_STUBx(x, name, ...)					\
	__KPATCH_SYS_STUBx(x64, sys##name, SC_X86_64_REGS_TO_ARGS(x, __VA_ARGS__))

#ifdef CONFIG_IA32_EMULATION
#define __KPATCH_IA32_SYS_STUBx(x, name, ...)					\
	__KPATCH_SYS_STUBx(ia32, sys##name, SC_IA32_REGS_TO_ARGS(x, __VA_ARGS__))
#else
#define __KPATCH_IA32_SYS_STUBx(x, name, ...)
#endif

#define __KPATCH_SYSCALL_DEFINEx(x, name, ...)					\
	static long __se_sys##name(__MAP(x, __SC_LONG, __VA_ARGS__));		\
	static __always_inline long __do_sys##name(__MAP(x, __SC_DECL, __VA_ARGS__));\
	__KPATCH_X64_SYS_STUBx(x, name, __VA_ARGS__)				\
	__KPATCH_IA32_SYS_STUBx(x, name, __VA_ARGS__)				\
	static long __se_sys##name(__MAP(x, __SC_LONG, __VA_ARGS__))		\
	{									\
		long ret = __do_sys##name(__MAP(x, __SC_CAST, __VA_ARGS__));	\
		__MAP(x, __SC_TEST, __VA_ARGS__);				\
		__PROTECT(x, ret, __MAP(x, __SC_ARGS, __VA_ARGS__));		\
		return ret;							\
	}									\
	static __always_inline long __do_sys##name(__MAP(x, __SC_DECL, __VA_ARGS__))

#define KPATCH_SYSCALL_DEFINE1(name, ...) __KPATCH_SYSCALL_DEFINEx(1, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE2(name, ...) __KPATCH_SYSCALL_DEFINEx(2, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE3(name, ...) __KPATCH_SYSCALL_DEFINEx(3, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE4(name, ...) __KPATCH_SYSCALL_DEFINEx(4, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE5(name, ...) __KPATCH_SYSCALL_DEFINEx(5, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE6(name, ...) __KPATCH_SYSCALL_DEFINEx(6, _##name, __VA_ARGS__)

#endif
