. ./lib.sh
m=kpatch_example_static_local
# drop_caches_sysctl_handler's static 'stfu' becomes 4 before the patch...
echo 4 > /proc/sys/vm/drop_caches
./kpatch install ./$m.ko && ./kpatch load $m
echo 1 > /proc/sys/vm/drop_caches
# ...and the patched code reads the same variable, not a fresh copy.
expect_in "$(dmesg | grep kpatch-static-local)" "kpatch-static-local: stfu=4" "static local kept"
expect_reported $m example-static-local
./kpatch unload $m
n=$(dmesg | grep -c kpatch-static-local)
echo 1 > /proc/sys/vm/drop_caches
expect_eq "$(dmesg | grep -c kpatch-static-local)" "$n" "no patched code after unloading"
echo PASS
