// SPDX-License-Identifier: GPL-2.0
/*
 * The exported kernel API, through its sample consumer secmsg_echo.ko
 * (selftests/consumer/): round trips with kvec and scatterlist buffers,
 * verdicts of tampered and replayed requests, exact counters after kernel
 * use, the reference across close of the fd, and the unload order.
 *
 * Needs root.  Loads secmsg_echo.ko ($SECMSG_ECHO_KO, else next to
 * $SECMSG_KO's tree: selftests/consumer/secmsg_echo.ko).  The last test
 * UNLOADS both modules and loads secmsg.ko again ($SECMSG_KO, default
 * kmod/secmsg.ko); run_tests.sh runs this suite before secmsg_unload.
 */
#include "secmsg_test.h"
#include "secmsg_nl.h"

#include <ctype.h>

#include "consumer/echo_user.h"


static int delete_module(const char *name, unsigned int flags)
{
	return syscall(__NR_delete_module, name, flags) ? -errno : 0;
}

/* SEAL @len bytes of @text as a stream into @out (len + 32 bytes). */
static int seal_stream(int ctx, const void *text, uint32_t len, uint8_t *out)
{
	struct secmsg_buffer b[3];
	struct secmsg_message m;

	memcpy(out + 16, text, len);
	ts_buf(&b[0], SECMSG_BUF_STREAM_HEADER, 0, out, 16);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, out + 16, len);
	ts_buf(&b[2], SECMSG_BUF_STREAM_TRAILER, 0, out + 16 + len, 16);
	return ts_call(ctx, SECMSG_IOC_SEAL, &m, b, 3, 0);
}

/* UNSEAL a stream in place; *data and *n: the plaintext, *seq its number. */
static int unseal_stream(int ctx, uint8_t *s, uint32_t len, uint8_t **data,
			 uint32_t *n, uint64_t *seq)
{
	struct secmsg_buffer b[2];
	struct secmsg_message m;
	int ret;

	ts_buf(&b[0], SECMSG_BUF_STREAM, 0, s, len);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, NULL, 0);
	ret = ts_call(ctx, SECMSG_IOC_UNSEAL, &m, b, 2, 0);
	if (!ret) {
		*data = SM_UPTR(b[1].ptr);
		*n = b[1].len;
		*seq = m.seq;
	}
	return ret;
}

/* write() a request: 0 or -errno. */
static int echo_send(int echo, const void *req, size_t len)
{
	ssize_t n = write(echo, req, len);

	if (n < 0)
		return -errno;
	return n == (ssize_t)len ? 0 : -EIO;
}

/* read() the reply: its length or -errno. */
static ssize_t echo_recv(int echo, void *buf, size_t len)
{
	ssize_t n = read(echo, buf, len);

	return n < 0 ? -errno : n;
}

/*
 * One whole exchange: seal @len bytes of @text with @cli, send, receive,
 * unseal, and check the reply is @text upper-cased, sent with number
 * @want_seq.
 */
static void round_trip(struct __test_metadata *_metadata, int echo, int cli,
		       const char *text, uint32_t len, uint64_t want_seq)
{
	uint8_t *req = malloc(len + 32), *rep = malloc(len + 64), *data;
	uint64_t seq;
	uint32_t n, i;

	ASSERT_NE(NULL, req);
	ASSERT_NE(NULL, rep);
	ASSERT_EQ(0, seal_stream(cli, text, len, req));
	if (len >= 8)	/* it was encrypted in place */
		ASSERT_NE(0, memcmp(req + 16, text, len));
	ASSERT_EQ(0, echo_send(echo, req, len + 32));
	ASSERT_EQ((ssize_t)len + 32, echo_recv(echo, rep, len + 64));
	ASSERT_EQ(0, unseal_stream(cli, rep, len + 32, &data, &n, &seq));
	ASSERT_EQ(len, n);
	ASSERT_EQ(rep + 16, data);
	ASSERT_EQ(want_seq, seq);
	for (i = 0; i < len; i++)
		ASSERT_EQ(toupper((unsigned char)text[i]), data[i])
			TH_LOG("byte %u", i);
	/* nothing left to read */
	ASSERT_EQ(-ENODATA, echo_recv(echo, rep, len + 64));
	free(req);
	free(rep);
}

/* Printable text with lower-case letters, seeded. */
static char *make_text(uint32_t len, uint32_t seed)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyzABC0123 .-";
	char *t = malloc(len ?: 1);
	uint32_t i;

	ts_fill(t, len, seed);
	for (i = 0; i < len; i++)
		t[i] = set[(uint8_t)t[i] % (sizeof(set) - 1)];
	return t;
}

FIXTURE(kapi) {
	int dev, cli, srv, echo;
	char saved[16];
	int have_saved;
};

FIXTURE_SETUP(kapi)
{
	int ret;

	self->dev = self->cli = self->srv = self->echo = -1;
	self->have_saved = 0;
	if (geteuid() != 0)
		SM_SKIP_SETUP("needs root (loads %s)", ECHO_MOD);
	SM_OPEN_DEV_OR_SKIP(self->dev);
	ret = echo_load();
	ASSERT_EQ(0, ret) TH_LOG("load %s: %s", echo_ko(), strerror(-ret));
	self->cli = ts_import_simple(self->dev, SECMSG_ROLE_INITIATOR,
				     SECMSG_SUITE_AES256_GCM, SM_FLAGS_DEFAULT,
				     0, 0);
	ASSERT_LE(0, self->cli);
	self->srv = ts_import_simple(self->dev, SECMSG_ROLE_ACCEPTOR,
				     SECMSG_SUITE_AES256_GCM, SM_FLAGS_DEFAULT,
				     0, 0);
	ASSERT_LE(0, self->srv);
	self->echo = open(SECMSG_ECHO_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->echo);
}

FIXTURE_TEARDOWN(kapi)
{
	if (self->have_saved)
		ts_limit_write(self->saved);
	if (self->echo >= 0)
		close(self->echo);
	if (self->srv >= 0)
		close(self->srv);
	if (self->cli >= 0)
		close(self->cli);
	if (self->dev >= 0)
		close(self->dev);
}

static void round_trips(struct __test_metadata *_metadata, int echo, int cli)
{
	static const uint32_t sizes[] = { 0, 1, 13, 4096, 9000,
					  SECMSG_ECHO_MAX - 32 };
	uint32_t i;

	for (i = 0; i < SM_ARRAY_SIZE(sizes); i++) {
		char *t = make_text(sizes[i], i + 1);

		round_trip(_metadata, echo, cli, t, sizes[i], i);
		free(t);
	}
	/* one more than the device takes */
	{
		uint8_t *big = calloc(1, SECMSG_ECHO_MAX + 1);

		ASSERT_EQ(-EMSGSIZE, echo_send(echo, big, SECMSG_ECHO_MAX + 1));
		free(big);
	}
}

TEST_F(kapi, round_trip_kvec)
{
	ASSERT_EQ(0, echo_attach(self->echo, self->srv, 0));
	round_trips(_metadata, self->echo, self->cli);
}

TEST_F(kapi, round_trip_scatterlist)
{
	ASSERT_EQ(0, echo_attach(self->echo, self->srv, SECMSG_ECHO_SG));
	round_trips(_metadata, self->echo, self->cli);
}

/* Kernel and user calls share one context: numbers continue across. */
TEST_F(kapi, shared_sequence_numbers)
{
	uint8_t tok[32], data[8] = "abcdefgh", stream[16 + 8 + 16];
	struct secmsg_message m;

	ASSERT_EQ(0, echo_attach(self->echo, self->srv, 0));
	/* the server's user fd sends seq 0, the kernel then sends 1 */
	ASSERT_EQ(0, ts_seal1(self->srv, tok, data, sizeof(data), 0, &m));
	ASSERT_EQ(0ull, m.seq);
	ASSERT_EQ(0, ts_unseal1(self->cli, tok, data, sizeof(data), &m));
	round_trip(_metadata, self->echo, self->cli, "xyz", 3, 1);
	ASSERT_EQ(2ull, ts_send_seq(self->srv));
	/* the kernel accepted the client's 0: the user fd sees it taken */
	ASSERT_EQ(1ull, ts_recv_seq(self->srv));
	ASSERT_EQ(0, ts_seal1(self->cli, tok, data, sizeof(data), 0, &m));
	ASSERT_EQ(1ull, m.seq);
	ASSERT_EQ(0, ts_unseal1(self->srv, tok, data, sizeof(data), &m));
	ASSERT_EQ(2ull, ts_recv_seq(self->srv));
	/*
	 * A token-form message is the stream header || data || tag: the
	 * user fd accepts 2, the kernel then sees that stream as a replay.
	 */
	memcpy(data, "abcdefgh", sizeof(data));
	ASSERT_EQ(0, ts_seal1(self->cli, tok, data, sizeof(data), 0, &m));
	ASSERT_EQ(2ull, m.seq);
	memcpy(stream, tok, 16);
	memcpy(stream + 16, data, sizeof(data));
	memcpy(stream + 16 + sizeof(data), tok + 16, 16);
	ASSERT_EQ(0, ts_unseal1(self->srv, tok, data, sizeof(data), &m));
	ASSERT_EQ(0, memcmp(data, "abcdefgh", sizeof(data)));
	ASSERT_EQ(-EALREADY, echo_send(self->echo, stream, sizeof(stream)));
}

static void check_tampered(struct __test_metadata *_metadata, int echo,
			   int cli)
{
	uint8_t req[64 + 32], rep[128];
	const uint32_t len = 64;
	char text[64];
	unsigned int at[] = { 3, 10, 16, 50, 16 + len + 5 };
	uint8_t *data;
	uint64_t seq;
	unsigned int i;
	uint32_t n;

	memset(text, 'k', sizeof(text));
	ASSERT_EQ(0, seal_stream(cli, text, len, req));
	/* header (id, seq), data, trailer: each is ALTERED, nothing changes */
	for (i = 0; i < SM_ARRAY_SIZE(at); i++) {
		req[at[i]] ^= 0x20;
		ASSERT_EQ(-EBADMSG, echo_send(echo, req, sizeof(req)))
			TH_LOG("byte %u", at[i]);
		ASSERT_EQ(-ENODATA, echo_recv(echo, rep, sizeof(rep)));
		req[at[i]] ^= 0x20;
	}
	/* truncated: INCOMPLETE_MESSAGE */
	ASSERT_EQ(-ENODATA, echo_send(echo, req, 31));
	/* the untouched request still goes through: the window is unchanged */
	ASSERT_EQ(0, echo_send(echo, req, sizeof(req)));
	ASSERT_EQ((ssize_t)sizeof(req), echo_recv(echo, rep, sizeof(rep)));
	/* the reply, tampered on the way back, is ALTERED for the user */
	rep[40] ^= 1;
	ASSERT_EQ(-EBADMSG, unseal_stream(cli, rep, sizeof(req), &data, &n,
					  &seq));
	rep[40] ^= 1;
	ASSERT_EQ(0, unseal_stream(cli, rep, sizeof(req), &data, &n, &seq));
	ASSERT_EQ(len, n);
	ASSERT_EQ('K', data[0]);
}

TEST_F(kapi, tampered_request_kvec)
{
	ASSERT_EQ(0, echo_attach(self->echo, self->srv, 0));
	check_tampered(_metadata, self->echo, self->cli);
}

TEST_F(kapi, tampered_request_scatterlist)
{
	ASSERT_EQ(0, echo_attach(self->echo, self->srv, SECMSG_ECHO_SG));
	check_tampered(_metadata, self->echo, self->cli);
}

TEST_F(kapi, replayed_request)
{
	uint8_t req[5 + 32], rep[64];

	ASSERT_EQ(0, echo_attach(self->echo, self->srv, SECMSG_ECHO_SG));
	ASSERT_EQ(0, seal_stream(self->cli, "hello", 5, req));
	ASSERT_EQ(0, echo_send(self->echo, req, sizeof(req)));
	ASSERT_EQ((ssize_t)sizeof(req), echo_recv(self->echo, rep, sizeof(rep)));
	ASSERT_EQ(-EALREADY, echo_send(self->echo, req, sizeof(req)));
	ASSERT_EQ(-ENODATA, echo_recv(self->echo, rep, sizeof(rep)));
	/* and the service goes on */
	round_trip(_metadata, self->echo, self->cli, "again", 5, 1);
}

static int echo_sig(int echo, unsigned long req, struct secmsg_echo_sig *s,
		    const void *data, uint32_t len)
{
	s->data = SM_PTR(data);
	s->len = len;
	s->verdict = 0x5a5a5a5a;
	s->seq = 0x5a5a5a5a5a5a5a5aull;
	return ioctl(echo, req, s) ? -errno : 0;
}

TEST_F(kapi, sign_verify)
{
	static const char data[] = "signed by the kernel";
	struct secmsg_echo_sig s;
	struct secmsg_message m;
	uint8_t tok[32];

	ASSERT_EQ(0, echo_attach(self->echo, self->srv, 0));
	/* kernel signs, user verifies */
	ASSERT_EQ(0, echo_sig(self->echo, SECMSG_ECHO_IOC_SIGN, &s, data,
			      sizeof(data)));
	ASSERT_EQ((uint32_t)SECMSG_VERDICT_OK, s.verdict);
	ASSERT_EQ(0ull, s.seq);
	ASSERT_EQ(SECMSG_TOK_SIGN, ts_be16(s.token));
	ASSERT_EQ(SECMSG_TOK_FLAG_SENT_BY_ACCEPTOR, s.token[2]);
	ASSERT_EQ(0, ts_verify1(self->cli, s.token, data, sizeof(data), &m));
	/* user signs, kernel verifies; then a replay and a change */
	ASSERT_EQ(0, ts_sign1(self->cli, tok, data, sizeof(data), &m));
	memcpy(s.token, tok, 32);
	ASSERT_EQ(0, echo_sig(self->echo, SECMSG_ECHO_IOC_VERIFY, &s, data,
			      sizeof(data)));
	ASSERT_EQ((uint32_t)SECMSG_VERDICT_OK, s.verdict);
	ASSERT_EQ(0ull, s.seq);
	ASSERT_EQ(-EALREADY, echo_sig(self->echo, SECMSG_ECHO_IOC_VERIFY, &s,
				      data, sizeof(data)));
	ASSERT_EQ((uint32_t)SECMSG_VERDICT_REPLAYED, s.verdict);
	ASSERT_EQ(0ull, s.seq);
	ASSERT_EQ(0, ts_sign1(self->cli, tok, data, sizeof(data), &m));
	memcpy(s.token, tok, 32);
	ASSERT_EQ(-EBADMSG, echo_sig(self->echo, SECMSG_ECHO_IOC_VERIFY, &s,
				     data, sizeof(data) - 1));
	ASSERT_EQ((uint32_t)SECMSG_VERDICT_ALTERED, s.verdict);
	/* the failed verify changed nothing: the right data still verifies */
	ASSERT_EQ(0, echo_sig(self->echo, SECMSG_ECHO_IOC_VERIFY, &s, data,
			      sizeof(data)));
	ASSERT_EQ(1ull, s.seq);
}

/* Every kernel call is counted on the context, exactly. */
TEST_F(kapi, counters_after_kernel_use)
{
	struct secmsg_query q, kq;
	uint8_t req2[3 + 32], bad[3 + 32], tok[32], rep[64];
	struct secmsg_echo_sig s;
	struct secmsg_message m;
	static const char data[] = "count me";

	ASSERT_EQ(0, echo_attach(self->echo, self->srv, 0));
	round_trip(_metadata, self->echo, self->cli, "one", 3, 0);
	round_trip(_metadata, self->echo, self->cli, "two", 3, 1);
	/* the third, kept for a replay */
	ASSERT_EQ(0, seal_stream(self->cli, "tri", 3, req2));
	ASSERT_EQ(0, echo_send(self->echo, req2, sizeof(req2)));
	ASSERT_EQ((ssize_t)sizeof(req2), echo_recv(self->echo, rep, sizeof(rep)));
	/* altered (client seq 3), replayed (seq 2) */
	ASSERT_EQ(0, seal_stream(self->cli, "bad", 3, bad));
	bad[20] ^= 1;
	ASSERT_EQ(-EBADMSG, echo_send(self->echo, bad, sizeof(bad)));
	ASSERT_EQ(-EALREADY, echo_send(self->echo, req2, sizeof(req2)));
	/* kernel sign (server seq 3), kernel verify ok (client seq 4) */
	ASSERT_EQ(0, echo_sig(self->echo, SECMSG_ECHO_IOC_SIGN, &s, data, 8));
	ASSERT_EQ(3ull, s.seq);
	ASSERT_EQ(0, ts_sign1(self->cli, tok, data, 8, &m));
	ASSERT_EQ(4ull, m.seq);
	memcpy(s.token, tok, 32);
	ASSERT_EQ(0, echo_sig(self->echo, SECMSG_ECHO_IOC_VERIFY, &s, data, 8));
	/* one failure of another kind: a token that is not a sign token */
	s.token[0] ^= 0xff;
	ASSERT_EQ(-EBADMSG, echo_sig(self->echo, SECMSG_ECHO_IOC_VERIFY, &s,
				     data, 8));

	ASSERT_EQ(0, ts_query(self->srv, &q));
	EXPECT_EQ(1ull, q.counters.signed_msgs);
	EXPECT_EQ(1ull, q.counters.verified);
	EXPECT_EQ(3ull, q.counters.sealed);
	EXPECT_EQ(3ull, q.counters.unsealed);
	EXPECT_EQ(2ull, q.counters.altered);
	EXPECT_EQ(1ull, q.counters.replayed);
	EXPECT_EQ(0ull, q.counters.too_old);
	EXPECT_EQ(0ull, q.counters.out_of_sequence);
	EXPECT_EQ(0ull, q.counters.expired);
	EXPECT_EQ(0ull, q.counters.bad_token);
	EXPECT_EQ(0ull, q.counters.other_failures);
	EXPECT_EQ(4ull, q.send_seq);
	EXPECT_EQ(5ull, q.recv_seq);
	EXPECT_EQ((uint32_t)SECMSG_STATE_ACTIVE, q.state);

	/* secmsg_kquery() reports the same */
	memset(&kq, 0x5a, sizeof(kq));
	ASSERT_EQ(0, ioctl(self->echo, SECMSG_ECHO_IOC_QUERY, &kq));
	EXPECT_EQ(sizeof(kq), kq.size);
	EXPECT_EQ(0u, kq.flags);
	EXPECT_EQ(0, memcmp(&q.counters, &kq.counters, sizeof(q.counters)));
	EXPECT_EQ(q.send_seq, kq.send_seq);
	EXPECT_EQ(q.recv_seq, kq.recv_seq);
	EXPECT_EQ((uint32_t)SECMSG_ROLE_ACCEPTOR, kq.role);
	EXPECT_EQ((uint32_t)SECMSG_SUITE_AES256_GCM, kq.suite);
	EXPECT_EQ(q.ctx_flags, kq.ctx_flags);
	EXPECT_EQ(q.state, kq.state);
	EXPECT_EQ(q.created, kq.created);
	EXPECT_EQ(q.expires, kq.expires);
	EXPECT_STREQ(q.algorithm, kq.algorithm);
	EXPECT_STREQ(q.driver, kq.driver);
	EXPECT_EQ(0u, kq.reserved);
}

TEST_F(kapi, attach_errors)
{
	int p[2], closed;
	uint8_t rep[64];

	ASSERT_EQ(-EBADFD, echo_send(self->echo, "x", 1));
	ASSERT_EQ(-EBADFD, ioctl(self->echo, SECMSG_ECHO_IOC_DETACH) ? -errno : 0);
	ASSERT_EQ(-ENODATA, echo_recv(self->echo, rep, sizeof(rep)));
	ASSERT_EQ(-EBADF, echo_attach(self->echo, -1, 0));
	closed = dup(self->cli);
	ASSERT_LE(0, closed);
	close(closed);
	ASSERT_EQ(-EBADF, echo_attach(self->echo, closed, 0));
	/* not a context: /dev/secmsg itself, a pipe */
	ASSERT_EQ(-EINVAL, echo_attach(self->echo, self->dev, 0));
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(-EINVAL, echo_attach(self->echo, p[0], 0));
	close(p[0]);
	close(p[1]);
	ASSERT_EQ(-EINVAL, echo_attach(self->echo, self->srv, 0x2));
	ASSERT_EQ(0, echo_attach(self->echo, self->srv, 0));
	ASSERT_EQ(-EBUSY, echo_attach(self->echo, self->srv, 0));
	ASSERT_EQ(0, ioctl(self->echo, SECMSG_ECHO_IOC_DETACH));
	ASSERT_EQ(-EBADFD, echo_send(self->echo, "x", 1));
	/* the same context again, through a dup: one object */
	closed = dup(self->srv);
	ASSERT_EQ(0, echo_attach(self->echo, closed, 0));
	close(closed);
	round_trip(_metadata, self->echo, self->cli, "dup", 3, 0);
}

/* An initiator that is not complete yet gives its verdict to the kernel. */
TEST_F(kapi, incomplete_context)
{
	struct secmsg_init ini;
	struct secmsg_echo_sig s;
	uint8_t token[SECMSG_LOCAL_TOKEN_SIZE];
	struct secmsg_query q;
	int ctx;

	memset(&ini, 0, sizeof(ini));
	ini.size = sizeof(ini);
	ini.package = SECMSG_PKG_LOCAL;
	ini.target_type = SECMSG_TARGET_UID;
	ini.target_uid = geteuid();
	ini.token_len = sizeof(token);
	ini.token = SM_PTR(token);
	ctx = ioctl(self->dev, SECMSG_IOC_INIT, &ini);
	ASSERT_LE(0, ctx) TH_LOG("INIT: %s", strerror(errno));
	ASSERT_EQ(0, echo_attach(self->echo, ctx, 0));
	ASSERT_EQ(-ENOTCONN, echo_sig(self->echo, SECMSG_ECHO_IOC_SIGN, &s,
				      "x", 1));
	ASSERT_EQ((uint32_t)SECMSG_VERDICT_INCOMPLETE_CONTEXT, s.verdict);
	ASSERT_EQ(-ENOTCONN, echo_send(self->echo, token, 40));
	ASSERT_EQ(0, ts_query(ctx, &q));
	ASSERT_EQ(2ull, q.counters.other_failures);
	close(ctx);
}

/*
 * A consumer's reference to an initiator whose user closed the fd before
 * the server accepted: the context lives on, but its establishment went
 * with the fd, as the contract says ("EALREADY ... its initiator context
 * was closed").  Nothing can complete it.
 */
TEST_F(kapi, incomplete_initiator_closed_while_held)
{
	uint8_t token[SECMSG_LOCAL_TOKEN_SIZE], reply[SECMSG_LOCAL_TOKEN_SIZE];
	struct secmsg_accept acc;
	struct secmsg_init ini;
	struct secmsg_query q;
	int ctx, srv;

	memset(&ini, 0, sizeof(ini));
	ini.size = sizeof(ini);
	ini.package = SECMSG_PKG_LOCAL;
	ini.target_type = SECMSG_TARGET_UID;
	ini.target_uid = geteuid();
	ini.imp_level = SECMSG_IMP_IMPERSONATE;
	ini.token_len = sizeof(token);
	ini.token = SM_PTR(token);
	ctx = ioctl(self->dev, SECMSG_IOC_INIT, &ini);
	ASSERT_LE(0, ctx) TH_LOG("INIT: %s", strerror(errno));
	ASSERT_EQ(0, echo_attach(self->echo, ctx, 0));
	close(ctx);

	memset(&acc, 0, sizeof(acc));
	acc.size = sizeof(acc);
	acc.package = SECMSG_PKG_LOCAL;
	acc.in_token = SM_PTR(token);
	acc.in_len = sizeof(token);
	acc.out_token = SM_PTR(reply);
	acc.out_len = sizeof(reply);
	srv = ioctl(self->dev, SECMSG_IOC_ACCEPT, &acc);
	if (srv >= 0)
		close(srv);
	ASSERT_EQ(-1, srv);
	ASSERT_EQ(EALREADY, errno);
	/* the consumer still holds an incomplete initiator */
	memset(&q, 0, sizeof(q));
	ASSERT_EQ(0, ioctl(self->echo, SECMSG_ECHO_IOC_QUERY, &q));
	ASSERT_EQ((uint32_t)SECMSG_ROLE_INITIATOR, q.role);
	ASSERT_EQ((uint32_t)SECMSG_STATE_INCOMPLETE, q.state);
	ASSERT_EQ(0, ioctl(self->echo, SECMSG_ECHO_IOC_DETACH));
}

/* Expiry is the same check for kernel calls. */
TEST_F(kapi, expired_context)
{
	struct ts_ctx_opts o = {
		.role = SECMSG_ROLE_ACCEPTOR, .suite = SECMSG_SUITE_AES256_GCM,
		.ctx_flags = SM_FLAGS_DEFAULT, .lifetime = 1,
		.key = ts_test_key, .key_len = 32,
	};
	struct secmsg_echo_sig s;
	struct secmsg_query q;
	uint8_t req[1 + 32];
	int srv;

	srv = ts_import(self->dev, &o);
	ASSERT_LE(0, srv);
	ASSERT_EQ(0, echo_attach(self->echo, srv, SECMSG_ECHO_SG));
	ASSERT_EQ(0, seal_stream(self->cli, "z", 1, req));
	usleep(1500 * 1000);
	ASSERT_EQ(-EKEYEXPIRED, echo_send(self->echo, req, sizeof(req)));
	ASSERT_EQ(-EKEYEXPIRED, echo_sig(self->echo, SECMSG_ECHO_IOC_SIGN, &s,
					 "x", 1));
	ASSERT_EQ((uint32_t)SECMSG_VERDICT_EXPIRED, s.verdict);
	ASSERT_EQ(0, ts_query(srv, &q));
	ASSERT_EQ(2ull, q.counters.expired);
	ASSERT_EQ((uint32_t)SECMSG_STATE_EXPIRED, q.state);
	close(srv);
}

/*
 * A context revoked by the control plane while a kernel consumer holds
 * it: the consumer's next calls fail with EKEYREVOKED (verdict REVOKED)
 * and change nothing, and the consumer lets go as usual.
 */
TEST_F(kapi, revoked_while_held)
{
	struct secmsg_echo_sig sg;
	struct secmsg_query q;
	struct tn_sock nl;
	uint8_t req[5 + 32];

	ASSERT_EQ(0, echo_attach(self->echo, self->srv, 0));
	round_trip(_metadata, self->echo, self->cli, "before", 6, 0);
	ASSERT_EQ(0, tn_open(&nl));
	ASSERT_EQ(0, tn_revoke(&nl, tn_fd_id(self->srv)));
	tn_close(&nl);
	ASSERT_EQ(0, seal_stream(self->cli, "after", 5, req));
	ASSERT_EQ(-EKEYREVOKED, echo_send(self->echo, req, sizeof(req)));
	ASSERT_EQ(-EKEYREVOKED, echo_sig(self->echo, SECMSG_ECHO_IOC_SIGN,
					 &sg, "x", 1));
	ASSERT_EQ((uint32_t)SECMSG_VERDICT_REVOKED, sg.verdict);
	ASSERT_EQ(0, ts_query(self->srv, &q));
	ASSERT_EQ((uint32_t)SECMSG_STATE_REVOKED, q.state);
	ASSERT_EQ(1ull, q.counters.unsealed);	/* "before" only */
	ASSERT_EQ(0ull, q.counters.signed_msgs);
	ASSERT_EQ(0, ioctl(self->echo, SECMSG_ECHO_IOC_DETACH));
}

/*
 * The consumer's reference keeps the context (and secmsg.ko) alive after
 * the last fd is closed: the context still works and still counts against
 * its owner's limit, until DETACH.
 */
TEST_F(kapi, reference_outlives_fd)
{
	long r0;
	int fd;

	TS_LIMIT_SETUP(2);	/* cli and srv */
	r0 = ts_module_refcnt();
	ASSERT_LT(0, r0);
	ASSERT_EQ(0, echo_attach(self->echo, self->srv, 0));
	ASSERT_EQ(r0 + 1, ts_module_refcnt());
	close(self->srv);
	self->srv = -1;
	/* the fd's module reference went, the kernel's stays */
	ASSERT_EQ(r0, ts_module_refcnt());
	round_trip(_metadata, self->echo, self->cli, "still here", 10, 0);
	round_trip(_metadata, self->echo, self->cli, "and here", 8, 1);
	/* the context still exists: the limit is still reached */
	ASSERT_EQ(-EMFILE, ts_import_simple(self->dev, SECMSG_ROLE_ACCEPTOR,
					    SECMSG_SUITE_AES256_GCM,
					    SM_FLAGS_DEFAULT, 0, 0));
	ASSERT_EQ(0, ioctl(self->echo, SECMSG_ECHO_IOC_DETACH));
	ASSERT_EQ(r0 - 1, ts_module_refcnt());
	/* freed with the last reference */
	fd = ts_import_simple(self->dev, SECMSG_ROLE_ACCEPTOR,
			      SECMSG_SUITE_AES256_GCM, SM_FLAGS_DEFAULT, 0, 0);
	ASSERT_LE(0, fd);
	close(fd);
}

/* Closing the consumer's file drops its reference, as DETACH does. */
TEST_F(kapi, release_drops_reference)
{
	long r0;
	int fd;

	TS_LIMIT_SETUP(2);
	r0 = ts_module_refcnt();
	ASSERT_EQ(0, echo_attach(self->echo, self->srv, SECMSG_ECHO_SG));
	close(self->srv);
	self->srv = -1;
	round_trip(_metadata, self->echo, self->cli, "x", 1, 0);
	ASSERT_EQ(-EMFILE, ts_import_simple(self->dev, SECMSG_ROLE_ACCEPTOR,
					    SECMSG_SUITE_AES256_GCM,
					    SM_FLAGS_DEFAULT, 0, 0));
	close(self->echo);
	self->echo = -1;
	ASSERT_EQ(r0 - 1, ts_module_refcnt());
	fd = ts_import_simple(self->dev, SECMSG_ROLE_ACCEPTOR,
			      SECMSG_SUITE_AES256_GCM, SM_FLAGS_DEFAULT, 0, 0);
	ASSERT_LE(0, fd);
	close(fd);
}

/* ---- the same messages through the ioctls and through the kernel API --- */

struct bspec {
	uint32_t type, flags, len;
};

/* One side of a differential call: its own copy of every buffer. */
struct side {
	struct secmsg_buffer b[8];
	uint8_t *mem[8];
	struct secmsg_message m;
	int ret;
};

static void side_init(struct side *sd, const struct bspec *bs, unsigned int n,
		      uint32_t qop, uint32_t seed)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		sd->mem[i] = calloc(1, bs[i].len + 1);
		ts_fill(sd->mem[i], bs[i].len, seed + i);
		ts_buf(&sd->b[i], bs[i].type, bs[i].flags, sd->mem[i],
		       bs[i].len);
	}
	ts_msg_init(&sd->m, sd->b, n, qop);
}

static void side_free(struct side *sd, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		free(sd->mem[i]);
}

static int kernel_call(int echo, uint32_t op, uint32_t sgmask,
		       struct secmsg_message *m)
{
	struct secmsg_echo_msg em = { .op = op, .sgmask = sgmask,
				      .msg = SM_PTR(m) };

	return ioctl(echo, SECMSG_ECHO_IOC_MSG, &em) ? -errno : 0;
}

static unsigned long op_ioctl(uint32_t op)
{
	return op == SECMSG_OP_SIGN ? SECMSG_IOC_SIGN :
	       op == SECMSG_OP_VERIFY ? SECMSG_IOC_VERIFY :
	       op == SECMSG_OP_SEAL ? SECMSG_IOC_SEAL : SECMSG_IOC_UNSEAL;
}

/* @u (ioctl) and @k (kernel API) ended the same way, byte for byte. */
static void same_result(struct __test_metadata *_metadata, struct side *u,
			struct side *k, unsigned int n, const char *what)
{
	unsigned int i;

	ASSERT_EQ(u->ret, k->ret) TH_LOG("%s: errno", what);
	ASSERT_EQ(u->m.seq, k->m.seq) TH_LOG("%s: seq", what);
	ASSERT_EQ(u->m.error, k->m.error) TH_LOG("%s: error", what);
	ASSERT_EQ(u->m.verdict, k->m.verdict) TH_LOG("%s: verdict", what);
	ASSERT_EQ(u->m.needed, k->m.needed) TH_LOG("%s: needed", what);
	ASSERT_EQ(u->m.index, k->m.index) TH_LOG("%s: index", what);
	ASSERT_EQ(u->m.qop, k->m.qop) TH_LOG("%s: qop", what);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(u->b[i].len, k->b[i].len)
			TH_LOG("%s: buffer %u len", what, i);
		/* pointers set by the call: the same place in each copy */
		ASSERT_EQ(u->b[i].ptr != SM_PTR(u->mem[i]),
			  k->b[i].ptr != SM_PTR(k->mem[i]))
			TH_LOG("%s: buffer %u ptr", what, i);
		if (u->b[i].ptr != SM_PTR(u->mem[i])) {
			ASSERT_EQ(0, memcmp(SM_UPTR(u->b[i].ptr),
					    SM_UPTR(k->b[i].ptr),
					    u->b[i].len))
				TH_LOG("%s: buffer %u moved data", what, i);
			continue;
		}
		ASSERT_EQ(0, memcmp(u->mem[i], k->mem[i], u->b[i].len))
			TH_LOG("%s: buffer %u bytes", what, i);
	}
}

/*
 * Two context pairs with the same key: A's acceptor takes the ioctls, B's
 * the kernel API (attached to the consumer).  @send is run by both
 * acceptors (SIGN or SEAL), then @recv (VERIFY or UNSEAL) of what both
 * initiators sent, with the buffers of @rs; every result must be equal.
 */
struct diff {
	int dev, cli[2], srv[2], echo;
};

static void diff_send(struct __test_metadata *_metadata, struct diff *d,
		      uint32_t op, const struct bspec *bs, unsigned int n,
		      uint32_t qop, uint32_t sgmask, const char *what)
{
	struct side u, k;

	side_init(&u, bs, n, qop, 7);
	side_init(&k, bs, n, qop, 7);
	u.ret = ioctl(d->srv[0], op_ioctl(op), &u.m) ? -errno : 0;
	k.ret = kernel_call(d->echo, op, sgmask, &k.m);
	same_result(_metadata, &u, &k, n, what);
	side_free(&u, n);
	side_free(&k, n);
}

/*
 * Each initiator sends (ioctl) with @ss, the buffers @map[i] of the send
 * become buffer i of the receive (-1: a fresh buffer of @rs[i]; @map
 * NULL: buffer 0 is every sent buffer, concatenated); then A's
 * acceptor receives by ioctl, B's by the kernel API.  @tamper flips a
 * byte of buffer @tamper - 1 of the received message on both sides.
 */
static void diff_recv(struct __test_metadata *_metadata, struct diff *d,
		      uint32_t sop, const struct bspec *ss, unsigned int sn,
		      uint32_t qop, uint32_t rop, const struct bspec *rs,
		      const int *map, unsigned int rn, uint32_t sgmask,
		      unsigned int tamper, int replay, const char *what)
{
	struct side su[2], u, k;
	struct side *r[2] = { &u, &k };
	unsigned int i, s, at;

	for (s = 0; s < 2; s++) {
		side_init(&su[s], ss, sn, qop, 11);
		ASSERT_EQ(0, ioctl(d->cli[s], op_ioctl(sop), &su[s].m))
			TH_LOG("%s: send: %s", what, strerror(errno));
		side_init(r[s], rs, rn, 0, 13);
		for (i = 0, at = 0; !map && i < sn; i++) {
			memcpy(r[s]->mem[0] + at, su[s].mem[i], su[s].b[i].len);
			at += su[s].b[i].len;
		}
		for (i = 0; map && i < rn; i++) {
			if (map[i] < 0)
				continue;
			/* the sent bytes, as long as the sender said */
			memcpy(r[s]->mem[i], su[s].mem[map[i]],
			       su[s].b[map[i]].len < rs[i].len ?
			       su[s].b[map[i]].len : rs[i].len);
		}
		if (tamper)
			r[s]->mem[tamper - 1][rs[tamper - 1].len / 2] ^= 4;
	}
	ASSERT_EQ(0, memcmp(su[0].mem[0], su[1].mem[0], ss[0].len));
	for (s = 0; s < 1 + !!replay; s++) {
		ts_msg_init(&u.m, u.b, rn, 0);
		ts_msg_init(&k.m, k.b, rn, 0);
		u.ret = ioctl(d->srv[0], op_ioctl(rop), &u.m) ? -errno : 0;
		k.ret = kernel_call(d->echo, rop, sgmask, &k.m);
		same_result(_metadata, &u, &k, rn, what);
	}
	for (s = 0; s < 2; s++)
		side_free(&su[s], sn);
	side_free(&u, rn);
	side_free(&k, rn);
}

/*
 * A kernel buffer without memory: EFAULT with nothing done, as for a user
 * pointer (uapi "Results and verdicts"): no number used, no window moved,
 * no counter changed.
 */
static int kernel_call_nomem(int echo, uint32_t op, uint32_t nomem,
			     struct secmsg_message *m)
{
	struct secmsg_echo_msg em = { .op = op, .msg = SM_PTR(m),
				      .nomem = nomem };

	return ioctl(echo, SECMSG_ECHO_IOC_MSG, &em) ? -errno : 0;
}

TEST_F(kapi, no_memory_does_nothing)
{
	uint8_t tok[32], data[40], orig[40];
	struct secmsg_query q0, q1;
	struct secmsg_buffer b[2];
	struct secmsg_message m;
	uint64_t sent;

	ASSERT_EQ(0, echo_attach(self->echo, self->srv, 0));
	ASSERT_EQ(0, ts_query(self->srv, &q0));
	ts_fill(data, sizeof(data), 1);
	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, tok, sizeof(tok));
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, data, sizeof(data));
	ts_msg_init(&m, b, 2, 0);
	ASSERT_EQ(-EFAULT, kernel_call_nomem(self->echo, SECMSG_OP_SEAL, 1,
					     &m));
	ASSERT_EQ(-EFAULT, kernel_call_nomem(self->echo, SECMSG_OP_SEAL, 2,
					     &m));
	ASSERT_EQ(-EFAULT, kernel_call_nomem(self->echo, SECMSG_OP_SIGN, 1,
					     &m));
	ASSERT_EQ(0, ts_query(self->srv, &q1));
	ASSERT_EQ(q0.send_seq, q1.send_seq);
	ASSERT_EQ(0, memcmp(&q0.counters, &q1.counters, sizeof(q0.counters)));

	/* Received: the failed unseal leaves the number acceptable. */
	ts_fill(data, sizeof(data), 2);
	memcpy(orig, data, sizeof(data));
	ASSERT_EQ(0, ts_seal1(self->cli, tok, data, sizeof(data), 0, &m));
	sent = m.seq;
	ts_msg_init(&m, b, 2, 0);
	ASSERT_EQ(-EFAULT, kernel_call_nomem(self->echo, SECMSG_OP_UNSEAL, 2,
					     &m));
	ASSERT_EQ(0, ts_query(self->srv, &q1));
	ASSERT_EQ(q0.recv_seq, q1.recv_seq);
	ASSERT_EQ(0, memcmp(&q0.counters, &q1.counters, sizeof(q0.counters)));
	ts_msg_init(&m, b, 2, 0);
	ASSERT_EQ(0, kernel_call_nomem(self->echo, SECMSG_OP_UNSEAL, 0, &m));
	ASSERT_EQ(sent, m.seq);
	ASSERT_EQ(0, memcmp(data, orig, sizeof(data)));
}

TEST_F_TIMEOUT(kapi, same_as_ioctls, 120)
{
	const uint32_t RO = SECMSG_BUF_READONLY;
	const uint32_t RWC = SECMSG_BUF_READONLY_WITH_CHECKSUM;
	const struct bspec sign[] = {
		{ SECMSG_BUF_DATA, 0, 100 }, { SECMSG_BUF_TOKEN, 0, 40 },
		{ SECMSG_BUF_EMPTY, 0, 0 }, { SECMSG_BUF_DATA, RWC, 21 },
		{ SECMSG_BUF_DATA, RO, 9 }, { SECMSG_BUF_DATA, 0, 0 },
	};
	const struct bspec seal[] = {
		{ SECMSG_BUF_TOKEN, 0, 32 }, { SECMSG_BUF_DATA, 0, 50 },
		{ SECMSG_BUF_DATA, RWC, 30 }, { SECMSG_BUF_PADDING, 0, 8 },
		{ SECMSG_BUF_DATA, RO, 5 }, { SECMSG_BUF_DATA, 0, 4097 },
	};
	const int same6[] = { 0, 1, 2, 3, 4, 5 };
	const struct bspec stream[] = {
		{ SECMSG_BUF_STREAM_HEADER, 0, 20 }, { SECMSG_BUF_DATA, 0, 10 },
		{ SECMSG_BUF_DATA, 0, 333 }, { SECMSG_BUF_STREAM_TRAILER, 0, 16 },
	};
	/* the receiver's STREAM: the sent stream laid out contiguously */
	const struct bspec sstream[] = {
		{ SECMSG_BUF_STREAM_HEADER, 0, 16 }, { SECMSG_BUF_DATA, 0, 343 },
		{ SECMSG_BUF_STREAM_TRAILER, 0, 16 },
	};
	const struct bspec rstream[] = {
		{ SECMSG_BUF_STREAM, 0, 16 + 343 + 16 }, { SECMSG_BUF_DATA, 0, 0 },
		{ SECMSG_BUF_EMPTY, 0, 0 },
	};
	/* above the ioctls' pinning threshold */
	const struct bspec big[] = {
		{ SECMSG_BUF_TOKEN, 0, 32 }, { SECMSG_BUF_DATA, 0, 20000 },
	};
	const struct bspec small_tok[] = {
		{ SECMSG_BUF_TOKEN, 0, 31 }, { SECMSG_BUF_DATA, 0, 8 },
	};
	const struct bspec two_tok[] = {
		{ SECMSG_BUF_TOKEN, 0, 32 }, { SECMSG_BUF_TOKEN, 0, 32 },
	};
	const struct bspec bad_flag[] = {
		{ SECMSG_BUF_TOKEN, 0, 32 }, { SECMSG_BUF_DATA, 0x1, 8 },
	};
	const struct bspec short_stream[] = {
		{ SECMSG_BUF_STREAM, 0, 31 }, { SECMSG_BUF_DATA, 0, 0 },
	};
	const uint32_t masks[] = { 0, 0xffff, 0x5555, 0xaaaa };
	struct diff d;
	unsigned int mi, s;
	char what[64];

	d.dev = self->dev;
	d.echo = self->echo;
	for (s = 0; s < 2; s++) {
		d.cli[s] = ts_import_simple(d.dev, SECMSG_ROLE_INITIATOR,
					    SECMSG_SUITE_AES128_GCM,
					    SM_FLAGS_DEFAULT, 5, 9);
		d.srv[s] = ts_import_simple(d.dev, SECMSG_ROLE_ACCEPTOR,
					    SECMSG_SUITE_AES128_GCM,
					    SM_FLAGS_DEFAULT, 9, 5);
		ASSERT_LE(0, d.cli[s]);
		ASSERT_LE(0, d.srv[s]);
	}
	ASSERT_EQ(0, echo_attach(d.echo, d.srv[1], 0));

	for (mi = 0; mi < SM_ARRAY_SIZE(masks); mi++) {
		uint32_t m = masks[mi];

		snprintf(what, sizeof(what), "sign, mask %#x", m);
		diff_send(_metadata, &d, SECMSG_OP_SIGN, sign, 6, 0, m, what);
		snprintf(what, sizeof(what), "seal token, mask %#x", m);
		diff_send(_metadata, &d, SECMSG_OP_SEAL, seal, 6, 0, m, what);
		snprintf(what, sizeof(what), "wrap no encrypt, mask %#x", m);
		diff_send(_metadata, &d, SECMSG_OP_SEAL, seal, 6,
			  SECMSG_QOP_WRAP_NO_ENCRYPT, m, what);
		snprintf(what, sizeof(what), "seal stream, mask %#x", m);
		diff_send(_metadata, &d, SECMSG_OP_SEAL, stream, 4, 0, m, what);
		snprintf(what, sizeof(what), "token too small, mask %#x", m);
		diff_send(_metadata, &d, SECMSG_OP_SEAL, small_tok, 2, 0, m,
			  what);
		diff_send(_metadata, &d, SECMSG_OP_SIGN, small_tok, 2, 0, m,
			  what);
		snprintf(what, sizeof(what), "bad layouts, mask %#x", m);
		diff_send(_metadata, &d, SECMSG_OP_SEAL, two_tok, 2, 0, m, what);
		diff_send(_metadata, &d, SECMSG_OP_SIGN, bad_flag, 2, 0, m,
			  what);
		diff_send(_metadata, &d, SECMSG_OP_SEAL, seal, 6, 0x1234, m,
			  what);

		snprintf(what, sizeof(what), "verify, mask %#x", m);
		diff_recv(_metadata, &d, SECMSG_OP_SIGN, sign, 6, 0,
			  SECMSG_OP_VERIFY, sign, same6, 6, m, 0, 1, what);
		snprintf(what, sizeof(what), "verify altered, mask %#x", m);
		diff_recv(_metadata, &d, SECMSG_OP_SIGN, sign, 6, 0,
			  SECMSG_OP_VERIFY, sign, same6, 6, m, 4, 0, what);
		snprintf(what, sizeof(what), "unseal token, mask %#x", m);
		diff_recv(_metadata, &d, SECMSG_OP_SEAL, seal, 6, 0,
			  SECMSG_OP_UNSEAL, seal, same6, 6, m, 0, 1, what);
		snprintf(what, sizeof(what), "unwrap, mask %#x", m);
		diff_recv(_metadata, &d, SECMSG_OP_SEAL, seal, 6,
			  SECMSG_QOP_WRAP_NO_ENCRYPT, SECMSG_OP_UNSEAL, seal,
			  same6, 6, m, 0, 0, what);
		snprintf(what, sizeof(what), "unseal altered, mask %#x", m);
		diff_recv(_metadata, &d, SECMSG_OP_SEAL, seal, 6, 0,
			  SECMSG_OP_UNSEAL, seal, same6, 6, m, 2, 0, what);
		snprintf(what, sizeof(what), "unseal short stream, mask %#x", m);
		diff_send(_metadata, &d, SECMSG_OP_UNSEAL, short_stream, 2, 0,
			  m, what);
		snprintf(what, sizeof(what), "unseal stream, mask %#x", m);
		diff_recv(_metadata, &d, SECMSG_OP_SEAL, sstream, 3, 0,
			  SECMSG_OP_UNSEAL, rstream, NULL, 3, m, 0, 1, what);
		snprintf(what, sizeof(what), "unseal stream altered, mask %#x",
			 m);
		diff_recv(_metadata, &d, SECMSG_OP_SEAL, sstream, 3, 0,
			  SECMSG_OP_UNSEAL, rstream, NULL, 3, m, 1, 0, what);
		snprintf(what, sizeof(what), "large, mask %#x", m);
		diff_recv(_metadata, &d, SECMSG_OP_SEAL, big, 2, 0,
			  SECMSG_OP_UNSEAL, big, same6, 2, m, 0, 0, what);
	}
	for (s = 0; s < 2; s++) {
		close(d.cli[s]);
		close(d.srv[s]);
	}
}

/*
 * Last (the harness runs a fixture's tests in source order): secmsg.ko
 * cannot be removed while its consumer is loaded (nor the consumer while
 * it holds a context through an open file); once the consumer is gone, it
 * can.  Then secmsg.ko is loaded again.
 */
TEST_F(kapi, unload_order_last)
{
	int ret;

	ASSERT_EQ(0, echo_attach(self->echo, self->srv, 0));
	close(self->srv);
	close(self->dev);
	self->srv = self->dev = -1;
	round_trip(_metadata, self->echo, self->cli, "bye", 3, 0);
	close(self->cli);
	self->cli = -1;

	/*
	 * Only the consumer holds secmsg now: as a user of its symbols (a
	 * module reference of its own) and through the context.  Neither
	 * module can go.
	 */
	ASSERT_EQ(2, ts_module_refcnt());
	ASSERT_EQ(-EWOULDBLOCK, delete_module("secmsg", O_NONBLOCK));
	ASSERT_EQ(-EWOULDBLOCK, delete_module(ECHO_MOD, O_NONBLOCK));
	ASSERT_EQ(0, access("/sys/module/secmsg", F_OK));

	/* the consumer's file goes, the context's reference with it */
	close(self->echo);
	self->echo = -1;
	ASSERT_EQ(1, ts_module_refcnt());
	ASSERT_EQ(-EWOULDBLOCK, delete_module("secmsg", O_NONBLOCK));
	ASSERT_EQ(0, delete_module(ECHO_MOD, O_NONBLOCK));
	ASSERT_EQ(0, ts_module_refcnt());
	ASSERT_EQ(0, delete_module("secmsg", O_NONBLOCK));
	ASSERT_NE(0, access("/sys/module/secmsg", F_OK));

	ret = load_module(secmsg_ko());
	ASSERT_EQ(0, ret) TH_LOG("reload %s: %s", secmsg_ko(), strerror(-ret));
	ASSERT_EQ(0, wait_for(SECMSG_DEVICE_PATH));
}

TEST_HARNESS_MAIN
