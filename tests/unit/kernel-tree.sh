#!/bin/bash
# scripts/kernel-tree with stand-ins for the archive and the build: apt-cache
# knows two fake releases, apt-get download hands out small real .deb files
# (made here with dpkg-deb), make writes what modules_prepare would, gcc-12
# says what the fake config says. Everything else (dpkg-deb, tar, xz,
# readelf, flock) is real, so the staging, locking and layout of the cache
# are the script's own. Every call to a stand-in is logged to $T/calls.
#
#   kernel-tree.sh KERNEL-TREE
#
# Cases: usage; a hostile or unknown release (nearest listed, nothing
# fetched); a fresh prepare (layout, stage order); a second prepare (no
# download, no make); a stage that fails half-way (no stamp, no scratch
# left, the next run redoes only what is missing); two concurrent prepares
# (one waits, each package fetched once); a workdir copy and its release;
# cache management; a shared source; a full disk; damaged debug modules
# (named, nothing stamped); a compiler that is not installed.

set -euo pipefail
[[ $# -eq 1 ]] || { echo "usage: $0 KERNEL-TREE" >&2; exit 2; }
KT=$(readlink -f -- "$1")
T=$(mktemp -d /tmp/kpatch-kernel-tree.XXXXXX)
trap 'rm -rf -- "$T"' EXIT

REL=9.9.0-1-fake
OTHER=9.9.0-2-fake
# A release named as Debian 12 names its 6.12 kernels (+deb12), whose
# config names a compiler that is not installed (as 6.12's names
# x86_64-linux-gnu-gcc-12, in the package gcc-12).
NEW=9.12.1+deb12-fake
NEW_CC_TEXT="x86_64-linux-gnu-gcc-99 (Fake 99.1.0-1) 99.1.0"
VER=9.9.9-1
CC_TEXT="gcc-12 (Fake 12.2.0-14) 12.2.0"

KP_TEST_FILES="$T/err $T/calls"
# shellcheck source=../lib/check.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../lib/check.sh"

# ---- the fake archive -------------------------------------------------------
mkdir -p "$T/bin" "$T/debs" "$T/stage"
# deb NAME DIR: a .deb of DIR's files (DIR gets its control file here).
deb() {
	mkdir -p "$2/DEBIAN"
	printf 'Package: %s\nVersion: %s\nArchitecture: amd64\nMaintainer: t <t@t>\nDescription: t\n' \
		"$1" "$VER" >"$2/DEBIAN/control"
	dpkg-deb -Zgzip -b "$2" "$T/debs/$1_${VER}_amd64.deb" >/dev/null
}
printf 'int f(void) { return 1; }\n' >"$T/o.c"
gcc -c -o "$T/o.o" "$T/o.c"

h=$T/stage/headers/usr/src/linux-headers-$REL
mkdir -p "$h"
printf 'CONFIG_CC_VERSION_TEXT="%s"\nCONFIG_LIVEPATCH=y\n' "$CC_TEXT" >"$h/.config"
printf '0x12345678\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n' >"$h/Module.symvers"
deb "linux-headers-$REL" "$T/stage/headers"

i=$T/stage/image
mkdir -p "$i/boot" "$i/lib/modules/$REL/kernel/fs"
head -c 8192 /dev/zero >"$i/boot/vmlinuz-$REL"
cp "$T/o.o" "$i/lib/modules/$REL/kernel/fs/foo.ko"
deb "linux-image-$REL-unsigned" "$i"

d=$T/stage/dbg/usr/lib/debug
mkdir -p "$d/boot" "$d/lib/modules/$REL/kernel/fs"
cp "$T/o.o" "$d/boot/vmlinux-$REL"
cp "$T/o.o" "$d/lib/modules/$REL/kernel/fs/foo.ko"
deb "linux-image-$REL-dbg" "$T/stage/dbg"

# OTHER: another flavour of the same version (its own headers, image and
# -dbg packages, the same linux-source).
for r in "$OTHER" "$NEW"; do
	mkdir -p "$T/stage/$r/headers/usr/src/linux-headers-$r" "$T/stage/$r/image/boot" \
		"$T/stage/$r/image/lib/modules/$r/kernel/fs" "$T/stage/$r/dbg/usr/lib/debug/boot" \
		"$T/stage/$r/dbg/usr/lib/debug/lib/modules/$r/kernel/fs"
	cp "$h/.config" "$h/Module.symvers" "$T/stage/$r/headers/usr/src/linux-headers-$r/"
	deb "linux-headers-$r" "$T/stage/$r/headers"
	cp "$i/boot/vmlinuz-$REL" "$T/stage/$r/image/boot/vmlinuz-$r"
	cp "$T/o.o" "$T/stage/$r/image/lib/modules/$r/kernel/fs/foo.ko"
	deb "linux-image-$r-unsigned" "$T/stage/$r/image"
	cp "$T/o.o" "$T/stage/$r/dbg/usr/lib/debug/boot/vmlinux-$r"
	cp "$T/o.o" "$T/stage/$r/dbg/usr/lib/debug/lib/modules/$r/kernel/fs/foo.ko"
	deb "linux-image-$r-dbg" "$T/stage/$r/dbg"
done
printf 'CONFIG_CC_VERSION_TEXT="%s"\nCONFIG_LIVEPATCH=y\n' "$NEW_CC_TEXT" \
	>"$T/stage/$NEW/headers/usr/src/linux-headers-$NEW/.config"
deb "linux-headers-$NEW" "$T/stage/$NEW/headers"

s=$T/stage/source/usr/src
mkdir -p "$s" "$T/tar/linux-source-9.9/include"
printf 'all:\n' >"$T/tar/linux-source-9.9/Makefile"
tar -C "$T/tar" -cJf "$s/linux-source-9.9.tar.xz" linux-source-9.9
deb linux-source-9.9 "$T/stage/source"

# ---- the stand-ins ----------------------------------------------------------
cat >"$T/bin/apt-cache" <<EOF
#!/bin/bash
echo "apt-cache \$*" >>"$T/calls"
case \$1 in
show)
	for r in $REL $OTHER $NEW; do
		[[ \${@: -1} == linux-headers-\$r ]] && printf 'Package: linux-headers-%s\nVersion: $VER\n\n' "\$r"
	done ;;
search)
	printf 'linux-headers-%s - headers\n' $REL $OTHER 9.9-common $NEW 9.12.1+deb12-common ;;
esac
exit 0
EOF
cat >"$T/bin/apt-get" <<EOF
#!/bin/bash
echo "apt-get \$*" >>"$T/calls"
[[ \$1 == download ]] || exit 100
skip=
for a in "\$@"; do
	[[ -z \$skip ]] || { skip=; continue; }
	case \$a in
	-o) skip=1 ;;
	-*) ;;
	*=*)
		p=\${a%%=*}
		[[ \$p != "\${FAKE_FAIL_DOWNLOAD:-}" ]] || { echo "E: fake failure of \$p" >&2; exit 100; }
		cp "$T/debs/\${p}_${VER}_amd64.deb" . ;;
	esac
done
EOF
cat >"$T/bin/make" <<EOF
#!/bin/bash
echo "make \$*" >>"$T/calls"
dir=. rel=
while [[ \$# -gt 0 ]]; do
	case \$1 in
	-C) dir=\$2; shift ;;
	KERNELRELEASE=*) rel=\${1#KERNELRELEASE=} ;;
	modules_prepare)
		if [[ -n \${FAKE_MAKE_GATE:-} ]]; then
			: >"\$FAKE_MAKE_GATE.entered"
			for _ in \$(seq 600); do [[ -e \$FAKE_MAKE_GATE ]] && break; sleep 0.1; done
		fi
		[[ -z \${FAKE_MAKE_WRITE_SOURCE:-} ]] || echo '# written in place' >>"\$dir/Makefile"
		mkdir -p "\$dir/include/generated"
		printf '#define UTS_RELEASE "%s"\n' "\$rel" >"\$dir/include/generated/utsrelease.h" ;;
	esac
	shift
done
EOF
cat >"$T/bin/gcc-12" <<EOF
#!/bin/bash
[[ \$1 == --version ]] && echo "$CC_TEXT"
EOF
chmod +x "$T/bin"/*
export PATH=$T/bin:$PATH XDG_CACHE_HOME=$T/xdg
CACHE=$T/xdg/kpatch/$REL

kt() { "$KT" "$@" 2>"$T/err"; }
calls() { grep -c -- "$1" "$T/calls" 2>/dev/null || true; }

# ---- usage ------------------------------------------------------------------
set +e
kt >/dev/null; rc=$?
set -e
[[ $rc -eq 2 ]] || fail "no arguments: exit $rc, wanted 2"
grep -q '^usage: kernel-tree prepare' "$T/err" || fail "no arguments: no usage text"
pass "usage"

# ---- hostile and unknown releases -------------------------------------------
for bad in '9.9;touch x' '--help' '*' "$OTHER/../x"; do
	: >"$T/calls"
	if kt prepare "$bad" >/dev/null; then fail "prepare '$bad' succeeded"; fi
	grep -q "error: no package linux-headers-" "$T/err" || fail "prepare '$bad': no message"
	[[ $(calls 'apt-get') -eq 0 ]] || fail "prepare '$bad' downloaded something"
	[[ ! -e $T/xdg/kpatch/$bad ]] || fail "prepare '$bad' made a cache dir"
done
pass "hostile release names refused before apt"
if kt prepare 9.9.0-3-fake >/dev/null; then fail "unknown release succeeded"; fi
grep -qx "  $REL" "$T/err" || fail "unknown release: nearest releases not listed"
grep -q -- "-common" "$T/err" && fail "unknown release: a -common package listed as a release"
pass "unknown release lists the nearest"
# The nearest of either series first (a 6.1-style and a 6.12-style name).
if kt prepare 9.12.7+deb12-fake >/dev/null; then fail "unknown +deb12 release succeeded"; fi
[[ $(grep -m1 '^  ' "$T/err") == "  $NEW" ]] || fail "unknown +deb12 release: nearest is not $NEW: $(cat "$T/err")"
if kt prepare 9.9.0-3-fake >/dev/null; then fail "unknown release succeeded"; fi
[[ $(grep -m1 '^  ' "$T/err") == "  "9.9.0-* ]] || fail "unknown 9.9 release: nearest is not of 9.9: $(cat "$T/err")"
pass "unknown releases list the nearest of their own series first"

# ---- fresh prepare ----------------------------------------------------------
: >"$T/calls"
out=$(kt prepare "$REL") || fail "fresh prepare failed"
[[ $out == "$CACHE" ]] || fail "prepare printed '$out', wanted $CACHE"
for f in config Module.symvers vmlinux vmlinux.symtab vmlinuz make.args image.build-id \
	src/Makefile src/.config src/include/generated/utsrelease.h \
	modules/kernel/fs/foo.ko module-symtabs/kernel/fs/foo.ko.symtab; do
	[[ -e $CACHE/$f ]] || fail "fresh prepare: no $f in the cache"
done
grep -q ' f$' "$CACHE/vmlinux.symtab" || fail "vmlinux.symtab is not readelf's table of vmlinux"
grep -qx "KERNELRELEASE=$REL" "$CACHE/make.args" || fail "make.args lacks KERNELRELEASE"
grep -qx "CC=gcc-12" "$CACHE/make.args" || fail "make.args: the compiler is not the config's"
# headers, then image; then dbg (in the background) and source side by side.
order=$(sed -n 's/^apt-get download.* \([a-z0-9.-]*\)=.*/\1/p' "$T/calls" | head -n 2 | tr '\n' ' ')
[[ $order == "linux-headers-$REL linux-image-$REL-unsigned " ]] || fail "download order: $order"
order=$(sed -n 's/^apt-get download.* \([a-z0-9.-]*\)=.*/\1/p' "$T/calls" | tail -n +3 | sort | tr '\n' ' ')
[[ $order == "linux-image-$REL-dbg linux-source-9.9 " ]] || fail "downloads after the image: $order"
grep -n '^make' "$T/calls" | grep -q olddefconfig || fail "no make olddefconfig"
[[ $(grep '^make' "$T/calls" | head -n 1) == *olddefconfig* ]] || fail "modules_prepare before olddefconfig"
[[ -z $(find "$CACHE" -maxdepth 1 -name '.tmp-*') ]] || fail "fresh prepare left scratch dirs"
pass "fresh prepare: layout and stage order"

# ---- second prepare ---------------------------------------------------------
: >"$T/calls"
out=$(kt prepare "$REL") || fail "second prepare failed"
[[ $out == "$CACHE" ]] || fail "second prepare printed '$out'"
[[ $(calls 'apt-get') -eq 0 && $(calls '^make') -eq 0 ]] || fail "second prepare downloaded or built"
pass "second prepare: nothing fetched or built"

# ---- a stage that fails -----------------------------------------------------
rm -rf -- "$T/xdg"
: >"$T/calls"
if FAKE_FAIL_DOWNLOAD=linux-image-$REL-dbg kt prepare "$REL" >/dev/null; then
	fail "prepare with a failing download succeeded"
fi
grep -q "error: apt-get download linux-image-$REL-dbg=$VER failed" "$T/err" || fail "failing download: no message naming it"
ls "$CACHE"/.stamp-headers-* "$CACHE"/.stamp-image-* >/dev/null 2>&1 || fail "stages before the failure not stamped"
# dbg runs beside source and prepare: they finish and are stamped.
ls "$CACHE"/.stamp-source-* "$CACHE"/.stamp-prepare-* >/dev/null 2>&1 ||
	fail "the stages beside the failed one not stamped"
if ls "$CACHE"/.stamp-dbg-* >/dev/null 2>&1; then fail "the failed stage was stamped"; fi
[[ ! -e $CACHE/vmlinux && -z $(find "$CACHE" -maxdepth 1 -name '.tmp-*') ]] ||
	fail "the failed stage left a partial result"
[[ $(grep -c 'error:' "$T/err") -eq 1 ]] || fail "the failure was reported other than once: $(cat "$T/err")"
: >"$T/calls"
kt prepare "$REL" >/dev/null || fail "prepare after a failure failed"
order=$(sed -n 's/^apt-get download.* \([a-z0-9.-]*\)=.*/\1/p' "$T/calls" | tr '\n' ' ')
[[ $order == "linux-image-$REL-dbg " ]] || fail "after a failure, downloaded: $order"
[[ $(calls '^make') -eq 0 ]] || fail "after a failure of dbg, make ran again"
pass "a failed stage leaves no stamp and is redone alone"

# ---- two prepares at once ---------------------------------------------------
rm -rf -- "$T/xdg"
: >"$T/calls"
# The first run is held inside modules_prepare (holding the lock) until the
# second has said it waits: no timing decides whether the two overlap.
gate=$T/gate
rm -f -- "$gate" "$gate.entered"
FAKE_MAKE_GATE=$gate "$KT" prepare "$REL" >"$T/out1" 2>"$T/err1" &
p1=$!
wait_for() { # wait_for TEST...: up to 60 s for TEST to hold
	local _
	for _ in $(seq 600); do "$@" && return 0; sleep 0.1; done
	return 1
}
wait_for test -e "$gate.entered" || fail "the first concurrent prepare never reached modules_prepare: $(cat "$T/err1")"
FAKE_MAKE_GATE=$gate "$KT" prepare "$REL" >"$T/out2" 2>"$T/err2" &
p2=$!
wait_for grep -q "waiting for another kernel-tree run preparing $REL" "$T/err2" ||
	fail "the second concurrent prepare did not wait for the lock: $(cat "$T/err2")"
: >"$gate"
wait "$p1" || fail "first concurrent prepare failed: $(cat "$T/err1")"
wait "$p2" || fail "second concurrent prepare failed: $(cat "$T/err2")"
[[ $(cat "$T/out1") == "$CACHE" && $(cat "$T/out2") == "$CACHE" ]] || fail "concurrent prepares printed other dirs"
[[ $(calls "download.*linux-source-9.9=") -eq 1 ]] || fail "concurrent prepares fetched the source $(calls "linux-source-9.9=") times"
[[ $(calls modules_prepare) -eq 1 ]] || fail "concurrent prepares ran modules_prepare $(calls modules_prepare) times"
pass "concurrent prepares: one waits, each package fetched once"

# ---- workdirs ---------------------------------------------------------------
: >"$T/calls"
w=$T/w/view
mkdir -p "$CACHE/src/tools/objtool"
printf 'cmd_x := gcc -I%s/tools/include -c x.c\n' "$CACHE/src" >"$CACHE/src/tools/objtool/.x.o.cmd"
out=$(KPATCH_WORKDIR_METHOD=copy kt workdir "$REL" "$w") || fail "workdir failed"
grep -qxF "cmd_x := gcc -I$w/tools/include -c x.c" "$w/tools/objtool/.x.o.cmd" ||
	fail "workdir: the tools/ build's records still name the cache's tree: $(cat "$w/tools/objtool/.x.o.cmd")"
grep -qF "$CACHE/src/tools/include" "$CACHE/src/tools/objtool/.x.o.cmd" || fail "workdir: the cache's own records were rewritten"
[[ $out == "$w" && -f $w/Makefile && -e $w/.kpatch-workdir ]] || fail "workdir: no view at $w"
echo changed >"$w/Makefile"
grep -qx 'all:' "$CACHE/src/Makefile" || fail "a write in the workdir reached the cache"
if KPATCH_WORKDIR_METHOD=copy kt workdir "$REL" "$w" >/dev/null; then fail "workdir over a non-empty dir succeeded"; fi
grep -q "exists and is not empty" "$T/err" || fail "workdir over a non-empty dir: no message"
if kt release "$CACHE/src"; then fail "release of the cache's own tree succeeded"; fi
[[ -f $CACHE/src/Makefile ]] || fail "release removed the cache's tree"
kt release "$w" || fail "release failed"
[[ ! -e $w ]] || fail "release left $w"
[[ $(calls 'apt-get') -eq 0 ]] || fail "workdir of a prepared release downloaded"
pass "workdir: a private copy, released; the cache is never released"

# ---- cache management -------------------------------------------------------
mkdir -p "$T/xdg/kpatch/$OTHER" "$T/xdg/kpatch/not-a-release"
: >"$T/xdg/kpatch/$OTHER/.lock"
touch -d '2 days ago' "$T/xdg/kpatch/$OTHER/.lock"
kt prepare "$REL" >/dev/null || fail "prepare before list failed"
out=$(kt list) || fail "list failed"
grep -Eq "^$REL +ready +[0-9.]+[KMG]? " <<<"$out" || fail "list: $REL not shown ready with a size: $out"
grep -Eq "^$OTHER +partial " <<<"$out" || fail "list: $OTHER not shown partial: $out"
grep -q not-a-release <<<"$out" && fail "list shows a directory that is not a release"
pass "list: state and size per release"

if kt remove "$REL" ../x >/dev/null; then fail "remove of '../x' succeeded"; fi
grep -q "no cached release '../x'" "$T/err" || fail "remove '../x': no message naming it"
[[ -d $CACHE ]] || fail "a refused remove deleted $REL"
exec {lockfd}<"$CACHE/.lock"
flock "$lockfd"
if kt remove "$REL"; then fail "remove of a locked release succeeded"; fi
grep -q "$REL is being prepared by another run; kept" "$T/err" || fail "remove of a locked release: no message"
exec {lockfd}<&-
[[ -d $CACHE ]] || fail "remove deleted a locked release"
pass "remove refuses unknown names and keeps a release in use"

kt prune --keep 1 || fail "prune failed"
[[ -d $CACHE && ! -e $T/xdg/kpatch/$OTHER ]] || fail "prune --keep 1 did not keep just the newest"
[[ -d $T/xdg/kpatch/not-a-release ]] || fail "prune removed a directory that is not a release"
if kt prune --keep x >/dev/null; then fail "prune --keep x succeeded"; fi
kt remove "$REL" || fail "remove failed"
[[ ! -e $CACHE ]] || fail "remove left $CACHE"
pass "prune keeps the most recently used; remove deletes"

# ---- releases of one source version share it --------------------------------
rm -rf -- "$T/xdg"
: >"$T/calls"
kt prepare "$REL" >/dev/null || fail "prepare $REL failed"
kt prepare "$OTHER" >/dev/null || fail "prepare $OTHER (same source version) failed"
[[ $(calls "download.*linux-source-9.9=") -eq 1 ]] || fail "the shared source was fetched $(calls "linux-source-9.9=") times"
shared=$T/xdg/kpatch/sources/linux-source-9.9_$VER
inode() { stat -c %i -- "$1"; }
[[ $(inode "$CACHE/src/Makefile") == "$(inode "$shared/Makefile")" &&
	$(inode "$T/xdg/kpatch/$OTHER/src/Makefile") == "$(inode "$shared/Makefile")" ]] ||
	fail "the two releases' src/ are not links to $shared"
grep -q "\"$OTHER\"" "$T/xdg/kpatch/$OTHER/src/include/generated/utsrelease.h" &&
	grep -q "\"$REL\"" "$CACHE/src/include/generated/utsrelease.h" ||
	fail "prepare of one release wrote into the other's tree"
grep -Eq "^sources/linux-source-9.9_$VER +shared " <<<"$(kt list)" || fail "list does not show the shared source"
kt remove "$REL" || fail "remove $REL failed"
[[ -f $shared/Makefile && -f $T/xdg/kpatch/$OTHER/src/Makefile ]] || fail "remove $REL took the source $OTHER uses"
kt remove "$OTHER" || fail "remove $OTHER failed"
[[ ! -e $shared ]] || fail "the shared source outlived the last release using it"
grep -q "removed the shared source linux-source-9.9_$VER" "$T/err" || fail "no message on removing the shared source"
pass "releases of one source version share its download and tree"

rm -rf -- "$T/xdg"
kt prepare "$REL" >/dev/null || fail "prepare $REL failed"
if FAKE_MAKE_WRITE_SOURCE=1 kt prepare "$OTHER" >/dev/null; then fail "a prepare that wrote into the shared source succeeded"; fi
grep -q "preparing $OTHER wrote into the shared source file Makefile; sources/linux-source-9.9_$VER is marked for untarring again" "$T/err" ||
	fail "a write into the shared source: no message naming the file"
[[ ! -e $shared/.complete ]] || fail "the written shared source is still marked complete"
if ls "$T/xdg/kpatch/$OTHER"/.stamp-prepare-* >/dev/null 2>&1; then fail "the prepare that wrote into the source was stamped"; fi
pass "a write through to the shared source is caught, the source untarred again"

# ---- a full disk ------------------------------------------------------------
# Only root can mount the small filesystem this needs.
if [[ $EUID -eq 0 ]] && mkdir -p "$T/small" && mount -t tmpfs -o size=256k tmpfs "$T/small" 2>/dev/null; then
	trap 'umount "$T/small" 2>/dev/null; rm -rf -- "$T"' EXIT
	head -c 1M /dev/urandom >"$T/stage/image/boot/big"
	deb "linux-image-$REL-unsigned" "$T/stage/image"
	if XDG_CACHE_HOME=$T/small kt prepare "$REL" >/dev/null; then fail "prepare on a full disk succeeded"; fi
	c=$T/small/kpatch/$REL
	grep -q "No space left on device" "$T/err" || fail "prepare on a full disk: no ENOSPC message"
	ls "$c"/.stamp-headers-* >/dev/null 2>&1 || fail "full disk: the headers stage (before the image) not done"
	if ls "$c"/.stamp-image-* >/dev/null 2>&1; then fail "a stage that ran out of space was stamped"; fi
	[[ ! -e $c/vmlinuz && -z $(find "$c" -maxdepth 1 -name '.tmp-*') ]] || fail "a full disk left a partial stage"
	out=$(XDG_CACHE_HOME=$T/small kt list) || fail "list after a full disk failed"
	grep -Eq "^$REL +partial " <<<"$out" || fail "after a full disk the release is not shown partial: $out"
	pass "a full disk leaves no stage marked done"
fi

# ---- a damaged debug module --------------------------------------------------
# A -dbg package whose module is no ELF file, and one whose .ko.xz is no xz
# stream: prepare stops naming both, and dbg is not stamped.
rm -rf -- "$T/xdg"
cp -a "$T/stage/dbg" "$T/stage/dbg-bad"
printf 'not an ELF file\n' >"$T/stage/dbg-bad/usr/lib/debug/lib/modules/$REL/kernel/fs/bad.ko"
printf 'not xz\n' >"$T/stage/dbg-bad/usr/lib/debug/lib/modules/$REL/kernel/fs/worse.ko.xz"
cp "$T/debs/linux-image-${REL}-dbg_${VER}_amd64.deb" "$T/dbg-good.deb"
deb "linux-image-$REL-dbg" "$T/stage/dbg-bad"
if kt prepare "$REL" >/dev/null; then fail "prepare with damaged debug modules succeeded"; fi
grep -q "cannot read the symbols of 2 module(s) of linux-image-$REL-dbg (corrupt?):" "$T/err" &&
	grep -q "usr/lib/debug/lib/modules/$REL/kernel/fs/bad.ko$" "$T/err" &&
	grep -q "usr/lib/debug/lib/modules/$REL/kernel/fs/worse.ko.xz$" "$T/err" ||
	fail "damaged debug modules: the message does not name them: $(cat "$T/err")"
if ls "$CACHE"/.stamp-dbg-* >/dev/null 2>&1; then fail "dbg stamped with damaged modules"; fi
[[ ! -e $CACHE/vmlinux.symtab ]] || fail "damaged debug modules: symbol tables installed"
cp "$T/dbg-good.deb" "$T/debs/linux-image-${REL}-dbg_${VER}_amd64.deb"
kt prepare "$REL" >/dev/null || fail "prepare after the package was mended failed: $(cat "$T/err")"
pass "damaged debug modules (plain and .ko.xz) are named, nothing stamped"

# ---- a compiler that is not installed ---------------------------------------
: >"$T/calls"
if kt prepare "$NEW" >/dev/null; then fail "prepare with the kernel's compiler missing succeeded"; fi
grep -qF "error: the kernel was built with '$NEW_CC_TEXT' but 'x86_64-linux-gnu-gcc-99' is not installed: apt-get install gcc-99" "$T/err" ||
	fail "missing compiler: the message does not name the package: $(cat "$T/err")"
[[ $(calls modules_prepare) -eq 0 ]] || fail "missing compiler: make modules_prepare ran"
if ls "$T/xdg/kpatch/$NEW"/.stamp-prepare-* >/dev/null 2>&1; then fail "missing compiler: prepare stamped"; fi
kt remove "$NEW" || fail "remove $NEW failed"
pass "a compiler that is not installed is named with its package"
