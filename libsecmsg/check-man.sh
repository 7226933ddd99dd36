#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# check-man.sh VERSION PAGE...
#
# The manual pages as a distribution expects them:
# - a link page (".so man3/x.3" alone) names a page next to it;
# - every other page's .TH carries the release as its source ("libsecmsg
#   1.5.0", "secmsg 1.5.0": the fourth argument ends with " VERSION");
# - a page of section 3 (the calls) has an ERRORS section, after RETURN
#   VALUE;
# - every page renders with groff -man -Tutf8 -ww without a warning
#   (skipped, and said so, without groff).
# Prints one "# man pages: ..." line (TAP comment) when all is well; else
# what is wrong, and exits 1.
set -eu

if [ $# -lt 2 ]; then
	echo "usage: $0 VERSION PAGE..." >&2
	exit 2
fi
version=$1
shift

status=0
pages=0
links=0
for f in "$@"; do
	so=$(sed -n '1s/^\.so man[1-8]\///p' "$f")
	if [ -n "$so" ]; then
		[ -f "$(dirname "$f")/$so" ] ||
			{ echo "$f: no $(dirname "$f")/$so"; status=1; }
		links=$((links + 1))
		continue
	fi
	pages=$((pages + 1))
	# .TH NAME SECTION DATE "SOURCE VERSION" "MANUAL"
	th=$(grep -m1 '^\.TH ' "$f" || true)
	src=$(printf '%s\n' "$th" | sed -n 's/^\.TH [^ ]* [^ ]* [^ ]* "\([^"]*\)".*/\1/p')
	case "$src" in
	*" $version")
		;;
	*)
		echo "$f: .TH does not carry the version $version: $th"
		status=1
		;;
	esac
	case "$f" in
	*.3)
		ret=$(grep -n '^\.SH "\{0,1\}RETURN VALUE"\{0,1\}$' "$f" |
			head -n1 | cut -d: -f1)
		err=$(grep -n '^\.SH "\{0,1\}ERRORS"\{0,1\}$' "$f" |
			head -n1 | cut -d: -f1)
		if [ -z "$err" ]; then
			echo "$f: no ERRORS section"
			status=1
		elif [ -n "$ret" ] && [ "$err" -lt "$ret" ]; then
			echo "$f: ERRORS before RETURN VALUE"
			status=1
		fi
		;;
	esac
done

render=
if command -v groff >/dev/null; then
	for f in "$@"; do
		sed -n '1{/^\.so /q1}' "$f" || continue
		out=$(groff -man -Tutf8 -ww -z "$f" 2>&1)
		if [ -n "$out" ]; then
			echo "$f: $out"
			status=1
		fi
	done
	render=", render without warnings"
else
	render=", not rendered: no groff (SKIP)"
fi

[ $status -eq 0 ] &&
	echo "# man pages: $pages pages and $links links, version $version, ERRORS in every call's page$render"
exit $status
