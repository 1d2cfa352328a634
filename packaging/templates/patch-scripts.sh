# Body of every kpatch-patch maintainer script (DEB postinst/prerm/postrm,
# RPM %post/%preun/%postun/%posttrans). kpatch-package prepends the patch's
# identity and appends one dispatch call:
#
#   KP_PKG      package name, prefixes every message
#   KP_REL      kernel release the module is built for
#   KP_MODULE   module name (kpatch_<id>[_v<N>])
#   KP_BASE     module name of version 1 of the same id (kpatch_<id>)
#   KP_VERSION  the patch version (kpatch_version)
#
# Policy (docs/packaging.md): the module is always installed for KP_REL
# (kpatch install); it is loaded live only on KP_REL itself, never over a
# newer live version of the same patch (no live downgrade), and a failed
# live load only warns. An upgrade never unloads the old version: the new
# one replaces it live (livepatch replace). Removal unloads if it can.
# KPATCH_ROOT prefixes the paths these scripts inspect, as for kpatch(8).

kp_root=${KPATCH_ROOT:-}
kp_file=/usr/lib/kpatch/$KP_REL/$KP_MODULE.ko
kp_lp=$kp_root/sys/kernel/livepatch

kp_say() {
	echo "$KP_PKG: $*" >&2
}

# Without >/dev/null: a bare installroot (dnf --installroot) has no /dev.
kp_have() {
	[ -n "$(command -v "$1")" ]
}

kp_have_kpatch() {
	kp_have kpatch && return 0
	kp_say "warning: kpatch is not installed; skipping $*"
	return 1
}

kp_on_target_kernel() {
	[ "$(uname -r)" = "$KP_REL" ]
}

# The version of loaded patch NAME when it is a version of this patch
# (kpatch_<id> is version 1, kpatch_<id>_v<N> version N), else nothing.
kp_version_of() {
	case $1 in
	"$KP_BASE") echo 1 ;;
	"$KP_BASE"_v*)
		kp_v=${1#"$KP_BASE"_v}
		case $kp_v in '' | *[!0-9]*) ;; *) echo "$kp_v" ;; esac
		;;
	esac
}

# Prints the name of an enabled patch that is a newer version of this one.
kp_newer_live() {
	for kp_dir in "$kp_lp"/*; do
		[ -d "$kp_dir" ] || continue
		[ -r "$kp_dir/enabled" ] && [ "$(cat "$kp_dir/enabled")" = 1 ] || continue
		kp_name=${kp_dir##*/}
		kp_v=$(kp_version_of "$kp_name")
		if [ -n "$kp_v" ] && [ "$kp_v" -gt "$KP_VERSION" ]; then
			echo "$kp_name"
			return
		fi
	done
}

kp_install() {
	kp_have_kpatch "installing $KP_MODULE" || return 0
	# --force: the package manager decided this file is the one to install
	# (a rebuild of the same version replaces the installed copy).
	if ! kpatch install --force -k "$KP_REL" "$kp_file"; then
		kp_say "error: cannot install $kp_file for $KP_REL"
		exit 1
	fi
}

kp_load_live() {
	if ! kp_on_target_kernel; then
		kp_say "running kernel is $(uname -r), not $KP_REL; $KP_MODULE will be loaded when $KP_REL boots"
		return 0
	fi
	if [ -d "$kp_lp/$KP_MODULE" ]; then
		kp_say "$KP_MODULE is already live"
		return 0
	fi
	kp_newer=$(kp_newer_live)
	if [ -n "$kp_newer" ]; then
		kp_say "warning: $kp_newer, a newer version of this patch, is live; not loading version $KP_VERSION live (no live downgrade); reboot to run it"
		return 0
	fi
	kp_have_kpatch "loading $KP_MODULE" || return 0
	if ! kpatch load "$KP_MODULE"; then
		kp_say "warning: loading $KP_MODULE live failed; it is installed and will be loaded at the next boot of $KP_REL"
	fi
}

kp_unload() {
	kp_on_target_kernel || return 0
	[ -d "$kp_lp/$KP_MODULE" ] || [ -d "$kp_root/sys/module/$KP_MODULE" ] || return 0
	kp_have_kpatch "unloading $KP_MODULE" || return 0
	if ! kpatch unload "$KP_MODULE"; then
		kp_say "warning: cannot unload $KP_MODULE; it stays live until $KP_REL reboots"
	fi
}

kp_uninstall() {
	[ -e "$kp_root/var/lib/kpatch/$KP_REL/$KP_MODULE.ko" ] || return 0
	kp_have_kpatch "uninstalling $KP_MODULE" || return 0
	if ! kpatch uninstall -k "$KP_REL" "$KP_MODULE"; then
		kp_say "warning: cannot remove $KP_MODULE from /var/lib/kpatch/$KP_REL"
	fi
}

# Regenerates the initramfs of KP_REL when dracut makes it (the dracut
# module 99kpatch copies /var/lib/kpatch/KP_REL into it).
kp_initramfs() {
	kp_have dracut || return 0
	case $1 in
	deb)
		kp_img=/boot/initrd.img-$KP_REL
		[ -e "$kp_root$kp_img" ] || return 0
		set -- dracut -f "$kp_img" "$KP_REL"
		;;
	rpm)
		[ -e "$kp_root/boot/initramfs-$KP_REL.img" ] || return 0
		set -- dracut -f --kver "$KP_REL"
		;;
	esac
	if ! "$@"; then
		kp_say "warning: '$*' failed; the initramfs of $KP_REL may not have the current patches"
	fi
}

# dpkg: postinst configure|abort-*, prerm remove|upgrade|deconfigure, postrm remove.
kp_deb_postinst() {
	case $1 in
	configure | abort-upgrade | abort-remove | abort-deconfigure)
		kp_install
		kp_load_live
		kp_initramfs deb
		;;
	esac
}

kp_deb_prerm() {
	case $1 in
	remove | deconfigure)
		kp_unload
		kp_uninstall
		;;
	upgrade) kp_uninstall ;; # the new version replaces this one live
	esac
}

kp_deb_postrm() {
	case $1 in
	remove) kp_initramfs deb ;;
	esac
}

# rpm: $1 counts the installed instances of this package after the step.
# Upgrade order: new %post (2), old %preun (1), old %postun (1), new %posttrans.
kp_rpm_post() {
	kp_install
	kp_load_live
}

kp_rpm_preun() {
	if [ "$1" -eq 0 ]; then
		kp_unload
		kp_uninstall
	fi
}

kp_rpm_postun() {
	if [ "$1" -ge 1 ]; then
		# Upgraded: this version's module is gone unless the new package
		# ships the same file; the new version was loaded in its %post.
		[ -e "$kp_root$kp_file" ] || kp_uninstall
	else
		kp_initramfs rpm
	fi
}

kp_rpm_posttrans() {
	kp_initramfs rpm
}
