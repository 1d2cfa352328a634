#!/usr/bin/env bash
# Runs scenarios/bundle.sh: packages the two bundle modules as .debs with
# kpatch-package and gives the guest what dpkg would have unpacked (each
# module under /usr/lib/kpatch/REL/, kpatch in /usr/sbin) and each
# package's postinst.
#   bundle-run.sh RELEASE KPATCH KPATCH_PACKAGE BUNDLE1_DIR BUNDLE2_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
release=$1 kpatch=$2 kpatch_package=$3 one=$4 two=$5
work=$(mktemp -d "${TMPDIR:-/tmp}/kpatch-bundle.XXXXXX")
trap 'rm -rf "$work"' EXIT
files=(--file "$kpatch:/usr/sbin/kpatch" --file "$kpatch" --file "$here/../examples/lib.sh")
n=1
for dir in "$one" "$two"; do
	"$kpatch_package" --deb -o "$work/pkg$n" "$dir" >/dev/null
	dpkg-deb -R "$(ls "$work/pkg$n"/*.deb)" "$work/root$n"
	ko=$(ls "$work/root$n/usr/lib/kpatch/$release"/*.ko)
	files+=(--file "$ko:/usr/lib/kpatch/$release/${ko##*/}" --file "$work/root$n/DEBIAN/postinst:/root/postinst-$n")
	n=$((n + 1))
done
"$here/../vm-run" --release "$release" "${files[@]}" "$here/bundle.sh"
