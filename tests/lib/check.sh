# shellcheck shell=bash
# Verdicts of the host-side shell tests (sourced): one line per check, the
# first failure ends the test with exit 1. The guest-side scripts (busybox
# in QEMU) have their own copies, since they run where this file is not.
#
#   KP_TEST_NAME   prefix of every line (e.g. the case name), optional
#   KP_TEST_FILES  files (e.g. a captured stderr) shown under a failure,
#                  each line prefixed with the file's name; optional

fail() {
	printf 'FAIL: %s%s\n' "${KP_TEST_NAME:+$KP_TEST_NAME: }" "$*" >&2
	local f
	for f in ${KP_TEST_FILES:-}; do
		[[ ! -s $f ]] || sed "s|^|  ${f##*/}: |" -- "$f" >&2
	done
	exit 1
}

pass() {
	printf 'PASS: %s%s\n' "${KP_TEST_NAME:+$KP_TEST_NAME: }" "$*"
}

assert_eq() {
	local what=$1 want=$2 got=$3
	[ "$want" = "$got" ] || fail "$what:
--- want
$want
--- got
$got"
	pass "$what"
}

assert_contains() {
	local what=$1 needle=$2 haystack=$3
	case $haystack in *"$needle"*) pass "$what" ;; *) fail "$what: '$needle' not in:
$haystack" ;; esac
}
