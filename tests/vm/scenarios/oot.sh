# Scenario "oot" (guest side): a patch for an out-of-tree module
# (tests/vm/oot: kpatch-build --oot-module, test scenario.build.oot). The
# module is insmod'ed as its user would, /proc/kpatch_oot says "original";
# with the patch loaded the livepatch core has patched object kpatch_oot and
# the file says "live patched"; unloaded, "original" again.
. ./lib.sh
m=kpatch_oot_fix
insmod ./kpatch_oot.ko || fail "insmod kpatch_oot.ko failed"
expect_eq "$(cat /proc/kpatch_oot)" "kpatch_oot: original" "/proc/kpatch_oot before the patch"
./kpatch load ./$m.ko
expect_eq "$(cat /sys/kernel/livepatch/$m/kpatch_oot/patched)" 1 "object kpatch_oot patched"
expect_eq "$(cat /proc/kpatch_oot)" "kpatch_oot: live patched" "/proc/kpatch_oot with the patch"
expect_in "$(./kpatch list)" "$m [enabled]" "kpatch list"
./kpatch unload $m
expect_eq "$(cat /proc/kpatch_oot)" "kpatch_oot: original" "/proc/kpatch_oot after unloading"
expect_no_patches
rmmod kpatch_oot || fail "rmmod kpatch_oot failed"
echo PASS
