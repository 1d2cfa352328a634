# Scenario "blocked": a task asleep in pipe_read keeps the transition from
# finishing; load --timeout must give up, name the task and revert.
. ./lib.sh
m=kpatch_scenario_pipe_read
mkfifo /tmp/fifo
sleep 1000 >/tmp/fifo &   # the writer holds the fifo open and never writes
cat /tmp/fifo &           # so the reader sleeps in pipe_read
sleep 1
expect_in "$(cat /proc/$!/stack)" pipe_read "reader's stack"
start=$(date +%s)
if ./kpatch load --timeout 5 ./$m.ko 2>err; then fail "load succeeded"; fi
took=$(( $(date +%s) - start ))
cat err
err=$(cat err)
expect_in "$err" "$m: the patch transition did not finish in 5s; reverting" "stderr"
expect_in "$err" "blocking task: pid $! (cat)" "stderr"
[ "$took" -lt 14 ] || fail "load took ${took}s"
[ ! -e /sys/kernel/livepatch/$m ] || fail "$m still in /sys/kernel/livepatch"
! grep -q "^$m " /proc/modules || fail "modules after failed load: $m in /proc/modules"
expect_no_patches
echo PASS
