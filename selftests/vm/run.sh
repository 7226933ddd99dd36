#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run a command as root in a throw-away QEMU guest (TCG) on the kernel that
# selftests/vm/kernel.sh prepared. virtme-style: the guest sees the host's
# /usr, /etc, /lib* read-only (every host binary and library works) and the
# repo read-write at the same path as on the host; / is a tmpfs.
#
# usage: run.sh [options] -- COMMAND...
#   --kernel K         debian (default), rt or debug: the kernel kernel.sh
#                      --kernel K prepared, in build/vm, build/vm-rt or
#                      build/vm-debug (the debug kernel boots as a bzImage,
#                      with acpi=noirq and kmemleak on: its cache's cmdline)
#   --cache DIR        kernel cache from kernel.sh (overrides --kernel's)
#   --timeout SECS     kill the guest after SECS (default 1800)
#   --mem SIZE         guest RAM (default 1G); --smp N (default 2)
#   --env NAME=VALUE   pass a variable to COMMAND (repeatable)
#   --dmesg FILE       after COMMAND, save the guest's dmesg to FILE (must be
#                      inside the repo: it is the only writable share)
#   --log FILE         save the whole serial console (boot included) to FILE
#   -v, --verbose      show the boot messages too (hidden unless the guest
#                      dies before COMMAND starts)
#   --append ARGS      extra kernel command line (also $VM_APPEND)
#   --qemu-arg ARG     extra QEMU argument (repeatable; also $VM_QEMU_ARGS,
#                      split on spaces)
#   --crypto-selftests run the kernel's crypto self-tests (cryptomgr) when
#                      algorithms register; off by default: they add 1.5-5 s
#                      per boot under TCG (also $VM_CRYPTO_SELFTESTS=1)
#   --writable-root    the host's /usr, /etc, /opt, /var and /lib* under an
#                      overlay whose upper layer is a tmpfs: the guest may
#                      install packages (dpkg -i), nothing reaches the host
#   -i, --interactive  connect the terminal to COMMAND (e.g. -- bash)
# One COMMAND word is a shell command line ('make check > log'); several are
# an argv, quoted as given. Either runs under bash -c, cwd = repo root.
#
# Exit status: COMMAND's, or 125 if the guest died without a result (panic,
# oops, WARN with panic_on_warn, timeout) or the rig failed.
set -euo pipefail

die() { echo "vm: $*" >&2; exit 125; }

repo=$(git rev-parse --show-toplevel 2>/dev/null) || repo=$PWD
cache=
kernel=debian
timeout=1800
mem=1G
smp=2
dmesg=
interactive=0
writable=0
verbose=0
log=
selftests=${VM_CRYPTO_SELFTESTS:-0}
append=${VM_APPEND:-}
envs=()
qargs=()
# shellcheck disable=SC2206 # word splitting is the documented interface
[[ -n ${VM_QEMU_ARGS:-} ]] && qargs=($VM_QEMU_ARGS)

while (($#)); do
	if [[ $1 == --*=* ]]; then	# --opt=value, same as --opt value
		set -- "${1%%=*}" "${1#*=}" "${@:2}"
	fi
	case $1 in
	--cache) cache=$2; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--env) [[ $2 == [A-Za-z_]*=* ]] || die "--env wants NAME=VALUE"
		envs+=("$2"); shift 2 ;;
	--dmesg) dmesg=$2; shift 2 ;;
	--append) append+=" $2"; shift 2 ;;
	--qemu-arg) qargs+=("$2"); shift 2 ;;
	--crypto-selftests) selftests=1; shift ;;
	--writable-root) writable=1; shift ;;
	--log) log=$2; shift 2 ;;
	-v|--verbose) verbose=1; shift ;;
	-i|--interactive) interactive=1; shift ;;
	--) shift; break ;;
	*) die "unknown option $1 (usage: run.sh [options] -- COMMAND...)" ;;
	esac
done
(($#)) || die "no command (usage: run.sh [options] -- COMMAND...)"
[[ $timeout =~ ^[0-9]+$ ]] || die "--timeout wants seconds"
if (($# == 1)); then
	cmd=$1
else
	cmd=$(printf '%q ' "$@")
fi

[[ $repo != / ]] || die "run from inside the repo (its root is shared read-write)"
case $kernel in
debian) : "${cache:=build/vm}" ;;
rt|debug) : "${cache:=build/vm-$kernel}" ;;
*) die "--kernel wants debian, rt or debug" ;;
esac
[[ $cache == /* ]] || cache=$repo/$cache
# kernel.sh says what to boot (vmlinux: PVH, fastest; bzImage for the debug
# kernel) and what its command line needs.
boot=vmlinux
[[ -f $cache/boot ]] && boot=$(<"$cache/boot")
[[ -f $cache/$boot && -f $cache/KVER ]] ||
	die "no kernel in $cache: run selftests/vm/kernel.sh --kernel $kernel $cache"
kcmdline=
[[ -f $cache/cmdline ]] && kcmdline=$(<"$cache/cmdline")
KVER=$(<"$cache/KVER")
if [[ -n $dmesg ]]; then
	[[ $dmesg == /* ]] || dmesg=$PWD/$dmesg
	[[ $dmesg == "$repo"/* ]] || die "--dmesg file must be inside $repo"
fi
busybox=/bin/busybox
[[ -x $busybox ]] || die "no $busybox: run selftests/vm/deps.sh"

# --- guest init (pid 1, busybox sh in the initramfs) ---------------------
# Builds the new root under /newroot, then becomes it the way switch_root
# does (mount --move + chroot in pid 1), but without deleting the initramfs:
# its /lib/modules stays bind-mounted in the new root. The chroot must be
# done by pid 1, whose root the kernel shares with its usermode helpers, so
# that module autoload runs the host's /sbin/modprobe against our modules.
read -r -d '' init_sh <<'INIT' || true
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
fail() {
	echo "vm-init: $*" >&2
	reboot -f	# -no-reboot: qemu exits, run.sh reports 125
}
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
. /vm/env
for ko in $(cat /vm/boot-modules); do
	insmod "/lib/modules/$KVER/$ko" || fail "insmod $ko"
done

n=/newroot
o9p=trans=virtio,version=9p2000.L,msize=262144
mount -t tmpfs -o mode=0755 root $n || fail "tmpfs root"
mkdir -p $n/host
# cache=loose: the host's root is read-only and stable during a run.
mount -t 9p -o $o9p,ro,cache=loose hostroot $n/host || fail "9p hostroot"
src=$n/host dirs="usr etc opt bin sbin lib lib32 lib64 libx32"
if [ "$WRITABLE" = 1 ]; then
	# The host's root as the lower layer of an overlay, writes in RAM.
	for ko in $(cat /vm/overlay-modules); do
		insmod "/lib/modules/$KVER/$ko" || fail "insmod $ko"
	done
	mkdir -p /ovl && mount -t tmpfs -o mode=0755 ovl /ovl &&
		mkdir /ovl/upper /ovl/work /ovl/root || fail "overlay tmpfs"
	mount -t overlay -o lowerdir=$n/host,upperdir=/ovl/upper,workdir=/ovl/work,index=off,xino=off overlay /ovl/root ||
		fail "overlay over the host's root"
	src=/ovl/root dirs="$dirs var"
fi
for e in $dirs; do
	if [ -L $src/$e ]; then
		ln -s "$(readlink $src/$e)" $n/$e	# merged-/usr links
	elif [ -d $src/$e ]; then
		mkdir $n/$e && mount --bind $src/$e $n/$e || fail "bind /$e"
	fi
done
md=$(readlink -f $n/lib)/modules
[ -d "$md" ] || fail "host has no /lib/modules to mount over (install linux-headers-amd64)"
mount --bind /lib/modules "$md" || fail "bind /lib/modules"

mkdir -p $n/proc $n/sys $n/dev $n/tmp $n/run $n/root $n/home $n/mnt \
	$n/var/tmp
chmod 0700 $n/root
chmod 1777 $n/var/tmp
ln -sfn ../run $n/var/run
ln -sfn ../run/lock $n/var/lock
mount -t proc proc $n/proc
mount -t sysfs sys $n/sys
mount -t debugfs debugfs $n/sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs $n/sys/kernel/tracing 2>/dev/null
mount -t devtmpfs dev $n/dev
mkdir -p $n/dev/pts $n/dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts $n/dev/pts
mount -t tmpfs -o mode=1777 shm $n/dev/shm
ln -sf /proc/self/fd $n/dev/fd
ln -sf /proc/self/fd/0 $n/dev/stdin
ln -sf /proc/self/fd/1 $n/dev/stdout
ln -sf /proc/self/fd/2 $n/dev/stderr
mount -t tmpfs -o mode=1777 tmp $n/tmp
mount -t tmpfs -o mode=0755 run $n/run
mkdir -p $n/run/lock $n/run/vm
cp /bin/busybox /vm/* $n/run/vm/

# The repo, read-write at its host path. cache=mmap allows shared writable
# mmap; stage2 syncs before reporting so the host sees every write.
mkdir -p "$n$REPO" || fail "mkdir $REPO (under a read-only host dir?)"
mount -t 9p -o $o9p,cache=mmap repo "$n$REPO" || fail "9p repo"

cd $n
mount --move . / || fail "mount --move"
exec chroot . /run/vm/busybox sh /run/vm/stage2
INIT

# --- stage 2: in the new root, still pid 1 --------------------------------
read -r -d '' stage2_sh <<'STAGE2' || true
bb=/run/vm/busybox
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
. /run/vm/env
echo "vm-start $NONCE"	# run.sh shows the console from here on
$bb hostname "$VM_HOSTNAME"
# Kernel autoload (AF_ALG, crypto templates) runs this: the host's kmod.
echo /sbin/modprobe >/proc/sys/kernel/modprobe
# Load the SIMD drivers before anyone asks for gcm(aes) etc., or the
# generic C implementations get bound instead.
modprobe -a aesni_intel ghash-clmulni-intel chacha_x86_64 poly1305_x86_64 \
	sha256_ssse3 gcm chacha20poly1305 algif_aead algif_skcipher ||
	echo "vm: warning: crypto modules failed to load" >&2
[ -w /proc/sys/kernel/unprivileged_userns_clone ] &&
	echo 1 >/proc/sys/kernel/unprivileged_userns_clone
[ "$($bb uname -r)" = "$KVER" ] ||
	echo "vm: warning: guest runs $($bb uname -r), headers are $KVER" >&2
$bb stty -F /dev/console -onlcr 2>/dev/null	# plain \n for user output
cd "$REPO"
if [ "$INTERACTIVE" = 1 ]; then in=/dev/console; else in=/dev/null; fi
env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/bash PATH="$PATH" \
	TERM="$VM_TERM" LANG=C.UTF-8 SECMSG_VM=1 VM_KVER="$KVER" "$@" \
	/bin/bash -c "$CMD" <$in
rc=$?
$bb sync
if [ -n "$DMESG" ]; then
	$bb dmesg >"$DMESG" 2>&1
	$bb sync
fi
# Drain the tty (busybox stty uses TCSADRAIN) so no output is lost, then
# report: only a line with the host's nonce counts as a result.
$bb stty -F /dev/console -onlcr 2>/dev/null
printf '\nvm-result %s rc=%d\n' "$NONCE" "$rc"
$bb stty -F /dev/console -onlcr 2>/dev/null
$bb poweroff -f
STAGE2

# --- initramfs: rebuilt when this script, busybox or the modules change ----
modroot=$cache/modroot
# kernel.sh holds this lock while it rewrites modroot; also keeps two runs
# from building the initramfs at once.
exec 9>"$cache/.lock"
flock 9
[[ -f $cache/.kernel.stamp ]] || die "kernel.sh failed? no $cache/.kernel.stamp"
KVER=$(<"$cache/KVER")
key="$(sha256sum "${BASH_SOURCE[0]}" "$busybox" | cut -c1-16 | tr '\n' ' ')"
key+="$(sha256sum <"$cache/.kernel.stamp" | cut -c1-16)"
base=$cache/initramfs.cpio
if [[ ! -f $base || ! -f $base.key || $(<"$base.key") != "$key" ]]; then
	t=$(mktemp -d "$cache/.initramfs.XXXXXX")
	trap 'rm -rf "$t"' EXIT
	mkdir -p "$t"/{bin,vm,proc,sys,dev,newroot,lib/modules}
	cp "$busybox" "$t/bin/busybox"
	printf '%s\n' "$init_sh" >"$t/init"
	printf '%s\n' "$stage2_sh" >"$t/vm/stage2"
	chmod 0755 "$t/init"
	cp -a "$modroot/lib/modules/$KVER" "$t/lib/modules/"
	# virtio-pci + 9p, in dependency order, for init's insmod.
	modprobe -d "$modroot" -S "$KVER" --show-depends -a virtio_pci 9pnet_virtio 9p |
		awk -v k="$modroot/lib/modules/$KVER/" \
			'$1 == "insmod" { sub(k, "", $2); if (!seen[$2]++) print $2 }' \
			>"$t/vm/boot-modules"
	# overlay, for --writable-root (the debug kernel has it built in)
	modprobe -d "$modroot" -S "$KVER" --show-depends overlay 2>/dev/null |
		awk -v k="$modroot/lib/modules/$KVER/" \
			'$1 == "insmod" { sub(k, "", $2); print $2 }' \
			>"$t/vm/overlay-modules" || true
	(cd "$t" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$base.tmp"
	mv "$base.tmp" "$base"
	echo "$key" >"$base.key"
	rm -rf "$t"
	trap - EXIT
fi
exec 9>&-

# --- per-run data: appended as a second cpio archive (the kernel unpacks
# concatenated archives), so the cached one stays untouched ----------------
run=$(mktemp -d "$cache/.run.XXXXXX")
qpid=
# shellcheck disable=SC2317 # called from the trap
cleanup() {
	[[ -n $qpid ]] && kill "$qpid" 2>/dev/null
	rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }	# quote for the guest's sh
nonce=$(od -An -tx8 -N8 /dev/urandom | tr -d ' \n')
mkdir -p "$run/vm"
{
	echo "NONCE=$nonce"
	echo "KVER=$(q "$KVER")"
	echo "REPO=$(q "$repo")"
	echo "CMD=$(q "$cmd")"
	echo "DMESG=$(q "$dmesg")"
	echo "INTERACTIVE=$interactive"
	echo "WRITABLE=$writable"
	echo "VM_HOSTNAME=${VM_HOSTNAME:-secmsg-vm}"
	if ((interactive)); then
		echo "VM_TERM=$(q "${TERM:-dumb}")"
	else
		echo "VM_TERM=dumb"
	fi
	printf 'set --'
	for e in "${envs[@]}"; do printf ' %s' "$(q "$e")"; done
	echo
} >"$run/vm/env"
(cd "$run" && echo vm/env | cpio -o -H newc -R 0:0 --quiet) >"$run/extra.cpio"
cat "$base" "$run/extra.cpio" >"$run/initrd"

# trace_clock: the TSC looks unstable under TCG and the kernel would say so
# on every boot while picking "global" itself.
kargs="console=ttyS0 loglevel=5 panic=-1 oops=panic panic_on_warn=1 nokaslr"
kargs+=" trace_clock=global"
[[ -z $kcmdline ]] || kargs+=" $kcmdline"
[[ $selftests == 1 ]] || kargs+=" cryptomgr.notests=1"
fw=()
if [[ -f /usr/share/qemu/qboot.rom ]]; then
	fw=(-bios /usr/share/qemu/qboot.rom)	# silent and fast
else
	fw=(-fw_cfg etc/sercon-port=0)		# keep SeaBIOS off the serial
fi
# TCG only: /dev/kvm may exist here but KVM guests hang (vm-rig.md).
# q35 rather than pc: as fast, and no MMCONFIG warning at boot.
# shellcheck disable=SC2054 # the commas are QEMU's
qemu=(qemu-system-x86_64 -accel tcg -M q35 -cpu max -smp "$smp" -m "$mem"
	-nodefaults -no-user-config -nographic -no-reboot "${fw[@]}"
	-chardev "stdio,id=con,logfile=$run/console.log"
	-serial chardev:con
	-kernel "$cache/$boot" -initrd "$run/initrd"
	-append "$kargs $append"
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap
	-virtfs "local,path=$repo,mount_tag=repo,security_model=none,multidevs=remap"
	"${qargs[@]}")

# Console filter: drop \r, hold the boot messages back until the guest
# says vm-start (print them on stderr if it never does), hide the result
# line and the power-down noise after it.
# mawk (Debian's awk) reads pipes in blocks unless -W interactive.
awk=(awk)
command -v mawk >/dev/null && awk=(mawk -W interactive)
# shellcheck disable=SC2016 # awk program
filter() {
	"${awk[@]}" -v start="vm-start $nonce" -v res="vm-result $nonce rc=" -v v="$verbose" '
	{ sub(/\r$/, "") }
	st == 0 {
		if (index($0, start)) { st = 1; next }
		if (v) { print; fflush() } else buf[n++] = $0
		next
	}
	st == 1 {
		if (index($0, res)) { st = 2; next }
		# the guest prints "\n" before the result: hold empty lines
		if ($0 == "") { empty++; next }
		for (; empty > 0; empty--) print ""
		print; fflush()
	}
	END {
		if (st == 0 && !v)
			for (i = 0; i < n; i++) print buf[i] > "/dev/stderr"
		for (; st == 1 && empty > 0; empty--) print ""
	}'
}

# A guest that dies while booting, before its command starts (no
# vm-start line), died of nothing the command did (the module under test
# is loaded by the command): boot it once more, saying so.  (Seen: 1 debug
# kernel boot in 5 on a loaded machine died at 0.01 s with a KASAN report
# in handle_edge_irq, before any module.)
# (No pipe: grep -q's early exit would fail it under pipefail.)
booted() { grep -qa "vm-start $nonce" "$run/console.log"; }
set +e
for attempt in 1 2; do
	if ((interactive)); then
		timeout --foreground -k 10 "$timeout" "${qemu[@]}"
		qrc=$?
	else
		rm -f "$run/out"
		mkfifo "$run/out"
		filter <"$run/out" &
		fpid=$!
		timeout -k 10 "$timeout" "${qemu[@]}" </dev/null >"$run/out" &
		qpid=$!
		wait "$qpid"
		qrc=$?
		qpid=
		wait "$fpid"
	fi
	((attempt == 1 && qrc != 124 && qrc != 137)) && ! booted || break
	echo "vm: the guest died while booting, before its command; booting again" >&2
	[[ -z $log ]] || tr -d '\r' <"$run/console.log" >"$log.boot1"
done
set -e
[[ -z $log ]] || tr -d '\r' <"$run/console.log" >"$log"

line=$(tr -d '\r' <"$run/console.log" | grep -a "vm-result $nonce rc=" | tail -n1 || true)
if [[ $line =~ vm-result\ $nonce\ rc=([0-9]+) ]]; then
	exit "${BASH_REMATCH[1]}"
fi
if ((qrc == 124 || qrc == 137)); then
	echo "vm: guest timed out after ${timeout}s without result" >&2
else
	echo "vm: guest died without result (panic?) (qemu exit $qrc)" >&2
fi
exit 125
