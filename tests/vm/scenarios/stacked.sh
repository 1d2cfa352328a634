# Scenario "stacked": two non-replace patches active together, unloaded in
# reverse order, each step reverting only its own change.
. ./lib.sh
c=kpatch_example_cmdline mi=kpatch_example_meminfo
before=$(cat /proc/cmdline)
./kpatch load ./$c.ko && ./kpatch load ./$mi.ko
expect_eq "$(cat /proc/cmdline)" "kpatch-cmdline $before" "cmdline patched"
expect_in "$(cat /proc/meminfo)" "KpatchReads:" "meminfo patched"
out=$(./kpatch list)
expect_in "$out" "$c [enabled]" "kpatch list"
expect_in "$out" "$mi [enabled]" "kpatch list"
./kpatch unload $mi
expect_not_in "$(cat /proc/meminfo)" "KpatchReads" "meminfo after unloading it"
expect_eq "$(cat /proc/cmdline)" "kpatch-cmdline $before" "cmdline still patched"
expect_eq "$(ls /sys/kernel/livepatch)" "$c" "patches left"
./kpatch unload $c
expect_eq "$(cat /proc/cmdline)" "$before" "cmdline after unloading it"
expect_no_patches
echo PASS
