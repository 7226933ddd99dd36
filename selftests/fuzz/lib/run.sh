#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The libFuzzer targets of libsecmsg (this directory), on the host.
#
# usage: run.sh list                    the target names
#        run.sh probe                   exit 0 if clang's fuzzer runtime
#                                       works, else print why
#        run.sh check BUILD_DIR TARGET  build, then a bounded pass over
#                                       corpus/TARGET: -runs=100000 -seed=1
#        run.sh fuzz BUILD_DIR SECONDS [SEED]
#                                       every target for SECONDS / targets
#
# Work goes to BUILD_DIR/fuzz-lib/: the binaries, new inputs
# (corpus/TARGET) and failing ones (artifacts/).  A failing input becomes a
# regression entry: copy it to corpus/TARGET/regress-WHAT here.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
targets="message context status establish"

build() {
	make -s -C "$here" O="$1" >"$1.build.log" 2>&1 ||
		{ cat "$1.build.log"; return 1; }
}

# run B TARGET WORKDIR ARGS...: libFuzzer over WORKDIR and the tree's seeds
run() {
	local o=$1 t=$2 work=$3; shift 3
	mkdir -p "$work" "$o/artifacts"
	"$o/fuzz_$t" -artifact_prefix="$o/artifacts/$t-" -timeout=20 \
		-rss_limit_mb=4096 -print_final_stats=1 "$@" \
		"$work" "$here/corpus/$t" >"$o/$t.log" 2>&1
}

stats() {	# one line from a finished run's log
	local log=$1
	sed -nE 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\1 runs in \2 s/p' "$log"
	sed -nE 's/^stat::new_units_added: *([0-9]+)/, \1 new inputs/p' "$log"
	grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | sed 's/^/, /'
}

case ${1:-} in
list)
	echo "$targets" ;;
probe)
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	command -v "${CLANG:-clang}" >/dev/null || { echo "no clang"; exit 1; }
	echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)
		{ (void)d; (void)n; return 0; }' >"$tmp/p.c"
	"${CLANG:-clang}" -fsanitize=fuzzer,address,undefined -o "$tmp/p" \
		"$tmp/p.c" >/dev/null 2>&1 ||
		{ echo "clang has no fuzzer runtime (libclang-rt-14-dev)"; exit 1; }
	"$tmp/p" -runs=1 >/dev/null 2>&1 || { echo "a fuzzer does not run"; exit 1; }
	;;
check)
	o=${2:?}/fuzz-lib t=${3:?}
	mkdir -p "$o"
	build "$o" || exit 1
	rm -rf "$o/work/$t"
	run "$o" "$t" "$o/work/$t" -runs=100000 -seed=1 -max_total_time=120
	rc=$?
	s=$(stats "$o/$t.log" | tr -d '\n')
	echo "fuzz_$t: $s" >"$o/$t.summary"
	if ((rc)); then
		grep -vE '^(#[0-9]+|INFO:)' "$o/$t.log" | tail -n 60
		echo "fuzz_$t: failed ($rc); input in $o/artifacts/, log $o/$t.log"
	fi
	exit $rc ;;
fuzz)
	B=${2:?} secs=${3:?} seed=${4:-$(date +%s)}
	o=$B/fuzz-lib
	if ! why=$(bash "$0" probe); then
		echo "# libFuzzer targets: SKIP, $why"
		exit 0
	fi
	mkdir -p "$o"
	build "$o" || exit 1
	n=$(wc -w <<<"$targets")
	each=$((secs / n)); ((each > 0)) || each=1
	fail=0
	for t in $targets; do
		run "$o" "$t" "$o/corpus/$t" -max_total_time="$each" -seed="$seed"
		rc=$?
		echo "# fuzz_$t: $(stats "$o/$t.log" | tr -d '\n') (seed $seed)"
		if ((rc)); then
			grep -vE '^(#[0-9]+|INFO:)' "$o/$t.log" | tail -n 60
			echo "# fuzz_$t: FAILED; input in $o/artifacts/"
			fail=1
		fi
	done
	exit $fail ;;
*)
	sed -n 's/^# \{0,1\}//; 4,16p' "$0" >&2
	exit 2 ;;
esac
