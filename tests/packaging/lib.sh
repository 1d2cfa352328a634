# shellcheck shell=bash disable=SC2034  # the variables are for the sourcing scripts
# Helpers for the packaging tests (sourced). Each test prints PASS/FAIL
# lines and exits non-zero at the first failure.
PACKAGING=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../../packaging" && pwd)
RPMLINT_CONFIG=$PACKAGING/rpmlint/kpatch.toml
# The C++ kpatch-package of the build tree (tests/packaging/CMakeLists.txt).
KPATCH_PACKAGE=${KPATCH_PACKAGE:-kpatch-package}
REL=6.1.0-56-cloud-amd64
DEB_PATCH=kpatch-patch-$REL
RPM_PATCH=kpatch-patch-6_1_0-56-cloud-amd64

# fail, pass, assert_eq, assert_contains
# shellcheck source=../lib/check.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../lib/check.sh"

# lintian with no error or warning (informational tags are allowed).
assert_lintian_clean() {
	local out
	out=$(lintian --pedantic "$@" 2>&1 | grep -v '^running with root privileges' || true)
	[ -z "$out" ] || fail "lintian $*:
$out"
	pass "lintian clean: $(basename -a "$@" | tr '\n' ' ')"
}

# rpmlint with 0 errors and 0 warnings; CONFIG defaults to ours.
assert_rpmlint_clean() {
	local config=$RPMLINT_CONFIG out
	if [ "$1" = --config ]; then config=$2 && shift 2; fi
	out=$(rpmlint -c "$config" "$@" 2>&1) || fail "rpmlint $*:
$out"
	echo "$out" | grep -q ' 0 errors, 0 warnings' || fail "rpmlint $*:
$out"
	pass "rpmlint clean: $(basename -a "$@" | tr '\n' ' ')"
}

# The payload of a package as sorted absolute paths of files and symlinks,
# without what only one format has (Debian docs and lintian overrides).
deb_payload() {
	dpkg-deb -c "$1" | awk '$1 !~ /^d/ {print $6}' | sed 's|^\./|/|' |
		grep -v '^/usr/share/doc/\|^/usr/share/lintian/' | LC_ALL=C sort
}

rpm_payload() {
	rpm -qp --qf '[%{FILENAMES} %{FILEMODES:perms}\n]' "$1" | awk '$2 !~ /^d/ {print $1}' | LC_ALL=C sort
}
