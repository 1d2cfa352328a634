// A fix to a module (raid1) calling functions another module exports
// (md_mod's md_write_start): the reference becomes a livepatch symbol of
// the patched module, `.klp.sym.raid1.md_mod:md_write_start,0`, which the
// module builder turns into a .klp.rela.raid1 relocation against
// `.klp.sym.md_mod.md_write_start,0`. It is resolved when raid1 loads
// (md_mod is then loaded: raid1 depends on it), so the patch module loads
// before either module and pins neither. An export of vmlinux stays a
// plain undefined symbol. Module.symvers names the exporter by its path,
// drivers/md/md-mod: the kernel's name for it is md_mod.
//
// PARENT: raid1
// SYMVERS: md_write_start drivers/md/md-mod
// SYMVERS: md_write_end drivers/md/md-mod
// EXPECT-EXIT: 0
// EXPECT-CHANGED: raid1_write
// EXPECT-SYMBOL: .klp.sym.raid1.md_mod:md_write_start,0 undef
// EXPECT-SYMBOL: .klp.sym.raid1.md_mod:md_write_end,0 undef
// EXPECT-NO-SYMBOL: md_write_start
// EXPECT-SYMBOL: _printk undef
#include <kshim.h>

extern int md_write_start(void *mddev, int len);
extern void md_write_end(void *mddev);

int raid1_write(void *mddev, int len)
{
	int ret = md_write_start(mddev, len);

#ifdef PATCHED
	if (ret < 0)
		pr_info("raid1: write of %d refused\n", len);
#endif
	md_write_end(mddev);
	return ret;
}
