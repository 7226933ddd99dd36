#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo, run inside the guest as root from the repo root (make demo).
#
# Three users: alice (the client), fileserver (the server, a service user
# with CAP_SETUID and CAP_SETGID as ambient capabilities, as a systemd
# unit would give it) and mallory (the relay in the middle).  alice and
# the server establish a local context through mallory's relay; alice
# sends signed and sealed requests for files; mallory alters one and
# replays another; the server reads files as alice by impersonating her,
# so the kernel lets it read her diary and not bob's secret.
#
# Then a Kerberos act: a throwaway MIT realm on loopback
# (selftests/krb5/realm.sh; installed, beside this script), alice with a
# forwardable ticket, a service (the user websvc) that accepts her
# through the "negotiate" package (SPNEGO) from its keytab, and a back
# end (the user backend) that is a plain MIT GSSAPI program with no secmsg
# in it.  alice delegates; the
# service impersonates her and, with her delegated credentials, fetches
# her record from the back end, which says whom it saw.  mallory's relay
# sits in the middle again: it cannot use alice's token, its altered
# request and its replay are rejected.
#
# usage: run-demo.sh [BUILD_DIR]    from the repo root: the build tree's
#                                   programs and module (default build)
#        run-demo.sh --installed    as the secmsg-demo package installs it
#                                   (LIBEXECDIR/secmsg/demo/run-demo): its
#                                   programs, secmsgctl from the PATH, the
#                                   module installed and loaded on first use
set -euo pipefail
# The demo adds its users with bind mounts over /etc/passwd and /etc/group:
# in a mount namespace of its own, so that they go when it ends.
if [[ -z ${SECMSG_DEMO_NS:-} ]]; then
	SECMSG_DEMO_NS=1 exec unshare --mount --propagation private -- \
		"$BASH" "${BASH_SOURCE[0]}" "$@"
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ ${1:-} == --installed ]]; then
	bin=$here
	ctl=$(command -v secmsgctl || true)
	realmsh=$here/realm.sh
	ko=
else
	B=${1:-build}
	bin=$B/tools
	ctl=$bin/secmsgctl
	realmsh=selftests/krb5/realm.sh
	ko=kmod/secmsg.ko
	# The build tree's programs have no RUNPATH.
	export LD_LIBRARY_PATH=$B/lib
fi
ALICE=1001 BOB=1002 FILESERVER=1100 WEBSVC=1101 MALLORY=1200 BACKEND=1300

# Keep the console for the demo: kernel notices (taint) go to dmesg.
dmesg -n 3
# Installed, nobody loads the module: the first open of /dev/secmsg does.
[[ -z $ko ]] || insmod "$ko"
realm=
cleanup() {
	[[ -z $realm ]] || bash "$realmsh" stop "$realm"
	[[ -z $ko ]] || rmmod secmsg 2>/dev/null || true
}
trap cleanup EXIT

# The guest's /etc is the host's, read-only: add the demo's users on top.
for db in passwd group; do
	cp /etc/$db /tmp/demo-$db
	mount --bind /tmp/demo-$db /etc/$db
done
cat >>/tmp/demo-passwd <<USERS
alice:x:$ALICE:$ALICE:Alice:/nonexistent:/usr/sbin/nologin
bob:x:$BOB:$BOB:Bob:/nonexistent:/usr/sbin/nologin
fileserver:x:$FILESERVER:$FILESERVER:file server:/nonexistent:/usr/sbin/nologin
websvc:x:$WEBSVC:$WEBSVC:Kerberos web service:/nonexistent:/usr/sbin/nologin
mallory:x:$MALLORY:$MALLORY:Mallory:/nonexistent:/usr/sbin/nologin
backend:x:$BACKEND:$BACKEND:back end:/nonexistent:/usr/sbin/nologin
USERS
cat >>/tmp/demo-group <<GROUPS
alice:x:$ALICE:
bob:x:$BOB:
fileserver:x:$FILESERVER:
websvc:x:$WEBSVC:
mallory:x:$MALLORY:
backend:x:$BACKEND:
GROUPS

dir=$(mktemp -d /tmp/secmsg-demo.XXXXXX)
chmod 1777 "$dir"
files=$dir/files
mkdir -p "$files/alice" "$files/bob"
echo "Dear diary, the relay cannot read this." >"$files/alice/diary.txt"
echo "Buy milk." >"$files/alice/todo.txt"
echo "Bob's secret: only bob may read this." >"$files/bob/secret.txt"
chown -R alice:alice "$files/alice"
chown -R bob:bob "$files/bob"
chmod 700 "$files/alice" "$files/bob"
chmod 600 "$files"/*/*.txt

as() {	# user [capabilities] -- command...
	local user=$1 caps=$2
	shift 3
	setpriv --reuid="$user" --regid="$user" --init-groups \
		${caps:+--inh-caps=$caps --ambient-caps=$caps} -- "$@"
}

# wait_for SECS COMMAND...: until COMMAND succeeds, for at most SECS
# seconds.  Each wait ends as soon as what it waits for happens; the bound
# is for a broken run only (under QEMU without KVM, on a debug kernel or a
# loaded machine, a step can take seconds).
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < end)) || return 1
		sleep 0.1
	done
}

echo "== secmsg demo: alice -> mallory's relay -> fileserver =="
# One log for the three programs, appended in the order things happen,
# shown live.
log=$dir/demo.log
: >"$log"
chmod 666 "$log"
tail -n +1 -f "$log" &
tpid=$!
# The administrator's view, when secmsgctl is built: every event live, and
# the contexts while the client waits before its last request.
mpid= pause=
if [[ -n $ctl && -x $ctl ]]; then
	stdbuf -oL "$ctl" monitor | stdbuf -oL sed 's/^/monitor: /' >>"$log" &
	mpid=$!
	pause=$dir/pause
	mkfifo -m 666 "$pause"
	wait_for 60 grep -q '^monitor: watching' "$log" || true
fi
as fileserver +setuid,+setgid -- \
	"$bin/secmsg-demo-server" "$dir/server.sock" "$files" >>"$log" 2>&1 &
spid=$!
as mallory "" -- "$bin/secmsg-demo-relay" "$dir/relay.sock" \
	"$dir/server.sock" >>"$log" 2>&1 &
rpid=$!
wait_for 60 test -S "$dir/relay.sock" || true
rc=0
as alice "" -- "$bin/secmsg-demo-client" "$dir/relay.sock" "$FILESERVER" \
	$pause >>"$log" 2>&1 &
cpid=$!
if [[ -n $pause ]]; then
	# (or until it gave up)
	client_waits() {
		grep -q '^client: answer 3' "$log" || ! kill -0 "$cpid" 2>/dev/null
	}
	wait_for 120 client_waits || true
	{ echo "admin:  secmsgctl list"; "$ctl" list | sed 's/^/admin:  /'; } >>"$log" 2>&1
	echo go >"$pause"
fi
wait $cpid || rc=$?
wait $rpid || rc=$?
wait $spid || rc=$?
# The monitor prints events a moment after they happen: let it catch up
# with the two the checks below look for before it goes.
monitor_caught_up() {
	grep -q '^monitor: .* altered ' "$log" && grep -q '^monitor: .* replay ' "$log"
}
[[ -z $mpid ]] || wait_for 60 monitor_caught_up || true
sleep 1.2	# tail -f polls once a second
[[ -z $mpid ]] || kill $mpid 2>/dev/null || true
kill $tpid 2>/dev/null || true
wait $tpid 2>/dev/null || true

ok=1
check() {	# pattern what
	grep -q -- "$1" "$log" || { echo "demo: missing: $2"; ok=0; }
}
check 'accepting it myself: SM_E_LOGON_DENIED' \
	"the relay could not accept the client's token"
check 'the kernel says the client is alice (uid 1001)' \
	"the server knows its client"
check 'diary.txt: read as the client: "Dear diary' \
	"alice's diary read as alice"
check 'bob/secret.txt: the kernel refused the client: Permission denied' \
	"bob's secret refused to alice"
check 'REJECTED: SM_E_MESSAGE_ALTERED' "the altered request rejected"
check 'REJECTED: SM_E_REPLAYED' "the replayed request rejected"
[ "$(grep -c 'reverted: euid 1100 again' "$log")" -eq 2 ] ||
	{ echo "demo: missing: two reverts"; ok=0; }
if [[ -x $ctl ]]; then
	check '^admin: .* local  *acceptor .* 1001/' \
		"secmsgctl list: the server's context, its peer alice"
	check '^admin: .* local  *initiator .* 1100/' \
		"secmsgctl list: the client's context, its peer fileserver"
	check '^monitor: .* altered  *ctx .* verdict altered' \
		"secmsgctl monitor: the integrity failure"
	check '^monitor: .* replay  *ctx .* verdict replayed' \
		"secmsgctl monitor: the replay"
fi

# ---------------------------------------------------------------------
echo
echo "== secmsg demo, Kerberos: alice -> mallory's relay -> websvc (negotiate) -> back end =="
# The realm: a KDC on loopback, alice@SECMSG.TEST with a forwardable TGT,
# the keytabs of secmsg/localhost (the service) and backend/localhost.
realm=$dir/realm
if ! bash "$realmsh" start "$realm"; then
	echo "demo: FAILED: the Kerberos realm did not start"
	exit 1
fi
REALM=$(. "$realm/env" && echo "$REALM")
# The demo's users are accounts here: alice@$REALM is alice (the test
# realm maps her to nobody; this file comes first, so its rule first).
cat >"$realm/demo.conf" <<CONF
[realms]
	$REALM = {
		auth_to_local = DEFAULT
	}
CONF
export KRB5_CONFIG=$realm/demo.conf:$realm/krb5.conf
# Each party gets its own credentials only: alice her ticket cache, the
# service and the back end their keytabs.  The service has a cache of its
# own, empty: it has no ticket, and none of alice's but what she delegates.
chown alice: "$realm/alice.ccache"
chown websvc: "$realm/service.keytab"
chown backend: "$realm/backend.keytab"
export KRB5RCACHEDIR=$dir	# replay caches, one per user
unset KRB5CCNAME KRB5_KTNAME KRB5_CLIENT_KTNAME
echo "kdc:     realm $REALM on loopback; alice@$REALM has a forwardable ticket"

klog=$dir/krb5.log
: >"$klog"
chmod 666 "$klog"
tail -n +1 -f "$klog" &
tpid=$!
as backend "" -- env KRB5_KTNAME="FILE:$realm/backend.keytab" \
	"$bin/secmsg-demo-backend" "$dir/backend.sock" >>"$klog" 2>&1 &
bpid=$!
as websvc +setuid,+setgid -- env KRB5_KTNAME="FILE:$realm/service.keytab" \
	KRB5CCNAME="FILE:$dir/websvc.ccache" \
	"$bin/secmsg-demo-krb-service" "$dir/service.sock" secmsg@localhost \
	"$dir/backend.sock" backend@localhost >>"$klog" 2>&1 &
spid=$!
# mallory tries the service's keytab, which she cannot read
as mallory "" -- env KRB5_KTNAME="FILE:$realm/service.keytab" \
	"$bin/secmsg-demo-relay" "$dir/krelay.sock" "$dir/service.sock" \
	negotiate >>"$klog" 2>&1 &
rpid=$!
wait_for 60 test -S "$dir/krelay.sock" || true
krc=0
as alice "" -- env KRB5CCNAME="FILE:$realm/alice.ccache" \
	"$bin/secmsg-demo-krb-client" "$dir/krelay.sock" secmsg@localhost \
	>>"$klog" 2>&1 || krc=$?
wait $rpid || krc=$?
wait $spid || krc=$?
# The back end ends after its one client; if the service never came, it
# still waits: stop it (its status is the check's business, not ours).
backend_done() { ! kill -0 "$bpid" 2>/dev/null; }
wait_for 30 backend_done || kill "$bpid" 2>/dev/null || true
wait "$bpid" 2>/dev/null || true
sleep 1.2	# tail -f polls once a second
kill $tpid 2>/dev/null || true
wait $tpid 2>/dev/null || true

kcheck() {	# pattern what
	grep -q -- "$1" "$klog" || { echo "demo: missing: $2"; ok=0; }
}
kcheck "^client: mutual authentication: yes; my credentials delegated: yes$" \
	"alice's context, mutual and delegating"
kcheck "accepting it myself: SM_E_NO_CREDENTIALS$" \
	"the relay could not accept alice's token"
kcheck "^service: .*accepted a context through negotiate: the client is alice@$REALM$" \
	"the service accepted alice through negotiate"
kcheck "^backend: .*the back end saw alice@$REALM$" \
	"the back end saw alice (delegated credentials)"
kcheck "^client: answer 1: \"alice/report.txt for alice@$REALM: " \
	"alice's record fetched as alice"
kcheck '^service: a signed request: REJECTED: SM_E_MESSAGE_ALTERED$' \
	"the altered request rejected"
kcheck '^service: a sealed request: REJECTED: SM_E_REPLAYED$' \
	"the replayed request rejected"
[ "$(grep -c '^service:   reverted: euid 1101 again$' "$klog")" -eq 1 ] ||
	{ echo "demo: missing: the service's revert"; ok=0; }
[ $krc = 0 ] || rc=$krc
echo
if [ $ok = 1 ] && [ $rc = 0 ]; then
	echo "demo: OK: mutual authentication by the kernel; alice's file read as alice, bob's refused;"
	echo "      the altered request and the replayed one rejected with their verdicts."
	echo "demo: OK: Kerberos: alice accepted through negotiate; the back end saw alice@$REALM"
	echo "      through her delegated credentials; the altered and the replayed request rejected."
else
	echo "demo: FAILED (exit status $rc; missing: see above)"
	exit 1
fi
