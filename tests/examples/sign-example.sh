#!/usr/bin/env bash
# kpatch-build --sign-key/--sign-cert: the module carries a signature by a
# key generated here, at test time.
#   sign-example.sh KPATCH_BUILD EXAMPLE_DIR OUT_DIR
set -euo pipefail
kpatch_build=$1 example=$2 out=$3
rm -rf "$out" && mkdir -p "$out"
openssl req -new -x509 -newkey rsa:2048 -keyout "$out/key.pem" -out "$out/cert.pem" -nodes -days 1 \
  -subj "/CN=kpatch test signing key" 2>/dev/null
"$kpatch_build" --manifest "$example"/*.yaml --sign-key "$out/key.pem" --sign-cert "$out/cert.pem" -o "$out/ko"
signer=$(modinfo -F signer "$out"/ko/*.ko)
[ "$signer" = "kpatch test signing key" ] || { echo "FAIL: signer is '$signer'"; exit 1; }
echo "PASS: signed by $signer"
