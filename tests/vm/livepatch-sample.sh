#!/bin/bash
# The VM can live patch: build the kernel's own samples/livepatch/
# livepatch-sample.c as an out-of-tree module against the prepared Debian
# tree, boot the target kernel with vm-run, and in the guest: insmod it,
# see /proc/cmdline replaced, disable it through sysfs, see the original
# back, rmmod it.
#
#   livepatch-sample.sh [RELEASE [LOG]]    LOG: where the kernel console goes
#
# The prepared tree (scripts/kernel-tree prepare) has no Module.symvers of its
# own (modules_prepare does not make one); the headers package's copy is
# passed as KBUILD_EXTRA_SYMBOLS so that the module gets the symbol CRCs the
# kernel checks (CONFIG_MODVERSIONS). M= builds write only into M.

set -euo pipefail

RELEASE=${1:-6.1.0-56-cloud-amd64}
LOG_OPT=()
[[ -z ${2:-} ]] || LOG_OPT=(--log "$2")
HERE=$(cd "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
CACHE=$("$HERE/../../scripts/kernel-tree" prepare "$RELEASE")
mapfile -t MAKE_ARGS <"$CACHE/make.args"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kpatch-lp-sample.XXXXXX")
trap 'rm -rf -- "$WORK"' EXIT

cp "$CACHE/src/samples/livepatch/livepatch-sample.c" "$WORK/"
echo 'obj-m := livepatch-sample.o' >"$WORK/Kbuild"
t0=$EPOCHREALTIME
make -s -C "$CACHE/src" M="$WORK" "${MAKE_ARGS[@]}" \
	KBUILD_EXTRA_SYMBOLS="$CACHE/Module.symvers" modules >"$WORK/make.log" 2>&1 || {
	cat "$WORK/make.log" >&2
	echo "FAIL: building livepatch-sample.ko" >&2
	exit 1
}
ms=$(((${EPOCHREALTIME/./} - ${t0/./}) / 1000))
printf 'built livepatch-sample.ko in %d.%03d s\n' $((ms / 1000)) $((ms % 1000))

cat >"$WORK/guest.sh" <<'EOF'
set -e
LP=/sys/kernel/livepatch/livepatch_sample
fail() { echo "FAIL: $*"; dmesg | tail -n 20; exit 1; }

# Waits for the patch's transition to finish (all tasks switched). A
# disabled patch is freed when its transition ends, and its directory goes.
settle() {
	i=0
	while [ -e $LP ] && [ "$(cat $LP/transition 2>/dev/null)" != 0 ]; do
		i=$((i + 1))
		[ $i -le 100 ] || fail "transition still running after 10 s"
		sleep 0.1
	done
}

orig=$(cat /proc/cmdline)
[ "$orig" != "this has been live patched" ] || fail "patched before insmod"

insmod livepatch-sample.ko || fail "insmod"
[ "$(cat $LP/enabled)" = 1 ] || fail "patch not enabled"
settle
got=$(cat /proc/cmdline)
[ "$got" = "this has been live patched" ] || fail "patched /proc/cmdline reads '$got'"
echo "patched: $got"

echo 0 >$LP/enabled
settle
got=$(cat /proc/cmdline)
[ "$got" = "$orig" ] || fail "unpatched /proc/cmdline reads '$got'"
echo "unpatched: $got"

# The patch module is released once the disabled patch is freed; give it a
# moment before rmmod.
i=0
until rmmod livepatch_sample 2>/dev/null; do
	i=$((i + 1))
	[ $i -le 50 ] || fail "rmmod livepatch_sample"
	sleep 0.1
done
[ ! -e $LP ] || fail "$LP still there after rmmod"
echo "removed"

for msg in "enabling patch 'livepatch_sample'" "'livepatch_sample': patching complete" \
	"'livepatch_sample': unpatching complete"; do
	dmesg | grep -qF "livepatch: $msg" || fail "no \"$msg\" in dmesg"
done
echo "kernel log:"
dmesg | grep -E 'livepatch|taint' | sed 's/^/  /'
echo "tainted: $(cat /proc/sys/kernel/tainted)"
EOF

"$HERE/vm-run" --release "$RELEASE" --timeout 120 "${LOG_OPT[@]}" \
	--file "$WORK/livepatch-sample.ko" "$WORK/guest.sh"
