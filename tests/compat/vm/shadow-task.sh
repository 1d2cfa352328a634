. ./lib.sh
. ./compat-lib.sh
expect_no_effect shadow-task "before loading"
load_patch shadow-task
# A shadow counter per task, created on first read.
sleep 100 & pid=$!
expect_in "$(cat /proc/$pid/status)" "KpatchCompatShadow:	1" "first read of a task"
expect_in "$(cat /proc/$pid/status)" "KpatchCompatShadow:	2" "second read of the same task"
sleep 100 & other=$!
expect_in "$(cat /proc/$other/status)" "KpatchCompatShadow:	1" "another task"
kill $pid $other
unload_patch shadow-task
expect_no_effect shadow-task "after unloading"
echo PASS
