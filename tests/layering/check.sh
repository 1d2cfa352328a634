#!/usr/bin/env bash
# layering: each layer includes only from the layers below it (the table in
# builder/CMakeLists.txt), and the static kpatch links no builder library.
#   check.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1 build=$2
status=0

# layer directory -> the top directories its quoted includes may name.
declare -A allowed=(
	[common]="common"
	[builder/support]="support common"
	[builder/sys]="sys support common"
	[builder/elf]="elf support common"
	[builder/manifest]="manifest support common"
	[builder/versions]="versions support common"
	[builder/diff]="diff elf support common"
	[builder/module]="module elf support common"
	[builder/package]="package versions manifest elf sys support common"
	[builder/pipeline]="pipeline diff module manifest versions sys elf support common"
	[builder/tools]="pipeline package diff module manifest versions sys elf support common"
	[cli]="common"
)

for layer in "${!allowed[@]}"; do
	[ -d "$src/$layer" ] || continue
	while IFS= read -r line; do
		file=${line%%:*}
		inc=$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' <<<"${line#*:}")
		[ -n "$inc" ] || continue
		case $inc in */*) top=${inc%%/*} ;; *) continue ;; esac # same directory
		case " ${allowed[$layer]} " in *" $top "*) ;; *)
			echo "FAIL: ${file#"$src"/} ($layer) includes \"$inc\": $layer may include from ${allowed[$layer]}"
			status=1
			;;
		esac
	done < <(grep -H '#[[:space:]]*include[[:space:]]*"' "$src/$layer"/*.cpp "$src/$layer"/*.h 2>/dev/null || true)
done

# Every directory with sources is a known layer.
for d in "$src"/builder/*/ "$src"/common/ "$src"/cli/; do
	d=${d%/}
	rel=${d#"$src"/}
	[ -n "${allowed[$rel]+x}" ] || { echo "FAIL: $rel is not in the layer table (tests/layering/check.sh)"; status=1; }
done

# The static kpatch: its link line names no builder library.
link=$build/cli/CMakeFiles/kpatch.dir/link.txt
[ -f "$link" ] || { echo "FAIL: $link missing (configure the build first)"; exit 1; }
if grep -Eo 'libkpatch_[a-z]+\.a' "$link" | grep -qv '^libkpatch_\(cli\|common\)\.a$'; then
	echo "FAIL: kpatch links $(grep -Eo 'libkpatch_[a-z]+\.a' "$link" | grep -v '^libkpatch_\(cli\|common\)\.a$' | tr '\n' ' ')"
	status=1
fi
grep -q -- '-static' "$link" || { echo "FAIL: kpatch is not linked -static"; status=1; }

[ "$status" = 0 ] && echo "PASS: every include and the kpatch link line respect the layers"
exit "$status"
