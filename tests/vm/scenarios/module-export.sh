# Scenario "module-export" (guest side): one patch module with fixes to two
# modules whose changed functions call another module's exports (raid1 ->
# md_mod, ip_vs_lblc -> ip_vs; tests/vm/scenarios/specs/module-export). The
# patch is loaded while none of the four modules is, so it must not need
# their symbols at load time (klp relocations, not plain undefined symbols);
# then the modules come with modprobe, the livepatch core patches each as it
# loads, and the patched function's new message shows that the new code ran.
. ./lib.sh
m=kpatch_scenario_module_export
# The kernel log lines matching $1 (grep -E).
klog() { dmesg | grep -E -- "$1" || true; }
patched() { cat "/sys/kernel/livepatch/$m/$1/patched" 2>/dev/null || echo "no object $1 in $m"; }

for mod in md_mod raid1 ip_vs ip_vs_lblc; do
  [ ! -d /sys/module/$mod ] || fail "$mod loaded before the patch"
done
./kpatch install ./$m.ko && ./kpatch load $m
expect_eq "$(patched raid1)" 0 "raid1 not loaded yet: object raid1 not patched"
expect_eq "$(patched ip_vs_lblc)" 0 "ip_vs_lblc not loaded yet: object ip_vs_lblc not patched"
for mod in md_mod ip_vs; do
  [ ! -d /sys/module/$mod ] || fail "loading $m loaded $mod (the patch must not depend on it)"
done

# --- raid1 calls md_mod's md_set_array_sectors, md_integrity_register, ...
modprobe raid1 || fail "modprobe raid1 failed"
expect_eq "$(patched raid1)" 1 "after modprobe raid1: object raid1 patched"
expect_eq "$(ls /sys/module/md_mod/holders)" raid1 "md_mod's holders: raid1, not the patch"
# A two-disk RAID1 without superblocks on RAM disks, through md's sysfs
# interface (no mdadm in the guest): starting it runs raid1_run().
modprobe brd rd_nr=4 rd_size=4096 || fail "modprobe brd failed"
start_raid1() { # ARRAY DISK DISK
  echo "$1" >/sys/module/md_mod/parameters/new_array
  md=/sys/block/$1/md
  echo none >$md/metadata_version
  echo raid1 >$md/level
  echo 2 >$md/raid_disks
  slot=0
  for disk in "$2" "$3"; do
    echo "$(cat /sys/block/$disk/dev)" >$md/new_dev
    echo $slot >$md/dev-$disk/slot
    slot=$((slot + 1))
  done
  echo 4096 >$md/component_size
  echo none >$md/resync_start # in sync: no background resync
  echo active >$md/array_state || fail "$1 did not start: $(klog 'md')"
  expect_eq "$(cat /sys/block/$1/size)" 8192 "$1's size"
}
start_raid1 md0 ram0 ram1
expect_in "$(klog 'md/raid1:md0: ')" "md/raid1:md0: array of 8192 sectors started" "raid1_run's new message"
echo "raid1: patched before md_mod and raid1 loaded; new code ran"

# --- ip_vs_lblc calls ip_vs's ip_vs_proto_name
modprobe ip_vs_lblc || fail "modprobe ip_vs_lblc failed"
expect_eq "$(patched ip_vs_lblc)" 1 "after modprobe ip_vs_lblc: object ip_vs_lblc patched"
expect_eq "$(ls /sys/module/ip_vs/holders)" ip_vs_lblc "ip_vs's holders: ip_vs_lblc, not the patch"
expect_not_in "$(klog 'IPVS: \[lblc\] scheduling')" "scheduling" "no lblc service yet"
./ipvs-add-service tcp 10.0.0.1 80 lblc || fail "adding an lblc service failed"
expect_in "$(klog 'IPVS: \[lblc\] ')" "IPVS: [lblc] scheduling TCP service, 1024 hash buckets" "ip_vs_lblc_init_svc's new message"
echo "ip_vs_lblc: patched before ip_vs and ip_vs_lblc loaded; new code ran"

# --- unloaded: the old code again
./kpatch unload $m
./ipvs-add-service udp 10.0.0.1 53 lblc || fail "adding a second lblc service failed"
expect_not_in "$(klog 'IPVS: \[lblc\] scheduling UDP')" "UDP" "unpatched ip_vs_lblc_init_svc after unload"
start_raid1 md1 ram2 ram3
expect_in "$(klog 'md/raid1:md1: ')" "md/raid1:md1: active with 2 out of 2 mirrors" "raid1_run after unload"
expect_not_in "$(klog 'md/raid1:md1: ')" "sectors started" "unpatched raid1_run after unload"
echo PASS
