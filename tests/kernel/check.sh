#!/bin/bash
# kpatch-build --check against the real kernel: the cmdline example is
# patchable and names the function it would replace; refuse-data is refused
# with the differ's reason; refuse-noapply is an error naming the hunk; the
# JSON form says the same; nothing is written to the output directory.
#
#   check.sh KPATCH-BUILD SPECS-DIR
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 KPATCH-BUILD SPECS-DIR" >&2; exit 2; }
KPATCH_BUILD=$1 SPECS=$2
T=$(mktemp -d /tmp/kpatch-check.XXXXXX)
trap 'rm -rf -- "$T"' EXIT
KP_TEST_FILES="$T/out $T/err"
# shellcheck source=../lib/check.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../lib/check.sh"

check() { # EXPECTED-STATUS ARGS...
	local want=$1 rc=0
	shift
	(cd "$T" && "$KPATCH_BUILD" --check -o "$T/o" "$@" >"$T/out" 2>"$T/err") || rc=$?
	[[ $rc -eq $want ]] || fail "kpatch-build --check $*: exit $rc, wanted $want"
	[[ ! -e $T/o ]] || fail "kpatch-build --check $* wrote $T/o"
}

check 0 --manifest "$SPECS/cmdline/cmdline.yaml"
assert_contains "cmdline: verdict" "6.1.0-56-cloud-amd64: patchable" "$(head -n 1 "$T/out")"
assert_contains "cmdline: the function" "fs/proc/cmdline.o (vmlinux): patched; changed: cmdline_proc_show" "$(cat "$T/out")"
grep -q "module linked" "$T/err" && fail "cmdline: --check linked a module"

check 1 --manifest "$SPECS/refuse-data/refuse-data.yaml"
assert_contains "refuse-data: verdict" "refused" "$(head -n 1 "$T/out")"
assert_contains "refuse-data: the reason" "[changed-data]" "$(cat "$T/out")"

check 1 --json --manifest "$SPECS/refuse-data/refuse-data.yaml"
assert_contains "refuse-data --json: result" '"result": "refused"' "$(cat "$T/out")"
assert_contains "refuse-data --json: the reason" "data object 'panic_on_oops': initial value changed" "$(cat "$T/out")"

check 1 --manifest "$SPECS/refuse-noapply/refuse-noapply.yaml"
assert_contains "refuse-noapply: the hunk" "error: " "$(cat "$T/out")"
assert_contains "refuse-noapply: the hunk" "does not apply" "$(cat "$T/out")"
