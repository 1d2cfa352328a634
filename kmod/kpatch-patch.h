/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The metadata create-diff-object leaves in a patch object, as the patch
 * module sees it. One entry per replaced function, in section
 * .kpatch.funcs; the linker script kpatch.lds brackets the table with
 * __kpatch_funcs and __kpatch_funcs_end.
 */
#ifndef KPATCH_PATCH_H
#define KPATCH_PATCH_H

struct kpatch_func_entry {
	void *new_func;		/* the replacement, in this module */
	const char *old_name;	/* the function being replaced */
	const char *objname;	/* "vmlinux" or the module holding it */
	unsigned long sympos;	/* 0 for a unique name, else 1-based */
};

extern struct kpatch_func_entry __kpatch_funcs[], __kpatch_funcs_end[];

#endif
