#!/bin/bash
# The rt-amd64 flavour is refused, and says why: Debian's linux-source-X.Y
# has no rt featureset (the `linux` source package's debian/patches-rt is
# not in any binary package, and the archive serves no source packages), so
# olddefconfig drops the rt options (CONFIG_ARCH_HAS_PREEMPT_LAZY and
# others) and the module's vermagic says preempt_rt where the shipped rt
# modules say preempt. The build of the cmdline example for an rt release
# must exit 1 with the load check's reason, naming both vermagics and the
# changed options, and write no module.
#
#   rt-refused.sh KPATCH-BUILD MANIFEST RELEASE
set -euo pipefail
[[ $# -eq 3 ]] || { echo "usage: $0 KPATCH-BUILD MANIFEST RELEASE" >&2; exit 2; }
KPATCH_BUILD=$1 MANIFEST=$2 RELEASE=$3
T=$(mktemp -d /tmp/kpatch-rt.XXXXXX)
trap 'rm -rf -- "$T"' EXIT
KP_TEST_FILES="$T/err"
# shellcheck source=../lib/check.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../lib/check.sh"

rc=0
"$KPATCH_BUILD" --manifest "$MANIFEST" --kernel "$RELEASE" -o "$T/o" >"$T/out" 2>"$T/err" || rc=$?
assert_eq "exit status" 1 "$rc"
err=$(cat "$T/err")
assert_contains "the stage" "kpatch-build: $RELEASE: error: the patch module would not load, so it is not written:" "$err"
assert_contains "both vermagics" "  vermagic: the patch module says '$RELEASE SMP preempt_rt mod_unload modversions', the kernel's modules '$RELEASE SMP preempt mod_unload modversions' (" "$err"
assert_contains "the reason" "); the kernel would refuse to load it. The tree is not configured as the shipped kernel, as when the source package lacks the flavour's patches (Debian's rt-amd64: linux-source has no rt featureset); olddefconfig changed " "$err"
assert_contains "an rt option" "CONFIG_ARCH_HAS_PREEMPT_LAZY=y became n" "$err"
if compgen -G "$T/o/*.ko" >/dev/null || compgen -G "$T/o/*/*.ko" >/dev/null; then fail "a module was written: $(ls -R "$T/o")"; fi
pass "no module written"
