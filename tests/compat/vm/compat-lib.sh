# Checks shared by the compatibility suite's guest scripts (busybox sh),
# on top of tests/vm/examples/lib.sh. Each patch is loaded by file name,
# as kpatch users do (`kpatch load compat-NAME.ko`), and unloaded by its
# module name (dashes become underscores in the kernel).
load_patch() { # NAME
  ./kpatch load "./compat-$1.ko"
  expect_in "$(./kpatch list)" "compat_$(echo "$1" | tr - _) [enabled]" "kpatch list after loading compat-$1"
}
unload_patch() { # NAME
  ./kpatch unload "compat_$(echo "$1" | tr - _)"
  expect_not_in "$(./kpatch list)" "compat_$(echo "$1" | tr - _) [" "kpatch list after unloading compat-$1"
}
# The mmap_lock start_locking events of running cat (exec: write locks) on
# /proc/self/maps (a read lock).
mmap_lock_events() {
  t=/sys/kernel/tracing
  echo 1 >"$t/events/mmap_lock/mmap_lock_start_locking/enable"
  echo >"$t/trace"
  cat /proc/self/maps >/dev/null
  grep 'mmap_lock_start_locking:' "$t/trace"
}
# The effect of each patch, as a yes/no probe: has_effect NAME.
has_effect() {
  case $1 in
    meminfo-new-data) grep -q '^KpatchCompatReads: ' /proc/meminfo ;;
    callbacks) grep -q '^kpatch-compat-callbacks ' /proc/cmdline ;;
    new-function) grep -q '^kpatch-compat-rising [01]$' /proc/loadavg ;;
    new-global) grep -q '^kpatch-compat-global$' /proc/version ;;
    shadow-task) grep -q '^KpatchCompatShadow:' /proc/self/status ;;
    syscall) [ "$(uname -s)" = KpatchLinux ] ;;
    lockdep) [ "$(head -n 1 /proc/softirqs)" = kpatch-compat-lockdep ] ;;
    module) grep -qx '# kpatch' /proc/fs/nfs/exports ;;
    static-call) mmap_lock_events | grep -q 'write=true' && ! mmap_lock_events | grep -q 'write=false' ;;
    *) fail "no probe for $1" ;;
  esac
}
expect_effect() { has_effect "$1" || fail "$2: the change of compat-$1 is not visible"; }
expect_no_effect() { ! has_effect "$1" || fail "$2: the change of compat-$1 is still visible"; }
