#!/bin/bash
# Scenario 1 (issue #5): `apt-get install kpatch-patch-REL` from the signed
# repository (in the chroot, before the first boot). At boot the patch is
# live from the initramfs, before the switch to the real root and so before
# any of its services; kpatch list shows it; /proc/cmdline is patched.
#
#   install.sh WORKDIR REPO_DIR      (REPO_DIR: package.repo's work dir, tests/packaging)
set -euo pipefail
DISTRO_PROG=distro.install
source "$(dirname -- "${BASH_SOURCE[0]}")/apt-common.sh"

main() {
	[[ $# -eq 2 ]] || die "usage: install.sh WORKDIR REPO_DIR"
	apt_start "$1" "$2/repo"
	distro_boot install "$DISTRO_HERE/guest/apt.sh" installed "$V1" "$V1_PREFIX" 1-1
}

main "$@"
