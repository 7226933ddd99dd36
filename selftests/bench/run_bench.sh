#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the secmsg benchmark inside the test guest, as root:
#   selftests/vm/run.sh --cache build/vm -- bash selftests/bench/run_bench.sh [BUILD] [ARGS]
# BUILD is the build directory (default build; the benchmark is
# BUILD/bench/secmsg_bench); ARGS go to secmsg_bench (e.g. --quick,
# -s chacha20-poly1305, -t 1).  The output goes to the console and to
# BUILD/results/bench/bench.txt, the tables to BUILD/results/bench/*.csv
# and ratios.dat (selftests/bench/plot.sh draws bench.png from it, on the
# host: `make bench` does).
#
# Loads the SIMD crypto drivers first (gcm(aes) binds to whatever is
# registered at the first request), then secmsg.ko unless it is loaded
# already and the floor module (secmsg_floor.ko), runs the benchmark and
# unloads what it loaded.  If secmsg.ko is missing or fails to load, the
# baselines (floor, AF_ALG, OpenSSL) still run so the rig is known to work,
# and the script exits non-zero.
#
# Environment: SECMSG_KO (module path), SECMSG_FLOOR_KO (the floor module),
# SECMSG_BENCH (benchmark binary).
set -u

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 1

build=build
if (($#)) && [[ $1 != -* && -d $1 ]]; then
	build=$1
	shift
fi
bench=${SECMSG_BENCH:-$build/bench/secmsg_bench}
if [[ ! -x $bench ]]; then
	echo "run_bench: no $bench (make -C selftests/bench)" >&2
	exit 1
fi
if ((EUID != 0)); then
	echo "run_bench: must run as root (in the guest)" >&2
	exit 1
fi

# The VM runner loads these already; harmless when they are built in or
# loaded.  Order matters: the SIMD drivers before gcm/chacha20poly1305.
for m in aesni_intel ghash-clmulni-intel chacha_x86_64 poly1305_x86_64 \
	 gcm chacha20poly1305 algif_aead; do
	modprobe -q "$m" 2>/dev/null || true
done

# algif_aead charges a message's scatterlists to the socket's option memory;
# the default net.core.optmem_max (20 KiB) makes 1 MiB messages fail with
# ENOMEM.  The guest is thrown away, but restore it anyway.
optmem=/proc/sys/net/core/optmem_max
old_optmem=$(cat "$optmem" 2>/dev/null || true)
if [[ -n $old_optmem ]] && ((old_optmem < 1048576)); then
	echo 1048576 >"$optmem" || old_optmem=
else
	old_optmem=
fi

ko=${SECMSG_KO:-}
if [[ -z $ko ]]; then
	for k in kmod/secmsg.ko build/kmod/secmsg.ko; do
		[[ -f $k ]] && { ko=$k; break; }
	done
fi

floor_ko=${SECMSG_FLOOR_KO:-selftests/bench/floor/secmsg_floor.ko}
floor_loaded=0
if [[ -d /sys/module/secmsg_floor ]]; then
	echo "run_bench: secmsg_floor already loaded, using it"
elif [[ ! -f $floor_ko ]]; then
	echo "run_bench: no $floor_ko; the floor is not measured" >&2
	status_floor=1
elif insmod "$floor_ko"; then
	floor_loaded=1
else
	echo "run_bench: insmod $floor_ko failed; the floor is not measured" >&2
	status_floor=1
fi

loaded=0
args=()
status=0
if [[ -d /sys/module/secmsg ]]; then
	echo "run_bench: secmsg already loaded, using it"
elif [[ -z $ko ]]; then
	echo "run_bench: no secmsg.ko (kmod/secmsg.ko); measuring the baselines only" >&2
	args=(--no-secmsg)
	status=1
elif insmod "$ko"; then
	loaded=1
else
	echo "run_bench: insmod $ko failed; measuring the baselines only" >&2
	args=(--no-secmsg)
	status=1
fi

# Give device nodes a moment (no udev: devtmpfs creates them itself).
for _ in 1 2 3 4 5; do
	[[ ${args[0]:-} == --no-secmsg || -e /dev/secmsg ]] &&
		[[ $floor_loaded == 0 || -e /dev/secmsg_floor ]] && break
	sleep 0.2
done

out=$build/results/bench
rm -rf "$out" && mkdir -p "$out" || exit 1
"$bench" -o "$out" "${args[@]}" "$@" | tee "$out/bench.txt"
rc=${PIPESTATUS[0]}
((rc)) && status=$rc
((${status_floor:-0})) && status=1

[[ -n $old_optmem ]] && echo "$old_optmem" >"$optmem"
if ((floor_loaded)) && ! rmmod secmsg_floor; then
	echo "run_bench: rmmod secmsg_floor failed" >&2
	status=1
fi
if ((loaded)) && ! rmmod secmsg; then
	echo "run_bench: rmmod secmsg failed" >&2
	status=1
fi
exit "$status"
