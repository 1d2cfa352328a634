# shellcheck shell=bash
# Guest side of scenario 4: booted with kpatch.enable=0.
#   disabled.sh NAME    (the installed patch that must not load)
# shellcheck source=lib.sh
source /root/guest-lib.sh
name=$1

expect_boot_complete
grep -qw 'kpatch.enable=0' /proc/cmdline || fail "kpatch.enable=0 is not on the command line: $(cat /proc/cmdline)"
[[ -f /var/lib/kpatch/$REL/$name.ko ]] || fail "$name is not installed for $REL"
expect_no_patches
expect_cmdline_unpatched
[[ $(systemctl show -P ConditionResult kpatch.service) == no ]] ||
	fail "kpatch.service ran: $(systemctl status kpatch.service)"
ok "kpatch.service was skipped by its condition"
[[ -n $(journal_line_no 'kpatch: kpatch.enable=0: not loading live patches') ]] || {
	show_journal
	fail "the dracut hook did not log that it skips loading"
}
ok "the dracut hook logged that it skips loading"
