. ./lib.sh
. ./compat-lib.sh
expect_no_effect new-global "before loading"
load_patch new-global
expect_effect new-global "patched"
# uptime_proc_show changed too, but is marked KPATCH_IGNORE_FUNCTION.
expect_not_in "$(cat /proc/uptime)" kpatch-compat-ignored "the ignored change"
expect_not_in "$(./kpatch info compat-new-global.ko)" uptime_proc_show "kpatch info of the patch"
unload_patch new-global
expect_no_effect new-global "after unloading"
echo PASS
