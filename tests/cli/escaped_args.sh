#!/bin/sh
# kpatch BINARY: an option or a --timeout value holding an escape sequence
# is named in the error with the sequence escaped, never written raw.
kpatch=$1
esc=$(printf '\033')
check() { # expected-text args...
	want=$1
	shift
	out=$("$kpatch" "$@" 2>&1)
	st=$?
	printf '%s\n' "$out"
	[ "$st" -eq 1 ] || { echo "exit status $st, not 1"; exit 1; }
	case $out in *"$esc"*) echo "raw ESC in the output"; exit 1 ;; esac
	printf '%s\n' "$out" | grep -qF "$want" || { echo "missing: $want"; exit 1; }
}
check 'kpatch: unknown option --\x1b]2;owned\x07' list "--${esc}]2;owned$(printf '\007')"
check "kpatch: --timeout takes a number of seconds, not '1\\x1b[2J'" load x.ko --timeout "1${esc}[2J"
check "kpatch: --lock-timeout takes a number of seconds, not 'x'" load x.ko --lock-timeout x
