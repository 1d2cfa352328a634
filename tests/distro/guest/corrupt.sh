# shellcheck shell=bash
# Guest side of scenario 5: TRUNCATED.ko is half a module, OTHER.ko claims
# release OTHER_RELEASE.
#   corrupt.sh TRUNCATED OTHER OTHER_RELEASE
# shellcheck source=lib.sh
source /root/guest-lib.sh
truncated=/var/lib/kpatch/$REL/$1.ko
other=/var/lib/kpatch/$REL/$2.ko
other_release=$3

# journal_has WHAT PATTERN [journalctl args]
journal_has() {
	local what=$1 pattern=$2 line
	shift 2
	line=$(journalctl -b -o cat --no-pager "$@" | grep -E -m 1 -- "$pattern") || {
		show_journal "$@"
		fail "$what: no line matching '$pattern' in journalctl -b $*"
	}
	ok "$what: $line"
}

state=$(systemctl is-system-running) || true
[[ $state == degraded ]] || fail "system state is '$state', expected degraded (kpatch.service failed)"
ok "boot complete (system state degraded)"
expect_no_patches
expect_cmdline_unpatched
[[ $(systemctl show -P ActiveState kpatch.service) == failed ]] ||
	fail "kpatch.service is not failed: $(systemctl status kpatch.service)"
ok "kpatch.service failed ($(systemctl show -P Result kpatch.service)); nothing else did: $(systemctl --failed --plain --no-legend | tr -s ' ' | cut -d' ' -f1 | tr '\n' ' ')"
[[ $(systemctl --failed --plain --no-legend | wc -l) -eq 1 ]] || fail "other units failed too: $(systemctl --failed)"
# The systemd path.
journal_has "journalctl -u kpatch" "^kpatch: warning: $truncated: " -u kpatch.service
journal_has "journalctl -u kpatch" "^kpatch: error: $other: built for kernel $other_release, running $REL" -u kpatch.service
# The initramfs path (dracut's warn).
journal_has "dracut hook" "^Warning: kpatch: warning: $truncated: "
journal_has "dracut hook" "^Warning: kpatch: error: $other: built for kernel $other_release"
journal_has "dracut hook" "^Warning: kpatch: some live patches failed to load in the initramfs \(exit status 1\); the boot goes on"
echo "--- journalctl -b -u kpatch -o cat ---"
journalctl -b -u kpatch -o cat --no-pager
echo "--- journalctl -b -t dracut-pre-udev -o cat ---"
journalctl -b -t dracut-pre-udev -o cat --no-pager
