. ./lib.sh
. ./compat-lib.sh
expect_no_effect new-function "before loading"
load_patch new-function
expect_effect new-function "patched"
cat /proc/loadavg >/dev/null
expect_in "$(dmesg)" "kpatch-compat: loadavg read by cat" "KPATCH_PRINTK in the patched function"
expect_in "$(./kpatch info compat-new-function.ko)" "loadavg_proc_show" "kpatch info lists the changed caller"
unload_patch new-function
expect_no_effect new-function "after unloading"
echo PASS
