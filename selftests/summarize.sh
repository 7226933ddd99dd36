#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# usage: summarize.sh RESULTS_DIR
# Sums the kselftest "# Totals:" lines of every .tap file under RESULTS_DIR
# (host and guest) and prints one line: "N passed, N failed, N skipped".  The 6.1 harness counts a skip
# only under skip: (not under pass:), so the three never overlap; error: and
# xpass: count as failed, xfail: as passed.  A .tap file without a Totals
# line (a program that died) counts as one failure.  Exit status 0 only if
# something passed and nothing failed.
set -u
dir=${1:?usage: summarize.sh RESULTS_DIR}
pass=0 fail=0 skip=0
while IFS= read -r f; do
	line=$(grep -E '^# Totals: ' "$f" | tail -n 1)
	if [[ -z $line ]]; then
		fail=$((fail + 1))
		continue
	fi
	get() { sed -nE "s/.* $1:([0-9]+).*/\1/p" <<<"$line"; }
	pass=$((pass + $(get pass) + $(get xfail)))
	fail=$((fail + $(get fail) + $(get error) + $(get xpass)))
	skip=$((skip + $(get skip)))
done < <(find "$dir" -name '*.tap' | sort)
echo "$pass passed, $fail failed, $skip skipped"
# Nothing run is not a pass.
((fail == 0 && pass > 0))
