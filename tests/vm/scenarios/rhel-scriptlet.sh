# Scenario "rhel-scriptlet": the commands a RHEL kpatch-patch package's
# scriptlets run, unchanged: %post `kpatch install -k KVER F.ko` then
# `kpatch load F.ko` (a bare file name: found in /var/lib/kpatch/KVER/),
# %postun `kpatch uninstall -k KVER F.ko` (the patch stays live, the empty
# release directory goes). Loading it again is "already loaded and
# enabled", exit 0, as upstream.
. ./lib.sh
m=kpatch_example_cmdline
k=$(uname -r)
before=$(cat /proc/cmdline)
kpatch=$PWD/kpatch
$kpatch install -k "$k" ./$m.ko
expect_eq "$(ls /var/lib/kpatch/$k)" "$m.ko" "installed for $k"
rm ./$m.ko
cd /
$kpatch load $m.ko
expect_eq "$(cat /proc/cmdline)" "kpatch-cmdline $before" "patched /proc/cmdline"
expect_in "$($kpatch list)" "$m ($k)" "kpatch list: installed"
again=$($kpatch load $m.ko)
expect_in "$again" "already loaded and enabled" "a second load"
$kpatch uninstall -k "$k" $m.ko
[ ! -e /var/lib/kpatch/$k ] || fail "uninstall left /var/lib/kpatch/$k: $(ls -A /var/lib/kpatch/$k)"
expect_eq "$(cat /proc/cmdline)" "kpatch-cmdline $before" "still live after uninstall"
cd /root
./kpatch unload $m
expect_eq "$(cat /proc/cmdline)" "$before" "after unloading"
expect_no_patches
echo PASS
