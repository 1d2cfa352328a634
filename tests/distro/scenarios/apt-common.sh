# shellcheck shell=bash
# Shared by the apt scenarios (install, upgrade, remove; sourced): the
# package and modules that package.repo's repository (tests/packaging/repo.sh) holds, and the start state
# of all three: kpatch-patch-REL pinned to 1-1 installed in the chroot (its
# postinst installs the module and runs dracut), then the image.
source "$(dirname -- "${BASH_SOURCE[0]}")/../harness.sh"

readonly PKG=kpatch-patch-$DISTRO_RELEASE
readonly V1=kpatch_example_cmdline V1_PREFIX=kpatch-cmdline
readonly V2=kpatch_example_cmdline_v2 V2_PREFIX=kpatch-cmdline-v2

apt_start() {
	local work=$1 repo=$2
	distro_setup "$work"
	distro_apt_repo "$repo"
	distro_apt_install "$PKG=1-1"
	[[ -f $DISTRO_ROOT/var/lib/kpatch/$DISTRO_RELEASE/$V1.ko ]] ||
		die "installing $PKG=1-1 did not install $V1 in $DISTRO_ROOT/var/lib/kpatch/$DISTRO_RELEASE"
	distro_image
}
