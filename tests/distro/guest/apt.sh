# shellcheck shell=bash
# Guest side of the apt scenarios (install, upgrade, remove), one phase per
# boot:
#   apt.sh installed NAME PREFIX DEB_VERSION [GONE_NAME]
#   apt.sh upgrade OLD OLD_PREFIX NEW NEW_PREFIX
#   apt.sh remove NAME PREFIX
#   apt.sh removed NAME
# shellcheck source=lib.sh
source /root/guest-lib.sh
PKG=kpatch-patch-$REL
INITRD=/boot/initrd.img-$REL

expect_pkg_version() {
	local want=$1 have
	have=$(dpkg-query -W -f '${Status} ${Version}' "$PKG" 2>/dev/null)
	[[ $have == "install ok installed $want" ]] || fail "$PKG: '$have', expected version $want installed"
	ok "$PKG $want is installed"
}

# The file list of the initramfs, saved once per version of it (lsinitrd
# is slow under emulation).
INITRD_LIST=/tmp/distro-initrd.list
initrd_list() {
	if [[ ! -f $INITRD_LIST || $INITRD -nt $INITRD_LIST ]]; then
		lsinitrd "$INITRD" >"$INITRD_LIST" || fail "lsinitrd $INITRD failed"
	fi
	cat "$INITRD_LIST"
}

expect_in_initramfs() {
	local name=$1
	initrd_list | grep -q "var/lib/kpatch/$REL/$name.ko" ||
		fail "$INITRD has no $name.ko: $(initrd_list | grep kpatch)"
	ok "$INITRD holds $name.ko"
}

expect_not_in_initramfs() {
	local name=$1
	! initrd_list | grep -q "var/lib/kpatch/$REL/$name.ko" || fail "$INITRD still holds $name.ko"
	ok "$INITRD does not hold $name.ko"
}

expect_installed_file() {
	[[ -f /var/lib/kpatch/$REL/$1.ko ]] || fail "/var/lib/kpatch/$REL/$1.ko is missing: $(ls "/var/lib/kpatch/$REL")"
	ok "/var/lib/kpatch/$REL/$1.ko is installed"
}

expect_no_installed_file() {
	[[ ! -e /var/lib/kpatch/$REL/$1.ko ]] || fail "/var/lib/kpatch/$REL/$1.ko is still there"
	ok "/var/lib/kpatch/$REL/$1.ko is gone"
}

expect_never_enabled() {
	[[ -z $(journal_line_no "livepatch: enabling patch '$1'") ]] || fail "$1 was enabled during this boot"
	ok "$1 was not loaded during this boot"
}

# The patch went live in the initramfs: the kernel's "enabling patch" line
# and the hook's "loaded" line come before systemd switches to the real root
# (so before every service of the real system), and kpatch.service in the
# real root found it enabled and loaded nothing.
expect_loaded_by_initramfs() {
	local name=$1 enabling hook switch
	enabling=$(journal_line_no "livepatch: enabling patch '$name'")
	hook=$(journal_line_no "dracut-pre-udev.*kpatch: loaded $name$")
	switch=$(journal_line_no 'systemd\[1\]: Switching root')
	[[ -n $enabling && -n $hook && -n $switch && $enabling -lt $switch && $hook -lt $switch ]] || {
		show_journal
		fail "$name: enabling at journal line '$enabling', dracut hook 'loaded' at '$hook', switch root at '$switch'"
	}
	sed -n "${enabling}p;${hook}p;${switch}p" "$JOURNAL" | sed 's/^/    /'
	ok "$name went live in the initramfs (journal lines $enabling, $hook), before the switch to the root (line $switch)"
	local first
	first=$(journal_line_no 'systemd\[1\]: Start(ed|ing) ' "$switch")
	[[ -n $first ]] || fail "no service start after the switch root in the journal"
	sed -n "${first}p" "$JOURNAL" | sed 's/^/    /'
	ok "the real root's first service start comes after it (journal line $first)"
	[[ $(systemctl show -P ActiveState kpatch.service) == active ]] ||
		fail "kpatch.service is not active: $(systemctl status kpatch.service)"
	! journalctl -b -u kpatch.service -o cat --no-pager | grep -q '^loaded ' ||
		fail "kpatch.service loaded something: $(journalctl -b -u kpatch.service -o cat)"
	ok "kpatch.service is active and had nothing left to load"
}

phase_installed() {
	local name=$1 prefix=$2 version=$3 gone=${4:-}
	expect_boot_complete
	expect_pkg_version "$version"
	expect_loaded "$name"
	expect_cmdline_prefix "$prefix"
	expect_in_initramfs "$name"
	expect_loaded_by_initramfs "$name"
	if [[ -n $gone ]]; then
		expect_not_loaded "$gone"
		expect_never_enabled "$gone"
		expect_not_in_initramfs "$gone"
	fi
	kpatch status
}

phase_upgrade() {
	local old=$1 old_prefix=$2 new=$3 new_prefix=$4 out
	expect_boot_complete
	expect_loaded "$old"
	expect_cmdline_prefix "$old_prefix"
	echo "--- apt-get install -y $PKG ---"
	out=$(apt-get install -y "$PKG" 2>&1) || { echo "$out"; fail "apt-get install $PKG failed"; }
	echo "$out" | grep -E "^(Setting up|Unpacking|$PKG|kpatch)" | sed 's/^/    /'
	expect_pkg_version 2-1
	expect_loaded "$new"
	expect_not_loaded "$old"
	expect_cmdline_prefix "$new_prefix"
	expect_installed_file "$new"
	expect_no_installed_file "$old"
	expect_in_initramfs "$new"
	expect_not_in_initramfs "$old"
}

phase_remove() {
	local name=$1 prefix=$2 out
	expect_boot_complete
	expect_loaded "$name"
	expect_cmdline_prefix "$prefix"
	echo "--- apt-get remove -y $PKG ---"
	out=$(apt-get remove -y "$PKG" 2>&1) || { echo "$out"; fail "apt-get remove $PKG failed"; }
	echo "$out" | grep -E "^(Removing|unloaded|$PKG|kpatch)" | sed 's/^/    /'
	if [[ -e /sys/kernel/livepatch/$name ]]; then
		echo "$out" | grep -q "cannot unload $name" ||
			fail "$name is still loaded and apt-get remove did not report it"
		ok "unloading $name was refused and reported"
	else
		expect_not_loaded "$name"
		expect_cmdline_unpatched
	fi
	dpkg-query -W -f '${Status}' "$PKG" 2>/dev/null | grep -q 'install ok installed' && fail "$PKG is still installed"
	ok "$PKG is removed"
	expect_no_installed_file "$name"
	expect_not_in_initramfs "$name"
}

phase_removed() {
	local name=$1
	expect_boot_complete
	expect_no_patches
	expect_cmdline_unpatched
	expect_never_enabled "$name"
	expect_no_installed_file "$name"
}

phase=$1
shift
case $phase in
installed | upgrade | remove | removed) "phase_$phase" "$@" ;;
*) fail "unknown phase $phase" ;;
esac
