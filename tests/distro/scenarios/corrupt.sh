#!/bin/bash
# Scenario 5 (issue #5): broken installed patches, in the initramfs and on
# the root. Version 1 of example-cmdline is truncated to half its size (not
# a readable module: skipped with a warning); version 2 claims another
# kernel release in its vermagic (readable, so load --all picks it as the
# newest version, and the load is refused: an error). The boot completes;
# the dracut hook warns about both and says the boot goes on; kpatch.service
# tries again, logs both, and ends failed (system state degraded).
#
#   corrupt.sh WORKDIR KPATCH V1_MODULE_DIR V2_MODULE_DIR
set -euo pipefail
DISTRO_PROG=distro.corrupt
source "$(dirname -- "${BASH_SOURCE[0]}")/../harness.sh"

readonly OTHER_RELEASE=6.1.0-99-cloud-amd64

main() {
	[[ $# -eq 4 ]] || die "usage: corrupt.sh WORKDIR KPATCH V1_MODULE_DIR V2_MODULE_DIR"
	local work=$1 kpatch=$2 v1 v2 dir
	v1=$(ls "$3"/*.ko) || die "no module in $3"
	v2=$(ls "$4"/*.ko) || die "no module in $4"
	[[ ${#OTHER_RELEASE} -eq ${#DISTRO_RELEASE} ]] || die "$OTHER_RELEASE and $DISTRO_RELEASE differ in length"
	distro_setup "$work"
	distro_dev_install "$kpatch"
	dir=$DISTRO_ROOT/var/lib/kpatch/$DISTRO_RELEASE
	mkdir -p "$dir"
	# Written directly: kpatch install would refuse both.
	head -c $(($(stat -c %s "$v1") / 2)) "$v1" >"$dir/${v1##*/}"
	LC_ALL=C sed "s/vermagic=$DISTRO_RELEASE /vermagic=$OTHER_RELEASE /" "$v2" >"$dir/${v2##*/}"
	grep -qa "vermagic=$OTHER_RELEASE " "$dir/${v2##*/}" || die "no vermagic=$DISTRO_RELEASE in $v2"
	distro_dracut
	distro_image
	distro_boot corrupt "$DISTRO_HERE/guest/corrupt.sh" "$(basename "$v1" .ko)" "$(basename "$v2" .ko)" "$OTHER_RELEASE"
}

main "$@"
