// SPDX-License-Identifier: GPL-2.0
/*
 * The Kerberos test rig proves itself: a throwaway realm (krb5/realm.sh)
 * and two plain MIT GSSAPI peers (krb5/gss_peer) that establish a context
 * (krb5, and SPNEGO) and exchange every kind of token, with the verdicts
 * MIT gives for replayed, reordered and tampered ones, for each AES and
 * Camellia enctype forced through the realm's keys.  No secmsg here: when a
 * secmsg interop suite fails, this one says whether the rig works.
 */
#include "krb5/krb5_test.h"
#include "secmsg_test.h"

struct pair {
	struct krb5t_peer ini, acc;
};

static int pair_start(struct pair *pp, const char *ini_args, const char *acc_args)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	if (krb5t_peer_start(&pp->acc, acc_args, sv[1]) ||
	    krb5t_peer_start(&pp->ini, ini_args, sv[0])) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	close(sv[0]);
	close(sv[1]);
	return 0;
}

FIXTURE(rig) {
	struct krb5t_realm realm;
	struct pair p;
	char ini_est[KRB5T_LINE], acc_est[KRB5T_LINE];
};

FIXTURE_VARIANT(rig) {
	const char *enctype;
	int number;
};

FIXTURE_VARIANT_ADD(rig, aes128_sha1) {
	.enctype = "aes128-cts-hmac-sha1-96", .number = 17,
};
FIXTURE_VARIANT_ADD(rig, aes256_sha1) {
	.enctype = "aes256-cts-hmac-sha1-96", .number = 18,
};
FIXTURE_VARIANT_ADD(rig, aes128_sha256) {
	.enctype = "aes128-cts-hmac-sha256-128", .number = 19,
};
FIXTURE_VARIANT_ADD(rig, aes256_sha384) {
	.enctype = "aes256-cts-hmac-sha384-192", .number = 20,
};
FIXTURE_VARIANT_ADD(rig, camellia128) {
	.enctype = "camellia128-cts-cmac", .number = 25,
};
FIXTURE_VARIANT_ADD(rig, camellia256) {
	.enctype = "camellia256-cts-cmac", .number = 26,
};

FIXTURE_SETUP(rig)
{
	memset(&self->p, 0, sizeof(self->p));
	self->p.ini.pid = self->p.acc.pid = -1;
	if (!krb5t_tools_present())
		KRB5T_SKIP_SETUP("MIT Kerberos KDC not installed (make deps: krb5-kdc, krb5-user)");
	if (!krb5t_in_slice(variant->enctype))
		KRB5T_SKIP_SETUP("%s: not in this kernel's slice (SECMSG_KRB5_ENCTYPES)",
				 variant->enctype);
	ASSERT_EQ(0, krb5t_realm_start(&self->realm, variant->enctype))
		TH_LOG("%s", self->realm.reason);
}

FIXTURE_TEARDOWN(rig)
{
	if (self->p.ini.pid > 0)
		krb5t_peer_stop(&self->p.ini);
	if (self->p.acc.pid > 0)
		krb5t_peer_stop(&self->p.acc);
	krb5t_realm_stop(&self->realm);
}

/* Start both peers and check that both report an established context. */
static void establish(struct __test_metadata *_metadata, FIXTURE_DATA(rig) *self,
		      const char *ini_args, const char *acc_args)
{
	const char *l;

	ASSERT_EQ(0, pair_start(&self->p, ini_args, acc_args));
	l = krb5t_peer_line(&self->p.ini);
	ASSERT_NE(NULL, l);
	snprintf(self->ini_est, sizeof(self->ini_est), "%s", l);
	TH_LOG("initiator: %s", l);
	ASSERT_EQ(0, strncmp(l, "established ", 12));
	l = krb5t_peer_line(&self->p.acc);
	ASSERT_NE(NULL, l);
	snprintf(self->acc_est, sizeof(self->acc_est), "%s", l);
	TH_LOG("acceptor: %s", l);
	ASSERT_EQ(0, strncmp(l, "established ", 12));
}

#define EXPECT_LINE_PREFIX(line, prefix) do {				\
	const char *_l = (line);					\
	ASSERT_NE(NULL, _l);						\
	if (strncmp(_l, prefix, strlen(prefix)))			\
		TH_LOG("got: %s", _l);					\
	EXPECT_EQ(0, strncmp(_l, prefix, strlen(prefix)));		\
} while (0)

#define EXPECT_FIELD(line, key, want) do {				\
	char _v[KRB5T_LINE];						\
	const char *_l = (line);					\
	ASSERT_NE(NULL, _l);						\
	krb5t_field(_l, key, _v, sizeof(_v));				\
	if (strcmp(_v, want))						\
		TH_LOG("%s: %s=%s, want %s", _l, key, _v, want);	\
	EXPECT_STREQ(want, _v);						\
} while (0)

TEST_F_TIMEOUT(rig, krb5_messages, 600)
{
	struct krb5t_peer *ini = &self->p.ini, *acc = &self->p.acc;
	char v[KRB5T_LINE], w[KRB5T_LINE], num[8];
	const char *l;

	establish(_metadata, self, "-i -t secmsg@localhost", "-a");
	EXPECT_FIELD(self->ini_est, "src", "alice@SECMSG.TEST");
	EXPECT_FIELD(self->acc_est, "src", "alice@SECMSG.TEST");
	EXPECT_FIELD(self->acc_est, "targ", "secmsg/localhost@SECMSG.TEST");
	EXPECT_FIELD(self->acc_est, "deleg", "0");

	/* the forced enctype is the session key's, on both sides */
	snprintf(num, sizeof(num), "%d", variant->number);
	l = krb5t_peer_cmd(ini, "session_key");
	EXPECT_LINE_PREFIX(l, "session_key major=COMPLETE");
	EXPECT_FIELD(l, "enctype", num);
	krb5t_field(l, "key", v, sizeof(v));
	l = krb5t_peer_cmd(acc, "session_key");
	EXPECT_FIELD(l, "enctype", num);
	EXPECT_FIELD(l, "key", v);

	/* sealed and sign-only wraps, both directions */
	EXPECT_LINE_PREFIX(krb5t_peer_cmd(ini, "wrap seal hello"),
			   "wrap major=COMPLETE supp=none minor=0 conf=1");
	l = krb5t_peer_cmd(acc, "unwrap");
	EXPECT_LINE_PREFIX(l, "unwrap major=COMPLETE supp=none");
	EXPECT_FIELD(l, "conf", "1");
	EXPECT_FIELD(l, "data", krb5t_hex("hello", w, sizeof(w)));
	EXPECT_LINE_PREFIX(krb5t_peer_cmd(acc, "wrap sign back"),
			   "wrap major=COMPLETE supp=none minor=0 conf=0");
	l = krb5t_peer_cmd(ini, "unwrap");
	EXPECT_LINE_PREFIX(l, "unwrap major=COMPLETE supp=none");
	EXPECT_FIELD(l, "conf", "0");
	EXPECT_FIELD(l, "data", krb5t_hex("back", w, sizeof(w)));

	/* MIC */
	EXPECT_LINE_PREFIX(krb5t_peer_cmd(acc, "get_mic signed"),
			   "get_mic major=COMPLETE");
	l = krb5t_peer_cmd(ini, "verify_mic");
	EXPECT_LINE_PREFIX(l, "verify_mic major=COMPLETE supp=none");
	EXPECT_FIELD(l, "data", krb5t_hex("signed", w, sizeof(w)));

	/* wrap_iov with SIGN_ONLY, with and without a trailer */
	EXPECT_LINE_PREFIX(krb5t_peer_cmd(ini, "wrap_iov seal trailer aad text"),
			   "wrap_iov major=COMPLETE");
	l = krb5t_peer_cmd(acc, "unwrap_iov trailer");
	EXPECT_LINE_PREFIX(l, "unwrap_iov major=COMPLETE supp=none");
	EXPECT_FIELD(l, "assoc", krb5t_hex("aad", w, sizeof(w)));
	EXPECT_FIELD(l, "data", krb5t_hex("text", w, sizeof(w)));
	EXPECT_LINE_PREFIX(krb5t_peer_cmd(acc, "wrap_iov sign notrailer aad2 text2"),
			   "wrap_iov major=COMPLETE");
	l = krb5t_peer_cmd(ini, "unwrap_iov notrailer");
	EXPECT_LINE_PREFIX(l, "unwrap_iov major=COMPLETE supp=none");
	EXPECT_FIELD(l, "conf", "0");
	EXPECT_FIELD(l, "data", krb5t_hex("text2", w, sizeof(w)));

	/* a replay: DUPLICATE */
	EXPECT_LINE_PREFIX(krb5t_peer_cmd(ini, "wrap seal once"), "wrap major=COMPLETE");
	EXPECT_LINE_PREFIX(krb5t_peer_cmd(acc, "unwrap"), "unwrap major=COMPLETE supp=none");
	EXPECT_LINE_PREFIX(krb5t_peer_cmd(ini, "resend"), "resend");
	EXPECT_LINE_PREFIX(krb5t_peer_cmd(acc, "unwrap"),
			   "unwrap major=COMPLETE supp=DUPLICATE");

	/* reordered: the later first is a GAP, the earlier then UNSEQ */
	EXPECT_LINE_PREFIX(krb5t_peer_cmd(ini, "hold on"), "hold on");
	EXPECT_LINE_PREFIX(krb5t_peer_cmd(ini, "wrap seal first"), "wrap major=COMPLETE");
	EXPECT_LINE_PREFIX(krb5t_peer_cmd(ini, "wrap seal second"), "wrap major=COMPLETE");
	EXPECT_LINE_PREFIX(krb5t_peer_cmd(ini, "hold off"), "hold off");
	EXPECT_LINE_PREFIX(krb5t_peer_cmd(ini, "flush reverse"), "flush frames=2");
	l = krb5t_peer_cmd(acc, "unwrap");
	EXPECT_LINE_PREFIX(l, "unwrap major=COMPLETE supp=GAP");
	EXPECT_FIELD(l, "data", krb5t_hex("second", w, sizeof(w)));
	l = krb5t_peer_cmd(acc, "unwrap");
	EXPECT_LINE_PREFIX(l, "unwrap major=COMPLETE supp=UNSEQ");
	EXPECT_FIELD(l, "data", krb5t_hex("first", w, sizeof(w)));

	/* tampered (a byte of the sealed text): BAD_SIG, no data */
	EXPECT_LINE_PREFIX(krb5t_peer_cmd(acc, "wrap seal tamper-me"), "wrap major=COMPLETE");
	/* the same token again, a byte past the header flipped */
	EXPECT_LINE_PREFIX(krb5t_peer_cmd(ini, "unwrap"), "unwrap major=COMPLETE");
	EXPECT_LINE_PREFIX(krb5t_peer_cmd(acc, "resend 20"), "resend");
	l = krb5t_peer_cmd(ini, "unwrap");
	EXPECT_LINE_PREFIX(l, "unwrap major=BAD_SIG");
	EXPECT_EQ(0, strstr(l, "data=") != NULL);

	/* the lucid export of both sides agrees, and consumes the context */
	l = krb5t_peer_cmd(ini, "lucid");
	EXPECT_LINE_PREFIX(l, "lucid major=COMPLETE");
	EXPECT_FIELD(l, "protocol", "1");
	EXPECT_FIELD(l, "initiate", "1");
	EXPECT_FIELD(l, "acceptor_subkey", "1");
	EXPECT_FIELD(l, "enctype", num);
	krb5t_field(l, "key", v, sizeof(v));
	krb5t_field(l, "send_seq", w, sizeof(w));
	l = krb5t_peer_cmd(acc, "lucid");
	EXPECT_LINE_PREFIX(l, "lucid major=COMPLETE");
	EXPECT_FIELD(l, "initiate", "0");
	EXPECT_FIELD(l, "key", v);
	/* the acceptor's recv_seq is the initiator's initial number, not the next */
	{
		char rs[64];

		krb5t_field(l, "recv_seq", rs, sizeof(rs));
		EXPECT_LT(strtoull(rs, NULL, 10), strtoull(w, NULL, 10));
	}
	EXPECT_LINE_PREFIX(krb5t_peer_cmd(ini, "wrap seal after"), "wrap major=NO_CONTEXT");

	EXPECT_EQ(0, krb5t_peer_stop(ini));
	EXPECT_EQ(0, krb5t_peer_stop(acc));
}

TEST_F_TIMEOUT(rig, spnego_and_lucid, 600)
{
	struct krb5t_peer *ini = &self->p.ini, *acc = &self->p.acc;
	char v[KRB5T_LINE], w[KRB5T_LINE];
	const char *l;

	establish(_metadata, self, "-i -m spnego -t secmsg@localhost", "-a -m spnego");
	EXPECT_FIELD(self->ini_est, "mech", "spnego");
	EXPECT_FIELD(self->acc_est, "src", "alice@SECMSG.TEST");
	EXPECT_LINE_PREFIX(krb5t_peer_cmd(ini, "wrap seal via-spnego"), "wrap major=COMPLETE");
	l = krb5t_peer_cmd(acc, "unwrap");
	EXPECT_LINE_PREFIX(l, "unwrap major=COMPLETE supp=none");
	EXPECT_FIELD(l, "data", krb5t_hex("via-spnego", w, sizeof(w)));
	l = krb5t_peer_cmd(ini, "lucid");
	EXPECT_LINE_PREFIX(l, "lucid major=COMPLETE");
	EXPECT_FIELD(l, "protocol", "1");
	krb5t_field(l, "key", v, sizeof(v));
	l = krb5t_peer_cmd(acc, "lucid");
	EXPECT_LINE_PREFIX(l, "lucid major=COMPLETE");
	EXPECT_FIELD(l, "key", v);
}

TEST_F_TIMEOUT(rig, delegation_and_principal_target, 600)
{
	establish(_metadata, self,
		  "-i -t secmsg/localhost@SECMSG.TEST -f mutual,deleg,replay,sequence,conf,integ",
		  "-a");
	EXPECT_FIELD(self->acc_est, "deleg", "1");
	EXPECT_NE(NULL, strstr(self->acc_est, "deleg,"));
}

TEST_F_TIMEOUT(rig, no_mutual_no_acceptor_subkey, 600)
{
	const char *l;

	establish(_metadata, self, "-i -t secmsg@localhost -f replay,sequence,conf,integ", "-a");
	l = krb5t_peer_cmd(&self->p.ini, "lucid");
	EXPECT_LINE_PREFIX(l, "lucid major=COMPLETE");
	EXPECT_FIELD(l, "acceptor_subkey", "0");
	l = krb5t_peer_cmd(&self->p.acc, "lucid");
	EXPECT_FIELD(l, "acceptor_subkey", "0");
}

TEST_HARNESS_MAIN
