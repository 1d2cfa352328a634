#!/usr/bin/env bash
# package.patches: kpatch-package turns the cmdline example (version 1) and
# its version 2 into kpatch-patch packages: names, payload, relations,
# descriptions, maintainer scripts, lint; a bad input fails cleanly.
#   patches.sh V1_DIR V2_DIR OUT_DIR
set -euo pipefail
source "$(dirname -- "$0")/lib.sh"
v1=$1 v2=$2 out=$3
rm -rf "$out"
"$KPATCH_PACKAGE" -o "$out" "$v1" "$v2"

assert_eq "package files" "${DEB_PATCH}_1-1.osv.json
${DEB_PATCH}_1-1_amd64.deb
${DEB_PATCH}_2-1.osv.json
${DEB_PATCH}_2-1_amd64.deb
${RPM_PATCH}-1-1.x86_64.rpm
${RPM_PATCH}-2-1.x86_64.rpm" "$(cd "$out" && ls | LC_ALL=C sort)"

assert_lintian_clean "$out"/*.deb
assert_rpmlint_clean "$out"/*.rpm

for v in 1 2; do
	module=kpatch_example_cmdline
	[ "$v" = 1 ] || module=${module}_v$v
	deb=$out/${DEB_PATCH}_$v-1_amd64.deb rpm=$out/$RPM_PATCH-$v-1.x86_64.rpm
	assert_eq "v$v payload (deb)" "/usr/lib/kpatch/$REL/$module.ko" "$(deb_payload "$deb")"
	assert_eq "v$v payload, deb = rpm" "$(deb_payload "$deb")" "$(rpm_payload "$rpm")"
	assert_eq "v$v Depends" "kpatch (>= 1.0.0), linux-image-$REL" "$(dpkg-deb -f "$deb" Depends)"
	description=$(dpkg-deb -f "$deb" Description)
	assert_contains "v$v description has the summary" 'Prefix /proc/cmdline with "kpatch-cmdline' "$description"
	cves="none listed"
	[ "$v" = 1 ] || cves="CVE-2099-0001 CVE-2099-0002" # tests/vm/scenarios/specs/cmdline-v2
	assert_contains "v$v description has the CVEs" "CVEs fixed: $cves" "$description"
	assert_contains "v$v rpm provides kpatch-patch($REL)" "kpatch-patch($REL) = $v" "$(rpm -qp --provides "$rpm")"
	assert_contains "v$v rpm provides classic kpatch's kpatch-patch = $REL" "kpatch-patch = $REL" \
		"$(rpm -qp --provides "$rpm")"
	assert_contains "v$v rpm requires kpatch" "kpatch >= 1.0.0" "$(rpm -qp --requires "$rpm")"
	scripts=$(rpm -qp --scripts "$rpm")
	for s in 'postinstall scriptlet' 'preuninstall scriptlet' 'postuninstall scriptlet' 'posttrans scriptlet' \
		"KP_MODULE='$module'" "KP_REL='$REL'" 'kp_rpm_post "$1"' 'kp_rpm_preun "$1"' 'kp_rpm_postun "$1"'; do
		assert_contains "v$v rpm --scripts: $s" "$s" "$scripts"
	done
	osv=$(cat "$out/${DEB_PATCH}_$v-1.osv.json")
	assert_contains "v$v OSV names the package" "\"name\": \"$DEB_PATCH\"" "$osv"
	assert_contains "v$v OSV: fixed in $v-1" "\"fixed\": \"$v-1\"" "$osv"
	assert_contains "v$v OSV names the kernel" "\"kernel_release\": \"$REL\"" "$osv"
	[ "$v" = 1 ] || assert_contains "v2 OSV lists the CVEs" '"CVE-2099-0001",' "$osv"
	control=$(dpkg-deb --ctrl-tarfile "$deb" | tar -t | LC_ALL=C sort | tr '\n' ' ')
	assert_eq "v$v deb control files" "./ ./control ./md5sums ./postinst ./postrm ./prerm " "$control"
done

# A module without its JSON report: an error naming the file, nothing written.
bad=$(mktemp -d)
trap 'rm -rf "$bad"' EXIT
cp "$v1"/*.ko "$bad/"
set +e
err=$("$KPATCH_PACKAGE" -o "$bad/out" "$bad" 2>&1)
status=$?
set -e
assert_eq "missing JSON: exit status" 1 "$status"
assert_contains "missing JSON: message" "kpatch-package: error: $bad/kpatch_example_cmdline.json: missing" "$err"
[ ! -e "$bad/out" ] || fail "missing JSON: $bad/out was created"
pass "missing JSON: no output"

# An input that is not a directory: the same, naming it.
set +e
err=$("$KPATCH_PACKAGE" -o "$bad/out" "$bad/nonexistent" 2>&1)
status=$?
set -e
assert_eq "no input dir: exit status" 1 "$status"
assert_eq "no input dir: message" "kpatch-package: error: $bad/nonexistent: not a directory" "$err"
[ ! -e "$bad/out" ] || fail "no input dir: $bad/out was created"
pass "no input dir: no output"
