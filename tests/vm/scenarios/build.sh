#!/usr/bin/env bash
# Builds one scenario module: a fresh OUT_DIR holding exactly one .ko.
# A MANIFEST named bundle.yaml is a bundle (kpatch-build --bundle).
#   build.sh KPATCH_BUILD MANIFEST OUT_DIR [kpatch-build options...]
set -euo pipefail
kpatch_build=$1 manifest=$2 out=$3
shift 3
rm -rf "$out"
mkdir -p "$out"
kind=--manifest
[ "${manifest##*/}" != bundle.yaml ] || kind=--bundle
"$kpatch_build" "$kind" "$manifest" -o "$out" "$@"
[ "$(ls "$out"/*.ko | wc -l)" -eq 1 ] || { echo "FAIL: expected one .ko in $out"; exit 1; }
echo "PASS: $(ls "$out"/*.ko)"
