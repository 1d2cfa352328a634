#!/bin/bash
# CACHEDIR, as classic kpatch-build takes it: the run's log is
# CACHEDIR/build.log (emptied first, named on failure, kept), and a CACHEDIR
# that cannot hold it is refused before anything runs. kernel-tree is a
# stand-in that fails (KPATCH_TOOLS_DIR), so no kernel is needed.
#
#   kpatch-build-cachedir.sh KPATCH-BUILD MANIFEST

set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 KPATCH-BUILD MANIFEST" >&2; exit 2; }
KPATCH_BUILD=$1 MANIFEST=$2
T=$(mktemp -d /tmp/kpatch-cachedir.XXXXXX)
trap 'rm -rf -- "$T"' EXIT
fail() {
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

mkdir -p "$T/tools" "$T/cache"
printf '#!/bin/sh\necho "kernel-tree: no Debian kernel $2" >&2\nexit 1\n' >"$T/tools/kernel-tree"
chmod +x "$T/tools/kernel-tree"
echo "an older run's log" >"$T/cache/build.log"

st=0
CACHEDIR=$T/cache KPATCH_TOOLS_DIR=$T/tools "$KPATCH_BUILD" --manifest "$MANIFEST" --kernel 6.1.0-0-test \
	-o "$T/out" >"$T/out.txt" 2>"$T/err" || st=$?
[[ $st -eq 1 ]] || fail "exit status $st, not 1: $(cat "$T/err")"
grep -qF "kpatch-build: the full log is $T/cache/build.log" "$T/err" || fail "log not named: $(cat "$T/err")"
grep -qF "kernel-tree prepare 6.1.0-0-test" "$T/cache/build.log" || fail "command not logged: $(cat "$T/cache/build.log")"
grep -qF "no Debian kernel 6.1.0-0-test" "$T/cache/build.log" || fail "output not logged"
! grep -qF "an older run's log" "$T/cache/build.log" || fail "the old log was not emptied"
echo "ok: the log is CACHEDIR/build.log"

: >"$T/file"
st=0
CACHEDIR=$T/file/sub KPATCH_TOOLS_DIR=$T/tools "$KPATCH_BUILD" --manifest "$MANIFEST" -o "$T/out" 2>"$T/err" || st=$?
[[ $st -eq 1 ]] || fail "exit status $st with an unusable CACHEDIR"
grep -qF "kpatch-build: error: cannot write $T/file/sub/build.log (CACHEDIR): " "$T/err" || fail "$(cat "$T/err")"
echo "ok: an unusable CACHEDIR is refused"
