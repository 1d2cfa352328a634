. ./lib.sh
m=kpatch_example_callbacks
./kpatch install ./$m.ko && ./kpatch load $m
expect_in "$(cat /proc/cmdline)" "kpatch-callbacks " "patched /proc/cmdline"
# The documented order: pre-patch, then post-patch, around the transition.
got=$(dmesg | grep -o 'kpatch-callbacks: [a-z-]* vmlinux' | tr '\n' '|')
expect_eq "$got" "kpatch-callbacks: pre-patch vmlinux|kpatch-callbacks: post-patch vmlinux|" "callbacks while loading"
expect_reported $m example-callbacks
./kpatch unload $m
got=$(dmesg | grep -o 'kpatch-callbacks: [a-z-]* vmlinux' | tr '\n' '|')
expect_eq "$got" "kpatch-callbacks: pre-patch vmlinux|kpatch-callbacks: post-patch vmlinux|kpatch-callbacks: pre-unpatch vmlinux|kpatch-callbacks: post-unpatch vmlinux|" "callbacks after unloading"
expect_not_in "$(cat /proc/cmdline)" "kpatch-callbacks" "after unloading"
echo PASS
