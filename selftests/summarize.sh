#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# usage: summarize.sh RESULTS_DIR
# Sums the kselftest "# Totals:" lines of every .tap file under RESULTS_DIR
# (host and every guest kernel) and prints one line: "N passed, N failed,
# N skipped".  The 6.1 harness counts a skip only under skip: (not under
# pass:), so the three never overlap; error: and xpass: count as failed,
# xfail: as passed.  A .tap file without a Totals line (a program that died)
# counts as one failure.  When RESULTS_DIR has per-kernel subdirectories
# (make check), a "# NAME: ..." line for each part (host = the .tap files at
# the top) comes first, and the line that sums everything stays the last.
# Exit status 0 only if something passed and nothing failed.
set -u
dir=${1:?usage: summarize.sh RESULTS_DIR}

count() {	# find arguments: sets pass fail skip
	local f line
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
	done < <(find "$@" -name '*.tap' | sort)
}
line() { echo "$pass passed, $fail failed, $skip skipped"; }

subs=$(find "$dir" -mindepth 2 -name '*.tap' -printf '%h\n' | sort -u)
if [[ -n $subs ]]; then
	count "$dir" -maxdepth 1
	((pass + fail + skip == 0)) || echo "# host: $(line)"
	while IFS= read -r d; do
		count "$d"
		echo "# ${d#"$dir"/}: $(line)"
	done <<<"$subs"
fi
count "$dir"
line
# Nothing run is not a pass.
((fail == 0 && pass > 0))
