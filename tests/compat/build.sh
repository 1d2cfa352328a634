#!/usr/bin/env bash
# Builds one patch of the compatibility suite with the classic command line,
# as a kpatch user would: no manifest, only the patch file.
#   build.sh KPATCH_BUILD RELEASE PATCH OUT_DIR [--kernel]
# Default form: kpatch-build -s SRC -c CONFIG -v VMLINUX -n NAME -o OUT -R PATCH
# against the prepared tree of RELEASE in the kernel cache. With --kernel:
# kpatch-build --kernel RELEASE -n NAME -o OUT -R PATCH (patches of modules,
# whose shipped .ko the cache holds). -R (non-replace) so that the whole
# suite can be loaded together.
# A patch with a file NAME.expect-failure next to it must be refused: the
# build must fail and print every line of that file.
# Where RELEASE's series (6.12 for 6.12.118+deb12-cloud-amd64) has its own
# source, the patch's directory holds a variant SERIES/NAME.patch (and
# SERIES/NAME.expect-failure where the reason reads differently there),
# which is used instead.
set -euo pipefail
kpatch_build=$1 release=$2 patch=$3 out=$4 form=${5:-}
name=$(basename "$patch" .patch)
series=$(printf '%s' "$release" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
patches=$(dirname "$patch")
expect=$patches/$name.expect-failure
[ ! -f "$patches/$series/$name.patch" ] || patch=$patches/$series/$name.patch
[ ! -f "$patches/$series/$name.expect-failure" ] || expect=$patches/$series/$name.expect-failure
cache=$("$(dirname "$0")/../../scripts/kernel-tree" prepare "$release")  # cached: prints its dir
rm -rf "$out"
mkdir -p "$out"

if [ "$form" = --kernel ]; then
  cmd=("$kpatch_build" --kernel "$release" -n "compat-$name" -o "$out" -R "$patch")
else
  cmd=("$kpatch_build" -s "$cache/src" -c "$cache/config" -v "$cache/vmlinux" -n "compat-$name" -o "$out" -R "$patch")
fi
echo "+ ${cmd[*]}"
status=0
"${cmd[@]}" >"$out/build.out" 2>&1 || status=$?
cat "$out/build.out"

if [ -f "$expect" ]; then
  [ "$status" -ne 0 ] || { echo "FAIL: $name was built; it must be refused"; exit 1; }
  while IFS= read -r line; do
    [ -z "$line" ] || grep -qF -- "$line" "$out/build.out" || { echo "FAIL: missing from the output: $line"; exit 1; }
  done <"$expect"
  ! ls "$out"/*.ko >/dev/null 2>&1 || { echo "FAIL: a refused build left a module"; exit 1; }
  echo "PASS: $name refused as expected"
  exit 0
fi
[ "$status" -eq 0 ] || { echo "FAIL: kpatch-build exited $status"; exit 1; }
[ "$(ls "$out"/*.ko | wc -l)" -eq 1 ] || { echo "FAIL: expected one .ko in $out"; exit 1; }
echo "PASS: $(ls "$out"/*.ko)"
