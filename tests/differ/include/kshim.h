/*
 * kshim.h: just enough of the kernel for the differ's test cases.
 *
 * The cases are compiled with the kernel's flags but without kernel headers
 * (-nostdinc). Every macro below emits the same code and section layout as
 * its Linux 6.1 x86-64 namesake (CONFIG_GENERIC_BUG, CONFIG_DEBUG_BUGVERBOSE,
 * CONFIG_JUMP_LABEL, CONFIG_HAVE_ARCH_PREL32_RELOCATIONS, CONFIG_PRINTK_INDEX,
 * CONFIG_DYNAMIC_DEBUG, CONFIG_DEBUG_ATOMIC_SLEEP, CONFIG_PROVE_RCU), so the
 * differ sees the shapes it meets in a real kernel object: the same entry
 * sizes, the same relocation types at the same offsets, the same static
 * names. The comment above each macro names the kernel macro and header it
 * mimics; simplifications are called out there.
 *
 * Sections written by objtool in a real build (.return_sites, .orc_unwind,
 * .static_call_sites, ...) are emitted here by explicit *_SITE() macros, in
 * the layout objtool writes.
 */
#ifndef KSHIM_H
#define KSHIM_H

/* ---- types and compiler attributes (include/linux/types.h, compiler*.h) */

typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)
typedef unsigned long size_t;
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef int s32;

#define __stringify_1(x...) #x
#define __stringify(x...) __stringify_1(x)
#define ___PASTE(a, b) a##b
#define __PASTE(a, b) ___PASTE(a, b)
/* include/linux/compiler_types.h */
#define __UNIQUE_ID(prefix) __PASTE(__PASTE(__UNIQUE_ID_, prefix), __COUNTER__)

#define __section(s) __attribute__((__section__(s)))
#define __used __attribute__((__used__))
#define __aligned(x) __attribute__((__aligned__(x)))
#define __packed __attribute__((__packed__))
#define __cold __attribute__((__cold__))
#define __noreturn __attribute__((__noreturn__))
#define noinline __attribute__((__noinline__))
#define __always_inline inline __attribute__((__always_inline__))
/* include/linux/compiler_types.h: no ftrace call site */
#define notrace __attribute__((__no_instrument_function__))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define barrier() asm volatile("" : : : "memory")
#define asm_volatile_goto(x...) asm goto(x)
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val) (*(volatile __typeof__(x) *)&(x) = (val))

/* include/linux/init.h: __init is traced (ftrace handles init code itself),
 * __exit is notrace. */
#define __init __section(".init.text") __cold
#define __initdata __section(".init.data")
#define __exit __section(".exit.text") __used __cold notrace

/* ---- functions the macros call (defined by vmlinux) -------------------- */

int _printk(const char *fmt, ...);
void __warn_printk(const char *fmt, ...);
void __might_sleep(const char *file, int line);
void lockdep_rcu_suspicious(const char *file, const int line, const char *s);
int ___ratelimit(void *rs, const char *func);
int debug_lockdep_rcu_enabled(void);
int rcu_read_lock_held(void);
void panic(const char *fmt, ...) __noreturn __cold;

/* ---- objtool annotations (include/linux/objtool.h, instrumentation.h) --- */

/* ANNOTATE_REACHABLE / ASM_REACHABLE: a .discard.reachable entry. */
#define ASM_REACHABLE                                                          \
	"998:\n\t"                                                             \
	".pushsection .discard.reachable\n\t"                                  \
	".long 998b - .\n\t"                                                   \
	".popsection\n\t"

/* ANNOTATE_UNREACHABLE() */
#define annotate_unreachable()                                                 \
	asm volatile("%c0:\n\t"                                                \
		     ".pushsection .discard.unreachable\n\t"                   \
		     ".long %c0b - .\n\t"                                      \
		     ".popsection\n\t" : : "i"(__COUNTER__))

/* instrumentation_begin() / instrumentation_end() */
#define instrumentation_begin()                                                \
	asm volatile("%c0: nop\n\t"                                            \
		     ".pushsection .discard.instr_begin\n\t"                   \
		     ".long %c0b - .\n\t"                                      \
		     ".popsection\n\t" : : "i"(__COUNTER__))
#define instrumentation_end()                                                  \
	asm volatile("%c0: nop\n\t"                                            \
		     ".pushsection .discard.instr_end\n\t"                     \
		     ".long %c0b - .\n\t"                                      \
		     ".popsection\n\t" : : "i"(__COUNTER__))

/* ANNOTATE_RETPOLINE_SAFE before an indirect call (nospec-branch.h): an
 * _ASM_PTR, 8 bytes, as in Linux 6.1. */
#define ANNOTATE_RETPOLINE_SAFE                                                \
	"999:\n\t"                                                             \
	".pushsection .discard.retpoline_safe\n\t"                             \
	".quad 999b\n\t"                                                       \
	".popsection\n\t"

/* STACK_FRAME_NON_STANDARD(func) (objtool.h): a pointer, 8 bytes. */
#define STACK_FRAME_NON_STANDARD(func)                                         \
	static void __used __section(".discard.func_stack_frame_non_standard") \
		*__func_stack_frame_non_standard_##func = func

/* ---- BUG / WARN (arch/x86/include/asm/bug.h, include/asm-generic/bug.h) */

#define BUGFLAG_WARNING (1 << 0)
#define BUGFLAG_ONCE (1 << 1)
#define BUGFLAG_NO_CUT_HERE (1 << 3)
#define BUGFLAG_TAINT(taint) ((taint) << 8)
#define TAINT_WARN 9

/* struct bug_entry with relative pointers: 12 bytes,
 *   .long bug_addr - ., .long file - ., .word line, .word flags */
#define _BUG_FLAGS(ins, flags, extra)                                          \
	do {                                                                   \
		asm __inline volatile("1:\t" ins "\n"                          \
			".pushsection __bug_table,\"aw\"\n"                    \
			"2:\t.long 1b - .\t# bug_entry::bug_addr\n"            \
			"\t.long %c0 - .\t# bug_entry::file\n"                 \
			"\t.word %c1\t# bug_entry::line\n"                     \
			"\t.word %c2\t# bug_entry::flags\n"                    \
			"\t.org 2b+%c3\n"                                      \
			".popsection\n" extra                                  \
			: : "i"(__FILE__), "i"(__LINE__), "i"(flags), "i"(12)); \
	} while (0)

#define __WARN_FLAGS(flags)                                                    \
	do {                                                                   \
		instrumentation_begin();                                       \
		_BUG_FLAGS("ud2", BUGFLAG_WARNING | (flags), ASM_REACHABLE);   \
		instrumentation_end();                                         \
	} while (0)

#define __WARN() __WARN_FLAGS(BUGFLAG_TAINT(TAINT_WARN))

#define BUG()                                                                  \
	do {                                                                   \
		instrumentation_begin();                                       \
		_BUG_FLAGS("ud2", 0, "");                                      \
		__builtin_unreachable();                                       \
	} while (0)

/* WARN_ON(): the condition, then ud2 plus a __bug_table entry. */
#define WARN_ON(condition)                                                     \
	({                                                                     \
		int __ret_warn_on = !!(condition);                             \
		if (unlikely(__ret_warn_on))                                   \
			__WARN();                                              \
		unlikely(__ret_warn_on);                                       \
	})

#define WARN_ON_ONCE(condition)                                                \
	({                                                                     \
		int __ret_warn_on = !!(condition);                             \
		if (unlikely(__ret_warn_on))                                   \
			__WARN_FLAGS(BUGFLAG_ONCE |                            \
				     BUGFLAG_TAINT(TAINT_WARN));               \
		unlikely(__ret_warn_on);                                       \
	})

/* WARN(): __warn_printk() then a bug entry. */
#define __WARN_printf(taint, arg...)                                           \
	do {                                                                   \
		instrumentation_begin();                                       \
		__warn_printk(arg);                                            \
		__WARN_FLAGS(BUGFLAG_NO_CUT_HERE | BUGFLAG_TAINT(taint));      \
		instrumentation_end();                                         \
	} while (0)

#define WARN(condition, format...)                                             \
	({                                                                     \
		int __ret_warn_on = !!(condition);                             \
		if (unlikely(__ret_warn_on))                                   \
			__WARN_printf(TAINT_WARN, format);                     \
		unlikely(__ret_warn_on);                                       \
	})

/* include/linux/once_lite.h: the `__already_done` once flag in .data.once */
#define DO_ONCE_LITE_IF(condition, func, ...)                                  \
	({                                                                     \
		bool __ret_do_once = !!(condition);                            \
		static bool __section(".data.once") __already_done;            \
		if (unlikely(__ret_do_once && !__already_done)) {              \
			__already_done = true;                                 \
			func(__VA_ARGS__);                                     \
		}                                                              \
		unlikely(__ret_do_once);                                       \
	})

#define WARN_ONCE(condition, format...) DO_ONCE_LITE_IF(condition, WARN, 1, format)

/* ---- printk (include/linux/printk.h, CONFIG_PRINTK_INDEX=y) ------------ */

#define KERN_SOH "\001"
#define KERN_ERR KERN_SOH "3"
#define KERN_WARNING KERN_SOH "4"
#define KERN_INFO KERN_SOH "6"

/* struct pi_entry: fmt, func, file, line, level, subsys_fmt_prefix */
struct pi_entry {
	const char *fmt;
	const char *func;
	const char *file;
	unsigned int line;
	const char *level;
	const char *subsys_fmt_prefix;
} __packed;

/* __printk_index_emit(): a static `_entry` per call site and a pointer to
 * it, `_entry_ptr`, in .printk_index (8 bytes, R_X86_64_64). */
#define __printk_index_emit(_fmt, _level, _subsys_fmt_prefix)                  \
	do {                                                                   \
		if (__builtin_constant_p(_fmt) && __builtin_constant_p(_level)) { \
			static const struct pi_entry _entry __used = {         \
				.fmt = __builtin_constant_p(_fmt) ? (_fmt) : NULL, \
				.func = __func__,                              \
				.file = __FILE__,                              \
				.line = __LINE__,                              \
				.level = __builtin_constant_p(_level) ? (_level) : NULL, \
				.subsys_fmt_prefix = _subsys_fmt_prefix,       \
			};                                                     \
			static const struct pi_entry *_entry_ptr __used        \
				__section(".printk_index") = &_entry;          \
		}                                                              \
	} while (0)

#define printk_index_wrap(_p_func, _fmt, ...)                                  \
	({                                                                     \
		__printk_index_emit(_fmt, NULL, NULL);                         \
		_p_func(_fmt, ##__VA_ARGS__);                                  \
	})

#define printk(fmt, ...) printk_index_wrap(_printk, fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...) printk(KERN_INFO fmt, ##__VA_ARGS__)
#define pr_err(fmt, ...) printk(KERN_ERR fmt, ##__VA_ARGS__)

/* The common "where am I" message: __LINE__ becomes a `mov $imm,%reg`
 * feeding the _printk call, as in dev_dbg/pr_*("%s:%d", __func__, __LINE__). */
#define pr_info_line(fmt, ...)                                                 \
	pr_info("%s:%d: " fmt, __func__, __LINE__, ##__VA_ARGS__)

/* lib/ratelimit.h: DEFINE_RATELIMIT_STATE, a static `_rs` per call site. */
struct ratelimit_state {
	int interval;
	int burst;
	int printed;
	int missed;
	unsigned long begin;
	unsigned long flags;
};
#define DEFINE_RATELIMIT_STATE(name, interval_init, burst_init)                \
	struct ratelimit_state name = {                                        \
		.interval = interval_init,                                     \
		.burst = burst_init,                                           \
	}
#define printk_ratelimited(fmt, ...)                                           \
	({                                                                     \
		static DEFINE_RATELIMIT_STATE(_rs, 5 * 250, 10);               \
		if (___ratelimit(&_rs, __func__))                              \
			printk(fmt, ##__VA_ARGS__);                            \
	})

/* printk_once(): DO_ONCE_LITE, an `__already_done` flag. */
#define printk_once(fmt, ...) DO_ONCE_LITE_IF(true, printk, fmt, ##__VA_ARGS__)

/* ---- might_sleep (include/linux/kernel.h, CONFIG_DEBUG_ATOMIC_SLEEP) ---- */

#define might_sleep() do { __might_sleep(__FILE__, __LINE__); } while (0)

/* ---- lockdep (include/linux/mutex.h, rcupdate.h) ----------------------- */

struct lock_class_key { char dummy[16]; };
struct mutex { long owner; struct lock_class_key *key; const char *name; };
void __mutex_init(struct mutex *lock, const char *name, struct lock_class_key *key);

/* mutex_init(): a static `__key` per call site. */
#define mutex_init(mutex)                                                      \
	do {                                                                   \
		static struct lock_class_key __key;                            \
		__mutex_init((mutex), #mutex, &__key);                         \
	} while (0)

/* RCU_LOCKDEP_WARN(): a `__warned` flag and a __LINE__ argument. */
#define RCU_LOCKDEP_WARN(c, s)                                                 \
	do {                                                                   \
		static bool __section(".data.unlikely") __warned;              \
		if (debug_lockdep_rcu_enabled() && !__warned && (c)) {         \
			__warned = true;                                       \
			lockdep_rcu_suspicious(__FILE__, __LINE__, s);         \
		}                                                              \
	} while (0)

/* ---- jump labels (arch/x86/include/asm/jump_label.h) ------------------- */

struct static_key { int enabled; void *entries; };
struct static_key_false { struct static_key key; };
struct static_key_true { struct static_key key; };
#define DEFINE_STATIC_KEY_FALSE(name) struct static_key_false name = { { 0, NULL } }
#define DECLARE_STATIC_KEY_FALSE(name) extern struct static_key_false name

/* struct jump_entry: 16 bytes, 8-aligned:
 *   .long code - ., .long target - ., .quad key + branch - . */
static __always_inline bool arch_static_branch(struct static_key *const key, const bool branch)
{
	asm_volatile_goto("1:"
		".byte 0x0f,0x1f,0x44,0x00,0x00\n\t"
		".pushsection __jump_table,  \"aw\" \n\t"
		".balign 8\n\t"
		".long 1b - ., %l[l_yes] - . \n\t"
		".quad %c0 + %c1 - .\n\t"
		".popsection \n\t"
		: : "i"(key), "i"(branch) : : l_yes);
	return false;
l_yes:
	return true;
}

#define static_branch_unlikely(x) arch_static_branch(&(x)->key, false)
#define static_branch_likely(x) (!arch_static_branch(&(x)->key, true))

/* ---- dynamic debug (include/linux/dynamic_debug.h) --------------------- */

struct _ddebug {
	const char *modname;
	const char *function;
	const char *filename;
	const char *format;
	unsigned int lineno : 18;
	unsigned int flags : 8;
	union {
		struct static_key_true dd_key_true;
		struct static_key_false dd_key_false;
	} key;
} __aligned(8);

void __dynamic_pr_debug(struct _ddebug *descriptor, const char *fmt, ...);

#ifndef KBUILD_MODNAME
#define KBUILD_MODNAME "kshim"
#endif

/* DEFINE_DYNAMIC_DEBUG_METADATA(): a static descriptor in __dyndbg. */
#define DEFINE_DYNAMIC_DEBUG_METADATA(name, fmt)                               \
	static struct _ddebug __aligned(8) __section("__dyndbg") name = {      \
		.modname = KBUILD_MODNAME,                                     \
		.function = __func__,                                          \
		.filename = __FILE__,                                          \
		.format = (fmt),                                               \
		.lineno = __LINE__,                                            \
		.flags = 0,                                                    \
	}

/* The 6.1 expansion names the descriptor __UNIQUE_ID_ddebugN and tests it
 * with a jump label whose key lives in the descriptor itself. */
#define __dynamic_func_call(id, fmt, func, ...)                                \
	do {                                                                   \
		DEFINE_DYNAMIC_DEBUG_METADATA(id, fmt);                        \
		if (static_branch_unlikely(&id.key.dd_key_false))              \
			func(&id, ##__VA_ARGS__);                              \
	} while (0)

#define pr_debug(fmt, ...)                                                     \
	__dynamic_func_call(__UNIQUE_ID(ddebug), fmt, __dynamic_pr_debug, fmt, ##__VA_ARGS__)

/* The pre-5.x expansion, a static named `descriptor`. */
#define pr_debug_descriptor(fmt, ...)                                          \
	__dynamic_func_call(descriptor, fmt, __dynamic_pr_debug, fmt, ##__VA_ARGS__)

/* ---- alternatives (arch/x86/include/asm/alternative.h) ----------------- */

/* struct alt_instr: 12 bytes:
 *   .long orig - ., .long repl - ., .word cpuid, .byte len, .byte replen */
#define alt_slen "662b-661b"
#define alt_total_slen "663b-661b"
#define alt_rlen "6641f-6631f"

#define OLDINSTR(oldinstr)                                                     \
	"# ALT: oldnstr\n"                                                     \
	"661:\n\t" oldinstr "\n662:\n"                                         \
	"# ALT: padding\n"                                                     \
	".skip -(((" alt_rlen ")-(" alt_slen ")) > 0) * "                      \
	"((" alt_rlen ")-(" alt_slen ")),0x90\n"                               \
	"663:\n"

#define ALTINSTR_ENTRY(feature)                                                \
	" .long 661b - .\n"                                                    \
	" .long 6631f - .\n"                                                   \
	" .word " __stringify(feature) "\n"                                    \
	" .byte " alt_total_slen "\n"                                          \
	" .byte " alt_rlen "\n"

#define ALTINSTR_REPLACEMENT(newinstr)                                         \
	"# ALT: replacement\n"                                                 \
	"6631:\n\t" newinstr "\n6641:\n"

#define ALTERNATIVE(oldinstr, newinstr, feature)                               \
	OLDINSTR(oldinstr)                                                     \
	".pushsection .altinstructions,\"a\"\n"                                \
	ALTINSTR_ENTRY(feature)                                                \
	".popsection\n"                                                        \
	".pushsection .altinstr_replacement, \"ax\"\n"                         \
	ALTINSTR_REPLACEMENT(newinstr)                                         \
	".popsection\n"

#define alternative(oldinstr, newinstr, feature)                               \
	asm __inline volatile(ALTERNATIVE(oldinstr, newinstr, feature) : : : "memory")

#define X86_FEATURE_XMM2 (0 * 32 + 26)
#define X86_FEATURE_ERMS (9 * 32 + 9)
/* arch/x86/include/asm/barrier.h */
#define mb() alternative("lock; addl $0,-4(%%rsp)", "mfence", X86_FEATURE_XMM2)

/* ---- exception table (arch/x86/include/asm/asm.h) ---------------------- */

/* struct exception_table_entry: 12 bytes: .long insn - ., .long fixup - .,
 * .long data (the handler type). */
#define EX_TYPE_DEFAULT 1
#define _ASM_EXTABLE_TYPE(from, to, type)                                      \
	" .pushsection \"__ex_table\",\"a\"\n"                                 \
	" .balign 4\n"                                                         \
	" .long (" #from ") - .\n"                                             \
	" .long (" #to ") - .\n"                                               \
	" .long " __stringify(type) " \n"                                      \
	" .popsection\n"
#define _ASM_EXTABLE(from, to) _ASM_EXTABLE_TYPE(from, to, EX_TYPE_DEFAULT)

/* A get_user()-like load with a fixup: *val = *ptr, or -14 on a fault. */
static __always_inline int read_user_int(const int *ptr, int *val)
{
	int err = 0;
	asm volatile("1:	movl %2, %1\n"
		     "2:\n"
		     _ASM_EXTABLE(1b, 2b)
		     : "+r"(err), "=r"(*val) : "m"(*ptr));
	return err;
}

/* ---- LOCK_PREFIX (arch/x86/include/asm/alternative.h) ------------------ */

/* .smp_locks: .long 671f - . per lock prefix. */
#define LOCK_PREFIX_HERE                                                       \
	".pushsection .smp_locks,\"a\"\n"                                      \
	".balign 4\n"                                                          \
	".long 671f - .\n"                                                     \
	".popsection\n"                                                        \
	"671:"
#define LOCK_PREFIX LOCK_PREFIX_HERE "\n\tlock; "

/* arch_atomic_inc() */
static __always_inline void atomic_inc(int *v)
{
	asm volatile(LOCK_PREFIX "incl %0" : "+m"(*v));
}

/* ---- sites objtool records (tools/objtool/check.c) --------------------- */

/* .return_sites: .long insn - . per `jmp __x86_return_thunk`. */
#define RETURN_SITE()                                                          \
	asm volatile("1: nop\n\t"                                              \
		     ".pushsection .return_sites,\"a\"\n\t"                    \
		     ".long 1b - .\n\t"                                        \
		     ".popsection\n\t")

/* .retpoline_sites: .long insn - . per call to a retpoline thunk. */
#define RETPOLINE_SITE()                                                       \
	asm volatile("1: nop\n\t"                                              \
		     ".pushsection .retpoline_sites,\"a\"\n\t"                 \
		     ".long 1b - .\n\t"                                        \
		     ".popsection\n\t")

/* .call_sites: .long insn - . per direct call (call depth tracking). */
#define CALL_SITE()                                                            \
	asm volatile("1: nop\n\t"                                              \
		     ".pushsection .call_sites,\"a\"\n\t"                      \
		     ".long 1b - .\n\t"                                        \
		     ".popsection\n\t")

/* struct static_call_site: 8 bytes: .long addr - ., .long key - .
 * `key` is the __SCK__<name> static call key in vmlinux. */
#define STATIC_CALL_SITE(name)                                                 \
	asm volatile("1: nop\n\t"                                              \
		     ".pushsection .static_call_sites,\"a\"\n\t"               \
		     ".long 1b - .\n\t"                                        \
		     ".long __SCK__" #name " - .\n\t"                          \
		     ".popsection\n\t")

/* ORC: .orc_unwind_ip holds .long insn - . and .orc_unwind the parallel
 * 6-byte struct orc_entry (sp_offset, bp_offset, sp_reg/bp_reg/type bits). */
#define ORC_ENTRY(sp_offset)                                                   \
	asm volatile("1:\n\t"                                                  \
		     ".pushsection .orc_unwind_ip,\"a\"\n\t"                   \
		     ".long 1b - .\n\t"                                        \
		     ".popsection\n\t"                                         \
		     ".pushsection .orc_unwind,\"a\"\n\t"                      \
		     ".word " __stringify(sp_offset) "\n\t"                    \
		     ".word 0\n\t"                                             \
		     ".word 0x0005\n\t"                                        \
		     ".popsection\n\t")

/* ---- tracepoints (include/linux/tracepoint.h) -------------------------- */

struct tracepoint { const char *name; struct static_key key; void *funcs; };

/* DEFINE_TRACE(): the tracepoint object in __tracepoints, its name in
 * __tracepoints_strings, and a relative pointer in __tracepoints_ptrs. */
#define DEFINE_TRACE(name)                                                     \
	static const char __tpstrtab_##name[]                                  \
		__section("__tracepoints_strings") = #name;                    \
	struct tracepoint __tracepoint_##name __used                           \
		__section("__tracepoints") = { __tpstrtab_##name, { 0, NULL }, NULL }; \
	asm("	.section \"__tracepoints_ptrs\", \"a\"		\n"            \
	    "	.balign 4					\n"            \
	    "	.long 	__tracepoint_" #name " - .		\n"            \
	    "	.previous					\n")
#define DECLARE_TRACE(name)                                                    \
	extern struct tracepoint __tracepoint_##name;                          \
	void __traceiter_##name(void *data, int arg);                          \
	static inline void trace_##name(int arg)                               \
	{                                                                      \
		if (READ_ONCE(__tracepoint_##name.key.enabled))                \
			__traceiter_##name(NULL, arg);                         \
	}

/* ---- module metadata (include/linux/module.h, moduleparam.h) ----------- */

#define __MODULE_INFO(tag, name, info)                                         \
	static const char __UNIQUE_ID(name)[] __used __section(".modinfo")     \
		__aligned(1) = __stringify(tag) "=" info
#define MODULE_INFO(tag, info) __MODULE_INFO(tag, tag, info)
#define MODULE_LICENSE(_license) MODULE_INFO(license, _license)
#define MODULE_DESCRIPTION(_d) MODULE_INFO(description, _d)
#define MODULE_IMPORT_NS(ns) MODULE_INFO(import_ns, __stringify(ns))

#endif /* KSHIM_H */
