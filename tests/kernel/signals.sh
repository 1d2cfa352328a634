#!/bin/bash
# SIGTERM and SIGINT to kpatch-build while it compiles the example against
# the real Debian tree: make and its gcc children stop, the overlay of the
# private tree is unmounted, the work dir is gone, nothing is written, and
# the exit status is 128+signal. --no-replay, so that the patched side is
# compiled by make (seconds long) rather than by Kbuild's recorded command
# (a fraction of a second: too short to be caught running).
#
#   signals.sh KPATCH-BUILD MANIFEST

set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 KPATCH-BUILD MANIFEST" >&2; exit 2; }
KPATCH_BUILD=$1 MANIFEST=$2
T=$(mktemp -d /tmp/kpatch-ksignals.XXXXXX)
trap 'rm -rf -- "$T"' EXIT

KP_TEST_FILES=$T/err
# shellcheck source=../lib/check.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../lib/check.sh"

# The make that kpatch-build $1 runs, once it runs one in the private tree.
running_make() {
	local child
	for child in $(pgrep -P "$1" 2>/dev/null); do
		if tr '\0' ' ' <"/proc/$child/cmdline" 2>/dev/null | grep -q '^make -C .*/kpatch-build-[^/]*/tree '; then
			echo "$child"
			return
		fi
	done
}

stopped_run() {
	local sig=$1 want=$2 pid make work rc=0 i
	rm -f "$T/err"
	"$KPATCH_BUILD" --manifest "$MANIFEST" -o "$T/out" -j 2 --no-replay 2>"$T/err" &
	pid=$!
	for ((i = 0; i < 300; i++)); do
		make=$(running_make "$pid")
		[[ -z $make ]] || break
		sleep 0.1
	done
	[[ -n $make ]] || fail "$sig: no make started within 30 s"
	work=$(tr '\0' '\n' <"/proc/$make/cmdline" | sed -n 3p)
	work=${work%/tree}
	sleep 1  # let gcc start under make
	mountpoint -q "$work/tree" || echo "note: $work/tree is a copy, not an overlay"
	kill -"$sig" "$pid"
	timeout 15 tail --pid="$pid" -f /dev/null || fail "$sig: kpatch-build still running 15 s after the signal"
	wait "$pid" || rc=$?
	[[ $rc -eq $want ]] || fail "$sig: exit status $rc, not $want"
	! pgrep -g "$make" >/dev/null || fail "$sig: processes of make's group $make still run: $(pgrep -g "$make" | tr '\n' ' ')"
	! mountpoint -q "$work/tree" 2>/dev/null || fail "$sig: $work/tree is still mounted"
	[[ ! -e $work ]] || fail "$sig: the work dir $work is left"
	[[ ! -e $T/out ]] || fail "$sig: output written"
	[[ $(tail -n 1 "$T/err") == *": stopped by SIG$sig: its commands were stopped and the work directory $work removed" ]] ||
		fail "$sig: the last line does not say so"
	pass "SIG$sig during the compile (exit $rc)"
}

stopped_run TERM 143
stopped_run INT 130
