# shellcheck shell=bash
# The distro test harness (sourced by the scenario scripts and bench/boot):
# a per-test copy of the cached Debian root (distro-root), turned into a disk
# image and booted in QEMU as many times as a scenario needs.
#
#   distro_setup WORKDIR         copy the cached root to WORKDIR/root, add
#                                the guest runner (distro-test.service) and
#                                a dracut config for a small initramfs
#   distro_chroot CMD...         run CMD in WORKDIR/root (before the image)
#   distro_dev_install KPATCH    put a kpatch binary, the systemd unit and the
#                                dracut module in the root (no packages)
#   distro_apt_repo REPO_DIR     make package.repo's signed repository the
#                                root's only apt source (file:, in the image)
#   distro_image                 mkfs.ext4 -d WORKDIR/root -> WORKDIR/root.img
#   distro_boot LABEL SCRIPT [ARG...] [-- KERNEL_ARG...]
#                                boot the image, run SCRIPT ARG... in the guest
#
# Each boot takes vmlinuz and initrd.img from the image's /boot (debugfs
# dump), so an initramfs the guest rebuilt itself is the one that boots next.
# The guest runs SCRIPT from distro-test.service once the boot has finished
# (systemctl is-system-running --wait), with /root/guest-lib.sh beside it;
# what it prints goes to the second serial port, between start and end
# markers, and the guest powers off. ttyS0 carries the kernel console.
# distro_boot prints the script's output, saves both serial logs as
# WORKDIR/LABEL.console.log and WORKDIR/LABEL.guest.log, and returns the
# script's exit status; it fails on a kernel Oops, BUG, Call Trace or panic
# in the console, a boot that does not reach the script, or a timeout
# (DISTRO_TIMEOUT, default 300 s).

DISTRO_HERE=$(cd "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$DISTRO_HERE/lib.sh"
# shellcheck source=../lib/qemu.sh
source "$DISTRO_HERE/../lib/qemu.sh"

readonly DISTRO_RELEASE=${DISTRO_RELEASE:-6.1.0-56-cloud-amd64}
readonly DISTRO_START=KPATCH-DISTRO-START
readonly DISTRO_EXIT=KPATCH-DISTRO-EXIT
DISTRO_TIMEOUT=${DISTRO_TIMEOUT:-300}
DISTRO_WORK=
DISTRO_ROOT=
DISTRO_IMG=

distro_check_host() {
	local tool
	for tool in qemu-system-x86_64 mkfs.ext4 debugfs unshare flock; do
		command -v "$tool" >/dev/null ||
			die "$tool is not installed (apt-get install qemu-system-x86 e2fsprogs util-linux)"
	done
	[[ $(id -u) -eq 0 ]] || die "the distro tests need root (chroot, debootstrap)"
}

# shellcheck disable=SC2317 # reached through the trap
distro_cleanup() {
	kp_qemu_stop
	if [[ -n $DISTRO_WORK && ${DISTRO_KEEP:-0} != 1 ]]; then
		rm -rf -- "$DISTRO_ROOT" "$DISTRO_IMG" "${DISTRO_WORK:?}/boot"
	fi
}

distro_setup() {
	local work=$1 cached
	distro_check_host
	DISTRO_WORK=$(mkdir -p "$work" && cd "$work" && pwd)
	DISTRO_ROOT=$DISTRO_WORK/root
	DISTRO_IMG=$DISTRO_WORK/root.img
	trap distro_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	cached=$("$DISTRO_HERE/distro-root" --release "$DISTRO_RELEASE")
	rm -rf -- "$DISTRO_ROOT" "$DISTRO_IMG"
	cp -a -- "$cached" "$DISTRO_ROOT" || die "cannot copy $cached to $DISTRO_ROOT"
	distro_dracut_config
	distro_add_runner
}

# Debian's dracut builds a generic initramfs (every storage driver and
# stack: 22 MB), which takes 4 minutes inside the guest under emulation. The
# guest needs only its virtio disk (ext4 is built in): with the drivers
# named and the storage stacks it does not use left out, dracut takes a
# fraction of that. Host-only mode is not used because in the chroot it
# would look at the host's disks. The kpatch module is still chosen by its
# own check().
distro_dracut_config() {
	cat >"$DISTRO_ROOT/etc/dracut.conf.d/90-kpatch-distro-test.conf" <<-EOF
		# kpatch distro tests: a small initramfs for a virtio-disk guest.
		hostonly="no"
		drivers="virtio_pci virtio_blk"
		omit_dracutmodules+=" crypt dm nvdimm lunmask resume kernel-modules-extra overlay-root usrmount virtiofs qemu terminfo "
	EOF
}

# distro-test.service: Type=simple so that its own start does not hold up
# the boot it waits for.
distro_add_runner() {
	local root=$DISTRO_ROOT
	install -m 0755 /dev/stdin "$root/usr/local/sbin/distro-test-run" <<-EOF
		#!/bin/bash
		# Runs /root/distro-test.sh once the boot is over, then powers off.
		exec </dev/null >/dev/ttyS1 2>&1
		state=\$(systemctl is-system-running --wait)
		read -r up _ </proc/uptime
		echo "$DISTRO_START uptime=\$up state=\$state"
		cd /root
		mapfile -t args </root/distro-test.args
		bash /root/distro-test.sh "\${args[@]}"
		rc=\$?
		read -r up _ </proc/uptime
		echo "$DISTRO_EXIT=\$rc uptime=\$up"
		sync
		systemctl poweroff
	EOF
	cat >"$root/etc/systemd/system/distro-test.service" <<-EOF
		[Unit]
		Description=kpatch distro test script
		[Service]
		Type=simple
		ExecStart=/usr/local/sbin/distro-test-run
		[Install]
		WantedBy=multi-user.target
	EOF
	ln -sf /etc/systemd/system/distro-test.service \
		"$root/etc/systemd/system/multi-user.target.wants/distro-test.service"
	: >"$root/root/distro-test.sh"
	: >"$root/root/distro-test.args"
	cp -- "$DISTRO_HERE/guest/lib.sh" "$root/root/guest-lib.sh"
}

distro_chroot() {
	in_chroot "$DISTRO_ROOT" "$@"
}

# Without packages: the binary where the kpatch package puts it, the unit
# enabled as `systemctl enable` would, the dracut module in Debian's dracut
# module directory.
distro_dev_install() {
	local kpatch=$1 src=$DISTRO_HERE/../../contrib root=$DISTRO_ROOT
	# stripped, as the package installs it (the initramfs carries it)
	strip -o "$root/usr/sbin/kpatch" -- "$kpatch" || die "cannot strip $kpatch into $root/usr/sbin/kpatch"
	chmod 0755 "$root/usr/sbin/kpatch"
	install -m 0644 -- "$src/systemd/kpatch.service" "$root/lib/systemd/system/kpatch.service"
	mkdir -p "$root/etc/systemd/system/sysinit.target.wants"
	ln -sf /lib/systemd/system/kpatch.service "$root/etc/systemd/system/sysinit.target.wants/kpatch.service"
	mkdir -p "$root/usr/lib/dracut/modules.d/99kpatch"
	install -m 0755 -- "$src"/dracut/*.sh "$root/usr/lib/dracut/modules.d/99kpatch/"
}

# dracut for the target release, in the root (as a package's postinst would).
distro_dracut() {
	distro_chroot dracut --force "/boot/initrd.img-$DISTRO_RELEASE" "$DISTRO_RELEASE" \
		>"$DISTRO_WORK/dracut.log" 2>&1 || {
		tail -n 20 "$DISTRO_WORK/dracut.log" >&2
		die "dracut failed in $DISTRO_ROOT; log in $DISTRO_WORK/dracut.log"
	}
}

# The repository goes into the image (/srv/kpatch-repo), so the guest can
# upgrade from it without a network; Debian's own sources are dropped (the
# guest has no network; the chroot needs nothing from them).
distro_apt_repo() {
	local repo=$1 root=$DISTRO_ROOT
	[[ -f $repo/apt/dists/bookworm/InRelease ]] || die "$repo/apt is not a signed apt repository (no dists/bookworm/InRelease)"
	# Maintainer scripts load patches live when uname -r is their release:
	# in the chroot that would be the host's kernel.
	[[ $(uname -r) != "$DISTRO_RELEASE" ]] ||
		die "the host runs $DISTRO_RELEASE: package scripts in the chroot would load patches into the host kernel"
	rm -rf -- "$root/srv/kpatch-repo"
	cp -a -- "$repo/apt" "$root/srv/kpatch-repo"
	install -m 0644 -- "$repo/kpatch-archive-keyring.gpg" "$root/usr/share/keyrings/kpatch-archive-keyring.gpg"
	printf 'deb [signed-by=/usr/share/keyrings/kpatch-archive-keyring.gpg] file:/srv/kpatch-repo bookworm main\n' \
		>"$root/etc/apt/sources.list"
	distro_chroot apt-get update >"$DISTRO_WORK/apt-update.log" 2>&1 || {
		cat "$DISTRO_WORK/apt-update.log" >&2
		die "apt-get update with $repo failed in $root"
	}
}

# distro_apt_install ARG...: apt-get install -y ARG... in the root.
distro_apt_install() {
	distro_chroot apt-get install -y "$@" >"$DISTRO_WORK/apt-install.log" 2>&1 || {
		tail -n 30 "$DISTRO_WORK/apt-install.log" >&2
		die "apt-get install $* failed in $DISTRO_ROOT; log in $DISTRO_WORK/apt-install.log"
	}
	grep -E '^(Setting up|kpatch)' "$DISTRO_WORK/apt-install.log" >&2 || true
}

distro_image() {
	local size
	size=$(($(du -sm "$DISTRO_ROOT" | cut -f1) + 1024))
	rm -f -- "$DISTRO_IMG"
	mkfs.ext4 -q -d "$DISTRO_ROOT" -L root "$DISTRO_IMG" "${size}M" >/dev/null ||
		die "mkfs.ext4 -d $DISTRO_ROOT $DISTRO_IMG failed"
}

# debugfs_put HOST_FILE GUEST_PATH: replace a file in the image.
debugfs_put() {
	local host=$1 guest=$2 out
	out=$(debugfs -w -f - "$DISTRO_IMG" 2>&1 <<-EOF
		cd $(dirname -- "$guest")
		rm $(basename -- "$guest")
		write $host $(basename -- "$guest")
	EOF
	) || die "debugfs cannot write $guest into $DISTRO_IMG: $out"
}

debugfs_get() {
	local guest=$1 host=$2
	rm -f -- "$host"
	debugfs -R "dump $guest $host" "$DISTRO_IMG" >/dev/null 2>&1
	[[ -s $host ]] || die "$DISTRO_IMG has no $guest"
}

distro_boot() {
	local label=$1 script=$2 arg
	shift 2
	local args=() append=()
	while [[ $# -gt 0 ]]; do
		arg=$1
		shift
		if [[ $arg == -- ]]; then
			append=("$@")
			break
		fi
		args+=("$arg")
	done
	[[ -f $script ]] || die "no guest script $script"
	local boot=$DISTRO_WORK/boot console=$DISTRO_WORK/$label.console.log
	local guest=$DISTRO_WORK/$label.guest.log
	mkdir -p "$boot"
	cp -- "$script" "$boot/distro-test.sh"
	printf '%s\n' "${args[@]}" >"$boot/distro-test.args"
	debugfs_put "$boot/distro-test.sh" /root/distro-test.sh
	debugfs_put "$boot/distro-test.args" /root/distro-test.args
	debugfs_get "/boot/vmlinuz-$DISTRO_RELEASE" "$boot/vmlinuz"
	debugfs_get "/boot/initrd.img-$DISTRO_RELEASE" "$boot/initrd.img"
	: >"$console"
	: >"$guest"
	note "boot $label: ${script##*/} ${args[*]}${append:+ (kernel: ${append[*]})}"
	local status=0 t0=$SECONDS
	kp_qemu_boot "$DISTRO_TIMEOUT" "$console" "$guest" "$boot/qemu.err" -smp 1 -m 1024 \
		-kernel "$boot/vmlinuz" -initrd "$boot/initrd.img" \
		-drive "file=$DISTRO_IMG,format=raw,if=virtio" \
		-append "console=ttyS0 root=/dev/vda rw panic=-1 ${append[*]}" || status=$?
	kp_guest_output "$guest" "$DISTRO_START" "$DISTRO_EXIT"
	local start end
	start=$(kp_marker "$guest" "$DISTRO_START ")
	end=$(kp_marker "$guest" "$DISTRO_EXIT=")
	if [[ $status -eq 124 || $status -eq 137 ]]; then
		tr -d '\r' <"$console" | tail -n 25 | sed 's/^/    /' >&2
		die "boot $label: the VM was still running after $DISTRO_TIMEOUT s; killed (console: $console)"
	fi
	if kp_kernel_trouble "$console" 60; then
		die "boot $label: the kernel reported a problem (console: $console)"
	fi
	if [[ -z $start || -z $end ]]; then
		sed 's/^/    /' "$boot/qemu.err" >&2
		tr -d '\r' <"$console" | tail -n 25 | sed 's/^/    /' >&2
		die "boot $label: the guest stopped (qemu status $status) before the test script ${start:+ended}${start:-started} (console: $console)"
	fi
	local rc=${end#"$DISTRO_EXIT="}
	rc=${rc%% *}
	note "boot $label: script exit $rc, ${start#"$DISTRO_START "}, end ${end##* }, wall $((SECONDS - t0)) s"
	return "$rc"
}
