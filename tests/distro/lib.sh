# shellcheck shell=bash
# Shared shell functions of the distro tests (sourced, not run): messages,
# the Debian mirror read from the host's apt configuration, and a chroot
# that mounts /proc, /sys and /dev in a private mount namespace, so that
# nothing stays mounted on the host when a test is killed.

DISTRO_PROG=${DISTRO_PROG:-${0##*/}}

KP_PROG=$DISTRO_PROG
# shellcheck source=../../scripts/lib/messages.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../../scripts/lib/messages.sh"

# host_mirror SUITE_PATTERN: the first URI of the host's apt sources whose
# suites match SUITE_PATTERN (an extended regex), e.g. 'bookworm( |$)' or
# 'bookworm-security'. Reads deb822 .sources files, then sources.list.
host_mirror() {
	local pattern=$1 uri
	uri=$(awk -v pat="$pattern" '
		/^URIs:/   { uris = $2 }
		/^Suites:/ { for (i = 2; i <= NF; i++) if ($i ~ "^" pat "$") found = 1 }
		/^$/       { if (found && uris != "") { print uris; exit } found = 0; uris = "" }
		END        { if (found && uris != "") print uris }
	' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
	if [[ -z $uri && -f /etc/apt/sources.list ]]; then
		uri=$(awk -v pat="$pattern" '$1 == "deb" && $3 ~ "^" pat "$" { print $2; exit }' \
			/etc/apt/sources.list)
	fi
	[[ -n $uri ]] || die "no apt source for suite '$pattern' in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list"
	printf '%s\n' "$uri"
}

# in_chroot ROOT COMMAND...: run COMMAND in ROOT with /proc, /sys and /dev
# mounted in a private mount namespace (gone when the command ends).
in_chroot() {
	local root=$1
	shift
	unshare --mount --propagation private -- /bin/bash -c '
		set -e
		root=$1; shift
		mount -t proc proc "$root/proc"
		mount -t sysfs sysfs "$root/sys"
		mount --rbind /dev "$root/dev"
		mount -t tmpfs tmpfs "$root/tmp"
		exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
			DEBIAN_FRONTEND=noninteractive chroot "$root" "$@"
	' in_chroot "$root" "$@"
}
