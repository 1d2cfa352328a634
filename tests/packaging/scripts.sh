#!/usr/bin/env bash
# package.scripts: the maintainer scripts of the kpatch-patch packages
# (DEB postinst/prerm/postrm, RPM %post/%preun/%postun/%posttrans), taken
# from the built packages and run against a fake root (KPATCH_ROOT) with a
# fake kpatch, uname and dracut on PATH that log their arguments. Asserts
# the exact calls for: install in a chroot, live install, failed live load,
# upgrade 1->2 (no unload), downgrade 2->1 (warning, no load), removal with
# a refused unload, in the order dpkg and rpm run the scripts.
#   scripts.sh PATCH_PACKAGE_DIR
set -euo pipefail
source "$(dirname -- "$0")/lib.sh"
pkgs=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
M1=kpatch_example_cmdline M2=kpatch_example_cmdline_v2

# ---- the scripts of each package ----
for v in 1 2; do
	dpkg-deb -e "$pkgs/${DEB_PATCH}_$v-1_amd64.deb" "$tmp/deb$v"
	mkdir -p "$tmp/rpm$v"
	for tag in POSTIN PREUN POSTUN POSTTRANS; do
		rpm -qp --qf "%{$tag}\n" "$pkgs/$RPM_PATCH-$v-1.x86_64.rpm" >"$tmp/rpm$v/$tag"
	done
done

# ---- fakes ----
mkdir -p "$tmp/bin"
cat >"$tmp/bin/kpatch" <<'EOT'
#!/bin/sh
echo "kpatch $*" >>"$FAKE_LOG"
case $1 in
install) mkdir -p "$KPATCH_ROOT/var/lib/kpatch/$3" && touch "$KPATCH_ROOT/var/lib/kpatch/$3/$(basename "$4")" ;;
uninstall) rm "$KPATCH_ROOT/var/lib/kpatch/$3/$4.ko" ;;
load)
	[ -z "${FAKE_LOAD_FAILS:-}" ] || { echo "kpatch: error: load failed" >&2; exit 1; }
	mkdir -p "$KPATCH_ROOT/sys/kernel/livepatch/$2" && echo 1 >"$KPATCH_ROOT/sys/kernel/livepatch/$2/enabled" ;;
unload)
	[ -z "${FAKE_UNLOAD_REFUSED:-}" ] || { echo "kpatch: error: $2: disabling did not finish in 60s" >&2; exit 1; }
	rm -r "$KPATCH_ROOT/sys/kernel/livepatch/$2" ;;
esac
EOT
printf '#!/bin/sh\necho "dracut $*" >>"$FAKE_LOG"\n' >"$tmp/bin/dracut"
printf '#!/bin/sh\necho "$FAKE_RELEASE"\n' >"$tmp/bin/uname"
chmod +x "$tmp/bin"/*

# A fresh fake machine running RELEASE, with an initramfs for REL.
machine() {
	export KPATCH_ROOT=$tmp/root FAKE_LOG=$tmp/log FAKE_RELEASE=$1
	rm -rf "$KPATCH_ROOT" "$FAKE_LOG" "$tmp/messages"
	mkdir -p "$KPATCH_ROOT/boot" "$KPATCH_ROOT/sys/kernel/livepatch" "$KPATCH_ROOT/usr/lib/kpatch/$REL"
	touch "$FAKE_LOG" "$tmp/messages" "$KPATCH_ROOT/boot/initrd.img-$REL" "$KPATCH_ROOT/boot/initramfs-$REL.img"
	unset FAKE_LOAD_FAILS FAKE_UNLOAD_REFUSED
}

live() { # NAME: a loaded, enabled patch
	mkdir -p "$KPATCH_ROOT/sys/kernel/livepatch/$1"
	echo 1 >"$KPATCH_ROOT/sys/kernel/livepatch/$1/enabled"
}

installed() { # NAME: in /var/lib/kpatch and shipped in /usr/lib/kpatch
	mkdir -p "$KPATCH_ROOT/var/lib/kpatch/$REL"
	touch "$KPATCH_ROOT/var/lib/kpatch/$REL/$1.ko" "$KPATCH_ROOT/usr/lib/kpatch/$REL/$1.ko"
}

unpacked() { touch "$KPATCH_ROOT/usr/lib/kpatch/$REL/$1.ko"; }
removed() { rm -f "$KPATCH_ROOT/usr/lib/kpatch/$REL/$1.ko"; }

# run FILE ARGS...: one maintainer script, which must succeed.
run() {
	local file=$1
	shift
	PATH=$tmp/bin:$PATH sh "$file" "$@" 2>>"$tmp/messages" || fail "$file $* exited $?: $(cat "$tmp/messages")"
}

calls() { cat "$FAKE_LOG"; }
messages() { cat "$tmp/messages"; }

# ---- DEB ----
machine 6.1.0-99-other
run "$tmp/deb1/postinst" configure ""
assert_eq "deb chroot install: calls" "kpatch install --force -k $REL /usr/lib/kpatch/$REL/$M1.ko
dracut -f /boot/initrd.img-$REL $REL" "$(calls)"
assert_eq "deb chroot install: message" "$DEB_PATCH: running kernel is 6.1.0-99-other, not $REL; $M1 will be loaded when $REL boots" "$(messages)"

machine "$REL"
rm "$KPATCH_ROOT/boot/initrd.img-$REL"
run "$tmp/deb1/postinst" configure ""
assert_eq "deb live install (no dracut initramfs): calls" "kpatch install --force -k $REL /usr/lib/kpatch/$REL/$M1.ko
kpatch load $M1" "$(calls)"

machine "$REL"
export FAKE_LOAD_FAILS=1
run "$tmp/deb1/postinst" configure ""
assert_eq "deb failed live load: calls" "kpatch install --force -k $REL /usr/lib/kpatch/$REL/$M1.ko
kpatch load $M1
dracut -f /boot/initrd.img-$REL $REL" "$(calls)"
assert_contains "deb failed live load: warning" "$DEB_PATCH: warning: loading $M1 live failed; it is installed and will be loaded at the next boot of $REL" "$(messages)"

# dpkg's upgrade order: old prerm upgrade, unpack, old postrm upgrade, new
# postinst configure. deb_switch FROM TO: on REL with version FROM live.
module_of() { if [ "$1" = 1 ]; then echo "$M1"; else echo "$M2"; fi; }
deb_switch() {
	local from=$1 to=$2
	machine "$REL"
	installed "$(module_of "$from")" && live "$(module_of "$from")"
	run "$tmp/deb$from/prerm" upgrade "$to-1"
	removed "$(module_of "$from")" && unpacked "$(module_of "$to")"
	run "$tmp/deb$from/postrm" upgrade "$to-1"
	run "$tmp/deb$to/postinst" configure "$from-1"
}

deb_switch 1 2
assert_eq "deb upgrade 1->2: calls (no unload)" "kpatch uninstall -k $REL $M1
kpatch install --force -k $REL /usr/lib/kpatch/$REL/$M2.ko
kpatch load $M2
dracut -f /boot/initrd.img-$REL $REL" "$(calls)"

deb_switch 2 1
assert_eq "deb downgrade 2->1: calls (no load)" "kpatch uninstall -k $REL $M2
kpatch install --force -k $REL /usr/lib/kpatch/$REL/$M1.ko
dracut -f /boot/initrd.img-$REL $REL" "$(calls)"
assert_eq "deb downgrade 2->1: warning" "$DEB_PATCH: warning: $M2, a newer version of this patch, is live; not loading version 1 live (no live downgrade); reboot to run it" "$(messages)"

machine "$REL"
installed "$M1" && live "$M1"
export FAKE_UNLOAD_REFUSED=1
run "$tmp/deb1/prerm" remove
removed "$M1"
run "$tmp/deb1/postrm" remove
assert_eq "deb removal, unload refused: calls" "kpatch unload $M1
kpatch uninstall -k $REL $M1
dracut -f /boot/initrd.img-$REL $REL" "$(calls)"
assert_contains "deb removal, unload refused: warning" "$DEB_PATCH: warning: cannot unload $M1; it stays live until $REL reboots" "$(messages)"
run "$tmp/deb1/postrm" purge
assert_eq "deb purge: nothing more" 3 "$(calls | wc -l)"

# ---- RPM ----
# rpm's upgrade order: new %post (1 -> 2 instances), old %preun 1, files of
# the old package removed, old %postun 1, new %posttrans.
machine 6.1.0-99-other
unpacked "$M1"
run "$tmp/rpm1/POSTIN" 1
run "$tmp/rpm1/POSTTRANS"
assert_eq "rpm chroot install: calls" "kpatch install --force -k $REL /usr/lib/kpatch/$REL/$M1.ko
dracut -f --kver $REL" "$(calls)"

machine "$REL"
unpacked "$M1"
run "$tmp/rpm1/POSTIN" 1
assert_eq "rpm live install: calls" "kpatch install --force -k $REL /usr/lib/kpatch/$REL/$M1.ko
kpatch load $M1" "$(calls)"

machine "$REL"
installed "$M1" && live "$M1"
unpacked "$M2"
run "$tmp/rpm2/POSTIN" 2
run "$tmp/rpm1/PREUN" 1
removed "$M1"
run "$tmp/rpm1/POSTUN" 1
run "$tmp/rpm2/POSTTRANS"
assert_eq "rpm upgrade 1->2: calls (no unload)" "kpatch install --force -k $REL /usr/lib/kpatch/$REL/$M2.ko
kpatch load $M2
kpatch uninstall -k $REL $M1
dracut -f --kver $REL" "$(calls)"

machine "$REL"
installed "$M2" && live "$M2"
unpacked "$M1"
run "$tmp/rpm1/POSTIN" 2
run "$tmp/rpm2/PREUN" 1
removed "$M2"
run "$tmp/rpm2/POSTUN" 1
run "$tmp/rpm1/POSTTRANS"
assert_eq "rpm downgrade 2->1: calls (no load)" "kpatch install --force -k $REL /usr/lib/kpatch/$REL/$M1.ko
kpatch uninstall -k $REL $M2
dracut -f --kver $REL" "$(calls)"
assert_eq "rpm downgrade 2->1: warning" "$RPM_PATCH: warning: $M2, a newer version of this patch, is live; not loading version 1 live (no live downgrade); reboot to run it" "$(messages)"

# A rebuild of the same module (1-1 -> 1-2): the shared file stays installed.
machine "$REL"
installed "$M1" && live "$M1"
run "$tmp/rpm1/POSTIN" 2
run "$tmp/rpm1/PREUN" 1
run "$tmp/rpm1/POSTUN" 1
assert_eq "rpm reinstall of the same module: calls" "kpatch install --force -k $REL /usr/lib/kpatch/$REL/$M1.ko" "$(calls)"
assert_eq "rpm reinstall of the same module: message" "$RPM_PATCH: $M1 is already live" "$(messages)"

machine "$REL"
installed "$M1" && live "$M1"
export FAKE_UNLOAD_REFUSED=1
run "$tmp/rpm1/PREUN" 0
removed "$M1"
run "$tmp/rpm1/POSTUN" 0
assert_eq "rpm erase, unload refused: calls" "kpatch unload $M1
kpatch uninstall -k $REL $M1
dracut -f --kver $REL" "$(calls)"
assert_contains "rpm erase, unload refused: warning" "$RPM_PATCH: warning: cannot unload $M1; it stays live until $REL reboots" "$(messages)"
