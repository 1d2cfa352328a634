#!/bin/bash
# Scenario 3 (issue #5): version 1 is installed and live; in the running
# guest `apt-get remove kpatch-patch-REL` unloads it (or, if the kernel
# refuses, says so) and takes it out of /var/lib/kpatch and the initramfs;
# after a reboot nothing loads.
#
#   remove.sh WORKDIR REPO_DIR
set -euo pipefail
DISTRO_PROG=distro.remove
source "$(dirname -- "${BASH_SOURCE[0]}")/apt-common.sh"

main() {
	[[ $# -eq 2 ]] || die "usage: remove.sh WORKDIR REPO_DIR"
	apt_start "$1" "$2/repo"
	distro_boot remove "$DISTRO_HERE/guest/apt.sh" remove "$V1" "$V1_PREFIX"
	distro_boot reboot "$DISTRO_HERE/guest/apt.sh" removed "$V1"
}

main "$@"
