# Scenario "bundle": cumulative per-kernel packages. Bundle 1 (fixes A =
# cmdline, B = meminfo) and bundle 2 (A, B, C = drop_caches' static local)
# are installed by their own packages' postinst, as apt runs it: bundle 1
# goes live, bundle 2 replaces it live with all three fixes, and bundle 1's
# postinst run again (a downgrade) does not take C away.
. ./lib.sh
b1=kpatch_example_bundle b2=kpatch_example_bundle_v2
before=$(cat /proc/cmdline)
echo 4 >/proc/sys/vm/drop_caches # stfu becomes 4, for C to find
sh ./postinst-1 configure
expect_eq "$(ls /sys/kernel/livepatch)" "$b1" "bundle 1 live"
expect_eq "$(cat /proc/cmdline)" "kpatch-cmdline $before" "A live in bundle 1"
expect_in "$(cat /proc/meminfo)" "KpatchReads:" "B live in bundle 1"
echo 1 >/proc/sys/vm/drop_caches
expect_not_in "$(dmesg | grep kpatch-static-local || true)" "stfu" "C not in bundle 1"

sh ./postinst-2 configure
expect_eq "$(ls /sys/kernel/livepatch)" "$b2" "bundle 2 replaced bundle 1"
! grep -q "^$b1 " /proc/modules || fail "bundle 1's module is gone: $b1 in /proc/modules"
expect_eq "$(cat /proc/cmdline)" "kpatch-cmdline $before" "A live in bundle 2"
expect_in "$(cat /proc/meminfo)" "KpatchReads:" "B live in bundle 2"
echo 1 >/proc/sys/vm/drop_caches
expect_in "$(dmesg | grep kpatch-static-local)" "kpatch-static-local: stfu=4" "C live in bundle 2"
expect_in "$(kpatch info $b2)" "bundle:    example-cmdline:1,example-meminfo:1,example-static-local:1" "kpatch info"
expect_in "$(kpatch status)" "Effective version: $(uname -r)+example-bundle.2" "kpatch status"

out=$(sh ./postinst-1 configure 2>&1)
expect_in "$out" "no live downgrade" "bundle 1 again: refused live"
expect_eq "$(ls /sys/kernel/livepatch)" "$b2" "bundle 2 still live"
n=$(dmesg | grep -c kpatch-static-local)
echo 1 >/proc/sys/vm/drop_caches
expect_eq "$(dmesg | grep -c kpatch-static-local)" "$((n + 1))" "C still live"

kpatch unload --all
expect_eq "$(cat /proc/cmdline)" "$before" "after unload"
expect_no_patches
echo PASS
