. ./lib.sh
. ./compat-lib.sh
expect_no_effect meminfo-new-data "before loading"
load_patch meminfo-new-data
expect_effect meminfo-new-data "patched"
# New static data: one counter, starting from zero, counting up. (One read
# may count more than once: seq_file shows the file again into a larger
# buffer when the first one is too small.)
reads() { sed -n 's/^KpatchCompatReads: //p' /proc/meminfo; }
first=$(reads) second=$(reads)
[ "$first" -ge 1 ] && [ "$second" -gt "$first" ] || fail "counter did not count up: $first then $second"
unload_patch meminfo-new-data
expect_no_effect meminfo-new-data "after unloading"
echo PASS
