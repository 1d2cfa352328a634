#!/usr/bin/env bash
# package.hostile: text from a manifest or a module's .modinfo reaches the
# packages as inert data. A summary full of RPM macros, shell expansions,
# quotes and section names is carried literally by the .deb, the .rpm and a
# source package rebuilt the way a build farm does, and nothing in it runs;
# fields that must have a shape (id, module name, release, CVEs) refuse
# anything else with a message naming the file, and write nothing.
#
# The modules are fakes made here (an object with a .modinfo section and
# kpatch-build's JSON report): packaging reads nothing else of a module.
#   hostile.sh WORK_DIR
set -euo pipefail
source "$(dirname -- "$0")/lib.sh"
work=$1
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
ran=$work/ran # every hostile command below would create a file in here
mkdir -p "$ran"
REL=6.1.0-56-cloud-amd64

summary="fix %(touch $ran/macro) %{lua: os.execute('touch $ran/lua')} \$(touch $ran/dollar) \`touch $ran/backtick\` 'single' \"double\" %post %include /etc/passwd %if 0 -leading .dot 100% é ü — ✓"

# A fake livepatch module DIR/NAME.ko whose .modinfo holds the given
# key=value entries before the defaults (the first value of a key counts),
# and its JSON report.
fake_module() { # DIR NAME [KEY=VALUE...]
	local dir=$1 name=$2
	shift 2
	mkdir -p "$dir"
	printf '%s\0' "$@" "name=$name" livepatch=Y "vermagic=$REL SMP mod_unload modversions " kpatch_id=hostile \
		kpatch_version=1 kpatch_cves=CVE-2024-12345 kpatch_build_id=0123abcd "kpatch_summary=$summary" >"$dir/modinfo.bin"
	gcc -c -x c /dev/null -o "$dir/empty.o"
	objcopy --add-section .modinfo="$dir/modinfo.bin" --set-section-flags .modinfo=alloc,readonly \
		"$dir/empty.o" "$dir/$name.ko"
	rm -f "$dir/empty.o" "$dir/modinfo.bin"
	printf '{"id": "hostile", "module": "%s", "version": 1, "kernel": "%s"}\n' "$name" "$REL" >"$dir/$name.json"
}

assert_nothing_ran() {
	assert_eq "$1: nothing ran" "" "$(ls -A "$ran"; find "$work" -name 'KPATCH-RAN-*')"
}

# Lines of a folded description joined again.
unfold() {
	sed 's/^ //; /^\.$/d' | tr '\n' ' '
}

# ---- binary packages ------------------------------------------------------

fake_module "$work/in dir" kpatch_hostile
(cd "$work" && "$KPATCH_PACKAGE" -o "$work/out" "$work/in dir") >"$work/log" 2>&1 ||
	fail "kpatch-package on the hostile summary: $(cat "$work/log")"
assert_nothing_ran "binary packages"
deb=$work/out/kpatch-patch-${REL}_1-1_amd64.deb
rpm=$work/out/kpatch-patch-6_1_0-56-cloud-amd64-1-1.x86_64.rpm
assert_contains "deb carries the summary literally" "Fix: $summary" "$(dpkg-deb -f "$deb" Description | unfold)"
assert_contains "rpm carries the summary literally" "Fix: $summary" "$(rpm -qp --qf '%{DESCRIPTION}' "$rpm" | tr '\n' ' ')"
assert_eq "rpm has exactly its four scriptlets" "4" "$(rpm -qp --scripts "$rpm" | grep -c 'scriptlet (using /bin/sh)')"
assert_eq "rpm payload" "/usr/lib/kpatch/$REL/kpatch_hostile.ko" "$(rpm_payload "$rpm")"
assert_lintian_clean "$deb"
assert_rpmlint_clean "$rpm"
assert_nothing_ran "lint"
assert_contains "OSV record lists the CVE" '"upstream": [
    "CVE-2024-12345"
  ]' "$(cat "$work/out/kpatch-patch-${REL}_1-1.osv.json")"

# Fields with a shape refuse anything else: exit 1, the file named, the
# value escaped, no output directory.
refuse() { # WHAT EXPECTED-MESSAGE-PART NAME KEY=VALUE...
	local what=$1 want=$2 name=$3 dir=$work/bad-$RANDOM status
	shift 3
	fake_module "$dir" "$name" "$@" "kpatch_summary=ok"
	set +e
	err=$("$KPATCH_PACKAGE" -o "$dir/out" "$dir" 2>&1)
	status=$?
	set -e
	assert_eq "$what: exit status" 1 "$status"
	assert_contains "$what: message" "$want" "$err"
	case $err in *$'\e'*) fail "$what: raw escape character in the message" ;; esac
	[ ! -e "$dir/out" ] || fail "$what: $dir/out was created"
	pass "$what: no output"
}
refuse "module name with a path" "bad module name '../../../../tmp/pwnmod'" "pwn" "name=../../../../tmp/pwnmod"
refuse "CVE with a macro" "bad CVE id 'CVE-%(touch $ran/cve)'" kpatch_hostile "kpatch_cves=CVE-%(touch $ran/cve)"
refuse "id with a shell command" "bad patch id 'x;touch $ran/id'" kpatch_hostile "kpatch_id=x;touch $ran/id"
refuse "release with a slash" "bad kernel release '../x'" kpatch_hostile "vermagic=../x SMP"
refuse "summary with an escape" 'control character' kpatch_hostile $'kpatch_summary=red \e[31m'
assert_contains "escapes shown escaped" '\x1b[31m' "$err"
assert_nothing_ran "refusals"

# ---- source packages ------------------------------------------------------

# A manifest whose file name and summary are hostile; its patch beside it.
src=$work/src
mkdir -p "$src/patches"
printf -- '--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n' >"$src/patches/fix.patch"
# (No '/' can be in a file name: its commands would write KPATCH-RAN-* files
# in whatever directory a build runs them; assert_nothing_ran looks.)
manifest="$src/x;touch KPATCH-RAN-1;\$(touch KPATCH-RAN-2);\`touch KPATCH-RAN-3\`.yaml"
{
	echo "id: hostile"
	printf 'summary: %s\n' "'${summary//\'/\'\'}'"
	echo "cves: [CVE-2024-12345]"
	echo "patches: [patches/fix.patch]"
	echo "kernels: [$REL]"
} >"$manifest"

# What a farm's build runs instead of kpatch-build: the fake module into out/.
fake_module "$work/farm" kpatch_hostile
cat >"$work/fake-kpatch-build" <<EOT
#!/bin/sh
[ "\$1 \$2 \$3 \$4" = "--manifest manifest.yaml -o out" ] || { echo "fake kpatch-build: unexpected \$*" >&2; exit 1; }
[ -f manifest.yaml ] && [ -f patches/fix.patch ] || { echo "fake kpatch-build: sources missing" >&2; exit 1; }
mkdir -p out && cp "$work/farm/kpatch_hostile.ko" out/
EOT
chmod +x "$work/fake-kpatch-build"
export KPATCH_BUILD=$work/fake-kpatch-build

(cd "$work" && "$KPATCH_PACKAGE" --srpm -o "$work/srpm" "$manifest") >"$work/log" 2>&1 ||
	fail "kpatch-package --srpm: $(cat "$work/log")"
srpm=$work/srpm/kpatch-patch-6_1_0-56-cloud-amd64-1-1.src.rpm
rpmbuild --rebuild --nodeps --define "_topdir $work/rpmbuild" "$srpm" >"$work/rebuild.log" 2>&1 ||
	fail "rpmbuild --rebuild: $(tail -n 30 "$work/rebuild.log")"
assert_nothing_ran "SRPM made and rebuilt"
rebuilt=$work/rpmbuild/RPMS/x86_64/kpatch-patch-6_1_0-56-cloud-amd64-1-1.x86_64.rpm
assert_contains "rebuilt rpm carries the summary literally" "Fix: $summary" \
	"$(rpm -qp --qf '%{DESCRIPTION}' "$rebuilt" | tr '\n' ' ')"
assert_eq "rebuilt rpm has exactly its four scriptlets" "4" "$(rpm -qp --scripts "$rebuilt" | grep -c 'scriptlet (using /bin/sh)')"

(cd "$work" && "$KPATCH_PACKAGE" --dsc -o "$work/dsc" "$manifest") >"$work/log" 2>&1 ||
	fail "kpatch-package --dsc: $(cat "$work/log")"
(cd "$work" && dpkg-source -x "$work/dsc/kpatch-patch-${REL}_1-1.dsc" dsc-build >/dev/null 2>&1) || fail "dpkg-source -x"
(cd "$work/dsc-build" && dpkg-buildpackage -us -uc -b -d >"$work/dsc.log" 2>&1) ||
	fail "dpkg-buildpackage: $(tail -n 30 "$work/dsc.log")"
assert_nothing_ran "DSC made and built"
assert_contains "built deb carries the summary literally" "Fix: $summary" \
	"$(dpkg-deb -f "$work/kpatch-patch-${REL}_1-1_amd64.deb" Description | unfold)"

# A patch outside the manifest's directory is refused, nothing copied.
printf -- '--- a/y\n+++ b/y\n' >"$work/outside.patch"
sed 's|patches: .*|patches: [../outside.patch]|' "$manifest" >"$src/escape.yaml"
for kind in srpm dsc; do
	set +e
	err=$("$KPATCH_PACKAGE" --$kind -o "$work/escape-$kind" "$src/escape.yaml" 2>&1)
	status=$?
	set -e
	assert_eq "$kind: patch outside: exit status" 1 "$status"
	assert_contains "$kind: patch outside: message" "is outside the manifest's directory" "$err"
	[ ! -e "$work/escape-$kind" ] || fail "$kind: patch outside: output created"
	pass "$kind: patch outside: no output"
done
assert_nothing_ran "all"

# ---- an RPM distribution's kernel release ---------------------------------

# 5.14.0-427.el9.x86_64 is an RPM version-release: the RPM also provides
# classic kpatch's "kpatch-patch = <release>"; a .deb cannot be named after
# it ('_'), which is refused by name.
REL=5.14.0-427.el9.x86_64
fake_module "$work/el9" kpatch_hostile "kpatch_summary=plain"
"$KPATCH_PACKAGE" --rpm -o "$work/el9-out" "$work/el9" >"$work/log" 2>&1 || fail "el9 --rpm: $(cat "$work/log")"
el9=$work/el9-out/kpatch-patch-5_14_0-427_el9_x86_64-1-1.x86_64.rpm
assert_contains "el9 rpm provides kpatch-patch = release" "kpatch-patch = $REL" "$(rpm -qp --provides "$el9")"
assert_contains "el9 rpm conflicts with older versions" "kpatch-patch-5_14_0-427_el9_x86_64 < 1-1" "$(rpm -qp --conflicts "$el9")"
set +e
err=$("$KPATCH_PACKAGE" --deb -o "$work/el9-deb" "$work/el9" 2>&1)
status=$?
set -e
assert_eq "el9 --deb: exit status" 1 "$status"
assert_contains "el9 --deb: message" "'kpatch-patch-$REL' is not a Debian package name" "$err"
[ ! -e "$work/el9-deb" ] || fail "el9 --deb: output created"
