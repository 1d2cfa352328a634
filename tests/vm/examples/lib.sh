# Shared by the example guest scripts (busybox sh). Every check prints what
# it saw on failure and stops the script with a non-zero status.
set -e
cd /root
fail() { echo "FAIL: $*"; exit 1; }
expect_eq() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }
expect_in() { echo "$1" | grep -qF -- "$2" || fail "$3: '$2' not in: $1"; }
expect_not_in() { ! echo "$1" | grep -qF -- "$2" || fail "$3: '$2' unexpectedly in: $1"; }
# The operator's view of a loaded patch: list, info and status show it.
expect_reported() { # MODULE ID
  out=$(./kpatch list); expect_in "$out" "$1 [enabled]" "kpatch list"
  out=$(./kpatch info "$1.ko"); expect_in "$out" "id:        $2" "kpatch info"
  out=$(./kpatch status); expect_in "$out" "Effective version: $(uname -r)+$2.1" "kpatch status"
  out=$(./kpatch status --json); expect_in "$out" "\"active\": [\"$1\"]" "kpatch status --json"
}
expect_no_patches() {
  out=$(./kpatch status --json); expect_in "$out" '"active": []' "kpatch status after unload"
}
