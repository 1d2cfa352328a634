#!/usr/bin/env bash
# Boots the target kernel with the kpatch manager, one example's built
# module and the guest check script tests/vm/examples/NAME.sh.
#   run-example.sh RELEASE KPATCH MODULE_DIR NAME [vm-run options...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
release=$1 kpatch=$2 dir=$3 name=$4
shift 4
ko=$(ls "$dir"/*.ko)
exec "$here/vm-run" --release "$release" --file "$kpatch" --file "$ko" \
  --file "$here/examples/lib.sh" "$@" "$here/examples/$name.sh"
