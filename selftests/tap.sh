# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# TAP for the test scripts written in bash (host_checks.sh, pkg/*.sh):
# source it, then
#   t NAME COMMAND...   one test: ok if COMMAND succeeds, else not ok with
#                       its output (stdout and stderr) as comments;
#                       returns COMMAND's success
#   s NAME WHY          one test skipped, WHY as the reason
#   f NAME WHY          one test failed without running, WHY as the reason
#   tap_end             the plan and the kselftest "# Totals:" line that
#                       selftests/summarize.sh reads; returns 0 if none failed
tap_n=0 tap_pass=0 tap_fail=0 tap_skip=0

t() {
	local name=$1 out
	shift
	tap_n=$((tap_n + 1))
	if out=$("$@" 2>&1); then
		echo "ok $tap_n $name"
		tap_pass=$((tap_pass + 1))
		return 0
	fi
	echo "not ok $tap_n $name"
	printf '%s\n' "$out" | sed 's/^/#   /'
	tap_fail=$((tap_fail + 1))
	return 1
}

s() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n $1 # SKIP $2"
	tap_skip=$((tap_skip + 1))
}

f() {
	tap_n=$((tap_n + 1))
	echo "not ok $tap_n $1 # $2"
	tap_fail=$((tap_fail + 1))
}

tap_end() {
	echo "1..$tap_n"
	echo "# Totals: pass:$tap_pass fail:$tap_fail xfail:0 xpass:0 skip:$tap_skip error:0"
	[ "$tap_fail" -eq 0 ]
}
