#!/bin/bash
# SIGINT and SIGTERM to a running kpatch-build: the compile it waits for
# (a stand-in make whose "gcc" sleeps) is stopped with its children, the
# private tree is released, the work dir removed, and kpatch-build exits
# 128+signal with one line saying so. kernel-tree is a stand-in too
# (KPATCH_TOOLS_DIR), so no kernel is needed.
#
#   kpatch-build-signals.sh KPATCH-BUILD

set -euo pipefail
[[ $# -eq 1 ]] || { echo "usage: $0 KPATCH-BUILD" >&2; exit 2; }
KPATCH_BUILD=$1
T=$(mktemp -d /tmp/kpatch-signals.XXXXXX)
# A failed run may leave its work dir and "gcc": take them too.
cleanup() {
	[[ ! -s $T/gcc.pid ]] || kill "$(cat "$T/gcc.pid")" 2>/dev/null || true
	[[ ! -s $T/workdir ]] || rm -rf -- "$(dirname "$(cat "$T/workdir")")"
	rm -rf -- "$T"
}
trap cleanup EXIT

KP_TEST_FILES=$T/err
# shellcheck source=../lib/check.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../lib/check.sh"

mkdir -p "$T/tools" "$T/cache" "$T/src/kernel"
printf 'KERNELRELEASE=6.1.0-test\nCC=gcc\nKCFLAGS=-ffunction-sections\n' >"$T/cache/make.args"
: >"$T/cache/config"
# A stand-in kernel that says it is 6.1.0-test: vmlinux, and the image's
# setup header (magic HdrS, kernel_version at 0x200 + 0x400).
printf 'const char linux_banner[] = "Linux version 6.1.0-test (t) #1\\n";\nint _start(void) { return 0; }\n' >"$T/k.c"
gcc -nostdlib -static -no-pie -o "$T/cache/vmlinux" "$T/k.c"
head -c 4096 /dev/zero >"$T/cache/vmlinuz"
put() { printf %b "$2" | dd of="$T/cache/vmlinuz" bs=1 seek=$(($1)) conv=notrunc status=none; }
put 0x202 'HdrS'
put 0x20e '\x00\x04'
put 0x600 '6.1.0-test (t) #1'
: >"$T/cache/image.build-id"
printf 'int one(void)\n{\n\treturn 1;\n}\n' >"$T/src/kernel/a.c"
# The stand-in compile: "gcc" records its pid and sleeps; a child of make
# of a child of kpatch-build, as the real one is.
cat >"$T/src/Makefile" <<'MK'
kernel/a.o:
	sh -c 'echo $$$$ >$(PIDS)/gcc.pid; exec sleep 60'
MK
cat >"$T/tools/kernel-tree" <<KT
#!/bin/bash
set -e
case \$1 in
prepare) echo "$T/cache" ;;
workdir) mkdir -p "\$3" && cp -a "$T/src/." "\$3" && echo "\$3" >"$T/workdir" ;;
release) echo "\$2" >>"$T/released" && rm -rf -- "\$2" ;;
esac
KT
chmod +x "$T/tools/kernel-tree"
printf -- '--- a/kernel/a.c\n+++ b/kernel/a.c\n@@ -1,4 +1,4 @@\n int one(void)\n {\n-\treturn 1;\n+\treturn 2;\n }\n' \
	>"$T/fix.patch"

# One run stopped by $1; $2 is the expected exit status.
stopped_run() {
	local sig=$1 want=$2 pid rc i gcc work
	rm -f "$T/gcc.pid" "$T/workdir" "$T/released" "$T/err"
	PIDS=$T KPATCH_TOOLS_DIR=$T/tools "$KPATCH_BUILD" --kernel 6.1.0-test -o "$T/out" "$T/fix.patch" \
		2>"$T/err" &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		[[ -s $T/gcc.pid ]] && break
		sleep 0.1
	done
	[[ -s $T/gcc.pid ]] || fail "$sig: the stand-in compile never started"
	gcc=$(cat "$T/gcc.pid")
	work=$(dirname "$(cat "$T/workdir")")
	kill -"$sig" "$pid"
	rc=0
	timeout 8 tail --pid="$pid" -f /dev/null || fail "$sig: kpatch-build still running 8 s after the signal"
	wait "$pid" || rc=$?
	[[ $rc -eq $want ]] || fail "$sig: exit status $rc, not $want"
	! kill -0 "$gcc" 2>/dev/null || fail "$sig: the compiler child $gcc still runs"
	[[ $(cat "$T/released" 2>/dev/null) == "$work/tree" ]] || fail "$sig: the private tree was not released"
	[[ ! -e $work ]] || fail "$sig: the work dir $work is left"
	[[ ! -e $T/out ]] || fail "$sig: output written"
	# Progress lines of the stages done, then the one line about the stop.
	[[ $(tail -n 1 "$T/err") == "kpatch-build: 6.1.0-test: stopped by SIG$sig: its commands were stopped and the work directory $work removed" ]] ||
		fail "$sig: the last line does not say so"
	[[ $(grep -c -e 'stopped' -e 'error' -e 'full log' "$T/err") -eq 1 ]] || fail "$sig: more than one line about it"
	grep -q 'objects found' "$T/err" || fail "$sig: the stages before the compile did not run"
	! grep -q 'original objects compiled' "$T/err" || fail "$sig: the stopped stage printed its progress line"
	pass "SIG$sig stops the build (exit $rc)"
}

stopped_run TERM 143
stopped_run INT 130

# stderr whose reader goes away after the first line: kpatch-build goes
# on (SIGPIPE is ignored) to the compile, and a signal still cleans up.
rm -f "$T/gcc.pid" "$T/released"
mkfifo "$T/fifo"
{ head -n 1 >/dev/null; } <"$T/fifo" &
PIDS=$T KPATCH_TOOLS_DIR=$T/tools "$KPATCH_BUILD" --kernel 6.1.0-test -o "$T/out" "$T/fix.patch" 2>"$T/fifo" &
pid=$!
for ((i = 0; i < 100; i++)); do
	[[ -s $T/gcc.pid ]] && break
	sleep 0.1
done
[[ -s $T/gcc.pid ]] || fail "PIPE: kpatch-build died when its stderr went away"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[[ $rc -eq 143 ]] || fail "PIPE: exit status $rc, not 143"
[[ -s $T/released ]] || fail "PIPE: the private tree was not released"
pass "a closed stderr does not stop the build halfway"
