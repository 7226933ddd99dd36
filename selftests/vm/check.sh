#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every selftest suite on one guest kernel (make check's guest part).
#
# usage: check.sh KERNEL BUILD_DIR     KERNEL: debian, rt or debug
#
# Prepares the kernel (kernel.sh), builds secmsg.ko against that kernel's
# own tree (debian: kmod/ in place, as `make module` does; rt and debug: a
# copy of the sources in BUILD_DIR/kmod-KERNEL/, since 6.1's kbuild has no
# separate output directory for external modules), boots it (run.sh) and
# runs selftests/run_tests.sh with results in BUILD_DIR/results/KERNEL/.
# The guest's console goes to BUILD_DIR/results/KERNEL/console.log.  A
# failure of the rig or a guest that died (panic, KASAN/ODEBUG/WARN report
# under panic_on_warn, timeout) is recorded as a failing guest.tap there,
# with the report, so that summarize.sh counts it.
# Environment: VM_TIMEOUT (seconds, default 1800; 3600 for debug).
set -uo pipefail

k=${1:?usage: check.sh debian|rt|debug BUILD_DIR}
B=${2:?usage: check.sh debian|rt|debug BUILD_DIR}
root=$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)
cd "$root" || exit 1
case $k in
debian) cache=$B/vm ;;
rt|debug) cache=$B/vm-$k ;;
*) echo "check: unknown kernel '$k' (debian, rt, debug)" >&2; exit 2 ;;
esac
res=$B/results/$k
mkdir -p "$res"
rm -f "$res"/*.tap "$res"/console.log "$res"/vm.err

died() {	# message [console log]: a failing guest.tap with the report
	local msg=$1 con=${2:-} first
	{
		echo "TAP version 13"
		echo "1..1"
		echo "# $msg"
		[[ ! -s $res/vm.err ]] || grep -a '^vm: ' "$res/vm.err" | sed 's/^/# /'
		if [[ -n $con && -s $con ]]; then
			# The report: from the first line that looks like one (else
			# the console's end), at most 150 lines.
			first=$(grep -naE 'BUG:|WARNING:|Oops|KASAN|ODEBUG|Kernel panic|general protection|INFO: |Call Trace|vm: ' "$con" |
				head -n1 | cut -d: -f1)
			if [[ -n $first ]]; then
				tail -n +"$((first > 5 ? first - 5 : 1))" "$con" | head -n 150
			else
				tail -n 60 "$con"
			fi | sed 's/^/# console: /'
		fi
		echo "not ok 1 $k guest: $msg"
		echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"
	} >"$res/guest.tap"
	echo "check: $k: $msg (see $res/guest.tap)" >&2
	exit 1
}

if ! out=$(bash selftests/vm/kernel.sh --kernel "$k" "$cache" 2>&1); then
	echo "$out" >&2
	died "kernel.sh --kernel $k failed: $(tail -n 3 <<<"$out")"
fi
[[ -z $out ]] || echo "$out" >&2
kdir=$(<"$cache/KDIR")

if [[ $k == debian ]]; then
	ko=$root/kmod/secmsg.ko	# built by `make module` (make all)
	echo_ko=$root/selftests/consumer/secmsg_echo.ko	# likewise
	floor_ko=$root/selftests/bench/floor/secmsg_floor.ko	# likewise
else
	m=$B/kmod-$k
	bash selftests/vm/copy-module.sh "$m" ||
		died "cannot copy the module sources to $m"
	if ! out=$(make -C "$kdir" M="$m" modules 2>&1); then
		echo "$out" >&2
		died "secmsg.ko does not build against $kdir: $(grep -m3 -E 'error|Error' <<<"$out")"
	fi
	ko=$m/kmod/secmsg.ko
	echo_ko=$m/selftests/consumer/secmsg_echo.ko
	floor_ko=$m/selftests/bench/floor/secmsg_floor.ko
fi

# The whole guest run, with room for a hung test (its TEST_F_TIMEOUT, at
# most 600 s, before the harness kills it and goes on).  Measured on a
# 2-core machine: debug 7 min at load 3, 25 min at load 10; Debian's and
# RT's 2.5-5 min.
timeout=${VM_TIMEOUT:-$([[ $k == debug ]] && echo 3600 || echo 1800)}
# The Kerberos interop suites start a KDC for every test: the whole
# matrix of enctypes on Debian's kernel, one enctype of each RFC's family
# on the others (the kernel's own Kerberos suite, secmsg_krb5, runs whole
# everywhere).
case $k in
debian) krb5_slice= ;;
debug) krb5_slice=aes256-cts-hmac-sha384-192 ;;
rt) krb5_slice=aes128-cts-hmac-sha1-96 ;;
esac
echo "# ==== $k kernel ($(<"$cache/KVER")), module $ko"
start=$SECONDS
bash selftests/vm/run.sh --kernel "$k" --cache "$cache" --timeout "$timeout" \
	--log "$res/console.log" \
	--env SECMSG_TEST_BIN="$B/selftests" --env SECMSG_KO="$ko" \
	--env SECMSG_ECHO_KO="$echo_ko" --env SECMSG_FLOOR_KO="$floor_ko" \
	--env SECMSG_FLOOR_CHECK="$B/bench/floor_check" \
	--env SECMSG_KRB5_ENCTYPES="$krb5_slice" -- \
	bash selftests/run_tests.sh "$res" 2> >(tee "$res/vm.err" >&2)
rc=$?
echo "# ==== $k kernel: guest exit $rc after $((SECONDS - start)) s"
if ((rc == 125)); then
	died "guest died: panic, oops, KASAN/ODEBUG/WARN report or timeout" "$res/console.log"
fi
# run_tests.sh fails only with a failing .tap recorded; a failure without
# one (the runner itself broke off) must not pass unnoticed.
if ((rc != 0)) && ! grep -qs '^not ok' "$res"/*.tap; then
	died "selftests/run_tests.sh exited $rc without recording a failure" "$res/console.log"
fi
exit "$rc"
