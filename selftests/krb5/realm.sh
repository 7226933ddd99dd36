#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A throwaway MIT Kerberos realm on loopback, for the Kerberos tests.
#
#   realm.sh start DIR [-e ENCTYPES] [-r REALM] [-p PORT]
#   realm.sh stop DIR
#
# start: creates DIR (which must not exist or be empty) with krb5.conf,
# kdc.conf, the database and its stash, the principals
#
#   alice@REALM                   the client (keytab DIR/alice.keytab)
#   secmsg/localhost@REALM        the service  (keytab DIR/service.keytab)
#   backend/localhost@REALM       a back-end service (DIR/backend.keytab)
#
# starts krb5kdc on 127.0.0.1:PORT (the loopback interface is brought up
# if it is down: the test guest boots with it down), and gets alice a
# forwardable TGT from her keytab into DIR/alice.ccache.  Then it writes
# DIR/env, to be sourced: KRB5_CONFIG, KRB5_KDC_PROFILE, KRB5CCNAME,
# KRB5_KTNAME (the service's keytab), KRB5_CLIENT_KTNAME (alice's),
# KRB5RCACHEDIR, REALM, KRB5_PORT.  Nothing in /etc is read or written:
# every MIT tool and library finds the realm through those variables.
#
# -e ENCTYPES (comma-separated MIT names, default the four AES enctypes)
# are the only enctypes the realm's keys and the libraries use, so that
# forcing one enctype (-e aes128-cts-hmac-sha256-128) makes it the
# session key's, the subkeys' and the tickets' enctype.  DIR/enc-NAME.conf
# for each enctype listed: a file to put first in KRB5_CONFIG
# (KRB5_CONFIG=DIR/enc-NAME.conf:DIR/krb5.conf) so that one party requests
# only that enctype in a realm of several.
#
# stop: kills the KDC (and waits for it), leaves DIR for inspection; the
# caller removes it.  Exit status 0 on success; on failure the reason and
# the KDC's log go to stderr.
#
# Every wait is bounded by a count of tries, and generous: the test guest
# is an emulated CPU on a loaded host.  Timing of each step is printed
# with -v (REALM_VERBOSE=1).
set -u

die() {
	echo "realm.sh: $*" >&2
	[[ -n ${dir:-} && -r $dir/kdc.log ]] && sed 's/^/realm.sh: kdc.log: /' "$dir/kdc.log" | tail -n 20 >&2
	exit 1
}

verbose=${REALM_VERBOSE:-}
t_last=${EPOCHREALTIME/[.,]/}
step() {	# what: print the time the previous step took
	local now=${EPOCHREALTIME/[.,]/}
	[[ -z $verbose ]] || printf 'realm.sh: %-28s %d ms\n' "$1" $(((now - t_last) / 1000)) >&2
	t_last=$now
}

for t in krb5kdc kdb5_util kadmin.local kinit; do
	command -v $t >/dev/null || [[ -x /usr/sbin/$t ]] ||
		die "no $t: install krb5-kdc, krb5-admin-server, krb5-user (make deps)"
done
PATH=$PATH:/usr/sbin:/sbin

kdc_stop() {	# dir
	local pid n
	[[ -r $1/kdc.pid ]] || return 0
	pid=$(<"$1/kdc.pid")
	rm -f "$1/kdc.pid"
	[[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null || return 0
	# bounded: 200 x 0.05 s, then KILL
	for ((n = 0; n < 200; n++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	return 0
}

# Whether something accepts TCP connections on 127.0.0.1:$1.
port_busy() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

cmd=${1:-}
dir=${2:-}
[[ -n $cmd && -n $dir ]] || die "usage: realm.sh start|stop DIR [-e ENCTYPES] [-r REALM] [-p PORT]"
shift 2

case $cmd in
stop)
	kdc_stop "$dir"
	exit 0 ;;
start) ;;
*) die "unknown command $cmd" ;;
esac

enctypes=aes256-cts-hmac-sha1-96,aes128-cts-hmac-sha1-96,aes256-cts-hmac-sha384-192,aes128-cts-hmac-sha256-128
realm=SECMSG.TEST
port=
while (($#)); do
	case $1 in
	-e) enctypes=$2; shift 2 ;;
	-r) realm=$2; shift 2 ;;
	-p) port=$2; shift 2 ;;
	-v) verbose=1; shift ;;
	*) die "unknown option $1" ;;
	esac
done

mkdir -p "$dir" || die "mkdir $dir"
dir=$(cd "$dir" && pwd)
[[ -z $(ls -A "$dir") ]] || die "$dir is not empty"
chmod 0755 "$dir"

# Loopback: the guest's init does not bring it up.  (Its flags read
# without a fork: under emulation every exec costs a good part of a second.)
lo_flags=0
read -r lo_flags 2>/dev/null </sys/class/net/lo/flags
if (((lo_flags & 1) == 0)); then	# IFF_UP
	ip link set lo up 2>/dev/null || die "cannot bring up lo (not root?)"
fi
step "loopback"

# A port nobody listens on: from the pid, walking on if taken.
if [[ -z $port ]]; then
	port=$((20000 + $$ % 20000))
	for ((n = 0; n < 50; n++)); do
		port_busy $port || break
		port=$((port + 1))
	done
fi

# 'aes256-cts-hmac-sha1-96,aes128-...' -> space-separated, and as
# kdc.conf's supported_enctypes (NAME:normal).
enc_list=${enctypes//,/ }
supported=
for e in $enc_list; do
	supported+="$e:normal "
done
master=${enc_list%% *}

cat >"$dir/krb5.conf" <<EOF
# secmsg tests: a throwaway realm (selftests/krb5/realm.sh)
[libdefaults]
	default_realm = $realm
	dns_lookup_kdc = false
	dns_lookup_realm = false
	dns_canonicalize_hostname = false
	rdns = false
	forwardable = true
	ignore_acceptor_hostname = false
	udp_preference_limit = 1
	permitted_enctypes = $enc_list
	default_tkt_enctypes = $enc_list
	default_tgs_enctypes = $enc_list
	kdc_timesync = 0
	max_retries = 3

[realms]
	$realm = {
		kdc = 127.0.0.1:$port
		admin_server = 127.0.0.1:$((port + 1))
		# alice is the account "nobody" on the test machine (its
		# /etc/passwd is the host's): a known local identity
		auth_to_local = RULE:[1:\$1@\$0](^alice@$realm\$)s/.*/nobody/
		auth_to_local = DEFAULT
	}

[domain_realm]
	localhost = $realm
	.localhost = $realm

[logging]
	default = FILE:$dir/lib.log
EOF

cat >"$dir/kdc.conf" <<EOF
[kdcdefaults]
	kdc_tcp_listen = 127.0.0.1:$port
	kdc_listen = 127.0.0.1:$port

[realms]
	$realm = {
		database_name = $dir/principal
		key_stash_file = $dir/stash
		acl_file = $dir/kadm5.acl
		master_key_type = $master
		supported_enctypes = ${supported% }
		max_life = 10h
		max_renewable_life = 1d
	}

[logging]
	kdc = FILE:$dir/kdc.log
	admin_server = FILE:$dir/kadmin.log
EOF
: >"$dir/kadm5.acl"

for e in $enc_list; do
	printf '[libdefaults]\n\tpermitted_enctypes = %s\n\tdefault_tkt_enctypes = %s\n\tdefault_tgs_enctypes = %s\n' \
		"$e" "$e" "$e" >"$dir/enc-$e.conf"
done

export KRB5_CONFIG=$dir/krb5.conf
export KRB5_KDC_PROFILE=$dir/kdc.conf
export KRB5CCNAME=FILE:$dir/alice.ccache
export KRB5_KTNAME=FILE:$dir/service.keytab
export KRB5_CLIENT_KTNAME=FILE:$dir/alice.keytab
export KRB5RCACHEDIR=$dir

# The master password comes from the pipe, not a tty (-P would show in
# ps, which does not matter for a throwaway realm, but reads cleaner).
kdb5_util -r "$realm" create -s -P secmsg-test-master >"$dir/kdb5_util.log" 2>&1 ||
	die "kdb5_util create: $(cat "$dir/kdb5_util.log")"
step "kdb5_util create"

kadmin.local -r "$realm" >"$dir/kadmin.log" 2>&1 <<EOF || die "kadmin.local: $(cat "$dir/kadmin.log")"
addprinc -randkey +forwardable alice@$realm
addprinc -randkey +ok_as_delegate secmsg/localhost@$realm
addprinc -randkey backend/localhost@$realm
ktadd -k $dir/alice.keytab -norandkey alice@$realm
ktadd -k $dir/service.keytab -norandkey secmsg/localhost@$realm
ktadd -k $dir/backend.keytab -norandkey backend/localhost@$realm
EOF
for k in alice service backend; do
	[[ -s $dir/$k.keytab ]] || die "no $k.keytab: $(cat "$dir/kadmin.log")"
done
step "principals, keytabs"

# -n: stay in the foreground, so that the pid is ours to kill.
krb5kdc -n -r "$realm" </dev/null >>"$dir/kdc.out" 2>&1 &
echo $! >"$dir/kdc.pid"

# Ready when it answers: kinit from the keytab, up to 600 x 0.1 s plus the
# tries' own time (the KDC starts in well under a second on a slow guest).
ok=
for ((n = 0; n < 600; n++)); do
	if ! kill -0 "$(<"$dir/kdc.pid")" 2>/dev/null; then
		die "krb5kdc exited: $(cat "$dir/kdc.out")"
	fi
	if port_busy "$port" &&
	   kinit -f -k -t "$dir/alice.keytab" "alice@$realm" >"$dir/kinit.log" 2>&1; then
		ok=1
		break
	fi
	sleep 0.1
done
if [[ -z $ok ]]; then
	kdc_stop "$dir"
	die "no TGT for alice: $(cat "$dir/kinit.log")"
fi
step "krb5kdc up, kinit"

cat >"$dir/env" <<EOF
export KRB5_CONFIG=$dir/krb5.conf
export KRB5_KDC_PROFILE=$dir/kdc.conf
export KRB5CCNAME=FILE:$dir/alice.ccache
export KRB5_KTNAME=FILE:$dir/service.keytab
export KRB5_CLIENT_KTNAME=FILE:$dir/alice.keytab
export KRB5RCACHEDIR=$dir
export REALM=$realm
export KRB5_PORT=$port
EOF
exit 0
