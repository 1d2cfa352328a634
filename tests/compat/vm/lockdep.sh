. ./lib.sh
. ./compat-lib.sh
expect_no_effect lockdep "before loading"
load_patch lockdep
expect_effect lockdep "patched"
unload_patch lockdep
expect_no_effect lockdep "after unloading"
echo PASS
