. ./lib.sh
. ./compat-lib.sh
expect_no_effect syscall "before loading"
load_patch syscall
expect_effect syscall "patched"
expect_eq "$(uname -r)" "$(cat /proc/sys/kernel/osrelease)" "the rest of uname(2) is untouched"
unload_patch syscall
expect_no_effect syscall "after unloading"
echo PASS
