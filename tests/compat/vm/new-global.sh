. ./lib.sh
. ./compat-lib.sh
expect_no_effect new-global "before loading"
load_patch new-global
expect_effect new-global "patched"
unload_patch new-global
expect_no_effect new-global "after unloading"
echo PASS
