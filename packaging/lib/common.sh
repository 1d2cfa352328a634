# shellcheck shell=bash
# Shared by the packaging scripts (sourced, not run): messages, a private
# work directory that is removed on exit, and the pieces every .deb and
# .rpm needs (project version, maintainer, doc files, dpkg-deb and rpmbuild
# invocations). Output goes to the work dir first; the caller moves finished
# packages into place only when every step succeeded.

KP_PACKAGING_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
KP_SOURCE_DIR=$(cd -- "$KP_PACKAGING_DIR/.." && pwd)
KP_PROG=${KP_PROG:-$(basename -- "$0")}
KP_MAINTAINER=${KPATCH_MAINTAINER:-kpatch maintainers <kpatch@example.org>}
# The distribution's page for its patches (Homepage:/URL:), when it has one.
KP_HOMEPAGE=${KPATCH_HOMEPAGE:-}

# die, note, usage (KP_USAGE): the project's one definition.
# shellcheck source=../../scripts/lib/messages.sh
source "$KP_SOURCE_DIR/scripts/lib/messages.sh"

# ARG with control characters shown as \xNN, for messages.
kp_printable() {
	local LC_ALL=C s=$1 out="" c i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[[:cntrl:]]) out+=$(printf '\\x%02x' "'$c") ;;
		*) out+=$c ;;
		esac
	done
	printf '%s' "$out"
}

step() {
	echo "$KP_PROG: $*" >&2
}

kp_need() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (see scripts/setup)"
	done
}

# A private work dir, removed on exit whatever happens.
kp_make_workdir() {
	KP_WORK=$(mktemp -d "${TMPDIR:-/tmp}/$KP_PROG.XXXXXX")
	trap 'rm -rf -- "$KP_WORK"' EXIT
}

# The tools' version: project(kpatch VERSION X.Y.Z) in CMakeLists.txt.
kp_tools_version() {
	local v
	v=$(sed -n 's/^project(kpatch VERSION \([0-9.]*\).*/\1/p' "$KP_SOURCE_DIR/CMakeLists.txt")
	[ -n "$v" ] || die "$KP_SOURCE_DIR/CMakeLists.txt: no project(kpatch VERSION ...)"
	echo "$v"
}

# Date for changelogs: SOURCE_DATE_EPOCH when set (reproducible builds),
# else the last commit's, else now.
kp_epoch() {
	if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
		echo "$SOURCE_DATE_EPOCH"
	else
		git -C "$KP_SOURCE_DIR" log -1 --format=%ct 2>/dev/null || date +%s
	fi
}

# /usr/share/doc/PKG/{copyright,changelog.Debian.gz} under ROOT.
kp_deb_docs() {
	local root=$1 pkg=$2 version=$3 text=$4
	local doc=$root/usr/share/doc/$pkg
	mkdir -p "$doc"
	cat >"$doc/copyright" <<-EOT
		$pkg: built from the kpatch project.

		Copyright (C) 2024-2025 the kpatch authors
		License: GPL-2

		This program is free software; you can redistribute it and/or modify it
		under the terms of the GNU General Public License, version 2, as
		published by the Free Software Foundation.

		On Debian systems, the complete text of the GNU General Public License
		version 2 can be found in '/usr/share/common-licenses/GPL-2'.
	EOT
	{
		echo "$pkg ($version) unstable; urgency=medium"
		echo
		echo "  * $text"
		echo
		echo " -- $KP_MAINTAINER  $(date -R -u -d "@$(kp_epoch)")"
	} | gzip -9n >"$doc/changelog.Debian.gz"
	chmod 0644 "$doc/copyright" "$doc/changelog.Debian.gz"
}

# DEBIAN/md5sums for every regular file under ROOT outside DEBIAN/.
kp_deb_md5sums() {
	local root=$1
	(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
		xargs -0r md5sum) >"$root/DEBIAN/md5sums"
	chmod 0644 "$root/DEBIAN/md5sums"
}

# dpkg-deb ROOT into OUT; ROOT/DEBIAN/control must be complete.
kp_deb_build() {
	local root=$1 out=$2
	kp_deb_md5sums "$root"
	SOURCE_DATE_EPOCH=$(kp_epoch) dpkg-deb --root-owner-group -Zxz --build "$root" "$out" >/dev/null ||
		die "dpkg-deb failed for $out"
}

# rpmbuild one spec into DIR (binary packages under DIR/RPMS/<arch>/,
# source packages under DIR/SRPMS/). MODE is -bb or -bs.
kp_rpmbuild() {
	local mode=$1 spec=$2 dir=$3
	shift 3
	mkdir -p "$dir"
	SOURCE_DATE_EPOCH=$(kp_epoch) rpmbuild "$mode" --quiet --nodeps \
		--define "_topdir $dir" --define "_sourcedir $(dirname -- "$spec")" \
		"$@" "$spec" >"$dir/rpmbuild.log" 2>&1 ||
		{
			cat "$dir/rpmbuild.log" >&2
			die "rpmbuild failed for $spec"
		}
}
