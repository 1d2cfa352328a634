. ./lib.sh
m=kpatch_example_header_proc
comm=$(cat /proc/self/comm)
./kpatch install ./$m.ko && ./kpatch load $m
# Callers of the changed static inline in several objects are replaced...
list=$(./kpatch list --json)
for f in comm_show seq_show proc_ns_readlink show_smaps_rollup mounts_open_common; do
  expect_in "$list" "vmlinux:$f," "patched functions"
done
# ...and run: /proc still answers through each of them.
expect_eq "$(cat /proc/self/comm)" cat "comm_show (base.c)"
expect_in "$(cat /proc/self/fdinfo/0)" "pos:" "seq_show (fd.c)"
expect_in "$(readlink /proc/self/ns/mnt)" "mnt:[" "proc_ns_readlink (namespaces.c)"
expect_in "$(cat /proc/self/smaps_rollup)" "Rss:" "show_smaps_rollup (task_mmu.c)"
expect_in "$(cat /proc/self/mounts)" "proc" "mounts_open_common (proc_namespace.c)"
expect_reported $m example-header-proc
./kpatch unload $m
expect_no_patches
echo PASS
