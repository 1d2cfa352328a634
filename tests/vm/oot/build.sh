#!/bin/bash
# kpatch-build --oot-module / --oot-module-src (test scenario.build.oot):
# the out-of-tree module here (Kbuild, kpatch_oot.c: /proc/kpatch_oot) is
# built as a user builds a driver, `make -C TREE M=DIR modules`, against the
# prepared tree of RELEASE; then kpatch_oot.patch is built into a livepatch
# module for it, in the classic form without --kernel (the release comes
# from the module's vermagic) and with -s TREE; kpatch_oot_header.patch
# (kpatch_oot.h) is checked with --check. Every bad input is refused
# with its reason, naming the file, and writes nothing. The guest side is
# tests/vm/scenarios/oot.sh (vm.scenario.oot).
#
#   build.sh KPATCH-BUILD RELEASE OTHER-RELEASE OUT
#
# OUT/src: the module's source dir, built (OUT/src/kpatch_oot.ko);
# OUT/module: the livepatch module. OTHER-RELEASE: another prepared kernel,
# for a module of another vermagic (prepared here the first time).
set -euo pipefail
[[ $# -eq 4 ]] || { echo "usage: $0 KPATCH-BUILD RELEASE OTHER-RELEASE OUT" >&2; exit 2; }
KPATCH_BUILD=$1 RELEASE=$2 OTHER=$3 OUT=$4
HERE=$(cd "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
KERNEL_TREE=$HERE/../../../scripts/kernel-tree
T=$(mktemp -d "${TMPDIR:-/tmp}/kpatch-oot.XXXXXX")
trap 'rm -rf -- "$T"' EXIT
KP_TEST_FILES="$T/err"
# shellcheck source=../../lib/check.sh
source "$HERE/../../lib/check.sh"

# The module built as its user would: the tree's make arguments without the
# live-patch KCFLAGS.
build_module() { # RELEASE DIR
	local cache args=()
	cache=$("$KERNEL_TREE" prepare "$1")
	while IFS= read -r a; do [[ -z $a || $a == KCFLAGS=* ]] || args+=("$a"); done <"$cache/make.args"
	rm -rf -- "$2"
	mkdir -p "$2"
	cp "$HERE/Kbuild" "$HERE/kpatch_oot.c" "$HERE/kpatch_oot.h" "$2/"
	make -s -C "$cache/src" M="$2" KBUILD_EXTRA_SYMBOLS="$cache/Module.symvers" "${args[@]}" modules >"$T/make.log" 2>&1 ||
		{ cat "$T/make.log" >&2; fail "building the module for $1"; }
}
# The files of a directory and their checksums.
digest() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }

rm -rf -- "$OUT"
mkdir -p "$OUT"
SRC=$OUT/src KO=$OUT/src/kpatch_oot.ko
build_module "$RELEASE" "$SRC"
assert_contains "the module's vermagic" "vermagic=$RELEASE SMP" "$(tr '\0' '\n' <"$KO")"
before=$(digest "$SRC")

# --- the classic form: the release from the module's vermagic
rc=0
"$KPATCH_BUILD" --oot-module "$KO" --oot-module-src "$SRC" -n kpatch_oot_fix -o "$OUT/module" -j2 \
	"$HERE/kpatch_oot.patch" >"$T/out" 2>"$T/err" || rc=$?
assert_eq "exit status" 0 "$rc"
assert_contains "built for the module's release" "kpatch-build: $RELEASE: wrote $OUT/module/kpatch_oot_fix.ko" "$(cat "$T/err")"
assert_eq "the source dir is not written" "$before" "$(digest "$SRC")"
report=$(cat "$OUT/module/kpatch_oot_fix.json")
assert_contains "the object and its parent, the module's name" \
	'{"object": "kpatch_oot.o", "parent": "kpatch_oot", "result": "patched", "changed": ["kpatch_oot_show"]' "$report"
assert_contains "the originals cache is not used" '"originals_from_cache": 0' "$report"
info=$(tr '\0' '\n' <"$OUT/module/kpatch_oot_fix.ko")
assert_contains "the livepatch object is the module" "kpatch_functions=kpatch_oot:kpatch_oot_show" "$info"
assert_contains "the patch module's vermagic" "vermagic=$RELEASE SMP" "$info"

# --- a changed header of the module: the objects of DIR that include it
rc=0
"$KPATCH_BUILD" --check --oot-module "$KO" --oot-module-src "$SRC" -j2 "$HERE/kpatch_oot_header.patch" \
	>"$T/out" 2>"$T/err" || rc=$?
assert_eq "exit status of --check for the header" 0 "$rc"
assert_contains "the header's includer" "kpatch_oot.o (kpatch_oot): patched; changed: kpatch_oot_show" "$(cat "$T/out")"
assert_eq "the source dir is not written (header)" "$before" "$(digest "$SRC")"

# --- -s TREE (classic kpatch-build's form for a kernel tree), getopt forms
cache=$("$KERNEL_TREE" prepare "$RELEASE")
rc=0
"$KPATCH_BUILD" --oot-module="$KO" --oot-module-src="$SRC" -s "$cache/src" -v "$cache/vmlinux" \
	--symvers "$cache/Module.symvers" -n kpatch_oot_fix -o "$T/s" -j2 "$HERE/kpatch_oot.patch" >"$T/out" 2>"$T/err" || rc=$?
assert_eq "exit status with -s" 0 "$rc"
assert_contains "-s: written" "kpatch-build: $RELEASE: wrote $T/s/kpatch_oot_fix.ko" "$(cat "$T/err")"

# --- refusals: exit 1, the reason naming the file, no output
refused() { # WHAT NEEDLE ARGS...
	local what=$1 needle=$2 rc=0
	shift 2
	rm -rf -- "$T/o"
	"$KPATCH_BUILD" -o "$T/o" "$@" >"$T/out" 2>"$T/err" || rc=$?
	assert_eq "$what: exit status" 1 "$rc"
	assert_contains "$what: the reason" "$needle" "$(cat "$T/err")"
	[[ ! -e $T/o ]] || fail "$what: output written: $(ls -R "$T/o")"
	assert_eq "$what: the source dir is not written" "$before" "$(digest "$SRC")"
}
P=$HERE/kpatch_oot.patch
refused "without --oot-module-src" "kpatch-build: --oot-module needs --oot-module-src DIR, the module's source directory" \
	--oot-module "$KO" "$P"
refused "without --oot-module" "kpatch-build: --oot-module-src needs --oot-module FILE.ko, the built module to patch" \
	--oot-module-src "$SRC" "$P"
refused "a missing module" "kpatch-build: --oot-module $T/none.ko: not found" \
	--oot-module "$T/none.ko" --oot-module-src "$SRC" "$P"
cp "$HERE/kpatch_oot.c" "$T/text.ko"
refused "not an ELF module" "kpatch-build: --oot-module $T/text.ko: not a kernel module (not a relocatable ELF file)" \
	--oot-module "$T/text.ko" --oot-module-src "$SRC" "$P"
refused "an object, not a module" "kpatch-build: --oot-module $SRC/kpatch_oot.o: its .modinfo has no name=; is it a module built by Kbuild (modpost)?" \
	--oot-module "$SRC/kpatch_oot.o" --oot-module-src "$SRC" "$P"
mkdir "$T/empty"
refused "a source dir without Kbuild or Makefile" "kpatch-build: --oot-module-src $T/empty: no Kbuild or Makefile there" \
	--oot-module "$KO" --oot-module-src "$T/empty" "$P"
# A kernel file: outside the module's source dir.
KERNEL_PATCH=$HERE/../../../specs/examples/cmdline/cmdline.patch
refused "a patch of a file outside DIR" \
	"error: $KERNEL_PATCH:2: fs/proc/cmdline.c is not a file of the out-of-tree module's source $SRC (--oot-module-src)" \
	--oot-module "$KO" --oot-module-src "$SRC" "$KERNEL_PATCH"
# The module built for another kernel, given for this one.
build_module "$OTHER" "$T/other"
refused "a module of another kernel" \
	"kpatch-build: $RELEASE: error: --oot-module $T/other/kpatch_oot.ko: built for '$OTHER SMP preempt mod_unload modversions', not for the target kernel $RELEASE ('$RELEASE SMP preempt mod_unload modversions'" \
	--oot-module "$T/other/kpatch_oot.ko" --oot-module-src "$SRC" --kernel "$RELEASE" "$P"
echo "PASS: $OUT/module/kpatch_oot_fix.ko"
