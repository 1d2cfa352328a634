. ./lib.sh
m=kpatch_example_meminfo
expect_not_in "$(cat /proc/meminfo)" KpatchReads "before loading"
./kpatch install ./$m.ko && ./kpatch load $m
# The new static counter lives in the patch module and counts reads.
expect_in "$(cat /proc/meminfo)" "KpatchReads:           1" "first read"
expect_in "$(cat /proc/meminfo)" "KpatchReads:           2" "second read"
expect_in "$(grep -c MemTotal /proc/meminfo)" 1 "other lines still there"
expect_reported $m example-meminfo
./kpatch unload $m
expect_not_in "$(cat /proc/meminfo)" KpatchReads "after unloading"
echo PASS
