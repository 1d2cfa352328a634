#!/usr/bin/env bash
# package.srpm / package.dsc: kpatch-package makes a source package from a
# manifest; rebuilding it the way a build farm does runs kpatch-build (here
# the one of the build tree, through KPATCH_BUILD, since the kpatch-build
# package is not installed) and gives the same binary package as
# kpatch-package makes from a prebuilt module.
#   source.sh srpm|dsc KPATCH_BUILD MANIFEST WORK_DIR
set -euo pipefail
source "$(dirname -- "$0")/lib.sh"
kind=$1 kpatch_build=$2 manifest=$3 work=$4
rm -rf "$work"
mkdir -p "$work"
export KPATCH_BUILD=$kpatch_build
module=kpatch_example_cmdline
"$KPATCH_PACKAGE" --"$kind" -o "$work/src" "$manifest"

check_module() { # PACKAGE_ROOT
	local ko=$1/usr/lib/kpatch/$REL/$module.ko
	[ "$(modinfo -F livepatch "$ko")" = Y ] || fail "$ko is not a livepatch module"
	[ "$(modinfo -F kpatch_id "$ko")" = example-cmdline ] || fail "$ko: wrong kpatch_id"
	pass "the package holds the livepatch module built from $manifest"
}

case $kind in
srpm)
	srpm=$work/src/$RPM_PATCH-1-1.src.rpm
	[ -f "$srpm" ] || fail "no $srpm"
	assert_contains "SRPM BuildRequires kpatch-build" "kpatch-build >= 1.0.0" "$(rpm -qp --requires "$srpm")"
	rpmbuild --rebuild --nodeps --define "_topdir $work/rpmbuild" "$srpm" >"$work/rebuild.log" 2>&1 ||
		{ tail -n 40 "$work/rebuild.log"; fail "rpmbuild --rebuild $srpm"; }
	rpm=$work/rpmbuild/RPMS/x86_64/$RPM_PATCH-1-1.x86_64.rpm
	[ -f "$rpm" ] || fail "no $rpm"
	assert_eq "rebuilt rpm payload" "/usr/lib/kpatch/$REL/$module.ko" "$(rpm_payload "$rpm")"
	assert_contains "rebuilt rpm scriptlets" 'kp_rpm_post "$1"' "$(rpm -qp --scripts "$rpm")"
	assert_rpmlint_clean "$rpm"
	mkdir "$work/x" && (cd "$work/x" && rpm2cpio "$rpm" | cpio -idm --quiet)
	check_module "$work/x"
	;;
dsc)
	dsc=$work/src/${DEB_PATCH}_1-1.dsc
	[ -f "$dsc" ] || fail "no $dsc"
	assert_contains "dsc Build-Depends kpatch-build" "kpatch-build (>= 1.0.0)" "$(grep '^Build-Depends:' "$dsc")"
	(cd "$work" && dpkg-source -x "$dsc" build >/dev/null 2>&1) || fail "dpkg-source -x $dsc"
	(cd "$work/build" && dpkg-buildpackage -us -uc -b -d >"$work/build.log" 2>&1) ||
		{ tail -n 40 "$work/build.log"; fail "dpkg-buildpackage"; }
	deb=$work/${DEB_PATCH}_1-1_amd64.deb
	[ -f "$deb" ] || fail "no $deb"
	assert_eq "built deb payload" "/usr/lib/kpatch/$REL/$module.ko" "$(deb_payload "$deb")"
	assert_eq "built deb Depends" "kpatch (>= 1.0.0), linux-image-$REL" "$(dpkg-deb -f "$deb" Depends)"
	assert_eq "built deb control files" "./ ./control ./md5sums ./postinst ./postrm ./prerm " \
		"$(dpkg-deb --ctrl-tarfile "$deb" | tar -t | LC_ALL=C sort | tr '\n' ' ')"
	assert_lintian_clean "$deb"
	dpkg-deb -x "$deb" "$work/x"
	check_module "$work/x"
	;;
*) fail "usage: source.sh srpm|dsc KPATCH_BUILD MANIFEST WORK_DIR" ;;
esac
