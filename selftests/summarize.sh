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

# One awk for all the files: under QEMU every exec costs a good part of a
# second (a fork and a sed per number took minutes in the guest).
count() {	# find arguments: sets pass fail skip
	local files
	mapfile -t files < <(find "$@" -name '*.tap' | sort)
	read -r pass fail skip < <(awk '
	function num(l, k) {	# the number after " k:" in l
		if (!match(l, " " k ":[0-9]+"))
			return 0
		return substr(l, RSTART + length(k) + 2, RLENGTH - length(k) - 2) + 0
	}
	BEGIN {
		for (i = 1; i < ARGC; i++) {
			last = ""
			while ((getline l < ARGV[i]) > 0)
				if (l ~ /^# Totals: /)
					last = l
			close(ARGV[i])
			if (last == "") {
				fail++
				continue
			}
			pass += num(last, "pass") + num(last, "xfail")
			fail += num(last, "fail") + num(last, "error") + num(last, "xpass")
			skip += num(last, "skip")
		}
		print pass + 0, fail + 0, skip + 0
	}' "${files[@]}")
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
