#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The packages as a user gets them, in a guest on Debian's kernel booted
# with run.sh --writable-root (the host's root under an overlay whose
# writes stay in the guest's memory: nothing reaches the host).  Runs as
# root from the repo root; prints TAP and a kselftest "# Totals:" line.
#
# dpkg -i installs the packages make deb built into the guest's root;
# DKMS builds secmsg.ko for the guest's kernel; the static node
# /dev/secmsg comes from the module's devname alias (kmod static-nodes,
# systemd-tmpfiles, as at boot) and its mode from the installed udev rule
# (systemd-udevd); the first use by an unprivileged user loads the module,
# through the genetlink family (secmsgctl) and through the device (a
# program built with pkg-config from the installed headers, found by the
# dynamic linker without any RUNPATH); a device restricted to root gives
# that program SM_E_ACCESS_DENIED; the installed demo runs from its
# installed path; dpkg --purge leaves no file behind.
#
# usage: guest_pkg.sh BUILD_DIR   (the packages in BUILD_DIR/deb; logs to
#                                  BUILD_DIR/results/pkg)
set -u
B=${1:?usage: guest_pkg.sh BUILD_DIR}
version=$(<VERSION)
kver=$(uname -r)
arch=$(dpkg --print-architecture)
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
logs=$B/results/pkg
mkdir -p "$logs"
work=$(mktemp -d)
pkgs=(secmsg-dkms libsecmsg1 libsecmsg-dev secmsg-tools secmsg-demo)
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
# The places a package of ours may write to, listed before and after.
watched=(/usr /etc /lib/modules /lib/udev /var/lib/dkms)
dead=
. selftests/tap.sh

run() {	# run NAME COMMAND...: t, or a skip once a needed test failed
	local name=$1 start=$SECONDS rc=1
	if [[ -n $dead ]]; then
		s "$name" "$dead"
	else
		t "$@" && rc=0
	fi
	echo "# $name: $((SECONDS - start)) s"
	return $rc
}

need() {	# need NAME COMMAND...: a test the rest depends on
	run "$@" || dead=${dead:-"$1 failed"}
}

loaded() { grep -q '^secmsg ' /proc/modules; }

# DKMS makes itself a module signing key (MOK) on its first build and
# keeps it for the next ones: dkms's, not ours.
snapshot() {
	find "${watched[@]}" 2>/dev/null | grep -Ev '^/var/lib/dkms/mok\.(key|pub)$' | sort
}

clean_start() {
	! loaded || { echo "secmsg is loaded already"; return 1; }
	! modinfo secmsg >/dev/null 2>&1 ||
		{ echo "a secmsg module is installed already: $(modinfo -n secmsg)"; return 1; }
	! dpkg -s secmsg-dkms >/dev/null 2>&1 ||
		{ echo "secmsg-dkms is installed already"; return 1; }
	[[ ! -e /dev/secmsg ]] || { echo "/dev/secmsg exists already"; return 1; }
	for p in "${pkgs[@]}"; do
		ls "$B/deb/${p}_${version}_"*.deb >/dev/null ||
			{ echo "no package $p $version in $B/deb (make deb)"; return 1; }
	done
}

dpkg_install() {
	local files=() p
	for p in "${pkgs[@]}"; do
		files+=("$B/deb/${p}_${version}_"*.deb)
	done
	DEBIAN_FRONTEND=noninteractive dpkg -i "${files[@]}" >"$logs/dpkg-install.log" 2>&1 ||
		{ tail -n 30 "$logs/dpkg-install.log"; return 1; }
}

dkms_built() {
	local st
	st=$(dkms status -m secmsg -v "$version" -k "$kver")
	echo "dkms status: $st"
	[[ $st == "secmsg/$version, $kver, "*": installed"* ]]
}

modinfo_installed() {
	local path ver
	path=$(modinfo -n secmsg) && ver=$(modinfo -F version secmsg) || return 1
	echo "modinfo: $path, version $ver"
	[[ $path == /lib/modules/$kver/updates/dkms/secmsg.ko* && $ver == "$version" ]]
}

not_loaded() { ! loaded || { echo "secmsg is loaded"; return 1; }; }

static_node() {
	kmod static-nodes --format=tmpfiles \
		--output=/run/tmpfiles.d/static-nodes.conf &&
		grep secmsg /run/tmpfiles.d/static-nodes.conf &&
		systemd-tmpfiles --prefix=/dev --create --boot \
			/run/tmpfiles.d/static-nodes.conf || return 1
	# misc major 10, the minor the uapi fixes (SECMSG_MISC_MINOR, 249)
	[[ $(stat -c '%F %t:%T' /dev/secmsg) == "character special file a:f9" ]] &&
		not_loaded
}

udev_mode() {
	/lib/systemd/systemd-udevd --daemon || return 1
	udevadm settle -t 60 || true
	# 0600 from static-nodes; the rule of secmsg-dkms makes it 0666
	stat -c '%a %U %G' /dev/secmsg
	[[ $(stat -c '%a %U %G' /dev/secmsg) == "666 root root" ]] && not_loaded
}

tools_on_path() {
	[[ $(command -v secmsgctl) == /usr/bin/secmsgctl ]] || return 1
	secmsgctl --version
	secmsgctl --version | grep -Fq "$version"
}

autoload_genl() {	# as nobody: the netlink family's alias loads the module
	"${nobody[@]}" secmsgctl list || return 1
	loaded || { echo "secmsgctl list worked, yet secmsg is not loaded"; return 1; }
	rmmod secmsg
}

build_from_installed() {
	local cflags libs
	cflags=$(pkg-config --cflags libsecmsg) && libs=$(pkg-config --libs libsecmsg) ||
		return 1
	echo "pkg-config: $cflags $libs"
	cc -Wall -Wextra -Werror $cflags -o "$work/roundtrip" \
		selftests/pkg/pkg_roundtrip.c $libs && chmod 0755 "$work" "$work/roundtrip"
}

no_runpath() {	# every ELF file of ours, and the program just built
	local f bad=0
	for f in "$work/roundtrip" $(dpkg -L "${pkgs[@]}" | sort -u); do
		[[ -f $f && ! -L $f ]] || continue
		[[ $(head -c 4 "$f" | od -An -c | tr -d ' ') == 177ELF ]] || continue
		if readelf -d "$f" | grep -E 'RPATH|RUNPATH'; then
			echo "$f has a library search path"
			bad=1
		fi
	done
	ldd "$work/roundtrip" | grep libsecmsg
	ldd "$work/roundtrip" | grep -Eq "libsecmsg\.so\.1 => (/usr)?/lib/$ma/libsecmsg\.so\.1 " ||
		bad=1
	return $bad
}

autoload_open() {	# as nobody: the device's alias loads the module
	local out
	not_loaded || return 1
	out=$(cd / && "${nobody[@]}" "$work/roundtrip") || { echo "$out"; return 1; }
	echo "$out"
	[[ $out == "version: $version"$'\n'"roundtrip: ok" ]] && loaded
}

access_denied() {	# a device restricted to root: the library says so
	local out rc
	chmod 0600 /dev/secmsg || return 1
	out=$(cd / && "${nobody[@]}" "$work/roundtrip")
	rc=$?
	chmod 0666 /dev/secmsg
	echo "$out (exit $rc)"
	[[ $rc -eq 1 && $out == "version: $version"$'\n'"sm_import: SM_E_ACCESS_DENIED: "* ]]
}

installed_demo() {
	/usr/libexec/secmsg/demo/run-demo --installed >"$logs/demo.log" 2>&1
	local rc=$?
	tail -n 5 "$logs/demo.log"
	[[ $rc -eq 0 ]] && [[ $(grep -c '^demo: OK' "$logs/demo.log") -eq 2 ]] &&
		! grep -q '^demo: FAILED' "$logs/demo.log"
}

purge() {
	if loaded; then rmmod secmsg || return 1; fi
	DEBIAN_FRONTEND=noninteractive dpkg --purge "${pkgs[@]}" \
		>"$logs/dpkg-purge.log" 2>&1 ||
		{ tail -n 30 "$logs/dpkg-purge.log"; return 1; }
	snapshot >"$work/after"
	if ! diff "$work/before" "$work/after"; then
		echo "dpkg --purge left the above (< gone, > new)"
		return 1
	fi
	! modinfo secmsg 2>/dev/null && ! grep -rq secmsg "/lib/modules/$kver/modules.alias"
}

# The kernel's notices (taint on loading) to dmesg only, not the console
# this TAP goes to.
dmesg -n 1
echo "TAP version 13"
echo "# packages $version on $kver ($arch)"
snapshot >"$work/before"
echo "# the list of ${watched[*]} before: $SECONDS s"
need clean_start clean_start
need dpkg_install dpkg_install
need dkms_built dkms_built
run modinfo_installed modinfo_installed
run install_loads_nothing not_loaded
need static_node static_node
run udev_mode udev_mode
run tools_on_path tools_on_path
run autoload_genl_as_nobody autoload_genl
need build_from_installed build_from_installed
run no_runpath no_runpath
run autoload_open_as_nobody autoload_open
run access_denied access_denied
run installed_demo installed_demo
dead=
run purge_leaves_nothing purge
udevadm control --exit 2>/dev/null
rm -rf "$work"
tap_end
