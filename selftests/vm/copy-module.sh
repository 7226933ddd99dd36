#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# copy-module.sh DEST: copy what a build of secmsg.ko, of the sample
# consumer and of the benchmark's floor module reads (the sources git knows of, tracked or new, not ignored
# build output) to DEST, mtimes kept so that kbuild rebuilds only what
# changed.  For the builds against the debug, RT and fuzzing kernels, which
# happen outside the tree (`make module` builds in it, for Debian's kernel).
set -eo pipefail
dest=$(realpath -m -- "${1:?usage: copy-module.sh DEST}")
cd "$(dirname "$0")/../.."
mkdir -p "$dest"
git ls-files -co --exclude-standard -- Kbuild VERSION kmod uapi include \
	selftests/consumer selftests/bench/floor | cpio -pdmu --quiet "$dest"
