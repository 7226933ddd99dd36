#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The release as a packager meets it, on the host (the guest half, which
# installs the packages and runs them, is guest_pkg.sh beside this file):
# the licence texts the SPDX lines name; one version everywhere; make
# install into a DESTDIR from a copy of the tree, with the packager's
# CFLAGS, CPPFLAGS and LDFLAGS, putting down exactly install.list, no
# RUNPATH, no -Werror unless asked for; make uninstall leaving the tree
# empty; KVER without dpkg-query; the DKMS copy of the sources building
# the module as dkms.conf says; make deb, exactly packages.list, and
# lintian without errors or warnings.  The packages stay in BUILD_DIR/deb
# for the guest.  Prints TAP and a kselftest "# Totals:" line.
#
# usage: host_pkg.sh BUILD_DIR
set -u
B=$(realpath -m -- "${1:?usage: host_pkg.sh BUILD_DIR}")
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/selftests/pkg
version=$(<"$top/VERSION")
ma=$(gcc -print-multiarch)
# A packager's make, in an environment of its own: not a sub-make of
# make check's, whose variables (WERROR=1, B, KVER...) make exports.
pmake() {
	env -i PATH="${PKG_PATH:-$PATH}" HOME="$HOME" LANG=C.UTF-8 \
		TMPDIR="${TMPDIR:-/tmp}" make "$@"
}
kdir_of() {	# the kernel tree the top Makefile builds against, and its KVER
	printf 'pkg-show-kdir:\n\t@echo $(KVER) $(KDIR)\n' |
		pmake -s --no-print-directory -C "$1" -f Makefile -f - pkg-show-kdir
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/src
root=$tmp/root
. "$top/selftests/tap.sh"

expand() {	# the placeholders of install.list and packages.list
	grep -v '^#' "$1" | sed "s|@KVER@|$kver|g; s|@MA@|$ma|g; s|@VERSION@|$version|g"
}

licence_texts() {	# every identifier an SPDX line names has its text
	local id bad=0
	# The SPDX line is among a file's first lines (after a #! line).
	for id in $(cd "$top" && git ls-files -z | xargs -0 sed -s -n \
			'1,3s/.*SPDX-License-Identifier: \([-A-Za-z0-9.+ ()]*\).*/\1/p' |
		tr '() ' '\n\n\n' | grep -Ev '^(|OR|AND|WITH)$' | sort -u); do
		if [[ ! -s $top/LICENSES/$id.txt ]]; then
			echo "no LICENSES/$id.txt"
			bad=1
		fi
	done
	grep -q 'GNU LESSER GENERAL PUBLIC LICENSE' "$top/LICENSES/LGPL-2.1-or-later.txt" &&
		grep -q 'GNU GENERAL PUBLIC LICENSE' "$top/LICENSES/GPL-2.0.txt" || bad=1
	return $bad
}

one_version() {	# VERSION, debian/changelog, NEWS, a tag if there is one
	local v
	[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "VERSION: $version"; return 1; }
	v=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
	[[ $v == "$version" ]] || { echo "debian/changelog: $v"; return 1; }
	v=$(grep -m1 -Eo '^[0-9]+\.[0-9]+\.[0-9]+ \(' "$top/NEWS")
	[[ $v == "$version (" ]] || { echo "NEWS's newest release: $v"; return 1; }
	# A tag named for this release must be on this commit or behind it.
	if git -C "$top" rev-parse -q --verify "refs/tags/v$version" >/dev/null; then
		git -C "$top" merge-base --is-ancestor "v$version" HEAD ||
			{ echo "tag v$version is not in HEAD's history"; return 1; }
	fi
}

copy_tree() {
	mkdir -p "$src" &&
		(cd "$top" && git ls-files -co --exclude-standard -z |
			cpio -0 -pdm --quiet "$src")
}

# The packager's flags, each leaving a mark to find in the result: CFLAGS
# the .GCC.command.line section, CPPFLAGS fortified calls (__*_chk, which
# the project's own flags never ask for), LDFLAGS BIND_NOW.
PKG_FLAGS=(CFLAGS="-O1 -g -frecord-gcc-switches"
	CPPFLAGS="-D_FORTIFY_SOURCE=2" LDFLAGS="-Wl,-z,now")

install_files() {
	pmake -C "$src" install DESTDIR="$root" PREFIX=/usr "${PKG_FLAGS[@]}" \
		>"$tmp/install.log" 2>&1 || { tail -n 40 "$tmp/install.log"; return 1; }
	diff <(expand "$here/install.list" | sort) \
		<(cd "$root" && find . \( -type f -o -type l \) | sed 's|^\.||' | sort)
}

elves() {	# the ELF files under a tree
	local f
	while IFS= read -r -d '' f; do
		[[ $(head -c 4 "$f" | od -An -c | tr -d ' ') == 177ELF ]] && echo "$f"
	done < <(find "$1" -type f -print0)
}

no_runpath() {
	local f bad=0
	for f in $(elves "$root"); do
		if readelf -d "$f" | grep -E '\((RPATH|RUNPATH)\)'; then
			echo "$f has a library search path"
			bad=1
		fi
	done
	return $bad
}

flags_reach() {	# every program and the library, built with all three
	local f bad=0 n=0
	for f in $(elves "$root/usr"); do
		[[ $f == *.a ]] && continue
		n=$((n + 1))
		readelf -p .GCC.command.line "$f" 2>/dev/null | grep -q -- ' -O1 ' ||
			{ echo "$f: CFLAGS not used"; bad=1; }
		nm -D --undefined-only "$f" | grep -q '__.*_chk' ||
			{ echo "$f: CPPFLAGS not used"; bad=1; }
		readelf -d "$f" | grep -q 'FLAGS.*BIND_NOW' ||
			{ echo "$f: LDFLAGS not used"; bad=1; }
	done
	((n >= 8)) || { echo "only $n ELF files checked"; bad=1; }
	return $bad
}

module_version() {
	local v
	v=$(modinfo -F version "$root/lib/modules/$kver/extra/secmsg.ko") || return 1
	[[ $v == "$version" ]] || { echo "modinfo: version $v"; return 1; }
}

uninstall_all() {
	pmake -C "$src" uninstall DESTDIR="$root" PREFIX=/usr >"$tmp/uninstall.log" 2>&1 ||
		{ tail -n 20 "$tmp/uninstall.log"; return 1; }
	[[ -d $root ]] && [[ -z $(find "$root" -mindepth 1) ]] ||
		{ find "$root" -mindepth 1; return 1; }
}

werror_only_when_asked() {
	local plain asked
	plain=$(pmake -C "$src" -n -B lib tools 2>&1)
	asked=$(pmake -C "$src" -n -B lib tools WERROR=1 2>&1)
	grep -c -- ' -Wall' <<<"$plain" | grep -qv '^0$' ||
		{ echo "make -n printed no compile line"; return 1; }
	! grep -- '-Werror' <<<"$plain" || return 1
	grep -q -- '-Werror' <<<"$asked" || { echo "WERROR=1 gives no -Werror"; return 1; }
}

kver_without_dpkg() {	# off Debian: the running kernel's build directory
	local r want got
	mkdir -p "$tmp/nodpkg"
	printf '#!/bin/sh\nexit 127\n' >"$tmp/nodpkg/dpkg-query"
	chmod +x "$tmp/nodpkg/dpkg-query"
	r=$(uname -r)
	want="$r /lib/modules/$r/build"
	[[ -d /usr/src/linux-headers-$r ]] && want="$r /usr/src/linux-headers-$r"
	got=$(PKG_PATH=$tmp/nodpkg:$PATH kdir_of "$src")
	echo "without dpkg-query: $got"
	[[ $got == "$want" ]]
}

dkms_sources_build() {	# what DKMS gets builds the module, as dkms.conf says
	local d=$tmp/dkms/usr/src/secmsg-$version mk
	pmake -C "$src" dkms-install DESTDIR="$tmp/dkms" >"$tmp/dkms.log" 2>&1 ||
		{ tail -n 20 "$tmp/dkms.log"; return 1; }
	grep -qx "PACKAGE_VERSION=\"$version\"" "$d/dkms.conf" ||
		{ echo "dkms.conf: $(grep PACKAGE_VERSION "$d/dkms.conf")"; return 1; }
	# dkms builds in a copy of the source directory; so do we
	cp -a "$d" "$tmp/dkms-build"
	mk=$(sed -n 's/^MAKE\[0\]="\(.*\)"$/\1/p' "$d/dkms.conf")
	mk=${mk//'${kernel_source_dir}'/$kdir}
	mk=${mk//'${dkms_tree}/${PACKAGE_NAME}/${PACKAGE_VERSION}/build'/$tmp/dkms-build}
	[[ $mk == 'make '* && $mk != *'${'* ]] || { echo "dkms.conf MAKE: $mk"; return 1; }
	mk=p$mk
	eval "$mk" >"$tmp/dkms-build.log" 2>&1 || { tail -n 30 "$tmp/dkms-build.log"; return 1; }
	[[ $(modinfo -F version "$tmp/dkms-build/kmod/secmsg.ko") == "$version" ]] &&
		[[ ! -e $tmp/dkms-build/selftests ]]
}

make_deb() {
	pmake -C "$top" deb B="$B" >"$tmp/deb.log" 2>&1 || { tail -n 40 "$tmp/deb.log"; return 1; }
}

deb_files() {
	local d p
	diff <(expand "$here/packages.list" | sort) <(
		for d in "$B"/deb/*.deb; do
			p=$(dpkg-deb -f "$d" Package)
			[[ $p == *-dbgsym ]] && continue
			[[ $(dpkg-deb -f "$d" Version) == "$version" ]] ||
				echo "$p: version $(dpkg-deb -f "$d" Version)"
			dpkg-deb -c "$d" | awk -v p="$p" '$1 !~ /^d/ { print p, substr($6, 2) }' |
				grep -v " /usr/share/doc/"
		done | sort)
}

deb_is_install() {	# the packages ship what make install does, and DKMS sources
	diff <(expand "$here/install.list" | grep -v '^/lib/modules/' | sort) \
		<(expand "$here/packages.list" | awk '{ print $2 }' |
			grep -Ev '^/usr/src/|^/usr/share/lintian/' | sed 's/\.gz$//' | sort)
}

lintian_clean() {
	local out
	out=$(lintian --fail-on error,warning "$B"/deb/*.changes 2>&1)
	local rc=$?
	echo "$out"
	return $rc
}

echo "TAP version 13"
echo "# packaging, host side ($version)"
t licence_texts licence_texts
t one_version one_version
if copy_tree && read -r kver kdir < <(kdir_of "$src") && [[ -d $kdir ]]; then
	echo "# building against $kdir"
	t install_destdir_exact_files install_files
	t install_no_runpath no_runpath
	t install_honours_cflags_cppflags_ldflags flags_reach
	t install_module_version module_version
	t uninstall_leaves_destdir_empty uninstall_all
	t werror_only_when_asked werror_only_when_asked
	t kver_without_dpkg_query kver_without_dpkg
	t dkms_sources_build dkms_sources_build
else
	for x in install_destdir_exact_files install_no_runpath \
		install_honours_cflags_cppflags_ldflags install_module_version \
		uninstall_leaves_destdir_empty werror_only_when_asked \
		kver_without_dpkg_query dkms_sources_build; do
		f "$x" "no copy of the tree or no kernel headers"
	done
fi
t make_deb make_deb
t deb_exact_files deb_files
t deb_ships_what_install_does deb_is_install
t lintian_no_error_no_warning lintian_clean
tap_end
