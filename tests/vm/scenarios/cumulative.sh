# Scenario "cumulative": version 2 of a patch id atomically replaces version 1.
. ./lib.sh
v1=kpatch_example_cmdline v2=kpatch_example_cmdline_v2
before=$(cat /proc/cmdline)
./kpatch install ./$v1.ko && ./kpatch install ./$v2.ko
./kpatch load $v1
expect_eq "$(cat /proc/cmdline)" "kpatch-cmdline $before" "v1 loaded"
out=$(./kpatch load $v2)
expect_in "$out" "removed replaced patch $v1" "kpatch load v2"
expect_eq "$(cat /proc/cmdline)" "kpatch-cmdline-v2 $before" "v2 replaced v1"
expect_eq "$(ls /sys/kernel/livepatch)" "$v2" "patches after replace"
! grep -q "^$v1 " /proc/modules || fail "v1 module removed: $v1 in /proc/modules"
expect_in "$(./kpatch status)" "Effective version: $(uname -r)+example-cmdline.2" "kpatch status"
./kpatch unload --all
expect_eq "$(cat /proc/cmdline)" "$before" "after unload --all"
expect_no_patches
# Both installed: --all loads only the newest version of the id.
./kpatch load --all
expect_eq "$(ls /sys/kernel/livepatch)" "$v2" "patches after load --all"
expect_eq "$(cat /proc/cmdline)" "kpatch-cmdline-v2 $before" "load --all"
! grep -q "^$v1 " /proc/modules || fail "v1 module after load --all: $v1 in /proc/modules"
echo PASS
