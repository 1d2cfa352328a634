#!/bin/bash
# One real-kernel differ case: build an object of Debian's kernel before and
# after CASE.patch, run create-diff-object on the pair, check what it says and
# what it writes.
#
#   run-case.sh CREATE-DIFF-OBJECT KERNEL-TREE RELEASE CASE.patch WORK
#
# CASE.patch is a unified diff against the kernel tree, preceded by free text
# and these keys (before the first "--- " line):
#   object:  path of the object to build, relative to the tree
#   parent:  vmlinux, or the name of the module the object belongs to
#   module:  for a module, its .ko relative to lib/modules/RELEASE (the parent
#            symtab is that of the unstripped .ko of the -dbg package)
#   changed: functions the differ must report as changed, and no others
#   new:     functions it must report as new (default none)
#   data:    symbols the output must define (new data the patch brings)
#   undef:   symbols the output must leave undefined (references to the
#            running kernel, .klp.sym.OBJ.NAME,POS or plain)
#   exit:    3 when the patch must end in "no functional changes found"
#            (a __LINE__ shift); then changed/new/data do not apply
#
# Checks: (orig, orig) exits 3; (orig, patched) exits 0, stdout lists exactly
# the changed/new functions, and the output object has .text.FUNC for each,
# .kpatch.funcs with one 32-byte entry per changed function, .kpatch.strings,
# and defines every data symbol. The same run with the parent symtab's index
# (create-diff-object --index-symtab) instead of its text must say and write
# exactly the same. A mismatch prints the differ's stdout and stderr.

set -euo pipefail

[[ $# -eq 5 ]] || {
	echo "usage: $0 CREATE-DIFF-OBJECT KERNEL-TREE RELEASE CASE.patch WORK" >&2
	exit 2
}
DIFFER=$1 KERNEL_TREE=$2 RELEASE=$3 CASE=$4 WORK=$5
NAME=$(basename "$CASE" .patch)
START=$EPOCHREALTIME

log() {
	local now=$EPOCHREALTIME
	local ms=$(((${now//[!0-9]/} - ${START//[!0-9]/}) / 1000))
	printf '[%3d.%03ds] %s\n' $((ms / 1000)) $((ms % 1000)) "$*"
}

since() {
	local now=$EPOCHREALTIME
	local ms=$(((${now//[!0-9]/} - ${1//[!0-9]/}) / 1000))
	printf '%d.%03d' $((ms / 1000)) $((ms % 1000))
}

KP_TEST_NAME=$NAME
# shellcheck source=../lib/check.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../lib/check.sh"

[[ -x $DIFFER ]] || fail "no create-diff-object at $DIFFER (build the target first)"

# The case's keys.
key() {
	sed -n "/^--- /q; s/^$1: *//p" "$CASE" | head -n 1
}
OBJECT=$(key object)
PARENT=$(key parent)
MODULE=$(key module)
read -r -a CHANGED <<<"$(key changed)"
read -r -a NEW <<<"$(key new)"
read -r -a DATA <<<"$(key data)"
read -r -a UNDEF <<<"$(key undef)"
EXIT=$(key exit)
[[ -z $EXIT || $EXIT == 3 ]] || fail "$CASE: 'exit:' can only be 3"
[[ -n $OBJECT && -n $PARENT ]] || fail "$CASE needs 'object:' and 'parent:' lines"
[[ $PARENT == vmlinux || -n $MODULE ]] || fail "$CASE: a module parent needs a 'module:' line"
BASE=$(basename "$OBJECT")

CACHE=$("$KERNEL_TREE" prepare "$RELEASE")
mapfile -t MAKE_ARGS <"$CACHE/make.args"

# A private tree: the cached one is shared and must never see the patch.
TREE=$WORK/tree
"$KERNEL_TREE" release "$TREE" # left by a killed run
rm -rf "$WORK"
mkdir -p "$WORK/orig" "$WORK/patched"
# KPATCH_TEST_KEEP=1 keeps the tree (an overlay mount) for a look after a failure.
[[ ${KPATCH_TEST_KEEP:-} == 1 ]] || trap '"$KERNEL_TREE" release "$TREE"' EXIT
"$KERNEL_TREE" workdir "$RELEASE" "$TREE" >/dev/null

build() {
	local t0=$EPOCHREALTIME
	make -s -C "$TREE" -j2 "${MAKE_ARGS[@]}" "$OBJECT" >"$WORK/make.log" 2>&1 || {
		cat "$WORK/make.log" >&2
		fail "make $OBJECT failed"
	}
	cp "$TREE/$OBJECT" "$WORK/$1/$BASE"
	log "built $1 $OBJECT in $(since "$t0") s"
}

build orig
patch -s -p1 --no-backup-if-mismatch -d "$TREE" <"$CASE" || fail "$CASE does not apply"
build patched
cmp -s "$WORK/orig/$BASE" "$WORK/patched/$BASE" && fail "the patch did not change $OBJECT"

if [[ $PARENT == vmlinux ]]; then
	SYMTAB=$CACHE/vmlinux.symtab
else
	# The symbol table of the unstripped module: the shipped one has no FILE
	# symbols.
	[[ -f $CACHE/modules/$MODULE ]] || fail "Debian ships no $MODULE"
	SYMTAB=$CACHE/module-symtabs/$MODULE.symtab
fi
PATCH_NAME=kpatch_test_$NAME

# Runs the differ on ($1, $2) writing $3; sets RC, OUT, ERR.
differ() {
	set +e
	"$DIFFER" "$1" "$2" "$PARENT" "$SYMTAB" "$CACHE/Module.symvers" "$PATCH_NAME" "$3" \
		>"$WORK/stdout" 2>"$WORK/stderr"
	RC=$?
	set -e
	OUT=$(<"$WORK/stdout")
	ERR=$(<"$WORK/stderr")
	log "create-diff-object ${1#"$WORK"/} ${2#"$WORK"/}: exit $RC"
}

# Fails the case with everything the differ said.
mismatch() {
	{
		printf 'FAIL %s: %s\n' "$NAME" "$*"
		printf 'command:'
		printf ' %q' "$DIFFER" "${LAST_ARGS[@]}"
		printf '\nexit code: %s\n--- stdout\n%s\n--- stderr\n%s\n---\n' "$RC" "$OUT" "$ERR"
		if [[ -f $WORK/out.o ]]; then
			echo "--- readelf -S $WORK/out.o"
			readelf -S --wide "$WORK/out.o" 2>&1 || true
		fi
	} >&2
	exit 1
}

LAST_ARGS=("$WORK/orig/$BASE" "$WORK/orig/$BASE" "$PARENT" "$SYMTAB" "$CACHE/Module.symvers" "$PATCH_NAME" "$WORK/same.o")
differ "$WORK/orig/$BASE" "$WORK/orig/$BASE" "$WORK/same.o"
[[ $RC -eq 3 ]] || mismatch "an object diffed against itself must exit 3 (no functional change)"

LAST_ARGS=("$WORK/orig/$BASE" "$WORK/patched/$BASE" "$PARENT" "$SYMTAB" "$CACHE/Module.symvers" "$PATCH_NAME" "$WORK/out.o")
differ "$WORK/orig/$BASE" "$WORK/patched/$BASE" "$WORK/out.o"

# The same run on the symtab's index: the same exit, messages and output.
TEXT_RC=$RC TEXT_OUT=$OUT TEXT_ERR=$ERR
"$DIFFER" --index-symtab "$SYMTAB" "$WORK/parent.idx" || fail "create-diff-object --index-symtab $SYMTAB failed"
TEXT_SYMTAB=$SYMTAB SYMTAB=$WORK/parent.idx
LAST_ARGS=("$WORK/orig/$BASE" "$WORK/patched/$BASE" "$PARENT" "$SYMTAB" "$CACHE/Module.symvers" "$PATCH_NAME" "$WORK/out-idx.o")
differ "$WORK/orig/$BASE" "$WORK/patched/$BASE" "$WORK/out-idx.o"
[[ $RC == "$TEXT_RC" && $OUT == "$TEXT_OUT" && $ERR == "$TEXT_ERR" ]] ||
	mismatch "with the index of $TEXT_SYMTAB the differ said something else than with the text (exit $TEXT_RC, stdout '$TEXT_OUT')"
if [[ -e $WORK/out.o || -e $WORK/out-idx.o ]]; then
	cmp -s "$WORK/out.o" "$WORK/out-idx.o" || mismatch "with the index of $TEXT_SYMTAB the output differs from the text's"
fi
SYMTAB=$TEXT_SYMTAB
LAST_ARGS=("$WORK/orig/$BASE" "$WORK/patched/$BASE" "$PARENT" "$SYMTAB" "$CACHE/Module.symvers" "$PATCH_NAME" "$WORK/out.o")
RC=$TEXT_RC OUT=$TEXT_OUT ERR=$TEXT_ERR
if [[ $EXIT == 3 ]]; then
	[[ $RC -eq 3 && $OUT == "$BASE: no functional changes found" && ! -e $WORK/out.o ]] ||
		mismatch "expected exit 3, 'no functional changes found' and no output"
	log "PASS $NAME: no functional changes"
	exit 0
fi
[[ $RC -eq 0 ]] || mismatch "expected exit 0 (patch object written)"

# The functions reported, one "kind name" a line, sorted.
reported() {
	sed -n "s/^$BASE: \\($1\\) function: //p" <<<"$OUT" | sort
}
expected() {
	[[ $# -eq 0 ]] || printf '%s\n' "$@" | sort
}
[[ $(reported changed) == "$(expected "${CHANGED[@]}")" ]] ||
	mismatch "changed functions: expected '${CHANGED[*]}', got '$(reported changed | tr '\n' ' ')'"
[[ $(reported new) == "$(expected "${NEW[@]}")" ]] ||
	mismatch "new functions: expected '${NEW[*]}', got '$(reported new | tr '\n' ' ')'"

[[ -s $WORK/out.o ]] || mismatch "no output object $WORK/out.o"
SECTIONS=$(readelf -S --wide "$WORK/out.o" 2>&1) || mismatch "readelf -S cannot read the output: $SECTIONS"
SYMBOLS=$(readelf -s --wide "$WORK/out.o" 2>&1) || mismatch "readelf -s cannot read the output: $SYMBOLS"

# Size of section $1 in the output, or nothing.
section_size() {
	local hex
	hex=$(awk -v n="$1" '{
		sub(/^ *\[ *[0-9]+\] */, "")
		if ($1 == n) { print $5; exit }
	}' <<<"$SECTIONS")
	[[ -z $hex ]] || echo $((16#$hex))
}

for fn in "${CHANGED[@]}" "${NEW[@]}"; do
	[[ -n $(section_size ".text.$fn") ]] || mismatch "the output has no section .text.$fn"
done
funcs=$(section_size .kpatch.funcs)
[[ -n $funcs ]] || mismatch "the output has no .kpatch.funcs section"
[[ $funcs -eq $((32 * ${#CHANGED[@]})) ]] ||
	mismatch ".kpatch.funcs is $funcs bytes, expected 32 per changed function (${#CHANGED[@]})"
[[ -n $(section_size .kpatch.strings) ]] || mismatch "the output has no .kpatch.strings section"

for sym in "${DATA[@]}"; do
	awk -v s="$sym" '$8 == s && $7 != "UND" { found = 1 } END { exit !found }' <<<"$SYMBOLS" ||
		mismatch "the output does not define the new data symbol $sym"
done

for sym in "${UNDEF[@]}"; do
	awk -v s="$sym" '$8 == s && $7 == "UND" { found = 1 } END { exit !found }' <<<"$SYMBOLS" ||
		mismatch "the output has no undefined symbol $sym"
done

log "PASS $NAME: ${CHANGED[*]}"
