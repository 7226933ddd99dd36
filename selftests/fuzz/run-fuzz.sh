#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make fuzz`: run the in-guest fuzzer (selftests/fuzz/secmsg_fuzz.c) for
# FUZZ_TIME seconds on the debug kernel (KASAN, lockdep, kmemleak, KCOV),
# or on Debian's kernel if the debug kernel cannot be prepared.  The module
# is built for the debug kernel with KCOV_INSTRUMENT=y, so the fuzzer is
# guided by the module's coverage.
#
# usage: run-fuzz.sh BUILD_DIR [SECONDS] [SEED]
# Inputs that reached new coverage and failing inputs go to BUILD_DIR/fuzz/
# (a failing one: copy it to selftests/fuzz/corpus/, where `make check`
# replays it).  Exit status: the fuzzer's, or 125 if the guest died (a
# kernel report: see BUILD_DIR/fuzz/console.log).
set -u
B=${1:?usage: run-fuzz.sh BUILD_DIR [SECONDS] [SEED]}
secs=${2:-600}
seed=${3:-$(date +%s)}
root=$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)
cd "$root" || exit 1
out=$B/fuzz
mkdir -p "$out"

kernel=debug
cache=$B/vm-debug
if out_k=$(bash selftests/vm/kernel.sh --kernel debug "$cache" 2>&1) &&
	[[ -f $cache/KDIR ]]; then
	m=$B/kmod-fuzz
	bash selftests/vm/copy-module.sh "$m" || exit 1
	if ! make -C "$(<"$cache/KDIR")" M="$m" KCOV_INSTRUMENT=y modules \
		>"$out/kbuild.log" 2>&1; then
		echo "fuzz: module build for the debug kernel failed: $out/kbuild.log" >&2
		exit 1
	fi
	ko=$m/kmod/secmsg.ko
else
	echo "fuzz: no debug kernel ($out_k); fuzzing on Debian's kernel, no KCOV" >&2
	kernel=debian
	cache=$B/vm
	bash selftests/vm/kernel.sh "$cache" >/dev/null || exit 1
	ko=$root/kmod/secmsg.ko
fi

echo "# fuzz: $secs s on the $kernel kernel, seed $seed, output in $out"
bash selftests/vm/run.sh --kernel "$kernel" --cache "$cache" \
	--timeout "$((secs + 600))" --log "$out/console.log" \
	--env FUZZ_TIME="$secs" --env FUZZ_SEED="$seed" --env KO="$ko" \
	--env FUZZ_BIN="$B/selftests/secmsg_fuzz" --env FUZZ_OUT="$out" -- \
	'for d in $(modinfo -F depends "$KO" | tr , " "); do modprobe "$d"; done
	 insmod "$KO" || exit 1
	 "$FUZZ_BIN" -t "$FUZZ_TIME" -s "$FUZZ_SEED" -o "$FUZZ_OUT"; rc=$?
	 if [ -w /sys/kernel/debug/kmemleak ]; then
		echo scan >/sys/kernel/debug/kmemleak
		if grep -q unreferenced /sys/kernel/debug/kmemleak; then
			cat /sys/kernel/debug/kmemleak; rc=1
		fi
	 fi
	 dmesg | grep -E "BUG:|WARNING:|KASAN|Oops|ODEBUG" && rc=1
	 exit $rc'
