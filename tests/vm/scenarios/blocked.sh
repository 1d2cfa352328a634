# Scenario "blocked": a task asleep in pipe_read keeps the transition from
# finishing. First with the patch loaded by insmod (no kpatch lock held):
# list and list --json name the stalled reader, and loading another patch
# meanwhile is refused busy by the livepatch core and retried (2 s apart,
# at most 5 times: the limit is the unit tests' to check, since the
# livepatch core signals stalled tasks itself 15 s after the transition
# began, which may end the stall and let a slow guest's later attempt
# succeed). Then load --timeout must give up, name the task and revert.
. ./lib.sh
m=kpatch_scenario_pipe_read
other=kpatch_example_cmdline
mkfifo /tmp/fifo
sleep 1000 >/tmp/fifo &   # the writer holds the fifo open and never writes
cat /tmp/fifo &           # so the reader sleeps in pipe_read
reader=$!
sleep 1
expect_in "$(cat /proc/$reader/stack)" pipe_read "reader's stack"

insmod ./$m.ko
expect_eq "$(cat /sys/kernel/livepatch/$m/transition)" 1 "transition after insmod"
list=$(./kpatch list)
expect_in "$list" "$m [enabling...]" "kpatch list"
expect_in "$list" "Stalled processes:" "kpatch list"
expect_in "$list" "$reader cat" "kpatch list: the stalled reader"
json=$(./kpatch list --json)
expect_in "$json" "{\"tid\": $reader, \"comm\": \"cat\", \"stack\": [" "kpatch list --json: the stalled reader"
expect_in "$json" "pipe_read+" "kpatch list --json: the reader's stack"
if ./kpatch load ./$other.ko 2>err; then
	loaded=1  # a later attempt, once the core's signal ended the stall
else
	loaded=0
fi
cat err
err=$(cat err)
expect_in "$err" "$other.ko: $m is in transition (Device or resource busy); retrying in 2s (attempt 2 of 5)" "stderr"
if [ $loaded = 1 ]; then
	./kpatch unload $other  # it replaced $m, or stacks on it
else
	expect_in "$err" "$other.ko: another patch is still in transition after 5 attempts" "stderr"
	! grep -q "^$other " /proc/modules || fail "$other loaded during $m's transition"
fi
[ ! -e /sys/kernel/livepatch/$m ] || ./kpatch unload $m
[ ! -e /sys/kernel/livepatch/$m ] || fail "$m still in /sys/kernel/livepatch after unload"

start=$(date +%s)
if ./kpatch load --timeout 5 ./$m.ko 2>err; then fail "load succeeded"; fi
took=$(( $(date +%s) - start ))
cat err
err=$(cat err)
expect_in "$err" "$m: the patch transition did not finish in 5s; reverting" "stderr"
expect_in "$err" "blocking task: pid $reader (cat)" "stderr"
[ "$took" -lt 14 ] || fail "load took ${took}s"
[ ! -e /sys/kernel/livepatch/$m ] || fail "$m still in /sys/kernel/livepatch"
! grep -q "^$m " /proc/modules || fail "modules after failed load: $m in /proc/modules"
expect_no_patches
echo PASS
