# Scenario "other-release": a module built for another kernel release is refused.
. ./lib.sh
m=kpatch_example_cmdline
if ./kpatch load ./$m.ko 2>err; then fail "load succeeded"; fi
cat err
expect_in "$(cat err)" "built for kernel 6.1.0-55-cloud-amd64, running $(uname -r)" "stderr"
expect_eq "$(ls /sys/kernel/livepatch)" "" "patches"
! grep -q "^$m " /proc/modules || fail "modules: $m in /proc/modules"
echo PASS
