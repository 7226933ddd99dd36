#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side checks that need no kernel: the uapi header stands alone as C and
# C++ (64- and 32-bit) with its struct sizes as documented, every file
# carries an SPDX line, and libsecmsg's libFuzzer targets (selftests/fuzz/lib)
# pass a short bounded run (SKIP without clang's fuzzer runtime).  Prints TAP
# and a kselftest "# Totals:" line.
set -u
B=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. "$top/selftests/tap.sh"

cat > "$tmp/sizes.c" <<'C'
#include <linux/secmsg.h>
#define CHECK(s, n) _Static_assert(sizeof(struct s) == (n), #s)
CHECK(secmsg_import, SECMSG_IMPORT_SIZE_VER0);
CHECK(secmsg_message, SECMSG_MESSAGE_SIZE_VER0);
CHECK(secmsg_batch, SECMSG_BATCH_SIZE_VER0);
CHECK(secmsg_query, SECMSG_QUERY_SIZE_VER4);
CHECK(secmsg_krb5_import, SECMSG_KRB5_IMPORT_SIZE_VER1);
CHECK(secmsg_krb5_cred, 24);
CHECK(secmsg_buffer, 24);
CHECK(secmsg_uring_cmd, SECMSG_URING_CMD_SIZE);
int main(void) { return 0; }
C

echo "TAP version 13"
echo "# host checks"
t uapi_alone_c sh -c "echo '#include <linux/secmsg.h>' | gcc -Wall -Wextra -Werror -fsyntax-only -I'$top/uapi' -x c -"
t uapi_alone_cxx sh -c "echo '#include <linux/secmsg.h>' | g++ -Wall -Wextra -Werror -fsyntax-only -I'$top/uapi' -x c++ -"
t uapi_sizes_64 gcc -Wall -Werror -I"$top/uapi" -o "$tmp/s64" "$tmp/sizes.c"
if echo 'int main(void){return 0;}' | gcc -m32 -x c -o "$tmp/m32" - 2>/dev/null; then
	t uapi_sizes_32 gcc -m32 -Wall -Werror -I"$top/uapi" -o "$tmp/s32" "$tmp/sizes.c"
else
	s uapi_sizes_32 "no 32-bit toolchain"
fi
t spdx_everywhere sh -c "cd '$top' && ! git ls-files -- '*.c' '*.h' '*.sh' Makefile '*/Makefile' Kbuild '*/Kbuild' '*.map' | xargs grep -L 'SPDX-License-Identifier' | grep ."
# The kernel's checkpatch.pl, taken once from Debian's linux-source-6.1.
cp=$B/checkpatch/scripts/checkpatch.pl
if [ ! -f "$cp" ] && [ -f /usr/src/linux-source-6.1.tar.xz ]; then
	mkdir -p "$B/checkpatch"
	tar -C "$B/checkpatch" --strip-components=1 -xJf /usr/src/linux-source-6.1.tar.xz \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch 2>/dev/null
fi
if [ -f "$cp" ]; then
	t checkpatch_strict_kmod sh -c "cd '$top' && perl '$cp' --no-tree --strict --quiet -f \$(git ls-files 'kmod/*.c' 'kmod/*.h' 'include/*.h' 'selftests/consumer/*.[ch]' 'selftests/bench/floor/secmsg_floor.[ch]')"
else
	s checkpatch_strict_kmod "no linux-source-6.1"
fi
# libFuzzer targets of libsecmsg: a short fixed-seed pass over each corpus
fz=$top/selftests/fuzz/lib/run.sh
if why=$(bash "$fz" probe); then
	for x in $(bash "$fz" list); do
		t "libfuzzer_$x" bash "$fz" check "$B" "$x"
		[ -f "$B/fuzz-lib/$x.summary" ] && echo "# $(cat "$B/fuzz-lib/$x.summary")"
	done
else
	for x in $(bash "$fz" list); do s "libfuzzer_$x" "$why"; done
fi
tap_end
