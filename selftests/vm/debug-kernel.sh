#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once per machine) the debug kernel for the test guest, from
# Debian's linux-source-6.1 with selftests/config + selftests/config.debug:
# KASAN, lockdep, kmemleak, DEBUG_OBJECTS, DEBUG_LIST, fault injection, KCOV.
# The patches in selftests/vm/debug-patches/ (lockdep annotations for false
# reports in the kernel itself, each explained in its header) are applied.
#
# usage: debug-kernel.sh      prints the build directory on stdout:
#   DIR/linux/                     the built tree: KDIR for the module,
#                                  vmlinux for decoding reports
#   DIR/linux/arch/x86/boot/bzImage  the kernel to boot (not PVH: KASAN
#                                  faults in the PVH entry code)
#   DIR/modroot/lib/modules/KREL/  modules_install output
#   DIR/KREL                       the kernel release (uname -r)
#
# The build lives outside the repo, so fresh clones (CI) reuse it:
# ${SECMSG_CACHE:-/var/cache/secmsg}/debug-KEY, KEY = hash of the two config
# files, the patches, the linux-source package version, the compiler and
# this script.
# Nothing else invalidates it; delete the directory to force a rebuild.
# After a build, other debug-* directories unused for 14 days are deleted
# (1.6 GB each).
# First build: about 8-9 minutes on 2 cores; a cached run: well under a second.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
frags=("$here/../config" "$here/../config.debug")
patches=()
for p in "$here"/debug-patches/*.patch; do
	[[ -f $p ]] && patches+=("$p")
done
srcpkg=linux-source-6.1
tarball=/usr/src/linux-source-6.1.tar.xz

msg() { echo "debug-kernel: $*" >&2; }
die() { msg "$*"; exit 1; }

if [[ -n ${SECMSG_CACHE:-} ]]; then
	croot=$SECMSG_CACHE
elif [[ -w /var/cache || -w /var/cache/secmsg ]]; then
	croot=/var/cache/secmsg
else
	croot=${XDG_CACHE_HOME:-$HOME/.cache}/secmsg
fi

srcver=$(dpkg-query -W -f='${Version}' "$srcpkg" 2>/dev/null) ||
	die "$srcpkg not installed (run selftests/vm/deps.sh)"
[[ -f $tarball ]] || die "no $tarball (run selftests/vm/deps.sh)"
key=$({
	cat "${frags[@]}" "${patches[@]}" "${BASH_SOURCE[0]}"
	echo "$srcpkg $srcver"
	gcc --version | head -n1
} | sha256sum | cut -c1-16)
dir=$croot/debug-$key

done_ok() { [[ -f $dir/.done && -f $dir/KREL ]]; }
if done_ok; then
	touch "$dir/.done" 2>/dev/null || true	# last use, for pruning
	echo "$dir"
	exit 0
fi

mkdir -p "$croot"
exec 9>"$dir.lock"
if ! flock -n 9; then
	msg "waiting for another build of $dir"
	flock 9
fi
if done_ok; then	# built by the run we waited for
	echo "$dir"
	exit 0
fi

start=$SECONDS
rm -rf "$dir"
mkdir -p "$dir"
log=$dir/build.log
msg "building the debug kernel in $dir (once per machine: ~8-9 min on 2 cores; log: $log)"
fail() {
	tail -n 40 "$log" >&2
	die "$* (whole log: $log)"
}

tar -xJf "$tarball" -C "$dir" || die "cannot unpack $tarball"
mv "$dir/linux-source-6.1" "$dir/linux"
k=$dir/linux
mk() { make -C "$k" "$@" >>"$log" 2>&1; }
for p in "${patches[@]}"; do
	echo "applying ${p##*/}" >>"$log"
	patch -d "$k" -p1 --no-backup-if-mismatch <"$p" >>"$log" 2>&1 ||
		fail "patch ${p##*/} does not apply"
done

# allnoconfig, not tinyconfig: KASAN needs SLUB. Options the fragment makes
# visible take their defaults, so the fragment switches off what it must.
mk allnoconfig || fail "make allnoconfig failed"
(cd "$k" && scripts/kconfig/merge_config.sh -m .config "${frags[@]}") \
	>>"$log" 2>&1 || fail "merge_config.sh failed"
mk olddefconfig || fail "make olddefconfig failed"

# Every line of both fragments must have stuck: Kconfig silently drops an
# option whose dependencies are not met.
bad=()
while IFS= read -r l; do
	if [[ $l =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
		o=${BASH_REMATCH[1]}
		! grep -q "^$o=" "$k/.config" || bad+=("$l  (got: $(grep "^$o=" "$k/.config"))")
	elif [[ $l =~ ^(CONFIG_[A-Za-z0-9_]+)= ]]; then
		o=${BASH_REMATCH[1]}
		grep -qxF "$l" "$k/.config" ||
			bad+=("$l  (got: $(grep -E "^$o=|^# $o is not set" "$k/.config" || echo nothing))")
	fi
done < <(cat "${frags[@]}")
if ((${#bad[@]})); then
	printf 'debug-kernel: not set as the fragment asks: %s\n' "${bad[@]}" >&2
	die "fix selftests/config.debug (dependencies?); .config: $k/.config"
fi
msg "config ok ($(grep -c '=[ym]$' "$k/.config") options on); compiling"

mk -j"$(nproc)" bzImage modules || fail "kernel build failed"
mk modules_install INSTALL_MOD_PATH="$dir/modroot" INSTALL_MOD_STRIP=1 ||
	fail "modules_install failed"
krel=$(make -s -C "$k" kernelrelease)
ln -sfn "$k" "$dir/modroot/lib/modules/$krel/build"
rm -f "$dir/modroot/lib/modules/$krel/source"

# The out-of-tree module needs the headers, scripts, Module.symvers and
# .config, not the ~1,300 objects (about 250 MB): drop them, keep vmlinux.
find "$k" \( -path "$k/scripts" -o -path "$k/tools" \) -prune -o \
	\( -name '*.o' -o -name '*.ko' -o -name '.tmp_vmlinux*' \) -type f \
	-print0 | xargs -0 rm -f

echo "$krel" >"$dir/KREL"
touch "$dir/.done"

# Builds for other keys (older fragments, older source packages) that no run
# has used for two weeks.
for old in "$croot"/debug-*/.done; do
	old=${old%/.done}
	[[ $old != "$dir" && -n $(find "$old/.done" -mtime +14 2>/dev/null) ]] || continue
	exec 8>"$old.lock"
	if flock -n 8; then
		msg "deleting $old (unused for 14 days)"
		rm -rf "$old"
		rm -f "$old.lock"
	fi
	exec 8>&-
done
msg "built $krel in $((SECONDS - start)) s ($(du -sh "$dir" | cut -f1))"
echo "$dir"
