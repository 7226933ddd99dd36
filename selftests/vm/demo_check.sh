#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check's run of the demo (tools/demo/run-demo.sh) in a Debian-kernel
# guest, as one TAP test: BUILD_DIR/results/demo/demo.tap, with the demo's
# output as comments (and in demo.log beside it).  The demo checks its own
# output: every verdict, the impersonated reads, the reverts.
#
# usage: demo_check.sh BUILD_DIR
set -uo pipefail
B=${1:?usage: demo_check.sh BUILD_DIR}
root=$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)
cd "$root" || exit 1
res=$B/results/demo
mkdir -p "$res"
bash selftests/vm/run.sh --cache "$B/vm" --timeout 600 -- \
	bash tools/demo/run-demo.sh "$B" >"$res/demo.log" 2>&1
rc=$?
{
	echo "TAP version 13"
	echo "1..1"
	sed 's/^/# /' "$res/demo.log"
	if [[ $rc -eq 0 ]] && grep -q '^demo: OK' "$res/demo.log"; then
		echo "ok 1 make demo"
		echo "# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0"
	else
		echo "not ok 1 make demo (exit $rc)"
		echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"
	fi
} >"$res/demo.tap"
tail -n 3 "$res/demo.tap"
