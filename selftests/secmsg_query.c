// SPDX-License-Identifier: GPL-2.0
/*
 * QUERY: sizes, names, flags, times, sequence numbers and exact counters;
 * the lifetime and the end of the sequence space (EKEYEXPIRED).
 */
#include "secmsg_test.h"

#include <time.h>

#define PARAM_DIR "/sys/module/secmsg/parameters/"

FIXTURE(query) {
	int dev, ini, acc;
	time_t before, after;
};

FIXTURE_VARIANT(query) {
	uint32_t suite;
};

FIXTURE_VARIANT_ADD(query, aes128_gcm) { .suite = SECMSG_SUITE_AES128_GCM };
FIXTURE_VARIANT_ADD(query, aes256_gcm) { .suite = SECMSG_SUITE_AES256_GCM };
FIXTURE_VARIANT_ADD(query, chacha20_poly1305) {
	.suite = SECMSG_SUITE_CHACHA20_POLY1305
};

FIXTURE_SETUP(query)
{
	struct ts_ctx_opts o = {
		.suite = variant->suite, .ctx_flags = SM_FLAGS_DEFAULT,
		.key = ts_test_key, .key_len = 32, .lifetime = 3600,
	};

	self->ini = self->acc = -1;
	SM_OPEN_DEV_OR_SKIP(self->dev);
	self->before = time(NULL);
	o.role = SECMSG_ROLE_INITIATOR;
	o.send_seq = 7;
	o.recv_seq = 70;
	self->ini = ts_import(self->dev, &o);
	ASSERT_LE(0, self->ini);
	o.role = SECMSG_ROLE_ACCEPTOR;
	o.send_seq = 70;
	o.recv_seq = 7;
	self->acc = ts_import(self->dev, &o);
	ASSERT_LE(0, self->acc);
	self->after = time(NULL);
}

FIXTURE_TEARDOWN(query)
{
	if (self->acc >= 0)
		close(self->acc);
	if (self->ini >= 0)
		close(self->ini);
	if (self->dev >= 0)
		close(self->dev);
}

static int read_param(const char *name, long *val)
{
	char path[128], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = 0;
	*val = strtol(buf, NULL, 0);
	return 0;
}

TEST_F(query, sizes)
{
	struct secmsg_query q;

	ASSERT_EQ(0, ts_query(self->ini, &q));
	ASSERT_EQ((__u32)SECMSG_QUERY_SIZE_VER4, q.size);
	ASSERT_EQ(0u, q.max_token);
	ASSERT_EQ(32u, q.max_signature);
	ASSERT_EQ(1u, q.block_size);
	ASSERT_EQ(32u, q.security_trailer);
	ASSERT_EQ(16u, q.stream_header);
	ASSERT_EQ(16u, q.stream_trailer);
	ASSERT_EQ((__u32)SECMSG_MAX_MESSAGE, q.max_message);
	ASSERT_EQ((__u32)SECMSG_MAX_BUFFERS, q.max_buffers);
	ASSERT_EQ((__u32)SECMSG_REPLAY_WINDOW, q.replay_window);
}

TEST_F(query, identity)
{
	struct secmsg_query q;

	ASSERT_EQ(0, ts_query(self->ini, &q));
	ASSERT_EQ((__u32)SECMSG_PKG_RAW, q.package);
	ASSERT_EQ((__u32)SECMSG_ROLE_INITIATOR, q.role);
	ASSERT_EQ(variant->suite, q.suite);
	ASSERT_EQ((__u32)SECMSG_STATE_ACTIVE, q.state);
	ASSERT_EQ(0u, q.driver_flags & ~(__u32)(SECMSG_DRIVER_ASYNC |
						 SECMSG_DRIVER_INLINE));
	/* A synchronous driver always completes in the caller. */
	if (!(q.driver_flags & SECMSG_DRIVER_ASYNC))
		ASSERT_NE(0u, q.driver_flags & SECMSG_DRIVER_INLINE);
	ASSERT_EQ(0u, q.flags);
	ASSERT_EQ(0, ts_query(self->acc, &q));
	ASSERT_EQ((__u32)SECMSG_ROLE_ACCEPTOR, q.role);
	ASSERT_EQ(variant->suite, q.suite);
}

TEST_F(query, algorithm_and_driver)
{
	struct secmsg_query q;

	memset(&q, 0xff, sizeof(q));
	q.size = sizeof(q);
	q.flags = 0;
	ASSERT_EQ(0, ts_ioctl(self->ini, SECMSG_IOC_QUERY, &q));
	ASSERT_TRUE(memchr(q.algorithm, 0, sizeof(q.algorithm)) != NULL);
	ASSERT_STREQ(ts_suite_alg(variant->suite), q.algorithm);
	ASSERT_TRUE(memchr(q.driver, 0, sizeof(q.driver)) != NULL);
	ASSERT_LT(0u, strlen(q.driver));
	TH_LOG("%s -> %s%s", q.algorithm, q.driver,
	       q.driver_flags & SECMSG_DRIVER_ASYNC ? " (async)" : "");
}

TEST_F(query, ctx_flags_integrity_always)
{
	static const uint32_t asked[] = {
		0,
		SECMSG_CTX_INTEGRITY,
		SECMSG_CTX_CONFIDENTIALITY,
		SECMSG_CTX_REPLAY_DETECT | SECMSG_CTX_SEQUENCE_DETECT,
		SM_FLAGS_DEFAULT | SECMSG_CTX_SEQUENCE_DETECT,
	};
	struct secmsg_query q;
	unsigned int i;

	for (i = 0; i < SM_ARRAY_SIZE(asked); i++) {
		int fd = ts_import_simple(self->dev, SECMSG_ROLE_INITIATOR,
					  variant->suite, asked[i], 0, 0);

		ASSERT_LE(0, fd) TH_LOG("flags %#x", asked[i]);
		ASSERT_EQ(0, ts_query(fd, &q));
		ASSERT_EQ(asked[i] | SECMSG_CTX_INTEGRITY, q.ctx_flags)
			TH_LOG("asked %#x", asked[i]);
		close(fd);
	}
}

TEST_F(query, times)
{
	struct secmsg_query q;

	ASSERT_EQ(0, ts_query(self->ini, &q));
	ASSERT_EQ(3600u, q.lifetime);
	ASSERT_LE((int64_t)self->before, q.created);
	ASSERT_GE((int64_t)self->after, q.created);
	ASSERT_EQ(q.created + 3600, q.expires);
}

TEST_F(query, default_lifetime)
{
	struct secmsg_query q;
	long def;
	int fd;

	if (read_param("default_lifetime", &def))
		SKIP(return, "no default_lifetime parameter");
	fd = ts_import_simple(self->dev, SECMSG_ROLE_INITIATOR, variant->suite,
			      SM_FLAGS_DEFAULT, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ts_query(fd, &q));
	ASSERT_EQ((__u32)def, q.lifetime);
	ASSERT_EQ(q.created + def, q.expires);
	close(fd);
}

TEST_F(query, lifetime_clamped_to_max)
{
	struct ts_ctx_opts o = {
		.role = SECMSG_ROLE_INITIATOR, .suite = variant->suite,
		.ctx_flags = SM_FLAGS_DEFAULT, .key = ts_test_key,
		.key_len = 32, .lifetime = 0xffffffffu,
	};
	struct secmsg_query q;
	long max;
	int fd;

	if (read_param("max_lifetime", &max))
		SKIP(return, "no max_lifetime parameter");
	fd = ts_import(self->dev, &o);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ts_query(fd, &q));
	ASSERT_EQ((__u32)max, q.lifetime);
	ASSERT_EQ(q.created + max, q.expires);
	close(fd);
}

TEST_F(query, sequence_numbers)
{
	uint8_t tok[32], data[8] = { 0 };
	struct secmsg_message m;
	struct secmsg_query q;

	ASSERT_EQ(0, ts_query(self->ini, &q));
	ASSERT_EQ(7ull, q.send_seq);
	ASSERT_EQ(70ull, q.recv_seq);
	ASSERT_EQ(0, ts_sign1(self->ini, tok, data, 8, &m));
	ASSERT_EQ(0, ts_verify1(self->acc, tok, data, 8, &m));
	ASSERT_EQ(0, ts_seal1(self->acc, tok, data, 8, 0, &m));
	ASSERT_EQ(0, ts_unseal1(self->ini, tok, data, 8, &m));
	ASSERT_EQ(0, ts_query(self->ini, &q));
	ASSERT_EQ(8ull, q.send_seq);
	ASSERT_EQ(71ull, q.recv_seq);
	ASSERT_EQ(0, ts_query(self->acc, &q));
	ASSERT_EQ(71ull, q.send_seq);
	ASSERT_EQ(8ull, q.recv_seq);
}

TEST_F(query, counters_exact)
{
	uint8_t tok[32], stream[48], data[3][16], sealed[16];
	struct secmsg_buffer b[2];
	struct secmsg_message m;
	struct secmsg_query q;
	int i;

	/* sender: 2 SIGN, 3 SEAL (one a sign-only wrap), 2 failures */
	for (i = 0; i < 3; i++)
		ts_fill(data[i], 16, i);
	ASSERT_EQ(0, ts_sign1(self->ini, tok, data[0], 16, &m));	/* 7 */
	ASSERT_EQ(0, ts_verify1(self->acc, tok, data[0], 16, &m));
	ASSERT_EQ(-EALREADY, ts_verify1(self->acc, tok, data[0], 16, &m));
	ASSERT_EQ(0, ts_sign1(self->ini, tok, data[1], 16, &m));	/* 8 */
	tok[31] ^= 1;
	ASSERT_EQ(-EBADMSG, ts_verify1(self->acc, tok, data[1], 16, &m));
	tok[31] ^= 1;
	ASSERT_EQ(0, ts_verify1(self->acc, tok, data[1], 16, &m));
	ASSERT_EQ(0, ts_seal1(self->ini, tok, data[2], 16, 0, &m));	/* 9 */
	memcpy(sealed, data[2], 16);
	ASSERT_EQ(0, ts_unseal1(self->acc, tok, data[2], 16, &m));
	/* a token one byte short: BAD_TOKEN */
	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, tok, 31);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, sealed, 16);
	ASSERT_EQ(-EPROTO, ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, b, 2, 0));
	/* an incomplete stream: other failure */
	ts_buf(&b[0], SECMSG_BUF_STREAM, 0, stream, 20);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, NULL, 0);
	ASSERT_EQ(-ENODATA, ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, b, 2, 0));
	/* an invalid call is not processed and not counted */
	b[1].reserved = 1;
	ASSERT_EQ(-EINVAL, ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, b, 2, 0));
	ASSERT_EQ(0, ts_seal1(self->ini, tok, data[0], 16,
			      SECMSG_QOP_WRAP_NO_ENCRYPT, &m));	/* 10 */
	ASSERT_EQ(0, ts_unseal1(self->acc, tok, data[0], 16, &m));
	ASSERT_EQ(0, ts_seal1(self->ini, tok, data[1], 16, 0, &m));	/* 11 */
	/* sender failures: TOKEN too small, unknown qop */
	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, tok, 31);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, data[2], 16);
	ASSERT_EQ(-ENOBUFS, ts_call(self->ini, SECMSG_IOC_SEAL, &m, b, 2, 0));
	ASSERT_EQ(-EOPNOTSUPP, ts_seal1(self->ini, tok, data[2], 16, 5, &m));

	ASSERT_EQ(0, ts_query(self->ini, &q));
	ASSERT_EQ(2ull, q.counters.signed_msgs);
	ASSERT_EQ(3ull, q.counters.sealed);
	ASSERT_EQ(0ull, q.counters.verified);
	ASSERT_EQ(0ull, q.counters.unsealed);
	ASSERT_EQ(2ull, q.counters.other_failures);
	ASSERT_EQ(0ull, q.counters.altered + q.counters.replayed +
			q.counters.too_old + q.counters.out_of_sequence +
			q.counters.expired + q.counters.bad_token);
	ASSERT_EQ(12ull, q.send_seq);

	ASSERT_EQ(0, ts_query(self->acc, &q));
	ASSERT_EQ(0ull, q.counters.signed_msgs);
	ASSERT_EQ(0ull, q.counters.sealed);
	ASSERT_EQ(2ull, q.counters.verified);
	ASSERT_EQ(2ull, q.counters.unsealed);
	ASSERT_EQ(1ull, q.counters.altered);
	ASSERT_EQ(1ull, q.counters.replayed);
	ASSERT_EQ(0ull, q.counters.too_old);
	ASSERT_EQ(0ull, q.counters.out_of_sequence);
	ASSERT_EQ(0ull, q.counters.expired);
	ASSERT_EQ(1ull, q.counters.bad_token);
	ASSERT_EQ(1ull, q.counters.other_failures);
	ASSERT_EQ(11ull, q.recv_seq);
}

TEST_F_TIMEOUT(query, lifetime_expiry, 60)
{
	struct ts_ctx_opts o = {
		.suite = variant->suite, .ctx_flags = SM_FLAGS_DEFAULT,
		.key = ts_test_key, .key_len = 32, .lifetime = TS_SHORT_LIFETIME,
	};
	uint8_t tok[32], tok2[32], data[16], data2[16];
	const struct timespec ts = { TS_SHORT_LIFETIME, 200 * 1000 * 1000 };
	struct secmsg_message m;
	struct secmsg_query q;
	int a, b;

	o.role = SECMSG_ROLE_INITIATOR;
	a = ts_import(self->dev, &o);
	ASSERT_LE(0, a);
	o.role = SECMSG_ROLE_ACCEPTOR;
	b = ts_import(self->dev, &o);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, ts_query(a, &q));
	ASSERT_EQ((__u32)TS_SHORT_LIFETIME, q.lifetime);
	ASSERT_EQ(q.created + TS_SHORT_LIFETIME, q.expires);

	ts_fill(data, 16, 1);
	ts_fill(data2, 16, 2);
	ASSERT_OK_MSG(ts_sign1(a, tok, data, 16, &m), m);
	ASSERT_OK_MSG(ts_seal1(a, tok2, data2, 16, 0, &m), m);
	nanosleep(&ts, NULL);

	ASSERT_VERDICT(ts_verify1(b, tok, data, 16, &m), m,
		       EKEYEXPIRED, SECMSG_VERDICT_EXPIRED);
	ASSERT_VERDICT(ts_unseal1(b, tok2, data2, 16, &m), m,
		       EKEYEXPIRED, SECMSG_VERDICT_EXPIRED);
	ASSERT_VERDICT(ts_sign1(a, tok, data, 16, &m), m,
		       EKEYEXPIRED, SECMSG_VERDICT_EXPIRED);
	ASSERT_VERDICT(ts_seal1(a, tok, data, 16, 0, &m), m,
		       EKEYEXPIRED, SECMSG_VERDICT_EXPIRED);
	/* QUERY still answers */
	ASSERT_EQ(0, ts_query(a, &q));
	ASSERT_EQ((__u32)SECMSG_STATE_EXPIRED, q.state);
	ASSERT_EQ(2ull, q.counters.expired);
	ASSERT_EQ(2ull, q.send_seq);	/* one SIGN and one SEAL: 0, 1 */
	ASSERT_EQ(0, ts_query(b, &q));
	ASSERT_EQ((__u32)SECMSG_STATE_EXPIRED, q.state);
	ASSERT_EQ(2ull, q.counters.expired);
	ASSERT_EQ(0ull, q.counters.verified + q.counters.unsealed);
	close(a);
	close(b);
}

TEST_F(query, sequence_space_end)
{
	const uint64_t last = UINT64_MAX - 1;
	uint8_t tok[32], data[16], orig[16];
	struct secmsg_message m;
	struct secmsg_query q;
	int a, b;

	a = ts_import_simple(self->dev, SECMSG_ROLE_INITIATOR, variant->suite,
			     SM_FLAGS_DEFAULT, last, 0);
	ASSERT_LE(0, a);
	b = ts_import_simple(self->dev, SECMSG_ROLE_ACCEPTOR, variant->suite,
			     SM_FLAGS_DEFAULT, 0, last);
	ASSERT_LE(0, b);
	ts_fill(data, 16, 3);
	memcpy(orig, data, 16);
	ASSERT_OK_MSG(ts_seal1(a, tok, data, 16, 0, &m), m);
	ASSERT_EQ(last, m.seq);
	ASSERT_EQ(last, ts_be64(tok + 8));
	ASSERT_OK_MSG(ts_unseal1(b, tok, data, 16, &m), m);
	ASSERT_EQ(last, m.seq);
	ASSERT_EQ(0, memcmp(orig, data, 16));

	/* the next number would be 2^64 - 1: the context has ended */
	ASSERT_VERDICT(ts_seal1(a, tok, data, 16, 0, &m), m,
		       EKEYEXPIRED, SECMSG_VERDICT_EXPIRED);
	ASSERT_EQ(0, memcmp(orig, data, 16));
	ASSERT_VERDICT(ts_sign1(a, tok, data, 16, &m), m,
		       EKEYEXPIRED, SECMSG_VERDICT_EXPIRED);
	ASSERT_VERDICT(ts_seal1(a, tok, data, 16, SECMSG_QOP_WRAP_NO_ENCRYPT,
				&m), m, EKEYEXPIRED, SECMSG_VERDICT_EXPIRED);
	/* and stays ended, for receiving too */
	ASSERT_OK_MSG(ts_sign1(b, tok, data, 16, &m), m);
	ASSERT_VERDICT(ts_verify1(a, tok, data, 16, &m), m,
		       EKEYEXPIRED, SECMSG_VERDICT_EXPIRED);
	ASSERT_EQ(0, ts_query(a, &q));
	ASSERT_EQ((__u32)SECMSG_STATE_EXPIRED, q.state);
	ASSERT_EQ(4ull, q.counters.expired);
	ASSERT_EQ(1ull, q.counters.sealed);
	close(a);
	close(b);
}

TEST_HARNESS_MAIN
