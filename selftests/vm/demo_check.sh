#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check's run of the demo (tools/demo/run-demo.sh) in a Debian-kernel
# guest, as one TAP test: BUILD_DIR/results/demo/demo.tap, with the demo's
# output as comments (and in demo.log beside it).  The demo checks its own
# output: every verdict, the impersonated reads, the reverts.  Here, on
# top, every line the Kerberos act must print is checked exactly, whole
# lines (regular expressions only where a number varies: a token's size,
# Kerberos sequence numbers, which start at random), and none may say
# that the back end failed.
#
# usage: demo_check.sh BUILD_DIR
set -uo pipefail
B=${1:?usage: demo_check.sh BUILD_DIR}
root=$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)
cd "$root" || exit 1
res=$B/results/demo
mkdir -p "$res"
bash selftests/vm/run.sh --cache "$B/vm" --timeout 600 -- \
	bash tools/demo/run-demo.sh "$B" >"$res/demo.log" 2>&1
rc=$?

# The Kerberos act's lines: "= exact line" or "~ extended regexp" (the
# whole line).  Each process prints in order; processes interleave.
R=SECMSG.TEST
report="alice/report.txt for alice@$R: Quarterly report: all figures in the green."
krb_expected() {
	cat <<LINES
= client: I am alice (uid 1001), with a Kerberos ticket; asking secmsg@localhost for a context through negotiate, delegating my credentials
~ relay:  I have the client's init token \([0-9]+ bytes\); accepting it myself: SM_E_NO_CREDENTIALS
= service: I am websvc (uid 1101), secmsg/localhost@$R by my keytab; accepted a context through negotiate: the client is alice@$R
= service: in the kernel now: aes256-cts-hmac-sha1-96; the client's account here: alice (uid 1001); it delegated: yes
= client: context complete after 2 tokens; the kernel holds its keys: I am alice@$R, the service is secmsg/localhost@$R
= client: mutual authentication: yes; my credentials delegated: yes
= client: request 1, sealed: "FETCH alice/report.txt"
~ service: a sealed request, seq [0-9]+: "FETCH alice/report.txt"
= service:   acting as alice (uid 1001) (this thread only): euid 1001; to backend@localhost with GSSAPI's default credentials
= backend: plain GSSAPI, no secmsg: the back end saw alice@$R
= backend: "FETCH alice/report.txt": served
= service:   reverted: euid 1101 again
= service:   the back end answered: "$report"
= client: answer 1: "$report"
= client: request 2, signed: "WHOAMI"
~ service: a signed request, seq [0-9]+: "WHOAMI"
= client: answer 2: "you are alice@$R; here, the account alice (uid 1001)"
= client: request 3, signed: "FETCH alice/todo.txt"
= relay:  changed request 3 on the way: "FETCH bob/secret.txt"
= service: a signed request: REJECTED: SM_E_MESSAGE_ALTERED
= relay:  sending request 1 again (a replay)
= service: a sealed request: REJECTED: SM_E_REPLAYED
= client: answer 3: "rejected: SM_E_MESSAGE_ALTERED"
= client: request 4, sealed: "BYE"
~ service: a sealed request, seq [0-9]+: "BYE"
= service: counters: 1 verified, 2 unsealed, 1 altered, 1 replayed
= client: answer 4: "bye: 2 served, 0 refused, 2 rejected"
= demo: OK: Kerberos: alice accepted through negotiate; the back end saw alice@$R
LINES
}
act=$res/krb5-act.log
sed -n '/^== secmsg demo, Kerberos/,$p' "$res/demo.log" >"$act"
missing=0
while read -r how line; do
	case $how in
	=) grep -Fxq -- "$line" "$act" ;;
	~) grep -Exq -- "$line" "$act" ;;
	esac || { echo "missing line: $line"; missing=$((missing + 1)); }
done < <(krb_expected) >"$res/krb5-missing.log"
if grep -q 'BACK END FAILED' "$act"; then
	grep 'BACK END FAILED' "$act" | sed 's/^/unexpected line: /' >>"$res/krb5-missing.log"
	missing=$((missing + 1))
fi
{
	echo "TAP version 13"
	echo "1..1"
	sed 's/^/# /' "$res/demo.log"
	sed 's/^/# Kerberos act: /' "$res/krb5-missing.log"
	if [[ $rc -eq 0 && $missing -eq 0 ]] &&
	   grep -q '^demo: OK' "$res/demo.log" &&
	   ! grep -q '^demo: FAILED' "$res/demo.log"; then
		echo "ok 1 make demo"
		echo "# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0"
	else
		echo "not ok 1 make demo (exit $rc, $missing Kerberos act lines wrong)"
		echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"
	fi
} >"$res/demo.tap"
tail -n 3 "$res/demo.tap"
