#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check's run of the installed packages (selftests/pkg/guest_pkg.sh)
# in a Debian-kernel guest whose root is writable (run.sh --writable-root:
# dpkg -i changes nothing on the host): BUILD_DIR/results/pkg/guest.tap,
# the dpkg and demo logs beside it.  Needs the packages that
# selftests/pkg/host_pkg.sh built (make deb) in BUILD_DIR/deb.
#
# Time, measured on a 2-core machine: the guest takes 9 minutes alone
# (DKMS compiling the module under TCG 4 of them), 21 with another guest
# beside it; the timeout leaves room for more than twice that.
#
# usage: pkg_check.sh BUILD_DIR
set -uo pipefail
B=$(realpath -m -- "${1:?usage: pkg_check.sh BUILD_DIR}")
root=$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)
cd "$root" || exit 1
res=$B/results/pkg
mkdir -p "$res"
bash selftests/vm/run.sh --writable-root --cache "$B/vm" --timeout 3600 \
	--log "$res/console.log" -- \
	bash selftests/pkg/guest_pkg.sh "$B" >"$res/guest.tap" 2>"$res/guest.err"
rc=$?
if [[ $rc -ne 0 ]] && ! grep -q '^# Totals:' "$res/guest.tap"; then
	# The guest died: its .tap has no Totals line and counts as one failure.
	echo "# the guest died (exit $rc): $res/console.log" >>"$res/guest.tap"
fi
grep -E '^(not )?ok |^# Totals' "$res/guest.tap" | tail -n 20
