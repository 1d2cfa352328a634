#!/bin/bash
# Scenario 4 (issue #5): boot with kpatch.enable=0. A patch is installed and
# in the initramfs, yet nothing loads: the dracut hook says it skips, the
# systemd unit is skipped by its condition, and the boot completes.
#
#   disabled.sh WORKDIR KPATCH MODULE_DIR
set -euo pipefail
DISTRO_PROG=distro.disabled
source "$(dirname -- "${BASH_SOURCE[0]}")/../harness.sh"

main() {
	[[ $# -eq 3 ]] || die "usage: disabled.sh WORKDIR KPATCH MODULE_DIR"
	local work=$1 kpatch=$2 module
	module=$(ls "$3"/*.ko) || die "no module in $3"
	distro_setup "$work"
	distro_dev_install "$kpatch"
	cp -- "$module" "$DISTRO_ROOT/root/"
	distro_chroot kpatch install -k "$DISTRO_RELEASE" "/root/${module##*/}"
	distro_dracut
	distro_image
	distro_boot disabled "$DISTRO_HERE/guest/disabled.sh" "$(basename "$module" .ko)" -- kpatch.enable=0
}

main "$@"
