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

mkdir -p "$T/tools" "$T/src/kernel"
# A stand-in kernel REL prepared in DIR: vmlinux that says it is REL, and
# the image's setup header (magic HdrS, kernel_version at 0x200 + 0x400).
fake_kernel() {
	local rel=$1 dir=$2
	mkdir -p "$dir"
	printf 'KERNELRELEASE=%s\nCC=gcc\nKCFLAGS=-ffunction-sections\n' "$rel" >"$dir/make.args"
	: >"$dir/config"
	printf 'const char linux_banner[] = "Linux version %s (t) #1\\n";\nint _start(void) { return 0; }\n' "$rel" >"$T/k.c"
	gcc -nostdlib -static -no-pie -o "$dir/vmlinux" "$T/k.c"
	head -c 4096 /dev/zero >"$dir/vmlinuz"
	put() { printf %b "$2" | dd of="$dir/vmlinuz" bs=1 seek=$(($1)) conv=notrunc status=none; }
	put 0x202 'HdrS'
	put 0x20e '\x00\x04'
	put 0x600 "$rel (t) #1"
	: >"$dir/image.build-id"
}
fake_kernel 6.1.0-test "$T/cache"
fake_kernel 6.1.0-test2 "$T/cache2"
printf 'int one(void)\n{\n\treturn 1;\n}\n' >"$T/src/kernel/a.c"
# The stand-in compile: "gcc" records its pid and sleeps; a child of make
# of a child of kpatch-build, as the real one is.
cat >"$T/src/Makefile" <<'MK'
kernel/a.o:
	sh -c 'echo $$$$ >$(PIDS)/gcc-$(KERNELRELEASE).pid; echo $$$$ >$(PIDS)/gcc.pid; exec sleep 60'
MK
cat >"$T/tools/kernel-tree" <<KT
#!/bin/bash
set -e
case \$1 in
prepare) [[ \$2 == 6.1.0-test2 ]] && echo "$T/cache2" || echo "$T/cache" ;;
workdir) mkdir -p "\$3" && cp -a "$T/src/." "\$3" && echo "\$3" >"$T/workdir" && echo "\$3" >>"$T/workdirs" ;;
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

# ---- a matrix: two kernels building at once, stopped together ----------------
rm -f "$T"/gcc*.pid "$T/released" "$T/workdirs" "$T/err"
PIDS=$T KPATCH_TOOLS_DIR=$T/tools "$KPATCH_BUILD" --kernel 6.1.0-test --kernel 6.1.0-test2 -j 2 -o "$T/out" \
	"$T/fix.patch" 2>"$T/err" &
pid=$!
for ((i = 0; i < 100; i++)); do
	[[ -s $T/gcc-6.1.0-test.pid && -s $T/gcc-6.1.0-test2.pid ]] && break
	sleep 0.1
done
[[ -s $T/gcc-6.1.0-test.pid && -s $T/gcc-6.1.0-test2.pid ]] ||
	fail "matrix: the two kernels' compiles did not run at the same time"
kill -INT "$pid"
rc=0
timeout 8 tail --pid="$pid" -f /dev/null || fail "matrix: kpatch-build still running 8 s after the signal"
wait "$pid" || rc=$?
[[ $rc -eq 130 ]] || fail "matrix: exit status $rc, not 130"
for rel in 6.1.0-test 6.1.0-test2; do
	! kill -0 "$(cat "$T/gcc-$rel.pid")" 2>/dev/null || fail "matrix: $rel's compiler child still runs"
	grep -q "^kpatch-build: $rel: stopped by SIGINT: its commands were stopped and the work directory .* removed\$" "$T/err" ||
		fail "matrix: no line saying $rel was stopped"
done
while read -r w; do
	grep -qxF "$w" "$T/released" || fail "matrix: the private tree $w was not released"
	[[ ! -e $(dirname "$w") ]] || fail "matrix: the work dir of $w is left"
done <"$T/workdirs"
[[ $(wc -l <"$T/workdirs") -eq 2 ]] || fail "matrix: $(wc -l <"$T/workdirs") work dirs made, wanted 2"
[[ ! -e $T/out ]] || fail "matrix: output written (no module, no summary.json)"
pass "SIGINT stops a matrix: both kernels' builds cleaned up, nothing written (exit 130)"
