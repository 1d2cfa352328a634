. ./lib.sh
. ./compat-lib.sh
# The callback lines so far, one per |.
callbacks() { dmesg | grep -o 'kpatch-compat: [a-z-]* [a-z_]*\( refused\)*' | tr '\n' '|'; }
status() { cat /proc/sys/fs/binfmt_misc/status; }
# binfmt_misc is loaded before the patch, nls_ascii after.
modprobe binfmt_misc
mount -t binfmt_misc none /proc/sys/fs/binfmt_misc
# 1. binfmt_misc's pre-patch callback refuses while binfmt_misc is
# disabled: the whole patch fails to load, and the objects whose pre-patch
# callback did run get their post-unpatch callback.
echo 0 >/proc/sys/fs/binfmt_misc/status
if ./kpatch load ./compat-callbacks.ko; then fail "loaded although a pre-patch callback refused"; fi
expect_no_effect callbacks "after the refused load"
expect_eq "$(callbacks)" "kpatch-compat: pre-patch vmlinux|kpatch-compat: pre-patch binfmt_misc refused|kpatch-compat: post-unpatch vmlinux|" "callbacks of the refused load"
dmesg -c >/dev/null
echo 1 >/proc/sys/fs/binfmt_misc/status
# 2. Loaded: every loaded object's pre-patch callback before the
# transition, every post-patch callback after it.
expect_eq "$(status)" enabled "before loading"
load_patch callbacks
expect_effect callbacks "patched vmlinux"
expect_eq "$(status)" "enabled (kpatch-compat)" "patched binfmt_misc"
expect_eq "$(callbacks)" "kpatch-compat: pre-patch vmlinux|kpatch-compat: pre-patch binfmt_misc|kpatch-compat: post-patch vmlinux|kpatch-compat: post-patch binfmt_misc|" "callbacks while loading"
# 3. A module loaded later is patched, with its callbacks, as it loads.
modprobe nls_ascii
expect_eq "$(cat /sys/kernel/livepatch/compat_callbacks/nls_ascii/patched)" 1 "nls_ascii patched on load"
expect_eq "$(callbacks)" "kpatch-compat: pre-patch vmlinux|kpatch-compat: pre-patch binfmt_misc|kpatch-compat: post-patch vmlinux|kpatch-compat: post-patch binfmt_misc|kpatch-compat: pre-patch nls_ascii|kpatch-compat: post-patch nls_ascii|" "callbacks of the late module"
# 4. Unloading: every pre-unpatch callback, the transition, every
# post-unpatch callback.
dmesg -c >/dev/null
unload_patch callbacks
expect_eq "$(callbacks)" "kpatch-compat: pre-unpatch vmlinux|kpatch-compat: pre-unpatch binfmt_misc|kpatch-compat: pre-unpatch nls_ascii|kpatch-compat: post-unpatch vmlinux|kpatch-compat: post-unpatch binfmt_misc|kpatch-compat: post-unpatch nls_ascii|" "callbacks while unloading"
expect_no_effect callbacks "after unloading"
expect_eq "$(status)" enabled "binfmt_misc after unloading"
echo PASS
