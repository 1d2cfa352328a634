/* SPDX-License-Identifier: GPL-2.0 */
/* What /proc/kpatch_oot's line starts with; kpatch_oot_header.patch changes it. */
#define KPATCH_OOT_PREFIX "kpatch_oot: "
