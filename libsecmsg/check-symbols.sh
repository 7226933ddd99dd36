#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# check-symbols.sh LIB MAP [HEADER]
#
# The shared library must export exactly the functions listed in the
# version script, each at version LIBSECMSG_1, and (if HEADER is given)
# those must be exactly the functions the public header declares.
set -eu

lib=$1
map=$2
hdr=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

sed -n 's/^[[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\);.*/\1/p' "$map" |
	sort > "$tmp/map"
nm -D --defined-only "$lib" | awk '$2 != "A" { print $3 }' |
	sort > "$tmp/exported"

status=0
if grep -v '@@LIBSECMSG_1$' "$tmp/exported" > "$tmp/badver"; then
	echo "not at version LIBSECMSG_1:"; cat "$tmp/badver"; status=1
fi
sed 's/@.*//' "$tmp/exported" > "$tmp/names"
if ! diff -u "$tmp/map" "$tmp/names"; then
	echo "exported symbols differ from $map (- map, + library)"; status=1
fi
if [ -n "$hdr" ]; then
	# Prototypes: a line starting with a type and naming sm_xxx(
	sed -n 's/^[a-z].*[ *]\(sm_[a-z0-9_]*\)(.*/\1/p' "$hdr" |
		sort -u > "$tmp/header"
	if ! diff -u "$tmp/map" "$tmp/header"; then
		echo "functions in $hdr differ from $map (- map, + header)"
		status=1
	fi
fi
[ $status -eq 0 ] && echo "# symbols: $(wc -l < "$tmp/map") exported, all LIBSECMSG_1, as in the map"
exit $status
