# shellcheck shell=bash
# Helpers for the guest side of the distro tests (sourced by the scripts
# that run in the booted Debian guest, as /root/guest-lib.sh). Every check
# prints what it saw, so a failing run's log says why.

REL=$(uname -r)

fail() {
	echo "FAIL: $*"
	exit 1
}

# ok MESSAGE: a check passed; the guest's uptime in brackets shows where
# the time goes.
ok() {
	local up _
	read -r up _ </proc/uptime
	echo "ok: [$up] $*"
}

# The text of /proc/cmdline, which the example patches prefix.
cmdline() {
	cat /proc/cmdline
}

expect_cmdline_prefix() {
	local prefix=$1 line
	line=$(cmdline)
	[[ $line == "$prefix "* ]] || fail "/proc/cmdline does not start with '$prefix ': $line"
	ok "/proc/cmdline starts with '$prefix '"
}

expect_cmdline_unpatched() {
	local line
	line=$(cmdline)
	[[ $line != kpatch-* ]] || fail "/proc/cmdline is patched: $line"
	ok "/proc/cmdline is not patched"
}

# expect_loaded NAME: enabled in /sys/kernel/livepatch and listed by kpatch.
expect_loaded() {
	local name=$1
	[[ $(cat "/sys/kernel/livepatch/$name/enabled" 2>/dev/null) == 1 ]] ||
		fail "$name is not an enabled patch in /sys/kernel/livepatch ($(ls /sys/kernel/livepatch))"
	kpatch list | grep -q "^$name \[enabled\]" || fail "kpatch list does not show $name [enabled]: $(kpatch list)"
	ok "$name is loaded and enabled"
}

expect_not_loaded() {
	local name=$1
	[[ ! -e /sys/kernel/livepatch/$name ]] || fail "$name is still in /sys/kernel/livepatch"
	[[ ! -e /sys/module/$name ]] || fail "module $name is still loaded"
	ok "$name is not loaded"
}

expect_no_patches() {
	local left
	left=$(ls /sys/kernel/livepatch)
	[[ -z $left ]] || fail "patches loaded: $left"
	ok "no patch is loaded"
}

# The boot finished: distro-test-run waited for it; check the state is one
# systemd reaches at the end of a boot.
expect_boot_complete() {
	local state
	state=$(systemctl is-system-running) || true
	[[ $state == running || $state == degraded ]] || fail "system state is '$state', not running or degraded"
	ok "boot complete (system state $state)"
}

# This boot's journal (kernel and user space, in monotonic order), saved
# once: journalctl is slow under emulation. journal_snapshot saves it again.
JOURNAL=/tmp/distro-journal.txt
journal_snapshot() {
	journalctl -b -o short-monotonic --no-pager >"$JOURNAL"
}

# journal_line_no PATTERN [FROM]: the number of the first line of the saved
# journal (from line FROM on) matching the extended regex PATTERN; empty if
# none.
journal_line_no() {
	[[ -f $JOURNAL ]] || journal_snapshot
	PAT=$1 awk -v from="${2:-1}" 'NR >= from && $0 ~ ENVIRON["PAT"] { print NR; exit }' "$JOURNAL"
}

show_journal() {
	echo "--- journalctl -b $* ---"
	journalctl -b -o short-monotonic --no-pager "$@" | tail -n 40
	echo "---"
}
