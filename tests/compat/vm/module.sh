. ./lib.sh
. ./compat-lib.sh
# As kpatch's module-LOADED test: the patch is loaded before nfsd, the
# module comes with modprobe and is patched as it loads.
[ ! -d /sys/module/nfsd ] || fail "nfsd loaded before the patch"
load_patch module
expect_eq "$(cat /sys/kernel/livepatch/compat_module/nfsd/patched)" 0 "nfsd not loaded yet"
modprobe nfsd || fail "modprobe nfsd failed"
expect_eq "$(cat /sys/kernel/livepatch/compat_module/nfsd/patched)" 1 "nfsd patched as it loads"
expect_effect module "patched"
expect_eq "$(head -n 3 /proc/fs/nfs/exports | tr '\n' '|')" "# Version 1.1|# Path Client(Flags) # IPs|# kpatch|" "the exports header"
unload_patch module
expect_no_effect module "after unloading"
echo PASS
