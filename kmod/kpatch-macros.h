/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpatch-macros.h: the macros patches written for the classic kpatch use,
 * with the same names and meaning, so those patches build unchanged.
 *
 *	#include "kpatch-macros.h"
 *
 * kpatch-build copies kmod/'s headers into the kernel tree's include/, on
 * the include path of every object it compiles, before and after the
 * patch, so the include works from any patched file.
 * New patches may use <kpatch.h> directly; this header adds the classic
 * spellings on top of it (docs/migrating-from-kpatch.md):
 *
 *   patch_object                  the object a callback is called for: with
 *                                 the kernel's livepatch core, a struct
 *                                 klp_object
 *   KPATCH_{PRE,POST}_{PATCH,UNPATCH}_CALLBACK(fn)
 *                                 callbacks (kpatch.h); a non-zero return
 *                                 of a pre-patch callback aborts the patch,
 *                                 or the loading of a module patched later
 *   KPATCH_IGNORE_SECTION(".name")  changes in that section are not patched
 *   KPATCH_IGNORE_FUNCTION(fn)    changes in fn are not patched
 *   KPATCH_FORCE_UNSAFE(fn)       accepted with a warning: it asked the old
 *                                 kpatch core module to skip its stack
 *                                 check for fn; the livepatch core's
 *                                 per-task consistency model has no such
 *                                 switch, and fn is patched as any other
 *   KPATCH_PRINTK(fmt, ...)       printk without making the code around it
 *                                 look cold to the compiler
 *   KPATCH_STATIC_CALL(name)      a static call made as a plain indirect
 *                                 call, for keys that live in a module
 *
 * The ignore and force macros only leave markers: a pointer in a section
 * named .kpatch.ignore.functions, .kpatch.ignore.sections or .kpatch.force,
 * which the differ reads (builder/diff/markers.cpp) and never copies into
 * the patch.
 */
#ifndef KPATCH_MACROS_H
#define KPATCH_MACROS_H

#include <linux/compiler.h>
#include <linux/printk.h>
#include <linux/static_call.h>

#include "kpatch.h"

typedef struct klp_object patch_object;

#define KPATCH_IGNORE_SECTION(_sec)						\
	static const char *__UNIQUE_ID(kpatch_ignore_section_)			\
	__used __section(".kpatch.ignore.sections") __aligned(8) = (_sec)

#define KPATCH_IGNORE_FUNCTION(_fn)						\
	static void *__kpatch_ignore_function_##_fn				\
	__used __section(".kpatch.ignore.functions") __aligned(8) = (void *)(_fn)

#define KPATCH_FORCE_UNSAFE(_fn)						\
	static void *__kpatch_force_##_fn					\
	__used __section(".kpatch.force") __aligned(8) = (void *)(_fn)

/*
 * printk() is declared __cold, and gcc lets that spread: a path that calls
 * it is laid out as unlikely, and what else that path calls may be moved to
 * .text.unlikely or no longer inlined, so one added message can change far
 * more functions than the patch meant to. Here the call sits behind a
 * condition the compiler cannot see through (an empty asm owns the flag),
 * so only the call itself is cold.
 */
#define KPATCH_PRINTK(_fmt, ...)						\
({										\
	int __kpatch_printk_on = 1;						\
										\
	asm volatile("" : "+r"(__kpatch_printk_on));				\
	if (__kpatch_printk_on)							\
		printk(_fmt, ##__VA_ARGS__);					\
})

/*
 * static_call(name)(args) leaves a .static_call_sites entry naming the
 * key, so that the kernel can rewrite the call when the target changes. A
 * patch cannot carry such an entry for a key that lives in a module (the
 * differ refuses it); this form reads the current target from the key and
 * calls it indirectly instead: KPATCH_STATIC_CALL(name)(args).
 */
#define KPATCH_STATIC_CALL(name)						\
	((typeof(&STATIC_CALL_TRAMP(name)))READ_ONCE(STATIC_CALL_KEY(name).func))

#endif
