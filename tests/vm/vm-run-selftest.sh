#!/bin/bash
# vm-run's own contract, one boot per behaviour: the script's output and exit
# status come back; --file and --kmod (with its dependencies) put files where
# the guest expects them; a kernel backtrace, a WARN or a livepatch failure
# fails the run with 125 unless --allow-trace; a panic is 125; a hung guest
# is 124.
#
#   vm-run-selftest.sh [RELEASE]

set -euo pipefail

RELEASE=${1:-6.1.0-56-cloud-amd64}
HERE=$(cd "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kpatch-vm-selftest.XXXXXX")
FAILED=0
# A failure keeps the logs.
trap '[[ $FAILED -ne 0 ]] && echo "logs kept in $WORK" || rm -rf -- "$WORK"' EXIT

# check NAME WANT_STATUS WANT_STDOUT_REGEX [VM-RUN OPTIONS] GUEST_SCRIPT_TEXT
check() {
	local name=$1 want=$2 regex=$3
	shift 3
	local text=${*: -1} opts=("${@:1:$#-1}") status=0
	printf '%s\n' "$text" >"$WORK/$name.sh"
	"$HERE/vm-run" --release "$RELEASE" --log "$WORK/$name.log" "${opts[@]}" \
		"$WORK/$name.sh" >"$WORK/$name.out" 2>"$WORK/$name.err" || status=$?
	if [[ $status -ne $want ]] || ! grep -qE -- "$regex" "$WORK/$name.out" "$WORK/$name.err"; then
		printf 'FAIL %s: status %d (want %d), output should match /%s/:\n' \
			"$name" "$status" "$want" "$regex"
		sed 's/^/    /' "$WORK/$name.out" "$WORK/$name.err"
		FAILED=1
		return
	fi
	printf 'ok   %s: %s\n' "$name" "$(grep -vh '^vm-run: booting' "$WORK/$name.err" | head -n 1)"
}

echo 'copied in' >"$WORK/data.txt"

# shellcheck disable=SC2016 # expanded in the guest
check status 7 '^uname=' \
	'echo "uname=$(uname -r)"; exit 7'
check files 0 '^copied in' \
	--file "$WORK/data.txt" --file "$WORK/data.txt:/opt/x/y.txt" \
	'cat data.txt && cmp /root/data.txt /opt/x/y.txt'
# udf needs cdrom and crc-itu-t (a '-' in the file name, '_' in the module).
check kmod 0 '^crc_itu_t ' \
	--kmod fs/udf/udf.ko \
	'modprobe udf && lsmod | grep -q "^udf " && lsmod | grep -q "^cdrom " && lsmod'
# sysrq-l prints a backtrace of every CPU without hurting the kernel.
check trace 125 'Call Trace:' \
	'echo l >/proc/sysrq-trigger; sleep 1'
check allow-trace 0 'script exit 0' \
	--allow-trace 'echo l >/proc/sysrq-trigger; sleep 1'
# A WARN and a refused livepatch, as the kernel logs them (written to the
# log through /dev/kmsg, which the console prints as any kernel message).
check warn 125 'WARNING: CPU:' \
	'echo "WARNING: CPU: 0 PID: 1 at kernel/selftest.c:1 selftest+0x0/0x10" >/dev/kmsg; sleep 1'
check livepatch-failure 125 'livepatch: failed to' \
	"echo \"livepatch: failed to set ftrace filter for function 'selftest' (-19)\" >/dev/kmsg; sleep 1"
check allow-log 0 'script exit 0' \
	--allow-log "failed to set ftrace filter for function 'selftest'" \
	"echo \"livepatch: failed to set ftrace filter for function 'selftest' (-19)\" >/dev/kmsg; sleep 1"
check panic 125 'Kernel panic' \
	'echo c >/proc/sysrq-trigger'
check timeout 124 'timeout:' \
	--timeout 10 'sleep 600'

exit "$FAILED"
