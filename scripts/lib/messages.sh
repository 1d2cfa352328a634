# shellcheck shell=bash
# Messages of every project script (sourced, not run), so that each says
# the same thing the same way: "PROG: error: WHAT" on stderr and exit 1 for
# a failure, "PROG: WHAT" for a note, and the usage text with exit 2 for a
# command line the script does not accept (the convention of getopt tools).
#
# KP_PROG names the script in messages (default: the file name of $0).
# KP_USAGE, when set, is the usage text; otherwise usage prints the script's
# opening comment block (from line 2 to the first line that is not a
# comment), which is where each script documents its command line.

KP_PROG=${KP_PROG:-${0##*/}}

die() {
	printf '%s: error: %s\n' "$KP_PROG" "$*" >&2
	exit 1
}

note() {
	printf '%s: %s\n' "$KP_PROG" "$*" >&2
}

usage() {
	if [[ -n ${KP_USAGE:-} ]]; then
		printf '%s\n' "$KP_USAGE" >&2
	else
		sed -n '2,/^$\|^[^#]/{/^#/s/^# \{0,1\}//p}' -- "$0" >&2
	fi
	exit 2
}
