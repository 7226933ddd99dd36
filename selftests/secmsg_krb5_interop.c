// SPDX-License-Identifier: GPL-2.0
/*
 * Kerberos contexts end to end: libsecmsg establishes with a plain MIT
 * GSSAPI program (krb5/gss_peer) through a real KDC on loopback
 * (krb5/realm.sh), the kernel imports the context (IMPORT_KRB5), and the
 * two sides exchange RFC 4121 tokens: MICs both ways (TOKEN buffer =
 * gss_get_mic's token), sealed and sign-only wraps both ways in the
 * stream form (STREAM_HEADER + DATA + STREAM_TRAILER back to back =
 * one gss_wrap token; a gss_wrap token = one STREAM), replayed, reordered
 * and tampered tokens from either side with their verdicts, the token
 * form with SIGN_ONLY data (gss_wrap_iov without a trailer), for each AES
 * and Camellia enctype forced through the realm's keys, krb5 and SPNEGO
 * (Camellia SKIPs on a kernel without it: ENOENT at import).  And the
 * issue's proof: after establishment no copy of the session key (as the
 * MIT peer sees it) is left in the memory of the process that
 * established it.
 *
 * A kernel without IMPORT_KRB5 (ENOTTY) makes every test SKIP with that
 * reason; secmsg_krb5_rig proves the realm and the MIT peers meanwhile.
 *
 * This suite uses libsecmsg (the establishment is the library's work),
 * unlike the suites that speak the raw ioctls.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pwd.h>
#include <time.h>
#include <secmsg.h>

#include "krb5/krb5_test.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#include "krb5/krb5_lib.h"

#define REALM "SECMSG.TEST"
#define NO_KERNEL_IMPORT \
	"the kernel has no IMPORT_KRB5 yet (issue 11's kernel part): ENOTTY"
#define NO_KERNEL_ENCTYPE \
	"the kernel's crypto API lacks this enctype's algorithms: ENOENT"

FIXTURE(krb5) {
	struct krb5t_realm realm;
	struct krb5t_peer peer;
	int chan;
	sm_ctx *ctx;
	struct sm_stream_sizes ss;
	struct sm_sizes sz;
};

FIXTURE_VARIANT(krb5) {
	const char *enctype;
};

FIXTURE_VARIANT_ADD(krb5, aes128_sha1) { .enctype = "aes128-cts-hmac-sha1-96" };
FIXTURE_VARIANT_ADD(krb5, aes256_sha1) { .enctype = "aes256-cts-hmac-sha1-96" };
FIXTURE_VARIANT_ADD(krb5, aes128_sha256) { .enctype = "aes128-cts-hmac-sha256-128" };
FIXTURE_VARIANT_ADD(krb5, aes256_sha384) { .enctype = "aes256-cts-hmac-sha384-192" };
/* RFC 6803: skipped where the kernel has no camellia (ENOENT at import) */
FIXTURE_VARIANT_ADD(krb5, camellia128) { .enctype = "camellia128-cts-cmac" };
FIXTURE_VARIANT_ADD(krb5, camellia256) { .enctype = "camellia256-cts-cmac" };

FIXTURE_SETUP(krb5)
{
	self->peer.pid = -1;
	self->chan = -1;
	self->ctx = NULL;
	if (!krb5t_tools_present())
		KRB5T_SKIP_SETUP("MIT Kerberos KDC not installed (make deps: krb5-kdc, krb5-user)");
	if (!krb5t_in_slice(variant->enctype))
		KRB5T_SKIP_SETUP("%s: not in this kernel's slice (SECMSG_KRB5_ENCTYPES)",
				 variant->enctype);
	ASSERT_EQ(0, krb5t_realm_start(&self->realm, variant->enctype))
		TH_LOG("%s", self->realm.reason);
}

FIXTURE_TEARDOWN(krb5)
{
	sm_close(self->ctx);
	/* a peer waiting for a token gets EOF and ends */
	if (self->chan >= 0)
		close(self->chan);
	if (self->peer.pid > 0)
		krb5t_peer_stop(&self->peer);
	krb5t_realm_stop(&self->realm);
}

static void peer_start(struct __test_metadata *_metadata,
		       FIXTURE_DATA(krb5) *self, const char *args)
{
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, krb5t_peer_start(&self->peer, args, sv[1]));
	close(sv[1]);
	self->chan = sv[0];
}

/*
 * Establish with the peer (@server: we accept), or SKIP on a kernel
 * without the import.  Returns 0 when the test may go on.
 */
static int establish(struct __test_metadata *_metadata, FIXTURE_DATA(krb5) *self,
		     int server, uint32_t package, uint32_t ctx_flags,
		     const char *peer_args)
{
	struct sm_init_params p = {
		.size = sizeof(p), .package = package,
		.target = "secmsg@localhost", .ctx_flags = ctx_flags,
	};
	struct sm_accept_params a = { .size = sizeof(a), .package = package };
	const char *l;
	sm_status st;

	peer_start(_metadata, self, peer_args);
	st = server ? krb5l_server(-1, &a, self->chan, &self->ctx) :
		      krb5l_client(-1, &p, self->chan, &self->ctx);
	if (st == SM_E_UNSUPPORTED_FUNCTION && errno == ENOTTY)
		return -1;
	if (st == SM_E_ALGORITHM_MISMATCH && errno == ENOENT)
		return -3;
	EXPECT_EQ(SM_E_OK, st) {
		TH_LOG("establishment: %s, errno %d", sm_status_string(st), errno);
	}
	if (st != SM_E_OK)
		return -2;
	l = krb5t_peer_line(&self->peer);
	EXPECT_NE(NULL, l);
	if (!l || strncmp(l, "established ", 12)) {
		TH_LOG("peer: %s", l ? l : "(nothing)");
		return -2;
	}
	EXPECT_EQ(SM_E_OK, sm_query_stream_sizes(self->ctx, &self->ss));
	EXPECT_EQ(SM_E_OK, sm_query_sizes(self->ctx, &self->sz));
	return 0;
}

#define ESTABLISH(server, package, flags, args) do {			\
	int _r = establish(_metadata, self, server, package, flags, args); \
	if (_r == -1)							\
		SKIP(return, NO_KERNEL_IMPORT);				\
	if (_r == -3)							\
		SKIP(return, NO_KERNEL_ENCTYPE);			\
	ASSERT_EQ(0, _r);						\
} while (0)

#define FLAGS_ALL (SM_CTX_MUTUAL_AUTH | SM_CTX_REPLAY_DETECT | \
		   SM_CTX_SEQUENCE_DETECT | SM_CTX_CONFIDENTIALITY)

#define EXPECT_PEER(cmd, prefix) do {					\
	const char *_l = krb5t_peer_cmd(&self->peer, "%s", cmd);	\
	ASSERT_NE(NULL, _l);						\
	if (strncmp(_l, prefix, strlen(prefix)))			\
		TH_LOG("%s -> %s", cmd, _l);				\
	EXPECT_EQ(0, strncmp(_l, prefix, strlen(prefix)));		\
} while (0)

/* Seal @text in the stream form and send it as one frame. */
static sm_status seal_send(FIXTURE_DATA(krb5) *self, uint32_t qop, const char *text)
{
	size_t n = strlen(text), h = self->ss.header, t = self->ss.trailer;
	unsigned char rec[4096];
	struct sm_buffer b[3] = {
		{ SM_BUF_STREAM_HEADER, 0, rec, h },
		{ SM_BUF_DATA, 0, rec + h, n },
		{ SM_BUF_STREAM_TRAILER, 0, rec + h + n, t },
	};
	sm_status st;

	if (h + n + t > sizeof(rec))
		return SM_E_BUFFER_TOO_SMALL;
	memcpy(rec + h, text, n);
	st = sm_seal(self->ctx, qop, b, 3, NULL);
	if (st)
		return st;
	/* the header and trailer lengths as sealed */
	memmove(rec + b[0].len, rec + h, n);
	memmove(rec + b[0].len + n, rec + h + n, b[2].len);
	return krb5t_send(self->chan, rec, b[0].len + n + b[2].len) ?
		SM_E_INTERNAL_ERROR : SM_E_OK;
}

/* Receive one frame as a STREAM and unseal it; the text in @out. */
static sm_status recv_unseal(FIXTURE_DATA(krb5) *self, char *out, size_t size,
			     uint32_t *qop)
{
	unsigned char rec[4096];
	ssize_t n = krb5t_recv(self->chan, rec, sizeof(rec));
	struct sm_buffer b[2] = {
		{ SM_BUF_STREAM, 0, rec, n > 0 ? (size_t)n : 0 },
		{ SM_BUF_DATA, 0, NULL, 0 },
	};
	sm_status st;

	out[0] = 0;
	if (n < 0)
		return SM_E_INTERNAL_ERROR;
	st = sm_unseal(self->ctx, b, 2, NULL, qop);
	if (!st && b[1].len < size) {
		memcpy(out, b[1].data, b[1].len);
		out[b[1].len] = 0;
	}
	return st;
}

static sm_status sign_send(FIXTURE_DATA(krb5) *self, const char *text)
{
	unsigned char tok[256];
	struct sm_buffer b[2] = {
		{ SM_BUF_DATA, 0, (void *)text, strlen(text) },
		{ SM_BUF_TOKEN, 0, tok, sizeof(tok) },
	};
	sm_status st = sm_sign(self->ctx, SM_QOP_DEFAULT, b, 2, NULL);

	if (st)
		return st;
	if (krb5t_send(self->chan, text, strlen(text)) ||
	    krb5t_send(self->chan, tok, b[1].len))
		return SM_E_INTERNAL_ERROR;
	return SM_E_OK;
}

/* Receive data and MIC frames; verify. */
static sm_status recv_verify(FIXTURE_DATA(krb5) *self, unsigned char *data,
			     ssize_t *dlen)
{
	unsigned char tok[256];
	ssize_t t;

	*dlen = krb5t_recv(self->chan, data, 1024);
	t = krb5t_recv(self->chan, tok, sizeof(tok));
	if (*dlen < 0 || t < 0)
		return SM_E_INTERNAL_ERROR;
	{
		struct sm_buffer b[2] = {
			{ SM_BUF_DATA, 0, data, (size_t)*dlen },
			{ SM_BUF_TOKEN, 0, tok, (size_t)t },
		};

		return sm_verify(self->ctx, b, 2, NULL, NULL);
	}
}

TEST_F_TIMEOUT(krb5, client_mic_both_ways, 600)
{
	unsigned char data[1024], tok[256];
	char w[KRB5T_LINE];
	const char *l;
	ssize_t n;

	ESTABLISH(0, SM_PKG_KERBEROS, FLAGS_ALL, "-a");
	EXPECT_EQ(SM_E_OK, sign_send(self, "signed by secmsg"));
	l = krb5t_peer_cmd(&self->peer, "verify_mic");
	ASSERT_NE(NULL, l);
	EXPECT_EQ(0, strncmp(l, "verify_mic major=COMPLETE supp=none", 35)) {
		TH_LOG("%s", l);
	}
	EXPECT_STREQ(krb5t_hex("signed by secmsg", w, sizeof(w)),
		     krb5t_field(l, "data", w + 4096, 4096));

	EXPECT_PEER("get_mic signed-by-mit", "get_mic major=COMPLETE");
	EXPECT_EQ(SM_E_OK, recv_verify(self, data, &n));
	EXPECT_EQ(13, n);

	/* the MIC again: replayed */
	EXPECT_PEER("resend", "resend");
	n = krb5t_recv(self->chan, tok, sizeof(tok));
	{
		struct sm_buffer b[2] = {
			{ SM_BUF_DATA, 0, (void *)"signed-by-mit", 13 },
			{ SM_BUF_TOKEN, 0, tok, (size_t)(n > 0 ? n : 0) },
		};

		ASSERT_LT(0, n);

		EXPECT_EQ(SM_E_REPLAYED, sm_verify(self->ctx, b, 2, NULL, NULL));
	}

	/* ours twice, the same bytes: MIT says DUPLICATE */
	{
		unsigned char t2[256];
		struct sm_buffer b[2] = {
			{ SM_BUF_DATA, 0, (void *)"twice", 5 },
			{ SM_BUF_TOKEN, 0, t2, sizeof(t2) },
		};
		int i;

		ASSERT_EQ(SM_E_OK, sm_sign(self->ctx, SM_QOP_DEFAULT, b, 2, NULL));
		for (i = 0; i < 2; i++) {
			ASSERT_EQ(0, krb5t_send(self->chan, "twice", 5));
			ASSERT_EQ(0, krb5t_send(self->chan, t2, b[1].len));
		}
		EXPECT_PEER("verify_mic", "verify_mic major=COMPLETE supp=none");
		EXPECT_PEER("verify_mic", "verify_mic major=COMPLETE supp=DUPLICATE");
	}
}

TEST_F_TIMEOUT(krb5, client_stream_both_ways, 600)
{
	char text[1024], w[KRB5T_LINE], v[KRB5T_LINE];
	uint32_t qop = 99;
	const char *l;

	ESTABLISH(0, SM_PKG_KERBEROS, FLAGS_ALL, "-a");

	/* sealed and sign-only, secmsg -> MIT */
	EXPECT_EQ(SM_E_OK, seal_send(self, SM_QOP_DEFAULT, "sealed-by-secmsg"));
	l = krb5t_peer_cmd(&self->peer, "unwrap");
	ASSERT_NE(NULL, l);
	EXPECT_EQ(0, strncmp(l, "unwrap major=COMPLETE supp=none", 31)) {
		TH_LOG("%s", l);
	}
	EXPECT_STREQ("1", krb5t_field(l, "conf", v, sizeof(v)));
	EXPECT_STREQ(krb5t_hex("sealed-by-secmsg", w, sizeof(w)),
		     krb5t_field(l, "data", v, sizeof(v)));
	EXPECT_EQ(SM_E_OK, seal_send(self, SM_QOP_WRAP_NO_ENCRYPT, "signed-wrap"));
	l = krb5t_peer_cmd(&self->peer, "unwrap");
	ASSERT_NE(NULL, l);
	EXPECT_EQ(0, strncmp(l, "unwrap major=COMPLETE supp=none", 31)) {
		TH_LOG("%s", l);
	}
	EXPECT_STREQ("0", krb5t_field(l, "conf", v, sizeof(v)));

	/* MIT -> secmsg: gss_wrap, sealed and not */
	EXPECT_PEER("wrap seal sealed-by-mit", "wrap major=COMPLETE");
	EXPECT_EQ(SM_E_OK, recv_unseal(self, text, sizeof(text), &qop));
	EXPECT_STREQ("sealed-by-mit", text);
	EXPECT_EQ((uint32_t)SM_QOP_DEFAULT, qop);
	EXPECT_PEER("wrap sign signed-by-mit", "wrap major=COMPLETE");
	EXPECT_EQ(SM_E_OK, recv_unseal(self, text, sizeof(text), &qop));
	EXPECT_STREQ("signed-by-mit", text);
	EXPECT_EQ((uint32_t)SM_QOP_WRAP_NO_ENCRYPT, qop);

	/* MIT's wrap_iov without a trailer (RRC rotation), as a stream */
	EXPECT_PEER("wrap_iov seal notrailer hex: rotated", "wrap_iov major=COMPLETE");
	{
		/* its frames: header, (empty) sign-only, data: join them */
		unsigned char a[2048], b2[2048], rec[4096];
		ssize_t h = krb5t_recv(self->chan, a, sizeof(a));
		ssize_t s = krb5t_recv(self->chan, b2, sizeof(b2));
		ssize_t d;
		struct sm_buffer b[2] = {
			{ SM_BUF_STREAM, 0, rec, 0 },
			{ SM_BUF_DATA, 0, NULL, 0 },
		};

		ASSERT_LE(0, h);
		ASSERT_EQ(0, s);
		d = krb5t_recv(self->chan, rec + h, sizeof(rec) - h);
		ASSERT_LE(0, d);
		memcpy(rec, a, h);
		b[0].len = h + d;
		EXPECT_EQ(SM_E_OK, sm_unseal(self->ctx, b, 2, NULL, NULL));
		EXPECT_EQ(7u, b[1].len);
	}

	/* replayed, tampered */
	EXPECT_PEER("wrap seal once", "wrap major=COMPLETE");
	EXPECT_EQ(SM_E_OK, recv_unseal(self, text, sizeof(text), NULL));
	EXPECT_PEER("resend", "resend");
	EXPECT_EQ(SM_E_REPLAYED, recv_unseal(self, text, sizeof(text), NULL));
	EXPECT_PEER("wrap seal tamper-me", "wrap major=COMPLETE");
	EXPECT_EQ(SM_E_OK, recv_unseal(self, text, sizeof(text), NULL));
	EXPECT_PEER("resend 20", "resend");
	EXPECT_EQ(SM_E_MESSAGE_ALTERED, recv_unseal(self, text, sizeof(text), NULL));
	EXPECT_STREQ("", text);
}

/*
 * The token form with SIGN_ONLY data (READONLY_WITH_CHECKSUM), as
 * gss_wrap_iov without a trailer: HEADER = TOKEN, then the signed-only
 * and the sealed DATA, each a frame.
 */
TEST_F_TIMEOUT(krb5, token_form_sign_only_both_ways, 600)
{
	unsigned char tok[512], assoc[64], data[64];
	char w[KRB5T_LINE], v[KRB5T_LINE];
	ssize_t t, na, nd;
	const char *l;
	int i;

	ESTABLISH(0, SM_PKG_KERBEROS, FLAGS_ALL, "-a");
	for (i = 0; i < 2; i++) {
		/* MIT -> secmsg: sealed (i 0) and sign-only (i 1) */
		EXPECT_PEER(i ? "wrap_iov sign notrailer aad-mit text-mit" :
				"wrap_iov seal notrailer aad-mit text-mit",
			    "wrap_iov major=COMPLETE");
		t = krb5t_recv(self->chan, tok, sizeof(tok));
		na = krb5t_recv(self->chan, assoc, sizeof(assoc));
		nd = krb5t_recv(self->chan, data, sizeof(data));
		{
			struct sm_buffer b[3] = {
				{ SM_BUF_TOKEN, 0, tok, (size_t)(t > 0 ? t : 0) },
				{ SM_BUF_DATA, SM_BUF_READONLY_WITH_CHECKSUM, assoc, 7 },
				{ SM_BUF_DATA, 0, data, 8 },
			};
			uint32_t qop = 99;

			ASSERT_LT(0, t);
			ASSERT_EQ(7, na);
			ASSERT_EQ(8, nd);

			EXPECT_EQ(SM_E_OK, sm_unseal(self->ctx, b, 3, NULL, &qop));
			EXPECT_EQ(0, memcmp(data, "text-mit", 8));
			EXPECT_EQ(i ? (uint32_t)SM_QOP_WRAP_NO_ENCRYPT : 0u, qop);
		}

		/* secmsg -> MIT, the same layout */
		{
			char a[] = "aad-sm", d[] = "text-sm";
			struct sm_buffer b[3] = {
				{ SM_BUF_TOKEN, 0, tok, (size_t)self->sz.security_trailer },
				{ SM_BUF_DATA, SM_BUF_READONLY_WITH_CHECKSUM, a, 6 },
				{ SM_BUF_DATA, 0, d, 7 },
			};

			ASSERT_EQ(SM_E_OK, sm_seal(self->ctx, i ? SM_QOP_WRAP_NO_ENCRYPT :
						   SM_QOP_DEFAULT, b, 3, NULL));
			ASSERT_EQ(0, krb5t_send(self->chan, tok, b[0].len));
			ASSERT_EQ(0, krb5t_send(self->chan, a, 6));
			ASSERT_EQ(0, krb5t_send(self->chan, d, 7));
		}
		l = krb5t_peer_cmd(&self->peer, "unwrap_iov notrailer");
		ASSERT_NE(NULL, l);
		EXPECT_EQ(0, strncmp(l, "unwrap_iov major=COMPLETE supp=none", 35)) {
			TH_LOG("%s", l);
		}
		EXPECT_STREQ(i ? "0" : "1", krb5t_field(l, "conf", v, sizeof(v)));
		EXPECT_STREQ(krb5t_hex("aad-sm", w, sizeof(w)),
			     krb5t_field(l, "assoc", v, sizeof(v)));
		EXPECT_STREQ(krb5t_hex("text-sm", w, sizeof(w)),
			     krb5t_field(l, "data", v, sizeof(v)));
	}
}

TEST_F_TIMEOUT(krb5, reordered_within_window, 600)
{
	char text[256];

	/* replay detection without strict sequencing: both are accepted */
	ESTABLISH(0, SM_PKG_KERBEROS, SM_CTX_MUTUAL_AUTH | SM_CTX_REPLAY_DETECT |
		  SM_CTX_CONFIDENTIALITY, "-a");
	EXPECT_PEER("hold on", "hold on");
	EXPECT_PEER("wrap seal first", "wrap major=COMPLETE");
	EXPECT_PEER("wrap seal second", "wrap major=COMPLETE");
	EXPECT_PEER("hold off", "hold off");
	EXPECT_PEER("flush reverse", "flush frames=2");
	EXPECT_EQ(SM_E_OK, recv_unseal(self, text, sizeof(text), NULL));
	EXPECT_STREQ("second", text);
	EXPECT_EQ(SM_E_OK, recv_unseal(self, text, sizeof(text), NULL));
	EXPECT_STREQ("first", text);
}

TEST_F_TIMEOUT(krb5, server_negotiate, 600)
{
	char text[256], v[KRB5T_LINE], w[KRB5T_LINE];
	const char *l;

	ESTABLISH(1, SM_PKG_NEGOTIATE, 0, "-i -m spnego -t secmsg@localhost");
	EXPECT_PEER("wrap seal to-the-server", "wrap major=COMPLETE");
	EXPECT_EQ(SM_E_OK, recv_unseal(self, text, sizeof(text), NULL));
	EXPECT_STREQ("to-the-server", text);
	EXPECT_EQ(SM_E_OK, seal_send(self, SM_QOP_DEFAULT, "to-the-client"));
	l = krb5t_peer_cmd(&self->peer, "unwrap");
	ASSERT_NE(NULL, l);
	EXPECT_EQ(0, strncmp(l, "unwrap major=COMPLETE supp=none", 31)) {
		TH_LOG("%s", l);
	}
	EXPECT_STREQ(krb5t_hex("to-the-client", w, sizeof(w)),
		     krb5t_field(l, "data", v, sizeof(v)));
	/* a tampered token from MIT's acceptor side is caught here too */
	EXPECT_PEER("get_mic m", "get_mic major=COMPLETE");
	{
		unsigned char d[64];
		ssize_t n;

		EXPECT_EQ(SM_E_OK, recv_verify(self, d, &n));
	}
}

/*
 * What the kernel reports of an accepted Kerberos context, and acting as
 * the account alice maps to (realm.sh: "nobody") in this thread only.
 */
TEST_F_TIMEOUT(krb5, server_query_and_impersonate, 600)
{
	struct sm_context_info ci = { .size = sizeof(ci) };
	struct passwd *pw = getpwnam("nobody");
	uid_t before = geteuid();

	ASSERT_NE(NULL, pw);
	ESTABLISH(1, SM_PKG_KERBEROS, 0, "-i -t secmsg@localhost");
	ASSERT_EQ(SM_E_OK, sm_query(self->ctx, &ci));
	EXPECT_EQ((uint32_t)SM_PKG_KERBEROS, ci.package);
	EXPECT_EQ((uint32_t)SM_ROLE_ACCEPTOR, ci.role);
	EXPECT_EQ((uint32_t)SM_IMP_IMPERSONATE, ci.imp_level);
	EXPECT_NE(0u, ci.peer.flags & (uint32_t)SM_ID_ASSERTED);
	EXPECT_EQ(pw->pw_uid, ci.peer.uid);
	EXPECT_LT(time(NULL), ci.expires);
	/* the suite is the enctype */
	EXPECT_TRUE((ci.suite >= 17 && ci.suite <= 20) || ci.suite == 25 ||
		    ci.suite == 26);

	/* root may become the asserted account: this thread, then back */
	ASSERT_EQ(SM_E_OK, sm_impersonate(self->ctx));
	EXPECT_EQ(pw->pw_uid, geteuid());
	ASSERT_EQ(SM_E_OK, sm_revert(self->ctx));
	EXPECT_EQ(before, geteuid());
}

/*
 * The issue's proof (krb5l_no_key_left()): after establishment no copy of
 * the session key is left in the memory of the process that established
 * it.
 */
static void no_key_left(struct __test_metadata *_metadata, FIXTURE_DATA(krb5) *self,
			int server)
{
	struct sm_init_params p = {
		.size = sizeof(p), .package = SM_PKG_KERBEROS,
		.target = "secmsg@localhost", .ctx_flags = FLAGS_ALL,
	};
	struct sm_accept_params a = {
		.size = sizeof(a), .package = SM_PKG_KERBEROS,
	};

	peer_start(_metadata, self, server ? "-i -t secmsg@localhost" : "-a");
	krb5l_no_key_left(_metadata, &self->peer, self->chan, -1, server,
			  &p, &a, NO_KERNEL_IMPORT, NO_KERNEL_ENCTYPE);
}

TEST_F_TIMEOUT(krb5, no_key_left_in_client, 600)
{
	no_key_left(_metadata, self, 0);
}

TEST_F_TIMEOUT(krb5, no_key_left_in_server, 600)
{
	no_key_left(_metadata, self, 1);
}

/* The context's id, from /proc/self/fdinfo ("secmsg-id:"); 0 if none */
static uint64_t fd_ctx_id(int fd)
{
	char path[64], line[128];
	unsigned long long id = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "secmsg-id: %llu", &id) == 1)
			break;
	fclose(f);
	return id;
}

/*
 * What the library and the control plane say of an established context:
 * both principal names whichever side (sm_query_names), the enctype and
 * its algorithms (sm_query), alice's mapped account "nobody" as asserted
 * on the service's side; sm_ctl_get the same of the same context.
 */
static void check_names(struct __test_metadata *_metadata,
			FIXTURE_DATA(krb5) *self,
			const FIXTURE_VARIANT(krb5) *variant, int server,
			uint32_t package)
{
	struct sm_context_info ci = { .size = sizeof(ci) };
	struct sm_names n = { .size = sizeof(n) };
	struct passwd *pw = getpwnam("nobody");
	const char *e = variant->enctype;
	uint32_t etype = !strcmp(e, "aes128-cts-hmac-sha1-96") ? 17 :
			 !strcmp(e, "aes256-cts-hmac-sha1-96") ? 18 :
			 !strcmp(e, "aes128-cts-hmac-sha256-128") ? 19 :
			 !strcmp(e, "aes256-cts-hmac-sha384-192") ? 20 :
			 !strcmp(e, "camellia128-cts-cmac") ? 25 : 26;
	const char *alg = etype <= 18 ? "cts(cbc(aes)) hmac(sha1)" :
			  etype == 19 ? "cts(cbc(aes)) hmac(sha256)" :
			  etype == 20 ? "cts(cbc(aes)) hmac(sha384)" :
			  "cts(cbc(camellia)) cmac(camellia)";
	/* sm_ctl_get's older versions: how much of the struct each fills */
	static const struct {
		const char *ver;
		size_t size;	/* bytes of the struct of its day */
		size_t str;	/* a string it has */
	} compat[] = {
		/* 1.2 and 1.3: up to @counters */
		{ "LIBSECMSG_1.2", offsetof(struct sm_ctl_ctx, algorithm),
		  offsetof(struct sm_ctl_ctx, driver) },
		/* 1.4 and 1.5: all but @kept */
		{ "LIBSECMSG_1.4", offsetof(struct sm_ctl_ctx, kept),
		  offsetof(struct sm_ctl_ctx, service_principal) },
	};
	struct sm_ctl_ctx c;
	sm_ctl *ctl = NULL;
	sm_status st;
	size_t k;

	ASSERT_NE(NULL, pw);
	ASSERT_EQ(SM_E_OK, sm_query_names(self->ctx, &n));
	EXPECT_EQ(sizeof(n), n.size);
	EXPECT_STREQ("alice@" REALM, n.client_principal);
	EXPECT_STREQ("secmsg/localhost@" REALM, n.service_principal);
	/* this process imported it */
	EXPECT_EQ((uint32_t)SM_ID_VALID, n.local.id.flags);
	EXPECT_EQ((uint32_t)getpid(), n.local.id.pid);
	if (server) {
		EXPECT_EQ((uint32_t)(SM_ID_VALID | SM_ID_ASSERTED),
			  n.peer.id.flags);
		EXPECT_EQ(pw->pw_uid, n.peer.id.uid);
		EXPECT_EQ(pw->pw_gid, n.peer.id.gid);
		EXPECT_EQ(0u, n.peer.id.pid);
		EXPECT_STREQ("nobody", n.peer.user);
	} else {
		EXPECT_EQ(0u, n.peer.id.flags);
		EXPECT_STREQ("", n.peer.user);
	}

	ASSERT_EQ(SM_E_OK, sm_query(self->ctx, &ci));
	EXPECT_EQ(package, ci.package);
	EXPECT_EQ(etype, ci.suite);
	EXPECT_STREQ(alg, ci.algorithm);

	st = sm_ctl_open(&ctl);
	ASSERT_EQ(SM_E_OK, st) TH_LOG("sm_ctl_open: %s", sm_status_string(st));
	st = sm_ctl_get(ctl, fd_ctx_id(sm_ctx_fd(self->ctx)), &c);
	EXPECT_EQ(SM_E_OK, st) TH_LOG("sm_ctl_get: %s: %s",
				      sm_status_string(st), sm_ctl_error(ctl));
	/*
	 * A program built against an older library calls the version it was
	 * linked with: the struct of its day filled, nothing written past
	 * it, and the strings it had right (one of them checked).
	 */
	for (k = 0; !st && k < sizeof(compat) / sizeof(compat[0]); k++) {
		sm_status (*get)(sm_ctl *, uint64_t, void *) =
			(sm_status (*)(sm_ctl *, uint64_t, void *))
			dlvsym(RTLD_DEFAULT, "sm_ctl_get", compat[k].ver);
		unsigned char buf[sizeof(c)];
		size_t i;

		ASSERT_NE(NULL, get) TH_LOG("%s: %s", compat[k].ver, dlerror());
		memset(buf, 0xa5, sizeof(buf));
		EXPECT_EQ(SM_E_OK, get(ctl, c.id, buf)) TH_LOG("%s",
							     compat[k].ver);
		EXPECT_EQ(0, memcmp(buf, &c, offsetof(struct sm_ctl_ctx,
						      send_seq)));
		EXPECT_STREQ((char *)&c + compat[k].str,
			     (char *)buf + compat[k].str) TH_LOG("%s",
								compat[k].ver);
		for (i = compat[k].size; i < sizeof(buf); i++)
			ASSERT_EQ(0xa5, buf[i]) TH_LOG("%s: byte %zu",
						       compat[k].ver, i);
	}
	sm_ctl_close(ctl);
	if (st)
		return;
	EXPECT_EQ(package, c.package);
	EXPECT_EQ(etype, c.suite);
	EXPECT_STREQ(alg, c.algorithm);
	EXPECT_STREQ(ci.driver, c.driver);
	EXPECT_EQ(ci.expires, c.expires);
	EXPECT_STREQ("alice@" REALM, c.client_principal);
	EXPECT_STREQ("secmsg/localhost@" REALM, c.service_principal);
	if (server) {
		EXPECT_EQ((uint32_t)(SM_CTL_PEER | SM_CTL_PEER_ASSERTED |
				     SM_CTL_IMP_LEVEL), c.valid);
		EXPECT_EQ(pw->pw_uid, c.peer_uid);
		EXPECT_EQ(pw->pw_gid, c.peer_gid);
		EXPECT_EQ(0u, c.peer_pid);
	} else {
		EXPECT_EQ(0u, c.valid & (SM_CTL_PEER | SM_CTL_PEER_ASSERTED));
	}
}

TEST_F_TIMEOUT(krb5, server_names, 600)
{
	ESTABLISH(1, SM_PKG_KERBEROS, 0, "-i -t secmsg@localhost");
	check_names(_metadata, self, variant, 1, SM_PKG_KERBEROS);
}

TEST_F_TIMEOUT(krb5, client_names_negotiate, 600)
{
	ESTABLISH(0, SM_PKG_NEGOTIATE, FLAGS_ALL, "-a -m spnego");
	check_names(_metadata, self, variant, 0, SM_PKG_NEGOTIATE);
}

TEST_HARNESS_MAIN
