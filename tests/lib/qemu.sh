# shellcheck shell=bash
# One QEMU launcher for the VM tests (tests/vm/vm-run) and the distro tests
# (tests/distro/harness.sh), sourced by both: the same machine, the same
# two-serial-port protocol and the same verdicts on the kernel's console.
#
#   kp_qemu_boot TIMEOUT CONSOLE GUEST_OUT ERR_FILE QEMU_ARG...
#       boots `qemu-system-x86_64` (TCG, -cpu max, no devices but what the
#       arguments add) with ttyS0 written to CONSOLE (the kernel) and ttyS1
#       to GUEST_OUT (the test's own channel); kills it after TIMEOUT
#       seconds. Returns QEMU's status (124/137: timed out). While it runs,
#       KP_QEMU_PID holds its pid, for the caller's EXIT trap: kp_qemu_stop.
#   kp_guest_output FILE START END   the lines between the start marker
#       line and the "END=" line (all of them if END never came)
#   kp_marker FILE PREFIX            the last line of FILE that starts with
#       PREFIX, without \r ("" if none)
#   kp_kernel_trouble CONSOLE LINES  true when the console has an Oops, BUG:,
#       Call Trace:, general protection fault or Kernel panic; prints the
#       excerpt (at most LINES lines, indented) on stderr
#
# KVM is not used: /dev/kvm exists on some hosts here but hangs; TCG is
# reliable. panic=-1 (the caller's -append) with -no-reboot turns a panic
# into QEMU's exit.

[[ -n ${KP_TRACE_PATTERN:-} ]] || readonly KP_TRACE_PATTERN='Oops|BUG:|Call Trace:|general protection fault|Kernel panic'
KP_QEMU_PID=${KP_QEMU_PID:-}

kp_qemu_boot() {
	local timeout=$1 console=$2 guest=$3 err=$4 status=0
	shift 4
	timeout -k 5 "$timeout" qemu-system-x86_64 -machine pc -accel tcg -cpu max \
		-nodefaults -nographic -no-reboot -monitor none \
		-serial "file:$console" -serial "file:$guest" "$@" </dev/null >"$err" 2>&1 &
	KP_QEMU_PID=$!
	wait "$KP_QEMU_PID" || status=$?
	KP_QEMU_PID=
	return "$status"
}

# shellcheck disable=SC2317 # reached through the callers' traps
kp_qemu_stop() {
	if [[ -n $KP_QEMU_PID ]]; then
		kill "$KP_QEMU_PID" 2>/dev/null || true
		wait "$KP_QEMU_PID" 2>/dev/null || true
		KP_QEMU_PID=
	fi
}

kp_guest_output() {
	tr -d '\r' <"$1" | awk -v s="$2" -v e="$3=" '
		index($0, e) == 1 { exit }
		on { print }
		index($0, s) == 1 { on = 1 }'
}

kp_marker() {
	tr -d '\r' <"$1" | grep -a "^$2" | tail -n 1 || true
}

kp_kernel_trouble() {
	grep -aqE "$KP_TRACE_PATTERN" "$1" || return 1
	tr -d '\r' <"$1" | grep -aE -B 3 -A 30 "$KP_TRACE_PATTERN" | head -n "$2" | sed 's/^/    /' >&2
	return 0
}
