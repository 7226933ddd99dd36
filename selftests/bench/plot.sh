#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# plot.sh DIR: draw DIR/bench.png from DIR/ratios.dat (written by
# secmsg_bench -o DIR): one panel per suite, secmsg's messages per second
# over the floor's (the raw in-kernel AEAD on the same driver) against the
# message size, a line per op for single calls and a dashed one of the same
# colour for BATCH, with the 0.9x target.  Higher is better.  Needs gnuplot (gnuplot-nox); runs on the host.
set -euo pipefail
dir=${1:?usage: plot.sh DIR}
dat=$dir/ratios.dat
[[ -s $dat ]] || { echo "plot.sh: no $dat" >&2; exit 1; }
command -v gnuplot >/dev/null || { echo "plot.sh: no gnuplot" >&2; exit 1; }

# "# SUITE OP: size ..." heads each block, in order: gnuplot's index.
mapfile -t heads < <(sed -n 's/^# \([^ ]*\) \([^:]*\):.*/\1 \2/p' "$dat")
suites=()
for h in "${heads[@]}"; do
	s=${h%% *}
	[[ " ${suites[*]} " == *" $s "* ]] || suites+=("$s")
done
n=${#suites[@]}

{
	echo "set terminal pngcairo size $((520 * n)),460 font 'sans,9'"
	echo "set output '$dir/bench.png'"
	echo "set datafile missing 'NaN'"
	echo "set multiplot layout 1,$n title 'secmsg / floor (raw in-kernel AEAD, same driver)' font 'sans,11'"
	echo "set logscale x 2"
	echo "set xtics ('64' 64, '256' 256, '1K' 1024, '4K' 4096, '16K' 16384, '64K' 65536, '1M' 1048576)"
	echo "set xlabel 'message size (bytes)'"
	echo "set ylabel 'secmsg / floor'"
	echo "set yrange [0:1.4]"
	echo "set grid"
	echo "set key bottom right"
	for s in "${suites[@]}"; do
		echo "set title '$s'"
		plot=""
		lt=0
		for i in "${!heads[@]}"; do
			[[ ${heads[$i]%% *} == "$s" ]] || continue
			op=${heads[$i]#* }
			lt=$((lt + 1))
			plot+="${plot:+, }'$dat' index $i using 1:2 with linespoints lt $lt title '$op', "
			plot+="'$dat' index $i using 1:3 with lines lt $lt dashtype 2 title '$op BATCH'"
		done
		echo "plot $plot, 0.9 with lines lc 'black' dashtype 3 title 'target 0.9'"
	done
	echo "unset multiplot"
} | gnuplot
echo "plot.sh: $dir/bench.png"
