# Scenario "path-loaded": a patch loaded by path, never installed, reports
# its id, version and CVEs from the module parameters it exposes
# (/sys/module/NAME/parameters/kpatch_*): kpatch status, status --json,
# list --json and info NAME.
. ./lib.sh
m=kpatch_example_cmdline_v2
./kpatch load ./$m.ko
expect_eq "$(cat /sys/module/$m/parameters/kpatch_cves)" "CVE-2099-0001,CVE-2099-0002" "module parameter"
expect_in "$(./kpatch status)" "CVEs fixed live:   CVE-2099-0001 CVE-2099-0002" "kpatch status"
expect_in "$(./kpatch status)" "Effective version: $(uname -r)+example-cmdline.2" "kpatch status version"
expect_in "$(./kpatch status --json)" '"cves": ["CVE-2099-0001", "CVE-2099-0002"]' "kpatch status --json"
expect_in "$(./kpatch list --json)" '"id": "example-cmdline", "version": 2' "kpatch list --json"
info=$(./kpatch info $m)
expect_in "$info" "file:      (loaded, not installed)" "kpatch info: file"
expect_in "$info" "cves:      CVE-2099-0001,CVE-2099-0002" "kpatch info: cves"
./kpatch unload $m
expect_no_patches
echo PASS
