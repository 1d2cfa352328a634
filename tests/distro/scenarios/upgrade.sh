#!/bin/bash
# Scenario 2 (issue #5): version 1 is installed and live; in the running
# guest `apt-get install kpatch-patch-REL` upgrades to 2-1 from the
# repository in the image: version 2 replaces version 1 live (new prefix, v1
# module gone) and goes into the initramfs; after a reboot only v2 loads.
#
#   upgrade.sh WORKDIR REPO_DIR
set -euo pipefail
DISTRO_PROG=distro.upgrade
source "$(dirname -- "${BASH_SOURCE[0]}")/apt-common.sh"

main() {
	[[ $# -eq 2 ]] || die "usage: upgrade.sh WORKDIR REPO_DIR"
	apt_start "$1" "$2/repo"
	distro_boot upgrade "$DISTRO_HERE/guest/apt.sh" upgrade "$V1" "$V1_PREFIX" "$V2" "$V2_PREFIX"
	distro_boot reboot "$DISTRO_HERE/guest/apt.sh" installed "$V2" "$V2_PREFIX" 2-1 "$V1"
}

main "$@"
