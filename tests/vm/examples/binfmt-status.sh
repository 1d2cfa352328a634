. ./lib.sh
m=kpatch_example_binfmt_status
status() { cat /proc/sys/fs/binfmt_misc/status; }
mount_binfmt() { modprobe binfmt_misc; mount -t binfmt_misc none /proc/sys/fs/binfmt_misc; }
# 1. The module is loaded before the patch.
mount_binfmt
expect_eq "$(status)" enabled "before the patch"
./kpatch install ./$m.ko && ./kpatch load $m
expect_eq "$(status)" "enabled (kpatch)" "module loaded first, then the patch"
expect_in "$(./kpatch list --json)" "binfmt_misc:bm_status_read" "patched functions"
expect_reported $m example-binfmt-status
./kpatch unload $m
expect_eq "$(status)" enabled "after unloading"
# 2. The patch is loaded before the module.
umount /proc/sys/fs/binfmt_misc
rmmod binfmt_misc
./kpatch install ./$m.ko && ./kpatch load $m
mount_binfmt
expect_eq "$(status)" "enabled (kpatch)" "patch loaded first, then the module"
./kpatch unload $m
expect_eq "$(status)" enabled "after unloading again"
echo PASS
