// SPDX-License-Identifier: GPL-2.0
/*
 * Registration code compiled into every patch module.
 *
 * The differ cannot know how the functions of several objects group into
 * livepatch objects, so the module builds its struct klp_patch at load time
 * from the tables kpatch.lds brackets (kpatch-patch.h):
 *
 *   .kpatch.funcs             one klp_object per distinct object name (NULL
 *                             for vmlinux), each with its klp_func array
 *   .kpatch.callbacks.<kind>  the callbacks of the object named by each
 *                             entry; an object with callbacks but no
 *                             function gets an empty klp_func array, since
 *                             klp_enable_patch() wants every obj->funcs set
 *   .kpatch.states            the klp_patch states array, one klp_state per
 *                             distinct id; each entry learns its klp_state
 *
 * All arrays are zero-terminated as the livepatch core expects and live as
 * long as the module; the core drops its references before the module can
 * be removed.
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

#define KPATCH_COUNT(table) ((size_t)(__kpatch_##table##_end - __kpatch_##table))

static struct klp_patch kpatch_patch;
static struct klp_object *kpatch_objs;
static size_t kpatch_nobjs;
static struct klp_state *kpatch_states;

static size_t kpatch_callback_count(void)
{
	return KPATCH_COUNT(callbacks_pre_patch) + KPATCH_COUNT(callbacks_post_patch) +
	       KPATCH_COUNT(callbacks_pre_unpatch) + KPATCH_COUNT(callbacks_post_unpatch);
}

static const char *kpatch_obj_name(const struct klp_object *obj)
{
	return obj->name ? obj->name : "vmlinux";
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

/*
 * The klp_object for objname, created on first use with room for all its
 * functions; NULL when out of memory. kpatch_objs has room for one object
 * per function and per callback, plus the terminator.
 */
static struct klp_object *kpatch_obj(const char *objname)
{
	struct klp_object *obj;
	size_t i;

	for (i = 0; i < kpatch_nobjs; i++)
		if (!strcmp(kpatch_obj_name(&kpatch_objs[i]), objname))
			return &kpatch_objs[i];
	obj = &kpatch_objs[kpatch_nobjs];
	/* one more for the terminator */
	obj->funcs = kcalloc(kpatch_funcs_of(objname) + 1, sizeof(*obj->funcs), GFP_KERNEL);
	if (!obj->funcs)
		return NULL;
	obj->name = strcmp(objname, "vmlinux") ? objname : NULL;
	kpatch_nobjs++;
	return obj;
}

static int kpatch_add_func(struct kpatch_func_entry *e)
{
	struct klp_object *obj = kpatch_obj(e->objname);
	struct klp_func *func;

	if (!obj)
		return -ENOMEM;
	for (func = obj->funcs; func->old_name; func++)
		;
	func->old_name = e->old_name;
	func->new_func = e->new_func;
	func->old_sympos = e->sympos;
	return 0;
}

/*
 * Sets obj->callbacks.<kind> from each entry of .kpatch.callbacks.<kind>.
 * klp_callbacks has one slot per kind, so a second callback of the same
 * kind for the same object is an error rather than a silent override.
 */
#define kpatch_attach(kind)								\
({											\
	typeof(&__kpatch_callbacks_##kind[0]) e;					\
	struct klp_object *obj;								\
	int ret = 0;									\
											\
	for (e = __kpatch_callbacks_##kind; e < __kpatch_callbacks_##kind##_end; e++) {	\
		obj = kpatch_obj(e->objname);						\
		if (!obj) {								\
			ret = -ENOMEM;							\
			break;								\
		}									\
		if (obj->callbacks.kind) {						\
			pr_err("%s: two " #kind " callbacks for %s: %ps and %ps\n",	\
			       THIS_MODULE->name, e->objname, obj->callbacks.kind, e->fn); \
			ret = -EINVAL;							\
			break;								\
		}									\
		obj->callbacks.kind = e->fn;						\
	}										\
	ret;										\
})

static int kpatch_add_callbacks(void)
{
	int ret;

	ret = kpatch_attach(pre_patch);
	if (!ret)
		ret = kpatch_attach(post_patch);
	if (!ret)
		ret = kpatch_attach(pre_unpatch);
	if (!ret)
		ret = kpatch_attach(post_unpatch);
	return ret;
}

/*
 * One klp_state per distinct id (the same KPATCH_STATE() may come from a
 * header included by several patched files); each entry points at its
 * klp_state so that kpatch_state() can reach ->data.
 */
static int kpatch_add_states(void)
{
	struct kpatch_state *e;
	struct klp_state *s;
	size_t n = KPATCH_COUNT(states);

	if (!n)
		return 0;
	kpatch_states = kcalloc(n + 1, sizeof(*kpatch_states), GFP_KERNEL);
	if (!kpatch_states)
		return -ENOMEM;
	for (e = __kpatch_states; e < __kpatch_states_end; e++) {
		if (!e->id) {
			pr_err("%s: state id 0 is reserved\n", THIS_MODULE->name);
			return -EINVAL;
		}
		for (s = kpatch_states; s->id && s->id != e->id; s++)
			;
		if (s->id && s->version != e->version) {
			pr_err("%s: state %#lx declared with versions %u and %u\n", THIS_MODULE->name, e->id,
			       s->version, e->version);
			return -EINVAL;
		}
		s->id = e->id;
		s->version = e->version;
		e->klp = s;
	}
	kpatch_patch.states = kpatch_states;
	return 0;
}

static void kpatch_free(void)
{
	size_t i;

	for (i = 0; i < kpatch_nobjs; i++)
		kfree(kpatch_objs[i].funcs);
	kfree(kpatch_objs);
	kpatch_objs = NULL;
	kpatch_nobjs = 0;
	kfree(kpatch_states);
	kpatch_states = NULL;
}

static int __init kpatch_init(void)
{
	struct kpatch_func_entry *e;
	size_t nfuncs = KPATCH_COUNT(funcs);
	int ret;

	if (!nfuncs && !kpatch_callback_count()) {
		pr_err("%s: no functions to patch and no callbacks\n", THIS_MODULE->name);
		return -EINVAL;
	}
	kpatch_objs = kcalloc(nfuncs + kpatch_callback_count() + 1, sizeof(*kpatch_objs), GFP_KERNEL);
	if (!kpatch_objs)
		return -ENOMEM;
	for (e = __kpatch_funcs; e < __kpatch_funcs_end; e++) {
		ret = kpatch_add_func(e);
		if (ret)
			goto err;
	}
	ret = kpatch_add_callbacks();
	if (ret)
		goto err;
	ret = kpatch_add_states();
	if (ret)
		goto err;
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
