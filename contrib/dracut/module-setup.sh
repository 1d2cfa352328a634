#!/bin/bash
# dracut module "kpatch" (installed as /usr/lib/dracut/modules.d/99kpatch/):
# puts the kpatch manager and the patch modules installed for the kernel the
# initramfs is built for into the initramfs, with a pre-udev hook that loads
# them. A patch loaded there is live before the root file system is mounted
# and before any service of the real system starts; kpatch.service loads
# what the initramfs did not have (load --all skips enabled patches).
#
# dracut sources this file and calls check, depends and install; $kernel is
# the release being built for, $dracutsysrootdir the root it is built from
# (empty for the running system), $moddir this directory.
# shellcheck disable=SC2154 # $kernel and $moddir are set by dracut

kpatch_dir() {
    echo "${dracutsysrootdir-}/var/lib/kpatch/$kernel"
}

# Included by default only when patches are installed for $kernel: without
# them the hook would have nothing to do. Return 255 leaves the module out
# unless asked for (--add kpatch); 1 means it cannot work here.
check() {
    require_binaries /usr/sbin/kpatch || return 1
    local _f
    for _f in "$(kpatch_dir)"/*.ko; do
        [[ -f $_f ]] && return 0
    done
    return 255
}

depends() {
    return 0
}

# /usr/sbin/kpatch is static (no libraries to pull in). Only the modules of
# $kernel go in: the initramfs boots that kernel alone. They keep their
# path, so `kpatch load --all` finds them as on the real root.
install() {
    local _f _n=0
    inst_binary /usr/sbin/kpatch
    inst_dir "/var/lib/kpatch/$kernel"
    for _f in "$(kpatch_dir)"/*.ko; do
        [[ -f $_f ]] || continue
        inst_simple "/var/lib/kpatch/$kernel/${_f##*/}" || {
            derror "kpatch: cannot add $_f to the initramfs"
            return 1
        }
        _n=$((_n + 1))
    done
    dinfo "kpatch: $_n patch module(s) for $kernel added to the initramfs"
    inst_hook pre-udev 10 "$moddir/kpatch-load.sh"
}
