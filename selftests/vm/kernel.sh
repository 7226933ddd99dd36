#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prepare a guest kernel for selftests/vm/run.sh in a cache directory:
#   $CACHE/vmlinux or bzImage   the kernel to boot ($CACHE/boot names it)
#   $CACHE/cmdline              extra kernel command line for this kernel
#   $CACHE/modroot/lib/modules/ the modules the guest needs, with depmod data
#   $CACHE/config-$KVER         the kernel's config
#   $CACHE/KVER                 the version (uname -r in the guest)
#   $CACHE/KDIR                 the tree to build secmsg.ko against
#
# usage: kernel.sh [--kernel debian|rt|debug] [CACHE]
#   debian  Debian's 6.1 (default), the version of linux-headers-amd64;
#           default CACHE build/vm (relative to the repo root)
#   rt      Debian's PREEMPT_RT flavour, the version of
#           linux-headers-rt-amd64; default CACHE build/vm-rt
#   debug   the debug kernel debug-kernel.sh builds (once per machine,
#           cached outside the repo); default CACHE build/vm-debug
# Extra modules (debian, rt): VM_EXTRA_MODULES="mod1 mod2" (modprobe names).
set -euo pipefail

root=$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)
flavour=debian
if [[ ${1:-} == --kernel ]]; then
	flavour=${2:?--kernel wants debian, rt or debug}
	shift 2
elif [[ ${1:-} == --kernel=* ]]; then
	flavour=${1#--kernel=}
	shift
fi
case $flavour in
debian)	defcache=build/vm; hdrpkg=linux-headers-amd64 ;;
rt)	defcache=build/vm-rt; hdrpkg=linux-headers-rt-amd64 ;;
debug)	defcache=build/vm-debug ;;
*)	echo "kernel: unknown kernel '$flavour' (debian, rt, debug)" >&2; exit 1 ;;
esac
cache=${1:-$defcache}
[[ $cache == /* ]] || cache=$root/$cache
self=$(sha256sum <"${BASH_SOURCE[0]}" | cut -c1-16)

# --- the debug kernel: built (or found) by debug-kernel.sh ----------------
if [[ $flavour == debug ]]; then
	dir=$(bash "$(dirname "${BASH_SOURCE[0]}")/debug-kernel.sh")
	KVER=$(<"$dir/KREL")
	key="debug $dir $self"
	stamp=$cache/.kernel.stamp
	if [[ -f $stamp && $(<"$stamp") == "$key" && -f $cache/bzImage ]]; then
		exit 0
	fi
	mkdir -p "$cache"
	exec 9>"$cache/.lock"
	flock 9
	rm -f "$stamp"
	rm -rf "$cache/modroot"
	mkdir -p "$cache/modroot/lib/modules"
	cp -a "$dir/modroot/lib/modules/$KVER" "$cache/modroot/lib/modules/"
	cp "$dir/linux/arch/x86/boot/bzImage" "$cache/bzImage.tmp"
	mv "$cache/bzImage.tmp" "$cache/bzImage"
	cp "$dir/linux/.config" "$cache/config-$KVER"
	echo bzImage >"$cache/boot"
	# PVH (vmlinux) boot faults under KASAN; acpi=noirq saves ~20 s of
	# boot; kmemleak is on by config, scanned by run_tests.sh.  no5lvl:
	# with -cpu max's LA57, an interrupt early in start_kernel() could hit
	# KASAN's not yet complete shadow of the 5-level direct map (a
	# wild-memory-access report in handle_edge_irq, panic; 2 of 6 boots
	# of 6.1.192 under load, none of 4 with 4-level paging).
	echo "acpi=noirq kmemleak=on no5lvl" >"$cache/cmdline"
	echo "$dir/linux" >"$cache/KDIR"
	echo "$KVER" >"$cache/KVER"
	echo "$key" >"$stamp"
	exit 0
fi

# Follow the headers the module is built against; Debian bumps NN with
# security updates, so never hard-code it.
dep=$(dpkg-query -W -f='${Depends}' "$hdrpkg") ||
	{ echo "kernel: $hdrpkg not installed (run selftests/vm/deps.sh)" >&2; exit 1; }
KVER=$(sed -E 's/^linux-headers-([^ ,|]+).*/\1/' <<<"$dep")
[[ $KVER =~ ^[0-9]+\.[0-9]+\.[0-9]+-[0-9]+-(rt-)?amd64$ ]] ||
	{ echo "kernel: cannot parse KVER from '$dep'" >&2; exit 1; }
[[ $flavour != rt || $KVER == *-rt-amd64 ]] ||
	{ echo "kernel: $hdrpkg names $KVER, not an rt kernel" >&2; exit 1; }

# Modules to ship, resolved with their dependencies below. Built-in names
# (hmac, sha256 on Debian's config) are accepted and skipped.
mods=(
	virtio_pci 9pnet_virtio 9p		# guest root + repo over 9p
	aesni_intel gcm ghash-clmulni-intel ghash_generic ctr
	chacha20poly1305 chacha_x86_64 poly1305_x86_64
	chacha_generic poly1305_generic
	af_alg algif_aead algif_skcipher algif_hash	# AF_ALG
	cryptd crypto_simd pcrypt authenc hmac sha256_generic
	sha256_ssse3 sha512_ssse3 cbc seqiv echainiv ccm cmac
	cts camellia_generic camellia_x86_64	# RFC 6803 enctypes 25, 26
	crypto_user tcrypt			# crypto netlink, tcrypt speed tests
	virtio_crypto				# async offload via -device virtio-crypto-pci
	overlay					# run.sh --writable-root
)
read -ra extra <<<"${VM_EXTRA_MODULES:-}"
mods+=("${extra[@]}")

# Redo when KVER, the module list or this script changes.
key="$KVER $self ${mods[*]}"
stamp=$cache/.kernel.stamp
if [[ -f $stamp && $(<"$stamp") == "$key" && -f $cache/vmlinux ]]; then
	exit 0
fi

mkdir -p "$cache"
# Serialize with other kernel.sh runs and with run.sh reading modroot.
exec 9>"$cache/.lock"
flock 9
if [[ -f $stamp && $(<"$stamp") == "$key" && -f $cache/vmlinux ]]; then
	exit 0	# another run did it while we waited
fi
rm -f "$stamp"
stage=$cache/.stage
rm -rf "$stage" "$cache/modroot"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"

log=$stage/log
pkg=linux-image-$KVER-unsigned
# apt-get download writes to the cwd; it warns about the _apt sandbox when
# run as root in a root-only directory, harmless, so keep it in the log.
if ! (cd "$stage" && apt-get download "$pkg") >"$log" 2>&1; then
	cat "$log" >&2
	echo "kernel: apt-get download $pkg failed (apt-get update?)" >&2
	exit 1
fi
deb=$(echo "$stage"/"$pkg"_*.deb)
# Unpack everything once (~400 MB, a few seconds): depmod then gives exact
# dependencies instead of a hand-kept list.
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$stage/" ./boot ./lib/modules
rm -f "$deb"

kdir=$stage/lib/modules/$KVER
depmod -b "$stage" "$KVER"

# vmlinuz = setup code + xz stream of vmlinux: cut at the xz magic.
vmlinuz=$stage/boot/vmlinuz-$KVER
# (No pipes into head/xz here: their early exit would SIGPIPE under pipefail.)
offs=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$vmlinuz" | cut -d: -f1 || true)
[[ -n $offs ]] || { echo "kernel: no xz stream in $vmlinuz" >&2; exit 1; }
off=${offs%%$'\n'*}
tail -c +$((off + 1)) "$vmlinuz" >"$stage/vmlinux.xz"
xz -dc --single-stream "$stage/vmlinux.xz" >"$stage/vmlinux"
[[ $(od -An -c -N4 "$stage/vmlinux" | tr -d ' ') == '177ELF' ]] ||
	{ echo "kernel: extracted vmlinux is not ELF" >&2; exit 1; }

# Resolve dependencies (incl. softdeps) with the package's own depmod data.
# modprobe prints "insmod PATH" for modules and "builtin NAME" for built-ins.
dst=$cache/modroot/lib/modules/$KVER
mkdir -p "$dst"
for m in "${mods[@]}"; do
	if ! out=$(modprobe -d "$stage" -S "$KVER" --show-depends "$m" 2>&1); then
		echo "kernel: module $m not in $pkg: $out" >&2
		exit 1
	fi
	awk '$1 == "insmod" { print $2 }' <<<"$out"
done | sort -u | while read -r ko; do
	rel=${ko#"$kdir"/}
	mkdir -p "$dst/$(dirname "$rel")"
	cp "$ko" "$dst/$rel"
done
# modules.builtin* let modprobe treat built-ins (hmac, sha256) as present.
cp "$kdir"/modules.builtin "$kdir"/modules.builtin.modinfo "$kdir"/modules.order "$dst/"
ln -sfn "/usr/src/linux-headers-$KVER" "$dst/build"
depmod -b "$cache/modroot" "$KVER"

mv "$stage/vmlinux" "$cache/vmlinux"
echo vmlinux >"$cache/boot"
: >"$cache/cmdline"
echo "/usr/src/linux-headers-$KVER" >"$cache/KDIR"
# Debian's System.map is a stub (the real one is in -dbg): use the guest's
# /proc/kallsyms to decode addresses.
cp "$stage/boot/config-$KVER" "$cache/"
echo "$KVER" >"$cache/KVER"

if [[ ! -d /usr/src/linux-headers-$KVER ]]; then
	echo "kernel: /usr/src/linux-headers-$KVER missing (run selftests/vm/deps.sh)" >&2
	exit 1
fi
echo "$key" >"$stamp"
