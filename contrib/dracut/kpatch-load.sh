#!/bin/sh
# dracut pre-udev hook of the kpatch module: load the patch modules that
# module-setup.sh put into the initramfs (/var/lib/kpatch/$(uname -r)), the
# newest version of each patch, before udev starts and before the root file
# system is mounted. pre-udev is the earliest hook with /proc, /sys and
# /dev/kmsg: few tasks exist, so the livepatch transition is quick, and every
# later process, driver and the real root's services run patched code.
#
# dracut sources this file (with dash or bash, set -e off); it defines and
# calls one function and must not exit. Nothing here stops the boot: a patch
# that fails is reported with warn (journal in a systemd initramfs, kernel
# log otherwise) and the real root's kpatch.service tries it again.
# kpatch.enable=0 on the kernel command line skips loading.

# shellcheck disable=SC3043 # dracut's shells (dash, bash) have local
kpatch_hook_load() {
    local _out _rc _t0 _t1 _cs _line
    if ! getargbool 1 kpatch.enable; then
        info "kpatch: kpatch.enable=0: not loading live patches"
        return 0
    fi
    read -r _t0 _cs </proc/uptime
    _rc=0
    _out=$(/usr/sbin/kpatch load --all 2>&1) || _rc=$?
    read -r _t1 _cs </proc/uptime
    # Uptime has two decimals: seconds * 100 + centiseconds.
    _cs=$(( (${_t1%.*} * 100 + 1${_t1#*.} - 100) - (${_t0%.*} * 100 + 1${_t0#*.} - 100) ))
    printf '%s\n' "$_out" | while read -r _line; do
        case $_line in
        '') ;;
        *error:* | *warning:*) warn "$_line" ;;
        kpatch:*) info "$_line" ;;
        *) info "kpatch: $_line" ;;
        esac
    done
    if [ "$_rc" -ne 0 ]; then
        warn "kpatch: some live patches failed to load in the initramfs (exit status $_rc); the boot goes on"
    fi
    info "kpatch: initramfs hook done in $((_cs / 100)).$((_cs / 10 % 10))$((_cs % 10)) s"
}

kpatch_hook_load
unset -f kpatch_hook_load
