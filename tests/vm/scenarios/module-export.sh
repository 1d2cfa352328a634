# Scenario "module-export" (guest side): patches to two modules whose changed
# functions call another module's exports (raid1 -> md_mod, ip_vs_lblc ->
# ip_vs; tests/vm/scenarios/specs/raid1-run, ipvs-lblc). Each patch is loaded
# while neither module is, so it must not need their symbols at load time
# (klp relocations, not plain undefined symbols); then the modules come with
# modprobe, the livepatch core patches them as they load, and the patched
# function's new message shows that the new code ran.
. ./lib.sh
# The kernel log lines matching $1 (grep -E).
klog() { dmesg | grep -E -- "$1" || true; }
patched() { cat "/sys/kernel/livepatch/$1/$2/patched" 2>/dev/null || echo "no object $2 in $1"; }

# --- raid1 calls md_mod's md_set_array_sectors, md_integrity_register, ...
m=kpatch_scenario_raid1_run
[ ! -d /sys/module/md_mod ] && [ ! -d /sys/module/raid1 ] || fail "md_mod or raid1 loaded before the patch"
./kpatch install ./$m.ko && ./kpatch load $m
expect_eq "$(patched $m raid1)" 0 "raid1 not loaded yet: object raid1 of $m not patched"
[ ! -d /sys/module/md_mod ] || fail "loading $m loaded md_mod (the patch must not depend on it)"
modprobe raid1 || fail "modprobe raid1 failed"
expect_eq "$(patched $m raid1)" 1 "after modprobe raid1: object raid1 of $m patched"
expect_eq "$(ls /sys/module/md_mod/holders)" raid1 "md_mod's holders: raid1, not the patch"
# A two-disk RAID1 without superblocks on two RAM disks, through md's sysfs
# interface (no mdadm in the guest): starting it runs raid1_run().
modprobe brd rd_nr=2 rd_size=4096 || fail "modprobe brd failed"
echo md0 >/sys/module/md_mod/parameters/new_array
md=/sys/block/md0/md
echo none >$md/metadata_version
echo raid1 >$md/level
echo 2 >$md/raid_disks
for i in 0 1; do
  echo "$(cat /sys/block/ram$i/dev)" >$md/new_dev
  echo $i >$md/dev-ram$i/slot
done
echo 4096 >$md/component_size
echo none >$md/resync_start # in sync: no background resync
echo active >$md/array_state || fail "md0 did not start: $(klog 'md')"
expect_in "$(klog 'md/raid1:md0: ')" "md/raid1:md0: array of 8192 sectors started" "raid1_run's new message"
expect_eq "$(cat /sys/block/md0/size)" 8192 "md0's size"
echo inactive >$md/array_state || fail "md0 did not stop"
./kpatch unload $m
echo "raid1: patched before md_mod and raid1 loaded; new code ran"

# --- ip_vs_lblc calls ip_vs's ip_vs_proto_name
m=kpatch_scenario_ipvs_lblc
[ ! -d /sys/module/ip_vs ] && [ ! -d /sys/module/ip_vs_lblc ] || fail "ip_vs or ip_vs_lblc loaded before the patch"
./kpatch install ./$m.ko && ./kpatch load $m
expect_eq "$(patched $m ip_vs_lblc)" 0 "ip_vs_lblc not loaded yet: object ip_vs_lblc of $m not patched"
[ ! -d /sys/module/ip_vs ] || fail "loading $m loaded ip_vs (the patch must not depend on it)"
modprobe ip_vs_lblc || fail "modprobe ip_vs_lblc failed"
expect_eq "$(patched $m ip_vs_lblc)" 1 "after modprobe ip_vs_lblc: object ip_vs_lblc of $m patched"
expect_eq "$(ls /sys/module/ip_vs/holders)" ip_vs_lblc "ip_vs's holders: ip_vs_lblc, not the patch"
expect_not_in "$(klog 'IPVS: \[lblc\] scheduling')" "scheduling" "no lblc service yet"
./ipvs-add-service tcp 10.0.0.1 80 lblc || fail "adding an lblc service failed"
expect_in "$(klog 'IPVS: \[lblc\] ')" "IPVS: [lblc] scheduling TCP service, 1024 hash buckets" "ip_vs_lblc_init_svc's new message"
./kpatch unload $m
./ipvs-add-service udp 10.0.0.1 53 lblc || fail "adding a second lblc service failed"
expect_not_in "$(klog 'IPVS: \[lblc\] scheduling UDP')" "UDP" "unpatched ip_vs_lblc_init_svc after unload"
echo "ip_vs_lblc: patched before ip_vs and ip_vs_lblc loaded; new code ran"
echo PASS
