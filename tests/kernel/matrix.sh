#!/bin/bash
# A build for several kernels in one run: the cmdline example for each
# RELEASE, plus one release that does not exist. Every real release gets
# its module in OUT/RELEASE/, the bad one is reported and does not stop the
# others, the summary table names each, OUT/summary.json says the same,
# and the exit status is 1 because one failed.
#
# With MATRIX_NOAPPLY=REL (a prepared release of another series, 6.12),
# the fix also carries a second hunk (a comment) whose context is 6.1's
# proc_cmdline_init, as a backport meant for one series: on REL that hunk
# does not apply, which the row reports, naming the hunk; the others build.
#
#   [MATRIX_NOAPPLY=REL] matrix.sh KPATCH-BUILD MANIFEST OUT RELEASE...
set -euo pipefail
[[ $# -ge 4 ]] || { echo "usage: $0 KPATCH-BUILD MANIFEST OUT RELEASE..." >&2; exit 2; }
KPATCH_BUILD=$1 MANIFEST=$2 OUT=$3
shift 3
BAD=6.1.0-999-cloud-amd64
NOAPPLY=${MATRIX_NOAPPLY:-}
rm -rf -- "$OUT"
mkdir -p "$OUT"
KP_TEST_FILES="$OUT/stdout $OUT/stderr"
# shellcheck source=../lib/check.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../lib/check.sh"

args=()
for rel in "$@" "$BAD" $NOAPPLY; do args+=(--kernel "$rel"); done
if [[ -n $NOAPPLY ]]; then
	mkdir "$OUT/spec"
	cp "$MANIFEST" "$OUT/spec/"
	patch=$(dirname -- "$MANIFEST")/cmdline.patch
	{
		cat "$patch"
		printf '@@ -12,5 +13,6 @@\n }\n \n'
		printf '+/* kpatch-cmdline: the prefix is printed by cmdline_proc_show. */\n'
		printf ' static int __init proc_cmdline_init(void)\n {\n \tproc_create_single("cmdline", 0, NULL, cmdline_proc_show);\n'
	} >"$OUT/spec/cmdline.patch"
	MANIFEST=$OUT/spec/$(basename -- "$MANIFEST")
fi
rc=0
"$KPATCH_BUILD" --manifest "$MANIFEST" -o "$OUT" "${args[@]}" >"$OUT/stdout" 2>"$OUT/stderr" || rc=$?
[[ $rc -eq 1 ]] || fail "exit $rc, wanted 1 (one kernel fails)"
table=$(cat "$OUT/stdout")
for rel in "$@"; do
	ko=$(ls "$OUT/$rel"/*.ko 2>/dev/null) || fail "$rel: no module in $OUT/$rel"
	[[ $(modinfo -F vermagic "$ko") == "$rel "* ]] || fail "$rel: $ko is not built for it"
	grep -Eq "^$rel +built +1 " <<<"$table" || fail "$rel: no 'built' row with one changed function"
done
pass "every real release built, each its own module and row"
grep -Eq "^$BAD +error +- .*no package linux-headers-$BAD" <<<"$table" || fail "$BAD: no error row naming the cause"
[[ ! -e $OUT/$BAD ]] || ! ls "$OUT/$BAD"/*.ko >/dev/null 2>&1 || fail "$BAD: a module was written"
if [[ -n $NOAPPLY ]]; then
	grep -Eq "^${NOAPPLY//+/\\+} +error +- .*cmdline.patch: hunk #2 of fs/proc/cmdline.c " <<<"$table" ||
		fail "$NOAPPLY: no error row naming the hunk that does not apply"
	! ls "$OUT/$NOAPPLY"/*.ko >/dev/null 2>&1 || fail "$NOAPPLY: a module was written"
	assert_contains "summary.json: $NOAPPLY failed" "{\"kernel\": \"$NOAPPLY\", \"result\": \"error\"" "$(cat "$OUT/summary.json")"
fi
pass "the failing releases are reported, the others go on"
json=$(cat "$OUT/summary.json")
for rel in "$@"; do
	assert_contains "summary.json: $rel built" "{\"kernel\": \"$rel\", \"result\": \"built\", \"changed\": 1" "$json"
done
assert_contains "summary.json: $BAD failed" "{\"kernel\": \"$BAD\", \"result\": \"error\"" "$json"
