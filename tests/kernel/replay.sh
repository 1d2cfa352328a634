#!/bin/bash
# Replaying Kbuild's recorded commands (builder/pipeline/kbuild_replay.cpp,
# module_recipe.cpp) makes what make makes. Each patch is built for a
# real kernel twice: with --no-replay (make compiles the patched object and
# links the module, and keeps the module recipe if the kernel had none),
# then as usual (the recorded command and the recipe). The reports must say
# which way each went, and the results must agree:
#   - the patched object, debug info stripped (it names the work dir), is
#     byte for byte the same;
#   - the two .ko files have the same sections (name, type, size), the same
#     symbols (value, size, type, binding, section, name) and the same
#     modinfo but for the build time, srcversion and file name.
# A third build of the same patch takes the link's objects from the cache
# of the second (module_objects.cpp) and must still make the same module.
# A patch to an object that exports symbols (under CONFIG_MODVERSIONS)
# also runs genksyms as Kbuild does; the CRC check of both builds must
# pass, and compat.build.refuse-crc checks the CRCs it gives.
#
#   replay.sh KPATCH-BUILD RELEASE PATCH...
set -euo pipefail
[[ $# -ge 3 ]] || { echo "usage: $0 KPATCH-BUILD RELEASE PATCH..." >&2; exit 2; }
KPATCH_BUILD=$1 RELEASE=$2
shift 2
T=$(mktemp -d /tmp/kpatch-replay.XXXXXX)
KEPT=()
cleanup() {
	local d
	for d in "${KEPT[@]}"; do rm -rf -- "$d"; done
	rm -rf -- "$T"
}
trap cleanup EXIT
KP_TEST_FILES="$T/err"
# shellcheck source=../lib/check.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../lib/check.sh"

NAME=kpatch_replay_test
# build TAG ARGS...: one build of $PATCH into $T/TAG, its kept work dir in
# $T/TAG.work
build() {
	local tag=$1 rc=0
	shift
	"$KPATCH_BUILD" --kernel "$RELEASE" -n "$NAME" -o "$T/$tag" --skip-cleanup "$@" "$PATCH" \
		>"$T/out" 2>"$T/err" || rc=$?
	assert_eq "$tag build: exit status" 0 "$rc"
	local work
	work=$(sed -n 's/^kpatch-build: work directory kept: //p' "$T/err")
	[[ -d $work ]] || fail "$tag build: no work directory kept"
	KEPT+=("$work")
	printf '%s' "$work" >"$T/$tag.work"
}
json_field() { grep -o "\"$2\": \"[^\"]*\"" "$1" | sort -u | sed 's/.*: "\(.*\)"/\1/'; }
sections() { readelf -SW "$1" | awk '/^ *\[ *[0-9]+\]/ { sub(/^ *\[ *[0-9]+\] */, ""); print $1, $2, $5 }'; }
symbols() { readelf -sW "$1" | awk 'NR > 3 { print $2, $3, $4, $5, $7, $8 }' | sort; }
modinfo_of() { modinfo "$1" | grep -Ev '^(filename|kpatch_built|srcversion):'; }

# replay_case PATCH: both builds of PATCH, compared
replay_case() {
	local n obj rel W_MAKE W_REPLAY R_MAKE R_REPLAY KO_MAKE KO_REPLAY
	PATCH=$1
	KP_TEST_NAME="$RELEASE: ${PATCH##*/}"
	rm -rf "${T:?}/make" "$T/replay"
	build make --no-replay
	build replay
	R_MAKE=$T/make/$NAME.json R_REPLAY=$T/replay/$NAME.json
	assert_eq "--no-replay: patched objects by" "make" "$(json_field "$R_MAKE" patched_compiled_by)"
	assert_eq "--no-replay: module linked by" "make" "$(json_field "$R_MAKE" module_linked_by)"
	assert_eq "patched objects by" "recorded command" "$(json_field "$R_REPLAY" patched_compiled_by)"
	assert_eq "module linked by" "recipe" "$(json_field "$R_REPLAY" module_linked_by)"

	W_MAKE=$(cat "$T/make.work") W_REPLAY=$(cat "$T/replay.work")
	n=0
	while IFS= read -r -d '' obj; do
		rel=${obj#"$W_MAKE/patched/"}
		objcopy --strip-debug "$obj" "$T/a.o"
		objcopy --strip-debug "$W_REPLAY/patched/$rel" "$T/b.o"
		cmp -s "$T/a.o" "$T/b.o" || fail "patched $rel differs between make and the recorded command"
		n=$((n + 1))
	done < <(find "$W_MAKE/patched" -name '*.o' -print0)
	[[ $n -gt 0 ]] || fail "no patched object in $W_MAKE/patched"
	pass "$n patched object(s) identical but for debug info"

	KO_MAKE=$T/make/$NAME.ko KO_REPLAY=$T/replay/$NAME.ko
	assert_eq "module sections" "$(sections "$KO_MAKE")" "$(sections "$KO_REPLAY")"
	assert_eq "module symbols" "$(symbols "$KO_MAKE")" "$(symbols "$KO_REPLAY")"
	assert_eq "module modinfo" "$(modinfo_of "$KO_MAKE")" "$(modinfo_of "$KO_REPLAY")"

	# The same patch once more: the link takes the objects the last one
	# compiled (module_objects.cpp), and the module is still make's.
	rm -rf "${T:?}/again"
	build again
	grep -q '"module_objects_from_cache": [1-9]' "$T/again/$NAME.json" ||
		fail "a rebuild took no object of the last link from the cache: $(grep from_cache "$T/again/$NAME.json")"
	pass "a rebuild takes the link's objects from the cache"
	assert_eq "rebuilt module sections" "$(sections "$KO_MAKE")" "$(sections "$T/again/$NAME.ko")"
	assert_eq "rebuilt module symbols" "$(symbols "$KO_MAKE")" "$(symbols "$T/again/$NAME.ko")"
	assert_eq "rebuilt module modinfo" "$(modinfo_of "$KO_MAKE")" "$(modinfo_of "$T/again/$NAME.ko")"
}

for p in "$@"; do replay_case "$p"; done
