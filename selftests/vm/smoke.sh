#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Smoke test of the VM rig; run inside the guest:
#   selftests/vm/run.sh -- bash selftests/vm/smoke.sh
# Checks the kernel version, AF_ALG + AES-NI binding of gcm(aes), the
# writable repo share, an unprivileged user, user namespaces, 32-bit
# binaries (if gcc-multilib is there) and host tools (python3, openssl).
set -euo pipefail

fail() { echo "smoke: FAIL: $*" >&2; exit 1; }
[[ ${SECMSG_VM:-} == 1 ]] || fail "run me inside the VM (selftests/vm/run.sh)"

echo "smoke: kernel $(uname -r)"
[[ $(uname -r) == "$VM_KVER" ]] || fail "kernel $(uname -r) != headers $VM_KVER"

# Bind an AEAD through AF_ALG (autoloads algif_aead via the host's modprobe),
# then look at which driver serves gcm(aes).
python3 - <<'PY'
import socket
s = socket.socket(socket.AF_ALG, socket.SOCK_SEQPACKET, 0)
s.bind(("aead", "gcm(aes)"))
s.setsockopt(socket.SOL_ALG, socket.ALG_SET_KEY, bytes(32))
s.close()
PY
drv=$(awk '/^name/ { n = $3 } /^driver/ && n == "gcm(aes)" { print $3; exit }' /proc/crypto)
echo "smoke: gcm(aes) driver: $drv"
[[ $drv == generic-gcm-aesni ]] || fail "gcm(aes) not on AES-NI ($drv)"

# The repo is shared read-write at its host path; run.sh syncs before exit.
out=build/vm/smoke.out
mkdir -p build/vm
echo "written in guest $(uname -n) $$" >"$out"
echo "smoke: wrote $PWD/$out"

# Unprivileged user (nobody from the host's /etc/passwd), user namespaces.
setpriv --reuid=65534 --regid=65534 --clear-groups id -u | grep -qx 65534 ||
	fail "setresuid to 65534"
setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Ur id -u |
	grep -qx 0 || fail "unprivileged user namespace"

# 32-bit binaries, when the toolchain to build one is installed.
if [[ -e /usr/lib/gcc/x86_64-linux-gnu/12/32/libgcc.a ]]; then
	t=$(mktemp -d)
	printf '#include <stdio.h>\nint main(void){printf("%%zu\\n", sizeof(void *));return 0;}\n' >"$t/m32.c"
	gcc -m32 -o "$t/m32" "$t/m32.c"
	[[ $("$t/m32") == 4 ]] || fail "32-bit binary"
	echo "smoke: 32-bit binary ok"
	rm -rf "$t"
fi

openssl version >/dev/null || fail "openssl"
echo "smoke: ok"
