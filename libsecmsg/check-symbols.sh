#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# check-symbols.sh LIB MAP [HEADER]
#
# The shared library must export exactly the functions listed in the
# version script, each as the default version (@@) of the node that lists
# it (LIBSECMSG_1, LIBSECMSG_1.1, ...), plus the older versions the script
# names in "compat NAME@NODE" comment lines (a struct that grew keeps its
# old layout for programs built against NODE), and (if HEADER is given)
# those must be exactly the functions the public header declares.
set -eu

lib=$1
map=$2
hdr=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# "name@@NODE" for every symbol of the map, by the node that opens above
# it; "name@NODE" for each compat line
awk '/^[[:space:]*]*compat[[:space:]]+[A-Za-z_][A-Za-z0-9_]*@[A-Za-z0-9_.]+/ {
		for (i = 1; i <= NF; i++) if ($i ~ /@/) print $i; next }
	/^[[:space:]]*[A-Za-z_][A-Za-z0-9_.]*[[:space:]]*\{/ {
		node = $1; sub(/\{.*/, "", node); next }
	/^[[:space:]]*[A-Za-z_][A-Za-z0-9_]*;/ {
		s = $1; sub(/;.*/, "", s); print s "@@" node }' "$map" |
	sort > "$tmp/mapver"
sed 's/@.*//' "$tmp/mapver" | sort -u > "$tmp/map"
nm -D --defined-only "$lib" | awk '$2 != "A" { print $3 }' |
	sort > "$tmp/exported"

status=0
if ! diff -u "$tmp/mapver" "$tmp/exported"; then
	echo "exported symbols or their versions differ from $map (- map, + library)"
	status=1
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
nodes=$(grep '@@' "$tmp/mapver" | sed 's/.*@@//' | sort -u | tr '\n' ' ')
[ $status -eq 0 ] && echo "# symbols: $(wc -l < "$tmp/map") exported, at their nodes ($nodes) as in the map"
exit $status
