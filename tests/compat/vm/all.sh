. ./lib.sh
. ./compat-lib.sh
# Every built patch of the suite at once (non-replace, -R), then unloaded
# in reverse order: each step takes away exactly its own change.
patches="meminfo-new-data callbacks new-function new-global shadow-task syscall lockdep module static-call"
modprobe binfmt_misc
modprobe nfsd
loaded=""
for p in $patches; do
  load_patch "$p"
  loaded="$p $loaded"
  for q in $loaded; do expect_effect "$q" "after loading compat-$p"; done
done
for p in $loaded; do
  unload_patch "$p"
  expect_no_effect "$p" "after unloading compat-$p"
  still=${loaded#*"$p "}
  loaded=$still
  for q in $loaded; do expect_effect "$q" "after unloading compat-$p"; done
done
expect_no_patches
echo PASS
