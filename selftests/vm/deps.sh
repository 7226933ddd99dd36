#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages the VM test rig needs. Idempotent: when all
# are present it only asks dpkg (well under a second) and never runs apt.
#
# Not listed on purpose: qboot.rom comes with qemu-system-data and ipxe-qemu
# is a hard dependency of qemu-system-x86 (the rig runs -nodefaults, no NIC).
set -euo pipefail

pkgs=(
	qemu-system-x86		# TCG guest
	busybox-static		# guest initramfs
	linux-headers-amd64	# module build + KVER source
	linux-headers-rt-amd64	# PREEMPT_RT flavour: module build + KVER_RT
	kmod			# modprobe/insmod/depmod (host + guest)
	cpio xz-utils		# initramfs packing, vmlinux extraction
	libnl-3-dev libnl-genl-3-dev pkgconf	# libsecmsg
	linux-source-6.1	# kselftest_harness.h
	libssl-dev		# reference crypto in tests
	libkrb5-dev		# MIT's krb5 crypto: the Kerberos suite's peer
	gcc-multilib libc6-dev-i386	# -m32 compat tests
	groff-base		# man page checks
	flex bison bc libelf-dev	# the debug kernel build (debug-kernel.sh)
	clang libclang-rt-14-dev	# libFuzzer targets of libsecmsg (selftests/fuzz/lib)
	# Kerberos (issue 11): libsecmsg's "kerberos"/"negotiate" packages
	# link MIT GSSAPI; the guest runs a throwaway KDC (selftests/krb5)
	libkrb5-dev krb5-kdc krb5-admin-server krb5-user
	# Packaging (issue 12): make deb, lintian on the packages, DKMS
	# building the module in the guest from the installed secmsg-dkms
	debhelper dh-dkms lintian dkms
	udev			# the guest starts udevd: static_node permissions
	liburing-dev		# io_uring path (issue 13): secmsg_uring
	gnuplot-nox		# make bench: build/results/bench/bench.png
)

missing=()
for p in "${pkgs[@]}"; do
	# "install ok installed" only; half-installed or removed counts as missing
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ $st == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
	exit 0
fi

if ((EUID != 0)); then
	echo "deps: missing ${missing[*]}; run as root (or: sudo $0)" >&2
	exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { apt-get update -q &&
       DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
	cat "$log" >&2
	echo "deps: apt-get failed installing ${missing[*]}" >&2
	exit 1
fi
echo "deps: installed ${missing[*]}"
