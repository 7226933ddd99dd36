#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb: the Debian packages, built with dpkg-buildpackage -us -uc -b
# from a copy of the tree (the tracked files and new ones not ignored, as
# they are now), so that nothing is written next to the clone or into it.
#
# usage: debian/build-deb.sh OUTDIR
#   OUTDIR/*.deb, *.ddeb, *.changes, *.buildinfo; the build log in
#   OUTDIR/build.log
set -euo pipefail
out=${1:?usage: build-deb.sh OUTDIR}
top=$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)
version=$(<"$top/VERSION")
changelog=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
if [[ $changelog != "$version" ]]; then
	echo "deb: debian/changelog says $changelog, VERSION says $version" >&2
	exit 1
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "$out/src" "$out"/*.deb "$out"/*.ddeb "$out"/*.changes \
	"$out"/*.buildinfo
src=$out/src/secmsg-$version
mkdir -p "$src"
(cd "$top" && git ls-files -co --exclude-standard -z |
	cpio -0 -pdm --quiet "$src")
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log" >&2
	echo "deb: dpkg-buildpackage failed (whole log: $out/build.log)" >&2
	exit 1
fi
mv "$out"/src/*.deb "$out"/src/*.changes "$out"/src/*.buildinfo "$out"/
mv "$out"/src/*.ddeb "$out"/ 2>/dev/null || true
rm -rf "$out/src"
ls "$out"/*.deb
