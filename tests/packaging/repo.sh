#!/usr/bin/env bash
# package.repo: kpatch-repo makes a signed apt and a signed yum repository
# from the tools and patch packages; clients install from them with
# signature checks: apt-get (signed-by= the exported key) sees both patch
# versions and rejects a tampered Release; rpm -K verifies the signed RPMs;
# dnf --installroot installs, upgrades (1->2) and removes the patch package
# with gpgcheck and repo_gpgcheck, running its scriptlets in the installroot
# (not the target kernel there: install only).
#   repo.sh TOOLS_PACKAGE_DIR PATCH_PACKAGE_DIR WORK_DIR
set -euo pipefail
source "$(dirname -- "$0")/lib.sh"
tools=$1 patches=$2 work=$3
rm -rf "$work"
mkdir -p "$work/pkgs"
cp "$tools"/*.deb "$tools"/*.rpm "$patches"/*.deb "$patches"/*.rpm "$patches"/*.osv.json "$work/pkgs/"

# ---- a test key and a /bin/sh package for the installroot ----
export GNUPGHOME=$work/gnupg
mkdir -m 0700 "$GNUPGHOME"
# gpg (and dnf, for its own keyring) start an agent per home: stop them.
trap 'for h in "$GNUPGHOME" "$work"/dnf/cache/*/pubring; do [ -d "$h" ] && gpgconf --homedir "$h" --kill all; done' EXIT
gpg --batch --passphrase '' --quick-gen-key 'kpatch packaging test <kpatch-test@example.org>' rsa3072 sign 1d 2>/dev/null
key=$(gpg --list-keys --with-colons | awk -F: '/^fpr/ {print $10; exit}')

# The installroot has no distribution: the scriptlets need /bin/sh, uname
# and cat, from busybox. The kpatch RPM also requires /bin/bash (the dracut
# module's scripts), which nothing runs there: a busybox link satisfies it.
mkdir -p "$work/shell"
cat >"$work/shell/test-busybox-sh.spec" <<'EOT'
Name:      test-busybox-sh
Version:   1
Release:   1
Summary:   Busybox as /bin/sh for the packaging tests' dnf installroot
License:   GPL-2.0-only
%global __os_install_post %{nil}
%global debug_package %{nil}
%define _build_id_links none
%description
Only for tests/packaging/repo.sh.
%install
install -D -m 0755 /bin/busybox %{buildroot}/bin/busybox
for f in sh bash uname cat; do ln -s busybox %{buildroot}/bin/$f; done
%files
/bin/busybox
/bin/sh
/bin/bash
/bin/uname
/bin/cat
EOT
rpmbuild -bb --quiet --define "_topdir $work/shell/build" --target x86_64 "$work/shell/test-busybox-sh.spec" >/dev/null 2>&1 ||
	fail "cannot build the test shell package"
cp "$work"/shell/build/RPMS/x86_64/*.rpm "$work/pkgs/"

# ---- the repository ----
out=$work/repo
"$PACKAGING/kpatch-repo" --gnupghome "$GNUPGHOME" --key "$key" -o "$out" "$work/pkgs"
for f in kpatch-archive-keyring.gpg RPM-GPG-KEY-kpatch apt/dists/bookworm/InRelease apt/dists/bookworm/Release.gpg \
	apt/dists/bookworm/main/binary-amd64/Packages yum/repodata/repomd.xml yum/repodata/repomd.xml.asc; do
	[ -s "$out/$f" ] || fail "missing $out/$f"
done
pass "repository layout"
cmp -s "$out/kpatch-archive-keyring.gpg" <(gpg --export "$key") || fail "kpatch-archive-keyring.gpg is not the key"
pass "exported key"
gpgv --keyring "$out/kpatch-archive-keyring.gpg" "$out/apt/dists/bookworm/InRelease" 2>/dev/null || fail "InRelease does not verify"
gpgv --keyring "$out/kpatch-archive-keyring.gpg" "$out/apt/dists/bookworm/Release.gpg" "$out/apt/dists/bookworm/Release" 2>/dev/null ||
	fail "Release.gpg does not verify"
gpgv --keyring "$out/kpatch-archive-keyring.gpg" "$out/yum/repodata/repomd.xml.asc" "$out/yum/repodata/repomd.xml" 2>/dev/null ||
	fail "repomd.xml.asc does not verify"
gpgv --keyring "$out/kpatch-archive-keyring.gpg" "$out/osv/SHA256SUMS.asc" "$out/osv/SHA256SUMS" 2>/dev/null ||
	fail "osv/SHA256SUMS.asc does not verify"
(cd "$out/osv" && sha256sum --quiet -c SHA256SUMS) || fail "osv/SHA256SUMS does not match the records"
assert_eq "OSV records published" "$(cd "$patches" && ls ./*.osv.json | wc -l)" "$(cd "$out/osv" && ls ./*.osv.json | wc -l)"
pass "InRelease, Release.gpg, repomd.xml.asc, osv/SHA256SUMS.asc verify"
[ -z "$(cmp "$patches/$RPM_PATCH-1-1.x86_64.rpm" "$work/pkgs/$RPM_PATCH-1-1.x86_64.rpm")" ] || fail "an input package was modified"

# ---- signed RPMs ----
mkdir "$work/rpmdb"
rpm --dbpath "$work/rpmdb" --import "$out/RPM-GPG-KEY-kpatch"
k=$(rpm --dbpath "$work/rpmdb" -K "$out"/yum/*.rpm)
echo "$k"
n=$(ls "$out"/yum/*.rpm | wc -l)
[ "$(echo "$k" | grep -c ': digests signatures OK$')" -eq "$n" ] || fail "rpm -K: not every RPM verifies"
pass "rpm -K: $n signed RPMs verify"
# rpmlint checks the signatures against the rpm database of ~/.rpmmacros.
sed '/no-signature/d' "$RPMLINT_CONFIG" >"$work/rpmlint-signed.toml"
mkdir -p "$work/home"
echo "%_dbpath $work/rpmdb" >"$work/home/.rpmmacros"
HOME=$work/home assert_rpmlint_clean --config "$work/rpmlint-signed.toml" "$out"/yum/kpatch*.rpm

# ---- apt ----
apt_dirs() { # DIR REPO: a throwaway apt configuration for REPO
	mkdir -p "$1/state/lists/partial" "$1/cache/archives/partial" "$1/parts" "$1/prefs"
	echo "deb [signed-by=$2/kpatch-archive-keyring.gpg] file://$2/apt bookworm main" >"$1/sources.list"
}
apt_() { # DIR ARGS...
	local d=$1
	shift
	"$@" -o Dir::Etc::sourcelist="$d/sources.list" -o Dir::Etc::sourceparts="$d/parts" \
		-o Dir::Etc::preferencesparts="$d/prefs" -o Dir::State="$d/state" -o Dir::State::status=/dev/null \
		-o Dir::Cache="$d/cache" -o APT::Architecture=amd64 -o APT::Sandbox::User=root
}
apt_dirs "$work/apt" "$out"
apt_ "$work/apt" apt-get update >"$work/apt/update.log" 2>&1 || { cat "$work/apt/update.log"; fail "apt-get update"; }
grep -q '^[WE]:' "$work/apt/update.log" && { cat "$work/apt/update.log"; fail "apt-get update warned"; }
pass "apt-get update verifies the signed repository"
versions=$(apt_ "$work/apt" apt-cache madison "$DEB_PATCH" | awk -F'|' '{gsub(/ /, "", $2); print $2}' | LC_ALL=C sort)
assert_eq "apt sees $DEB_PATCH versions" "1-1
2-1" "$versions"
assert_contains "apt sees kpatch" "kpatch |" "$(apt_ "$work/apt" apt-cache madison kpatch)"

cp -a "$out" "$work/tampered"
for f in Release InRelease; do
	sed -i 's/^Label: kpatch$/Label: kpatch-tampered/' "$work/tampered/apt/dists/bookworm/$f"
done
apt_dirs "$work/apt-tampered" "$work/tampered"
if apt_ "$work/apt-tampered" apt-get update -o APT::Update::Error-Mode=any >"$work/apt-tampered.log" 2>&1; then
	cat "$work/apt-tampered.log"
	fail "apt-get update accepted a tampered Release"
fi
grep -q 'BADSIG\|not signed' "$work/apt-tampered.log" || { cat "$work/apt-tampered.log"; fail "tampered: no signature error"; }
[ -z "$(apt_ "$work/apt-tampered" apt-cache madison "$DEB_PATCH")" ] || fail "tampered: packages visible"
pass "apt-get rejects a tampered Release"

# ---- dnf --installroot ----
root=$work/installroot
mkdir -p "$root" "$work/dnf/repos"
printf '[main]\ngpgcheck=1\nrepo_gpgcheck=1\ninstall_weak_deps=0\n' >"$work/dnf/dnf.conf"
cat >"$work/dnf/repos/kpatch.repo" <<EOT
[kpatch]
name=kpatch test repository
baseurl=file://$out/yum
enabled=1
gpgcheck=1
repo_gpgcheck=1
gpgkey=file://$out/RPM-GPG-KEY-kpatch
EOT
dnf_() {
	dnf -y --installroot="$root" --releasever=12 --config="$work/dnf/dnf.conf" --setopt=reposdir="$work/dnf/repos" \
		--setopt=cachedir="$work/dnf/cache" --setopt=gpgcheck=1 --setopt=repo_gpgcheck=1 \
		--disablerepo='*' --enablerepo=kpatch "$@" >>"$work/dnf.log" 2>&1 || { cat "$work/dnf.log"; fail "dnf $*"; }
}
installed_modules() { (cd "$root/var/lib/kpatch/$REL" 2>/dev/null && ls) || true; }

dnf_ install test-busybox-sh
dnf_ install "$RPM_PATCH-1"
assert_eq "dnf install: packages" "kpatch-1.0.0-1.x86_64
$RPM_PATCH-1-1.x86_64" "$(rpm --root "$root" -q kpatch "$RPM_PATCH")"
assert_eq "dnf install: %post installed the module (not loaded: not $REL)" kpatch_example_cmdline.ko "$(installed_modules)"
assert_contains "dnf install: scriptlet message" "$RPM_PATCH: running kernel is $(uname -r), not $REL" "$(cat "$work/dnf.log")"
dnf_ upgrade "$RPM_PATCH"
assert_eq "dnf upgrade: package" "$RPM_PATCH-2-1.x86_64" "$(rpm --root "$root" -q "$RPM_PATCH")"
assert_eq "dnf upgrade: v2 installed, v1 uninstalled" kpatch_example_cmdline_v2.ko "$(installed_modules)"
dnf_ remove "$RPM_PATCH"
assert_eq "dnf remove: nothing installed" "" "$(installed_modules)"

# Classic kpatch's `dnf install "kpatch-patch = $(uname -r)"`, with a Debian
# release (several '-'): the newest patch for exactly that release; another
# release of the same version, or another flavour, matches nothing.
dnf_ install "kpatch-patch = $REL"
assert_eq "dnf install 'kpatch-patch = $REL': package" "$RPM_PATCH-2-1.x86_64" "$(rpm --root "$root" -q "$RPM_PATCH")"
for other in 6.1.0-57-cloud-amd64 6.1.0-56-amd64; do
	if dnf -y --installroot="$root" --releasever=12 --config="$work/dnf/dnf.conf" --setopt=reposdir="$work/dnf/repos" \
		--setopt=cachedir="$work/dnf/cache" --disablerepo='*' --enablerepo=kpatch \
		install "kpatch-patch = $other" >"$work/dnf-other.log" 2>&1; then
		cat "$work/dnf-other.log"
		fail "dnf install 'kpatch-patch = $other' installed something"
	fi
	assert_contains "dnf install 'kpatch-patch = $other': no match" "Unable to find a match: kpatch-patch = $other" \
		"$(cat "$work/dnf-other.log")"
done
dnf_ remove "$RPM_PATCH"

# repo_gpgcheck: a tampered repomd.xml is refused.
cp -a "$out/yum" "$work/yum-tampered"
sed -i 's|<revision>|<revision>1|' "$work/yum-tampered/repodata/repomd.xml"
sed -i "s|baseurl=file://$out/yum|baseurl=file://$work/yum-tampered|" "$work/dnf/repos/kpatch.repo"
rm -rf "$work/dnf/cache"
if dnf -y --installroot="$root" --releasever=12 --config="$work/dnf/dnf.conf" --setopt=reposdir="$work/dnf/repos" \
	--setopt=cachedir="$work/dnf/cache" --disablerepo='*' --enablerepo=kpatch makecache >"$work/dnf-tampered.log" 2>&1; then
	cat "$work/dnf-tampered.log"
	fail "dnf accepted a tampered repomd.xml"
fi
pass "dnf rejects a tampered repomd.xml"
