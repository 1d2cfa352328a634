#!/usr/bin/env bash
# Builds one example manifest with kpatch-build and checks the outcome.
#   build-example.sh KPATCH_BUILD EXAMPLE_DIR OUT_DIR [RELEASE]
# Without RELEASE the example is built for its manifest's kernels. With
# RELEASE (another kernel generation, e.g. 6.12.118+deb12-cloud-amd64) it
# is built for that release: from EXAMPLE_DIR/SERIES/ (SERIES: 6.12) when
# the example has a variant there (a manifest whose patch fits that
# kernel's source), else from the example's own manifest with --kernel.
# An example directory with an `expect-failure` file must fail: exit 1,
# every line of that file found in stderr, and no module written. Any other
# example must produce OUT_DIR/<module>.ko (a livepatch module for the
# kernel) and OUT_DIR/<module>.json.
set -euo pipefail
kpatch_build=$1 example=$2 out=$3 release=${4:-}
kernel_opt=()
if [ -n "$release" ]; then
  series=$(printf '%s' "$release" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
  if ls "$example/$series"/*.yaml >/dev/null 2>&1; then
    example=$example/$series
  fi
  manifest=$(ls "$example"/*.yaml)
  grep '^kernels:' "$manifest" | grep -qF -- "$release" || kernel_opt=(--kernel "$release")
else
  manifest=$(ls "$example"/*.yaml)
fi
rm -rf "$out"
mkdir -p "$out"
set +e
"$kpatch_build" --manifest "$manifest" "${kernel_opt[@]}" -o "$out" >"$out/stdout" 2>"$out/stderr"
status=$?
set -e
cat "$out/stderr"
if [ -f "$example/expect-failure" ]; then
  [ "$status" -eq 1 ] || { echo "FAIL: expected exit 1, got $status"; exit 1; }
  while IFS= read -r want; do
    [ -z "$want" ] && continue
    grep -qF -- "$want" "$out/stderr" || { echo "FAIL: stderr lacks: $want"; exit 1; }
  done <"$example/expect-failure"
  if ls "$out"/*.ko >/dev/null 2>&1; then echo "FAIL: a module was written"; exit 1; fi
  echo "PASS: refused as expected"
  exit 0
fi
[ "$status" -eq 0 ] || { echo "FAIL: kpatch-build exit $status"; exit 1; }
ko=$(ls "$out"/*.ko)
modinfo -F livepatch "$ko" | grep -qx Y || { echo "FAIL: $ko is not a livepatch module"; exit 1; }
kernel=${release:-$(sed -n 's/^kernels: *\[\(.*\)\]/\1/p' "$manifest" | cut -d, -f1 | tr -d ' ')}
[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$kernel" ] || { echo "FAIL: vermagic is not $kernel"; exit 1; }
readelf -SW "$ko" | grep -q '\.klp\.rela\.' || echo "note: no klp relocations"
test -s "$out/$(basename "$ko" .ko).json" || { echo "FAIL: no JSON report"; exit 1; }
echo "PASS: $ko"
