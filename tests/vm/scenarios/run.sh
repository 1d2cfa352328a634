#!/usr/bin/env bash
# Boots the target kernel with the kpatch manager, lib.sh, the modules of
# the given build directories and the guest script scenarios/NAME.sh.
#   run.sh RELEASE KPATCH NAME [--kmod PATH | --file PATH]... MODULE_DIR...
# --kmod and --file go to vm-run (a kernel module with its dependencies for
# modprobe; another file for the guest's /root).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
release=$1 kpatch=$2 name=$3
shift 3
files=(--file "$kpatch" --file "$here/../examples/lib.sh")
while [[ $# -gt 0 && ($1 == --kmod || $1 == --file) ]]; do
  files+=("$1" "${2:?$1 needs a value}")
  shift 2
done
for dir in "$@"; do files+=(--file "$(ls "$dir"/*.ko)"); done
exec "$here/../vm-run" --release "$release" "${files[@]}" "$here/$name.sh"
