. ./lib.sh
m=kpatch_example_shadow_task
expect_not_in "$(cat /proc/self/status)" Kpatch-shadow "before loading"
./kpatch install ./$m.ko && ./kpatch load $m
# A shadow counter per task, created on first read: the same task counts up,
# another task starts from 1.
sleep 100 & pid=$!
expect_in "$(cat /proc/$pid/status)" "Kpatch-shadow:	1" "first read of a task"
expect_in "$(cat /proc/$pid/status)" "Kpatch-shadow:	2" "second read of the same task"
sleep 100 & other=$!
expect_in "$(cat /proc/$other/status)" "Kpatch-shadow:	1" "another task"
kill $pid $other
expect_reported $m example-shadow-task
./kpatch unload $m
expect_not_in "$(cat /proc/self/status)" Kpatch-shadow "after unloading"
echo PASS
