. ./lib.sh
. ./compat-lib.sh
expect_no_effect static-call "before loading"
load_patch static-call
expect_effect static-call "patched"
unload_patch static-call
expect_no_effect static-call "after unloading"
echo PASS
