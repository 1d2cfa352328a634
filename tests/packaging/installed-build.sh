#!/usr/bin/env bash
# package.installed-build: the kpatch-build of the kpatch-build .deb, with
# the source tree it was built from hidden (a private mount namespace with
# a tmpfs over it) and the package's /usr/share/kpatch bind-mounted in
# place, builds the cmdline example: the installed data-dir default works.
# Needs root (unshare -m); exits 77 (skipped) otherwise.
#   installed-build.sh TOOLS_PACKAGE_DIR MANIFEST WORK_DIR
set -euo pipefail
source "$(dirname -- "$0")/lib.sh"
tools=$1 manifest=$2 work=$3
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for unshare -m"; exit 77; }
source_dir=$(cd -- "$PACKAGING/.." && pwd)
rm -rf "$work"
mkdir -p "$work"
# Outside the source tree, which the namespace hides (WORK_DIR may be in it).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root" "$tmp/spec"
dpkg-deb -x "$tools"/kpatch-build_*_amd64.deb "$tmp/root"
cp "$(dirname -- "$manifest")"/* "$tmp/spec/"
unshare -m bash -c '
	set -e
	mount --make-rprivate /
	mkdir -p /usr/share/kpatch
	mount --bind "$1/root/usr/share/kpatch" /usr/share/kpatch
	mount -t tmpfs none "$2"
	"$1/root/usr/bin/kpatch-build" --manifest "$1/spec/$(basename -- "$3")" -o "$1/out"
' bash "$tmp" "$source_dir" "$manifest" >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log"; fail "kpatch-build from the package"; }
rmdir /usr/share/kpatch 2>/dev/null || true
[ "$(modinfo -F livepatch "$tmp/out/kpatch_example_cmdline.ko")" = Y ] || fail "no livepatch module"
pass "the packaged kpatch-build builds with /usr/share/kpatch, source tree hidden"
