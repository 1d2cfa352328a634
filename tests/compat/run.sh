#!/usr/bin/env bash
# Boots the target kernel with the kpatch manager, tests/vm/examples/lib.sh,
# the modules of the given build directories, the kernel's binfmt_misc and
# nls_ascii modules (for modprobe in the callbacks checks), nfsd (the module
# check) and the guest
# script vm/NAME.sh.
#   run.sh RELEASE KPATCH NAME MODULE_DIR...
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
release=$1 kpatch=$2 name=$3
shift 3
files=(--file "$kpatch" --file "$here/../vm/examples/lib.sh" --file "$here/vm/compat-lib.sh")
for dir in "$@"; do files+=(--file "$(ls "$dir"/*.ko)"); done
# The callbacks check makes a pre-patch callback refuse on purpose.
[[ $name != callbacks ]] || files+=(--allow-log "livepatch: failed to enable patch 'compat_callbacks'")
exec "$here/../vm/vm-run" --release "$release" --timeout 240 "${files[@]}" \
  --kmod fs/binfmt_misc.ko --kmod fs/nls/nls_ascii.ko --kmod fs/nfsd/nfsd.ko "$here/vm/$name.sh"
