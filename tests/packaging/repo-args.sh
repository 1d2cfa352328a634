#!/usr/bin/env bash
# package.repo-args: kpatch-repo refuses a suite that would leave dists/
# (--suite ../../x), and a key or keyring path that rpmsign would expand
# as a macro, before it signs or writes anything: exit 1, the value named
# (escaped), no OUTDIR, nothing outside it.
#   repo-args.sh WORK_DIR
set -euo pipefail
source "$(dirname -- "$0")/lib.sh"
work=$1
rm -rf "$work"
mkdir -p "$work/gnupg" "$work/pkgs" "$work/ran"
work=$(cd "$work" && pwd)
touch "$work/pkgs/x.deb"

refuse() { # WHAT MESSAGE-PART ARGS...
	local what=$1 want=$2 status
	shift 2
	set +e
	err=$("$PACKAGING/kpatch-repo" "$@" -o "$work/out/repo" "$work/pkgs" 2>&1)
	status=$?
	set -e
	assert_eq "$what: exit status" 1 "$status"
	assert_contains "$what: message" "$want" "$err"
	case $err in *$'\e'*) fail "$what: raw escape character in the message" ;; esac
	[ ! -e "$work/out" ] || fail "$what: $work/out was created"
	assert_eq "$what: nothing ran or was written" "" "$(ls -A "$work/ran"; find "$work/.." -maxdepth 2 -name Release)"
}
refuse "suite with .." "--suite '../../x'" --gnupghome "$work/gnupg" --key ABCD --suite ../../x
refuse "suite with a slash" "--suite 'a/b'" --gnupghome "$work/gnupg" --key ABCD --suite a/b
refuse "suite with an escape" "--suite 'x\\x1b[31m'" --gnupghome "$work/gnupg" --key ABCD --suite $'x\e[31m'
refuse "key with a macro" "--key '%(touch $work/ran/key)'" --gnupghome "$work/gnupg" --key "%(touch $work/ran/key)"
mkdir -p "$work/%{lua:x}"
refuse "keyring path with a macro" "--gnupghome '$work/%{lua:x}'" --gnupghome "$work/%{lua:x}" --key ABCD
