// SPDX-License-Identifier: GPL-2.0
/*
 * Registration code compiled into every patch module.
 *
 * The differ cannot know how the functions of several objects group into
 * livepatch objects, so the module builds its struct klp_patch at load time
 * from the .kpatch.funcs table: one klp_object per distinct object name
 * (NULL for vmlinux), each with its klp_func array, all zero-terminated as
 * the livepatch core expects. The arrays live as long as the module; the
 * core drops its references before the module can be removed.
 *
 * KPATCH_REPLACE (0 or 1) comes from the manifest through the build.
 */
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "kpatch-patch.h"

#ifndef KPATCH_REPLACE
#define KPATCH_REPLACE 1
#endif

static struct klp_patch kpatch_patch;
static struct klp_object *kpatch_objs;

static size_t kpatch_func_count(void)
{
	return __kpatch_funcs_end - __kpatch_funcs;
}

static bool kpatch_is_vmlinux(const char *objname)
{
	return !strcmp(objname, "vmlinux");
}

/* Index of objname among the objects built so far, or -1. */
static int kpatch_find_obj(size_t nobjs, const char *objname)
{
	size_t i;

	for (i = 0; i < nobjs; i++) {
		const char *name = kpatch_objs[i].name ? kpatch_objs[i].name : "vmlinux";

		if (!strcmp(name, objname))
			return i;
	}
	return -1;
}

static size_t kpatch_funcs_of(const char *objname)
{
	struct kpatch_func_entry *e;
	size_t n = 0;

	for (e = __kpatch_funcs; e < __kpatch_funcs_end; e++)
		if (!strcmp(e->objname, objname))
			n++;
	return n;
}

static void kpatch_free(void)
{
	struct klp_object *obj;

	if (!kpatch_objs)
		return;
	for (obj = kpatch_objs; obj->funcs; obj++)
		kfree(obj->funcs);
	kfree(kpatch_objs);
	kpatch_objs = NULL;
}

static int kpatch_add_func(size_t *nobjs, struct kpatch_func_entry *e)
{
	struct klp_object *obj;
	struct klp_func *func;
	int i = kpatch_find_obj(*nobjs, e->objname);

	if (i < 0) {
		i = (*nobjs)++;
		obj = &kpatch_objs[i];
		obj->name = kpatch_is_vmlinux(e->objname) ? NULL : e->objname;
		/* one more for the terminator */
		obj->funcs = kcalloc(kpatch_funcs_of(e->objname) + 1, sizeof(*obj->funcs), GFP_KERNEL);
		if (!obj->funcs)
			return -ENOMEM;
	}
	obj = &kpatch_objs[i];
	for (func = obj->funcs; func->old_name; func++)
		;
	func->old_name = e->old_name;
	func->new_func = e->new_func;
	func->old_sympos = e->sympos;
	return 0;
}

static int __init kpatch_init(void)
{
	struct kpatch_func_entry *e;
	size_t nobjs = 0;
	int ret;

	if (!kpatch_func_count()) {
		pr_err("%s: no functions to patch\n", THIS_MODULE->name);
		return -EINVAL;
	}
	/* at most one object per function, plus the terminator */
	kpatch_objs = kcalloc(kpatch_func_count() + 1, sizeof(*kpatch_objs), GFP_KERNEL);
	if (!kpatch_objs)
		return -ENOMEM;
	for (e = __kpatch_funcs; e < __kpatch_funcs_end; e++) {
		ret = kpatch_add_func(&nobjs, e);
		if (ret)
			goto err;
	}
	kpatch_patch.mod = THIS_MODULE;
	kpatch_patch.objs = kpatch_objs;
	kpatch_patch.replace = KPATCH_REPLACE;
	ret = klp_enable_patch(&kpatch_patch);
	if (ret)
		goto err;
	return 0;
err:
	kpatch_free();
	return ret;
}

static void __exit kpatch_exit(void)
{
	kpatch_free();
}

module_init(kpatch_init);
module_exit(kpatch_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
