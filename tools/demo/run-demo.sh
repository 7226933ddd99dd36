#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo, run inside the guest as root from the repo root (make demo):
# a client and a server exchange sealed and signed messages through a relay
# that alters one message and replays another.  Both must be rejected, each
# with its own verdict, and everything else accepted.
set -euo pipefail
B=${1:-build}
bin=$B/tools

# Keep the console for the demo: kernel notices (taint) go to dmesg.
dmesg -n 3
insmod kmod/secmsg.ko
trap 'rmmod secmsg 2>/dev/null || true' EXIT

dir=$(mktemp -d)
# The raw package: both ends hold a pre-shared session key.
head -c 32 /dev/urandom > "$dir/key"
chmod 600 "$dir/key"

echo "== secmsg demo: client -> relay (tampers, replays) -> server =="
"$bin/secmsg-demo-server" "$dir/server.sock" "$dir/key" | tee "$dir/server.out" &
spid=$!
wait_for() { for _ in $(seq 100); do [ -S "$1" ] && return; sleep 0.1; done; }
wait_for "$dir/server.sock"
"$bin/secmsg-demo-relay" "$dir/relay.sock" "$dir/server.sock" &
rpid=$!
wait_for "$dir/relay.sock"
"$bin/secmsg-demo-client" "$dir/relay.sock" "$dir/key"
wait $rpid
wait $spid
sleep 0.2

ok=1
grep -q 'got a signed message: REJECTED, SM_E_MESSAGE_ALTERED' "$dir/server.out" || ok=0
grep -q 'got a sealed message: REJECTED, SM_E_REPLAYED' "$dir/server.out" || ok=0
[ "$(grep -c 'accepted:' "$dir/server.out")" -eq 4 ] || ok=0
echo
if [ $ok = 1 ]; then
	echo "demo: OK: the altered message and the replayed one were rejected, the 4 genuine ones accepted."
else
	echo "demo: FAILED: the server did not give the expected verdicts."
	exit 1
fi
