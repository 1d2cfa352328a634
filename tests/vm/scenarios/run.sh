#!/usr/bin/env bash
# Boots the target kernel with the kpatch manager, lib.sh, the modules of
# the given build directories and the guest script scenarios/NAME.sh.
#   run.sh RELEASE KPATCH NAME MODULE_DIR...
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
release=$1 kpatch=$2 name=$3
shift 3
files=(--file "$kpatch" --file "$here/../examples/lib.sh")
for dir in "$@"; do files+=(--file "$(ls "$dir"/*.ko)"); done
exec "$here/../vm-run" --release "$release" "${files[@]}" "$here/$name.sh"
