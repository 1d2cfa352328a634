// SPDX-License-Identifier: GPL-2.0
// An out-of-tree module for the kpatch-build --oot-module tests
// (tests/vm/oot/build.sh, tests/vm/scenarios/oot.sh): /proc/kpatch_oot
// prints one line, which kpatch_oot.patch changes (and
// kpatch_oot_header.patch its prefix, in kpatch_oot.h).
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "kpatch_oot.h"

static int kpatch_oot_show(struct seq_file *m, void *v)
{
	seq_puts(m, KPATCH_OOT_PREFIX "original\n");
	return 0;
}

static struct proc_dir_entry *kpatch_oot_entry;

static int __init kpatch_oot_init(void)
{
	kpatch_oot_entry = proc_create_single("kpatch_oot", 0444, NULL, kpatch_oot_show);
	return kpatch_oot_entry ? 0 : -ENOMEM;
}

static void __exit kpatch_oot_exit(void)
{
	proc_remove(kpatch_oot_entry);
}

module_init(kpatch_oot_init);
module_exit(kpatch_oot_exit);
MODULE_DESCRIPTION("kpatch out-of-tree test module");
MODULE_LICENSE("GPL");
