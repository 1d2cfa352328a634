/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The patch-author API: what a patched source file may use besides
 * ordinary kernel code. Include it as
 *
 *	#include <kpatch.h>
 *
 * (kpatch-build copies kmod/'s headers into the kernel tree's include/, on
 * the include path of every object it compiles, before and after the
 * patch). docs/patch-author-api.md has the whole story;
 * in short:
 *
 * Callbacks run when livepatch (un)patches an object: vmlinux, or the module
 * the patched file belongs to (for a module, when the module is loaded, which
 * may be after the patch). The macros below leave a small entry in a
 * dedicated section; the differ always copies those sections into the patch,
 * with the functions they name, and patch-hook.c attaches each entry to the
 * callbacks of the right klp_object.
 *
 *	static int  my_pre_patch(struct klp_object *obj);	non-zero aborts
 *	static void my_post_patch(struct klp_object *obj);
 *	KPATCH_PRE_PATCH_CALLBACK(my_pre_patch);
 *	KPATCH_POST_PATCH_CALLBACK(my_post_patch);
 *
 * At most one callback of each kind per object: a second one makes the
 * patch module refuse to load (-EINVAL, with a message naming both).
 *
 * Shadow variables attach new data to existing objects (a task, a socket)
 * without changing their layout: thin wrappers over klp_shadow_*() below.
 *
 * States describe a change to the system a cumulative patch must know about
 * (klp_state): KPATCH_STATE() declares one; the hook gathers them into the
 * klp_patch's states array.
 */
#ifndef KPATCH_H
#define KPATCH_H

#include <linux/compiler.h>
#include <linux/livepatch.h>
#include <linux/types.h>

/*
 * The livepatch object a file belongs to, as livepatch names it: the module
 * (KBUILD_MODNAME, with '-' already turned into '_' by Kbuild) for a file
 * built into a module, "vmlinux" for a built-in file.
 */
#ifdef MODULE
#define KPATCH_OBJNAME KBUILD_MODNAME
#else
#define KPATCH_OBJNAME "vmlinux"
#endif

/*
 * Section entries, read by patch-hook.c. Both are two pointers, so the
 * entries of several patched objects concatenate without padding.
 */
struct kpatch_pre_patch_callback {
	int (*fn)(struct klp_object *obj);
	const char *objname;
};

struct kpatch_callback {
	void (*fn)(struct klp_object *obj);
	const char *objname;
};

#define __KPATCH_CALLBACK(type, kind, callback)					\
	static const struct type __kpatch_##kind##_##callback			\
	__used __section(".kpatch.callbacks." #kind) __aligned(8) = {		\
		.fn = callback,							\
		.objname = KPATCH_OBJNAME,					\
	}

/*
 * Runs before the object is patched; a non-zero return aborts patching it
 * (for vmlinux, or a module already loaded: the patch module fails to load;
 * for a module loaded later: that module fails to load). No other callback
 * of the object runs after a failed pre-patch one.
 */
#define KPATCH_PRE_PATCH_CALLBACK(callback)					\
	__KPATCH_CALLBACK(kpatch_pre_patch_callback, pre_patch, callback)
/* Runs once the transition to the patched code has completed. */
#define KPATCH_POST_PATCH_CALLBACK(callback)					\
	__KPATCH_CALLBACK(kpatch_callback, post_patch, callback)
/* Runs before the transition back to the original code starts. */
#define KPATCH_PRE_UNPATCH_CALLBACK(callback)					\
	__KPATCH_CALLBACK(kpatch_callback, pre_unpatch, callback)
/*
 * Runs once no task runs the patched code any more: the place to free
 * shadow variables (kpatch_shadow_free_all()).
 */
#define KPATCH_POST_UNPATCH_CALLBACK(callback)					\
	__KPATCH_CALLBACK(kpatch_callback, post_unpatch, callback)

/*
 * Shadow variables: data of `size` bytes attached to the pair (obj, id),
 * where obj is the address of any object and id a number chosen for the
 * patch (unique among all live patches that may share it; a cumulative
 * patch reuses its predecessor's ids to take its shadows over).
 *
 * These are the livepatch core's functions under the kpatch_ prefix, with
 * the same semantics:
 *
 *   kpatch_shadow_get        the data, or NULL if none is attached
 *   kpatch_shadow_alloc      attach new data; NULL (and a warning) if (obj, id)
 *                            already has some, or if the allocation fails
 *   kpatch_shadow_get_or_alloc  the existing data, else attach new data
 *   kpatch_shadow_free       detach and free; dtor (may be NULL) runs first
 *   kpatch_shadow_free_all   the same for every obj with this id
 *
 * New data is zeroed and then passed to ctor(obj, data, ctor_data) when ctor
 * is non-NULL; a non-zero ctor return makes the allocation fail. ctor runs
 * under a spinlock: it must not sleep (gfp_flags only applies to the
 * allocation, which happens before the lock is taken). The data is freed
 * with kfree() after dtor(obj, data), also under the spinlock.
 *
 * Nothing frees shadow data by itself, and a freed object's address is soon
 * reused: free it where the object dies (patch the function that frees
 * it) and when the patch goes away (kpatch_shadow_free_all() in a
 * post-unpatch callback).
 */
typedef klp_shadow_ctor_t kpatch_shadow_ctor_t;
typedef klp_shadow_dtor_t kpatch_shadow_dtor_t;

static __always_inline void *kpatch_shadow_get(void *obj, unsigned long id)
{
	return klp_shadow_get(obj, id);
}

static __always_inline void *kpatch_shadow_alloc(void *obj, unsigned long id, size_t size, gfp_t gfp_flags,
						 kpatch_shadow_ctor_t ctor, void *ctor_data)
{
	return klp_shadow_alloc(obj, id, size, gfp_flags, ctor, ctor_data);
}

static __always_inline void *kpatch_shadow_get_or_alloc(void *obj, unsigned long id, size_t size,
							gfp_t gfp_flags, kpatch_shadow_ctor_t ctor,
							void *ctor_data)
{
	return klp_shadow_get_or_alloc(obj, id, size, gfp_flags, ctor, ctor_data);
}

static __always_inline void kpatch_shadow_free(void *obj, unsigned long id, kpatch_shadow_dtor_t dtor)
{
	klp_shadow_free(obj, id, dtor);
}

static __always_inline void kpatch_shadow_free_all(unsigned long id, kpatch_shadow_dtor_t dtor)
{
	klp_shadow_free_all(id, dtor);
}

/*
 * States (klp_state): a patch declares the system changes it makes or
 * knows how to handle, as (id, version) with a non-zero id.
 *
 *	KPATCH_STATE(my_state, 0x4b50, 1);
 *
 * The livepatch core then refuses to load a cumulative (replace: true) patch
 * that lacks a state an installed patch has, or has it with a lower
 * version. kpatch_state(&my_state) is this patch's struct klp_state once the
 * module is loading (its ->data is the patch's to use);
 * kpatch_prev_state(id) is the same state of the installed patches, or
 * NULL; it is only valid while this patch is being enabled or disabled (in
 * the callbacks of vmlinux and of modules already loaded): anywhere else
 * the core warns and returns NULL.
 *
 * The same id declared in several patched files (a header included twice)
 * is one state; the versions must then agree.
 */
struct kpatch_state {
	unsigned long id;
	unsigned int version;
	struct klp_state *klp;	/* set by patch-hook.c before klp_enable_patch() */
};

#define KPATCH_STATE(name, state_id, state_version)				\
	static struct kpatch_state name						\
	__used __section(".kpatch.states") __aligned(8) = {			\
		.id = (state_id),						\
		.version = (state_version),					\
	}

static __always_inline struct klp_state *kpatch_state(struct kpatch_state *state)
{
	return state->klp;
}

static __always_inline struct klp_state *kpatch_prev_state(unsigned long id)
{
	return klp_get_prev_state(id);
}

#endif
