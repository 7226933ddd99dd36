#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run floor_check against secmsg_floor.ko inside the test guest, as root:
#   selftests/vm/run.sh --cache build/vm -- bash selftests/bench/floor/run_floor.sh [BUILD] [ARGS]
# BUILD is the build directory (default build; the program is
# BUILD/bench/floor_check); ARGS go to floor_check (-t, -r, -s,
# --check-only).  Build first, on the host:
#   make -C selftests/bench/floor O=../../../build/bench     (floor_check)
#   make -C selftests/bench/floor module                      (the module)
#
# Loads the SIMD crypto drivers first, as run_bench.sh does (gcm(aes) binds
# to whatever is registered at the first request: the floor must bind what
# secmsg binds), then secmsg_floor.ko, runs floor_check and unloads it.
#
# Environment: SECMSG_FLOOR_KO (module path), SECMSG_FLOOR_CHECK (program).
set -u

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$root" || exit 1

build=build
if (($#)) && [[ $1 != -* && -d $1 ]]; then
	build=$1
	shift
fi
check=${SECMSG_FLOOR_CHECK:-$build/bench/floor_check}
ko=${SECMSG_FLOOR_KO:-selftests/bench/floor/secmsg_floor.ko}
for f in "$check" "$ko"; do
	if [[ ! -f $f ]]; then
		echo "run_floor: no $f (see the top of $0)" >&2
		exit 1
	fi
done
if ((EUID != 0)); then
	echo "run_floor: must run as root (in the guest)" >&2
	exit 1
fi

for m in aesni_intel ghash-clmulni-intel chacha_x86_64 poly1305_x86_64 \
	 gcm chacha20poly1305; do
	modprobe -q "$m" 2>/dev/null || true
done

if [[ -d /sys/module/secmsg_floor ]]; then
	echo "run_floor: secmsg_floor already loaded" >&2
	exit 1
fi
insmod "$ko" || exit 1
for _ in 1 2 3 4 5; do
	[[ -e /dev/secmsg_floor ]] && break
	sleep 0.2
done

"$check" "$@"
status=$?
if ! rmmod secmsg_floor; then
	echo "run_floor: rmmod secmsg_floor failed" >&2
	status=1
fi
exit "$status"
