#!/usr/bin/env bash
# package.tools: build-tools-packages makes kpatch and kpatch-build as .deb
# and .rpm, lint-clean, with the same payload in both formats.
#   tools.sh BUILD_DIR OUT_DIR
set -euo pipefail
source "$(dirname -- "$0")/lib.sh"
build_dir=$1 out=$2
rm -rf "$out"
"$PACKAGING/build-tools-packages" --build-dir "$build_dir" "$out"
version=$(sed -n 's/^project(kpatch VERSION \([0-9.]*\).*/\1/p' "$PACKAGING/../CMakeLists.txt")

assert_eq "package files" "kpatch-$version-1.x86_64.rpm
kpatch-build-$version-1.x86_64.rpm
kpatch-build_$version-1_amd64.deb
kpatch_$version-1_amd64.deb" "$(cd "$out" && ls | LC_ALL=C sort)"

assert_lintian_clean "$out"/*.deb
assert_rpmlint_clean "$out"/*.rpm

# The RPM keeps the unit under /usr/lib/systemd (RPM distributions).
assert_eq "kpatch payload, deb = rpm" "$(deb_payload "$out/kpatch_$version-1_amd64.deb" | sed 's|^/lib/systemd|/usr/lib/systemd|' | LC_ALL=C sort)" \
	"$(rpm_payload "$out/kpatch-$version-1.x86_64.rpm")"
assert_eq "kpatch-build payload, deb = rpm" "$(deb_payload "$out/kpatch-build_$version-1_amd64.deb")" \
	"$(rpm_payload "$out/kpatch-build-$version-1.x86_64.rpm")"

runtime=$(deb_payload "$out/kpatch_$version-1_amd64.deb")
assert_contains "kpatch has /usr/sbin/kpatch" /usr/sbin/kpatch "$runtime"
assert_contains "kpatch has kpatch.8" /usr/share/man/man8/kpatch.8.gz "$runtime"
builder=$(deb_payload "$out/kpatch-build_$version-1_amd64.deb")
assert_contains "the kpatch .deb owns /var/lib/kpatch" "./var/lib/kpatch/" "$(dpkg-deb -c "$out/kpatch_$version-1_amd64.deb")"
assert_contains "the kpatch .rpm owns /var/lib/kpatch" "/var/lib/kpatch" "$(rpm -qpl "$out/kpatch-$version-1.x86_64.rpm")"
for f in /usr/bin/kpatch-build /usr/bin/kpatch-package /usr/libexec/kpatch/create-diff-object /usr/libexec/kpatch/create-klp-module \
	/usr/share/kpatch/scripts/kernel-tree /usr/share/kpatch/scripts/lib/messages.sh /usr/share/kpatch/kmod/patch-hook.c /usr/share/man/man1/kpatch-build.1.gz; do
	assert_contains "kpatch-build has $f" "$f" "$builder"
done

# The RPM's scriptlets are the systemd macros' (here rpmbuild's stand-ins).
scripts=$(rpm -qp --scripts "$out/kpatch-$version-1.x86_64.rpm")
assert_contains "kpatch .rpm %post: systemd preset" "systemctl --no-reload preset kpatch.service" "$scripts"
assert_contains "kpatch .rpm %preun: systemd disable" "systemctl --no-reload disable --now kpatch.service" "$scripts"
assert_contains "kpatch .rpm %postun: systemd reload" "systemctl daemon-reload" "$scripts"

# The runtime is static: no shared-library dependency, so no Depends.
file_out=$(dpkg-deb --fsys-tarfile "$out/kpatch_$version-1_amd64.deb" | tar -xO ./usr/sbin/kpatch | file -)
assert_contains "kpatch is statically linked" "statically linked" "$file_out"
assert_eq "kpatch has no Depends" "" "$(dpkg-deb -f "$out/kpatch_$version-1_amd64.deb" Depends)"
depends=$(dpkg-deb -f "$out/kpatch-build_$version-1_amd64.deb" Depends)
for d in libelf1 libyaml-cpp0.7 gcc-12 make patch; do
	assert_contains "kpatch-build depends on $d" "$d" "$depends"
done
