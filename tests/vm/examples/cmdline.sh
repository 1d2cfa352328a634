. ./lib.sh
m=kpatch_example_cmdline
before=$(cat /proc/cmdline)
expect_not_in "$before" kpatch-cmdline "before loading"
./kpatch install ./$m.ko && ./kpatch load $m
expect_eq "$(cat /proc/cmdline)" "kpatch-cmdline $before" "patched /proc/cmdline"
expect_reported $m example-cmdline
expect_in "$(./kpatch list --json)" "vmlinux:cmdline_proc_show" "patched functions"
./kpatch unload $m
expect_eq "$(cat /proc/cmdline)" "$before" "after unloading"
expect_no_patches
echo PASS
