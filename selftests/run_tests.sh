#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the secmsg selftests INSIDE the test guest, as root, from the repo
# root:   bash selftests/run_tests.sh [RESULTS_DIR]   (default build/results)
#
# Loads kmod/secmsg.ko, runs every test program (output to the console and
# to RESULTS_DIR/<name>.tap), runs the unload test last, unloads the module
# and checks dmesg.  On a kernel with kmemleak (the debug kernel) it also
# scans for leaks before the module goes away and again after.  Every
# failure is recorded as a .tap file with a Totals line, so that
# selftests/summarize.sh can count it.  Exit status: 0 only if everything
# passed.
#
# Environment: SECMSG_KO (default kmod/secmsg.ko), SECMSG_TEST_BIN (default
# build/selftests), SECMSG_TESTS (space-separated subset of program names,
# floor_check among them), SECMSG_FLOOR_KO (the benchmark's floor module:
# checked only when given) and SECMSG_FLOOR_CHECK (default
# SECMSG_TEST_BIN/../bench/floor_check).
set -u

results=${1:-build/results}
ko=${SECMSG_KO:-kmod/secmsg.ko}
bin=${SECMSG_TEST_BIN:-build/selftests}
here=$(dirname "${BASH_SOURCE[0]}")

# The programs, in the order of the Makefile's TEST_GEN_PROGS.
progs=${SECMSG_TESTS:-$(make -s -C "$here" --no-print-directory print-progs \
	2>/dev/null)}
[[ -n $progs ]] || progs="secmsg_roundtrip secmsg_integrity secmsg_replay
	secmsg_uapi secmsg_query secmsg_fd secmsg_threads secmsg_batch
	secmsg_uring secmsg_lib_uring secmsg_kat secmsg_roundtrip_32 secmsg_uapi_32 secmsg_limits
	secmsg_stress secmsg_faults secmsg_msgmem secmsg_fuzz secmsg_local secmsg_impersonate
	secmsg_async secmsg_netlink secmsg_ctl secmsg_contract secmsg_psk secmsg_krb5 secmsg_kapi"

# Seconds a program may run (kselftest's settings: timeout=; ours also
# timeout_PROGRAM= for one program).  Each must hold the program's whole
# run on a loaded debug kernel many times over, and its longest test's
# TEST_F_TIMEOUT, so that a hung test is killed and named by the harness.
prog_timeout() {	# name: sets $timeout
	local line all=900 own=
	[[ -r $here/settings ]] &&
	while IFS= read -r line; do
		case $line in
		timeout=*) all=${line#*=} ;;
		"timeout_$1="*) own=${line#*=} ;;
		esac
	done <"$here/settings"
	timeout=${own:-$all}
}

mkdir -p "$results"
rm -f "$results"/*.tap "$results"/*.times
failed=0

# A one-test .tap for a check this script makes itself.
record() {	# name ok|fail message
	local name=$1 verdict=$2 msg=$3
	{
		echo "TAP version 13"
		echo "1..1"
		if [[ $verdict == ok ]]; then
			echo "ok 1 $name"
			echo "# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0"
		else
			echo "$msg" | sed 's/^/# /'
			echo "not ok 1 $name"
			echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"
		fi
	} >"$results/$name.tap"
	[[ $verdict == ok ]] || failed=1
}

# Time without forking (under QEMU every fork and exec is slow): T0 is
# ${EPOCHREALTIME/[.,]/}, microseconds; `took T0` sets $took to the time
# since T0 in seconds, to a hundredth.
took() {
	local us=${EPOCHREALTIME/[.,]/} d
	d=$(((us - $1 + 5000) / 10000))
	printf -v took '%d.%02d' $((d / 100)) $((d % 100))
}

# Pass a harness's output through, and time each of its tests (from its
# RUN line to its result line; the harness flushes both as the test ends):
# one "SECONDS NAME" line per test to the file given.
stamp() {	# times-file
	local line name= t0=0 took
	: >"$1"
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case $line in
		'#  RUN '*)
			name=${line#'#  RUN'}
			name=${name#"${name%%[! ]*}"}
			name=${name% ...}
			t0=${EPOCHREALTIME/[.,]/} ;;
		'ok '*|'not ok '*)
			if [[ -n $name ]]; then
				took "$t0"
				echo "$took $name" >>"$1"
			fi
			name= ;;
		esac
	done
	# killed by the program's timeout in the middle of a test
	if [[ -n $name ]]; then
		took "$t0"
		echo "$took $name (unfinished)" >>"$1"
	fi
}

# Kill every process group of this session but ours: what a program that
# was killed left behind (the guest runs nothing else in this session).
kill_strays() {
	local st line f pg sid my_pg my_sid
	read -r line </proc/$$/stat
	read -r -a f <<<"${line##*) }"
	my_pg=${f[2]} my_sid=${f[3]}
	for st in /proc/[0-9]*/stat; do
		read -r line 2>/dev/null <"$st" || continue
		read -r -a f <<<"${line##*) }"
		pg=${f[2]} sid=${f[3]}
		((sid != my_sid || pg == my_pg || pg <= 1)) ||
			kill -KILL -- "-$pg" 2>/dev/null
	done
}

# Run one program; a program that dies before its Totals line counts as
# one more failure on top of the results it printed.
run_prog() {	# name
	local name=$1 out=$results/$1.tap rc pass fail skip t0 took why last
	local timeout reader
	prog_timeout "$name"
	echo "# ==== $name"
	# In the kernel log too: a report after this line came while $name ran.
	echo "<6>run_tests: ==== $name" >/dev/kmsg 2>/dev/null
	if [[ ! -x $bin/$name ]]; then
		record "$name" fail "$bin/$name missing (make -C selftests)"
		cat "$out"
		return
	fi
	t0=${EPOCHREALTIME/[.,]/}
	# (The output's reader is this shell's child, on fd 3, so that it
	# can be waited for.)
	exec 3> >(stamp "$results/$name.times" | tee "$out")
	reader=$!
	timeout -k 10 "$timeout" "$bin/$name" >&3 2>&1 3>&-
	rc=$?
	exec 3>&-
	# A test the harness was running when the timeout struck lives on in
	# its own process group (the harness's setpgrp), out of timeout's
	# reach, and keeps the output open: end it, then the output's end.
	((rc != 124 && rc != 137)) || kill_strays
	wait "$reader"
	took "$t0"
	echo "# ==== $name: $took s (timeout $timeout s)"
	if ! grep -q '^# Totals:' "$out"; then
		pass=$(grep -cE '^ok [0-9]+ ' "$out" | head -1)
		skip=$(grep -cE '^ok [0-9]+ # SKIP' "$out")
		fail=$(grep -cE '^not ok ' "$out")
		pass=$((pass - skip))
		# timeout(1): 124 after its TERM, 137 after the KILL 10 s later
		why="died without a result (exit $rc)"
		((rc != 124 && rc != 137)) ||
			why="killed by its $timeout s timeout (selftests/settings)"
		last=$(sed -n 's/ (unfinished)$//p' "$results/$name.times")
		[[ -z $last ]] || why+=" in ${last#* }, after ${last%% *} s"
		{
			echo "not ok - $name $why"
			echo "# Totals: pass:$pass fail:$((fail + 1)) xfail:0 xpass:0 skip:$skip error:0"
		} | tee -a "$out"
		failed=1
	elif ((rc != 0)); then
		failed=1
	fi
}

# --- kmemleak (debug kernel: on from boot, no automatic scan) -------------
kml=/sys/kernel/debug/kmemleak
[[ -w $kml ]] || kml=
# Two scans with a pause, as Documentation/dev-tools/kmemleak.rst advises:
# an object only counts as leaked once it has stayed unreferenced across
# scans; a pointer briefly held in a register or on a stack misses one.
kml_scan() {
	echo scan >"$kml"
	sleep 5
	echo scan >"$kml"
}
kml_check() {	# name: record the suspects since the last clear, then clear
	local name=$1 rep
	kml_scan
	rep=$(cat "$kml")
	if [[ -n $rep ]]; then
		echo "# kmemleak ($name):"
		echo "$rep" | sed 's/^/# kmemleak: /'
		record "$name" fail "$rep"
	else
		record "$name" ok ""
	fi
	echo clear >"$kml"	# do not report the same objects twice
}
if [[ -n $kml ]]; then
	# Whatever boot left unreferenced is not ours: mark it seen.
	kml_scan
	echo clear >"$kml"
fi

dmesg_base=$(dmesg | wc -l)

# --- load ---------------------------------------------------------------
load_msg=
if [[ ! -f $ko ]]; then
	load_msg="$ko missing: build the module first"
else
	kver=$(uname -r)
	magic=$(modinfo -F vermagic "$ko" 2>/dev/null | awk '{print $1}')
	if [[ $magic != "$kver" ]]; then
		load_msg="$ko is built for '$magic', the guest runs '$kver'"
	else
		# insmod does not resolve dependencies: load them first
		for d in $(modinfo -F depends "$ko" | tr , ' '); do
			modprobe "$d" 2>/dev/null
		done
		# the optimized drivers bind only if loaded before first use
		modprobe -q aesni_intel 2>/dev/null
		modprobe -q chacha_x86_64 2>/dev/null
		modprobe -q poly1305_x86_64 2>/dev/null
		modprobe -q camellia_x86_64 2>/dev/null
		if [[ -d /sys/module/secmsg ]]; then
			rmmod secmsg 2>/dev/null
		fi
		if ! out=$(insmod "$ko" krb5_selftest=1 2>&1); then
			load_msg="insmod $ko: $out"
		elif [[ ! -e /dev/secmsg ]]; then
			for _ in 1 2 3 4 5 6 7 8 9 10; do
				[[ -e /dev/secmsg ]] && break
				sleep 0.1
			done
			[[ -e /dev/secmsg ]] || load_msg="no /dev/secmsg after insmod"
		fi
	fi
fi
if [[ -n $load_msg ]]; then
	echo "# $load_msg"
	record module_load fail "$load_msg"
else
	record module_load ok ""
fi

# The kernel API's sample consumer (secmsg_kapi loads it) uses secmsg.ko's
# symbols: it must go before secmsg.ko can.
unload_consumer() {
	local out
	if [[ -d /sys/module/secmsg_echo ]] && ! out=$(rmmod secmsg_echo 2>&1); then
		record consumer_unload fail "rmmod secmsg_echo: $out"
	fi
}

# Once a program has ended, nothing of it may keep the module: its fds are
# closed and its impersonating threads gone (their records are swept
# about once a second).  What may hold secmsg then is the consumer module
# (one reference each, listed in holders/) and the consumer's own context
# references; anything more is a leak, named with the processes that still
# have a secmsg fd open.
refs_left() {	# prints "count expected", or nothing without the module
	local h n=0
	[[ -r /sys/module/secmsg/refcnt ]] || return
	for h in /sys/module/secmsg/holders/*; do
		[[ -e $h ]] && n=$((n + 1))
	done
	echo "$(</sys/module/secmsg/refcnt) $n"
}
refs_check() {	# name
	local name=$1 t0 took have want fd who=
	t0=${EPOCHREALTIME/[.,]/}
	while :; do
		read -r have want < <(refs_left)
		[[ -n ${have:-} && $have != "$want" ]] || break
		took "$t0"
		# generous for a loaded debug kernel; a leak never settles
		((${took%.*} < 60)) || break
		sleep 0.2
	done
	if [[ -z ${have:-} || $have == "$want" ]]; then
		record "${name}_refs" ok ""
		return
	fi
	for fd in /proc/[0-9]*/fd/*; do
		case $(readlink "$fd" 2>/dev/null) in
		/dev/secmsg|'anon_inode:[secmsg]') who+=" ${fd#/proc/}" ;;
		esac
	done
	record "${name}_refs" fail "secmsg.ko still has $have references after $name ended, $want expected (holders: $(ls /sys/module/secmsg/holders | tr '\n' ' ')fds:${who:- none})"
	cat "$results/${name}_refs.tap"
}

# --- the suites ----------------------------------------------------------
for p in $progs; do
	[[ $p != floor_check ]] || continue	# not a program: see below
	[[ $p != secmsg_unload ]] || unload_consumer
	run_prog "$p"
	[[ $p == secmsg_unload ]] || refs_check "$p"
	# a crashed program may have left the module unloaded or gone
	if [[ -z $load_msg && ! -e /dev/secmsg ]]; then
		echo "# /dev/secmsg vanished after $p: reloading"
		insmod "$ko" krb5_selftest=1 || true
	fi
done

# --- the benchmark's floor -----------------------------------------------
# secmsg_floor.ko (selftests/bench/floor/), the raw in-kernel AEAD that
# make bench measures secmsg against: its ioctl's contract and its output
# against OpenSSL's for every suite and size (floor_check --check-only);
# where fail-nth can fail allocations (the debug kernel), each allocation
# of a request in turn as well (--faults, which checks the rest too).
# A module of its own: secmsg.ko stays loaded meanwhile and is not used.
floor_check() {
	local out rc mode=--check-only
	[[ -e /proc/self/fail-nth && -d /sys/kernel/debug/failslab ]] &&
		mode=--faults
	echo "# ==== floor_check $mode"
	echo "<6>run_tests: ==== floor_check" >/dev/kmsg 2>/dev/null
	out=$(SECMSG_FLOOR_KO=$SECMSG_FLOOR_KO SECMSG_FLOOR_CHECK=$floor_bin \
		timeout 900 bash "$here/bench/floor/run_floor.sh" "$mode" 2>&1)
	rc=$?
	echo "$out" | grep -vE '^ok: ' | sed 's/^/# /'
	if ((rc == 0)); then
		record floor_check ok ""
	else
		record floor_check fail "floor_check $mode exited $rc:
$(grep -E 'FAIL|run_floor|floor_check' <<<"$out" | head -n 40)"
	fi
	cat "$results/floor_check.tap"
}
floor_bin=${SECMSG_FLOOR_CHECK:-$(dirname "$bin")/bench/floor_check}
if [[ -n ${SECMSG_FLOOR_KO:-} ]] &&
   [[ -z ${SECMSG_TESTS:-} || " $SECMSG_TESTS " == *" floor_check "* ]]; then
	floor_check
fi

# --- unload ---------------------------------------------------------------
unload_consumer
# Leaks while the module is loaded (its data still references what it
# keeps; what nothing references is lost for good) ...
[[ -z $kml ]] || { echo "<6>run_tests: ==== kmemleak scan" >/dev/kmsg; kml_check kmemleak_loaded; }
if [[ -z ${SECMSG_TESTS:-} || " $SECMSG_TESTS " == *" secmsg_unload "* ]]; then
	[[ " $progs " == *" secmsg_unload "* ]] || run_prog secmsg_unload
fi
if [[ -d /sys/module/secmsg ]]; then
	if out=$(rmmod secmsg 2>&1); then
		record module_unload ok ""
	else
		record module_unload fail "rmmod secmsg: $out"
	fi
fi
echo "<6>run_tests: ==== after rmmod" >/dev/kmsg 2>/dev/null
# ... and after it is gone: whatever it did not free on unload.
[[ -z $kml ]] || kml_check kmemleak_unloaded

# --- dmesg ----------------------------------------------------------------
# Reports that do not panic under panic_on_warn: lockdep ("possible
# circular locking dependency", "inconsistent lock state", "possible
# recursive locking"...: headed WARNING: but printed without WARN()),
# might_sleep ("BUG: sleeping function called from invalid context"),
# kmemleak's summary line, RCU stalls, hung tasks.  KASAN, ODEBUG and WARN
# reports panic the guest (run.sh exits 125) and end up in guest.tap.
# The whole report (from its first matching line on) goes to the .tap.
log=$(dmesg | tail -n +"$((dmesg_base + 1))")
# (Upper-case words and whole phrases only: stack frames such as
# kmemleak_alloc or lockdep_hardirqs_on must not match.)
pat='WARNING|BUG|Oops|KASAN|ODEBUG|memory leak|lock(ing)? (state|dependency)'
pat+='|INFO: (task .* blocked|rcu_|trying to register non-static key)'
pat+='|general protection|UBSAN|stack guard|list_(add|del) corruption'
first=$(grep -nE "$pat" <<<"$log" |
	grep -vE 'kmemleak: (Automatic|Kernel memory leak detector)|run_tests: ====' |
	head -n1 | cut -d: -f1)
if [[ -n $first ]]; then
	bad=$(tail -n +"$first" <<<"$log" | head -n 200)
	during=$(head -n "$first" <<<"$log" | sed -n 's/.*run_tests: ==== //p' | tail -n1)
	[[ -z $during ]] || bad="first report while $during ran:"$'\n'"$bad"
	echo "# kernel log after the tests:"
	echo "$bad" | sed 's/^/# dmesg: /'
	record dmesg_clean fail "$bad"
else
	record dmesg_clean ok ""
fi

# The slowest tests, to keep an eye on their timeouts (the harness's
# default is 30 s a test; settings' timeout is per program).
echo "# ==== slowest tests (seconds)"
awk '{ p = FILENAME; sub(/.*\//, "", p); sub(/\.times$/, "", p)
	print $1, p ": " substr($0, length($1) + 2) }' "$results"/*.times \
	2>/dev/null | sort -rn | head -n 15 | sed 's/^/#   /'
echo "# ==== guest summary"
echo "# guest: $(bash "$here/summarize.sh" "$results")"
exit $failed
