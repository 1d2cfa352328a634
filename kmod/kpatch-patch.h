/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The metadata a patch object carries, as the patch module sees it; the
 * linker script kpatch.lds brackets each table with __<name> and
 * __<name>_end.
 *
 * .kpatch.funcs is written by create-diff-object: one entry per replaced
 * function. The other tables come from the patched sources themselves
 * (kpatch.h), and the differ copies them as they are:
 *   .kpatch.callbacks.<kind>  one entry per KPATCH_<KIND>_CALLBACK()
 *   .kpatch.states            one entry per KPATCH_STATE()
 */
#ifndef KPATCH_PATCH_H
#define KPATCH_PATCH_H

#include "kpatch.h"

struct kpatch_func_entry {
	void *new_func;		/* the replacement, in this module */
	const char *old_name;	/* the function being replaced */
	const char *objname;	/* "vmlinux" or the module holding it */
	unsigned long sympos;	/* 0 for a unique name, else 1-based */
};

extern struct kpatch_func_entry __kpatch_funcs[], __kpatch_funcs_end[];

extern const struct kpatch_pre_patch_callback __kpatch_callbacks_pre_patch[],
	__kpatch_callbacks_pre_patch_end[];
extern const struct kpatch_callback __kpatch_callbacks_post_patch[], __kpatch_callbacks_post_patch_end[],
	__kpatch_callbacks_pre_unpatch[], __kpatch_callbacks_pre_unpatch_end[],
	__kpatch_callbacks_post_unpatch[], __kpatch_callbacks_post_unpatch_end[];

extern struct kpatch_state __kpatch_states[], __kpatch_states_end[];

#endif
