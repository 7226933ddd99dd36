// SPDX-License-Identifier: GPL-2.0
/*
 * BATCH gives the same bytes and verdicts as single calls: two pairs of
 * contexts imported identically, the batch on one, singles on the other,
 * outputs compared byte for byte.  Bad messages inside a batch get their
 * own verdict or error and do not stop the others.
 */
#include "secmsg_test.h"

#define N	12
#define DLEN	40
#define SUITE	SECMSG_SUITE_CHACHA20_POLY1305

FIXTURE(batch) {
	int dev;
	int ini[2], acc[2];	/* [0]: batch, [1]: single calls */
	void *none;
};

FIXTURE_SETUP(batch)
{
	ts_pairs_setup(_metadata, &self->dev, self->ini, self->acc, 2, SUITE,
		       SM_FLAGS_DEFAULT, 300, 900);
	self->none = ts_unmapped_page();
	ASSERT_TRUE(self->none != NULL);
}

FIXTURE_TEARDOWN(batch)
{
	if (self->none)
		munmap(self->none, 4096);
	ts_pairs_teardown(self->dev, self->ini, self->acc, 2);
}

/* N messages (secmsg_test.h), one copy per context pair. */
static void msgset_init(struct ts_msgset *s)
{
	int i;

	ts_msgset_init(s, N, DLEN);
	for (i = 0; i < N; i++) {
		s->len[i] = (uint32_t)(i * 3) % DLEN;
		ts_fill(s->data[i], DLEN, 100 + i);
		s->qop[i] = i % 4 == 3 ? SECMSG_QOP_WRAP_NO_ENCRYPT : 0;
	}
}

static int run_batch(int fd, int op, struct secmsg_message *m, uint32_t count,
		     struct secmsg_batch *out)
{
	struct secmsg_batch bt = {
		.size = sizeof(bt), .op = (uint32_t)op, .count = count,
		.msgs = SM_PTR(m), .msg_size = sizeof(*m),
		.completed = 0xdead, .failed = 0xbeef,
	};
	int ret = ts_ioctl(fd, SECMSG_IOC_BATCH, &bt);

	if (out)
		*out = bt;
	return ret;
}

/* Run @op as one batch on set a / fd[0] and as singles on set b / fd[1]. */
static void both_ways(struct __test_metadata *_metadata, int op,
		      struct ts_msgset *a, struct ts_msgset *b, const int fd[2],
		      uint32_t want_completed)
{
	struct secmsg_batch bt;
	int i, ret, singles_failed = 0;

	ts_msgset_arm(a, op);
	ts_msgset_arm(b, op);
	ASSERT_EQ(0, run_batch(fd[0], op, a->m, N, &bt));
	for (i = 0; i < N; i++) {
		ret = ts_ioctl(fd[1], ts_op_ioctl(op), &b->m[i]);
		ASSERT_EQ(ret, b->m[i].error) TH_LOG("message %d", i);
		singles_failed += ret != 0;
	}
	ASSERT_EQ(want_completed, bt.completed);
	ASSERT_EQ((uint32_t)(N - want_completed), bt.failed);
	ASSERT_EQ(N - (int)want_completed, singles_failed);
	for (i = 0; i < N; i++) {
		ASSERT_EQ(b->m[i].error, a->m[i].error) TH_LOG("message %d", i);
		ASSERT_EQ(b->m[i].verdict, a->m[i].verdict) TH_LOG("message %d", i);
		ASSERT_EQ(b->m[i].qop, a->m[i].qop) TH_LOG("message %d", i);
		ASSERT_EQ(b->m[i].needed, a->m[i].needed);
		ASSERT_EQ(b->m[i].index, a->m[i].index);
		if (!b->m[i].error)
			ASSERT_EQ(b->m[i].seq, a->m[i].seq);
		ASSERT_EQ(b->b[i][0].len, a->b[i][0].len);
		ASSERT_EQ(0, memcmp(b->tok[i], a->tok[i], 32)) TH_LOG("token %d", i);
		ASSERT_EQ(0, memcmp(b->data[i], a->data[i], DLEN)) TH_LOG("data %d", i);
	}
}

TEST_F(batch, sign_verify_same_as_singles)
{
	static struct ts_msgset a, b;
	int i;

	msgset_init(&a);
	msgset_init(&b);
	both_ways(_metadata, SECMSG_OP_SIGN, &a, &b, self->ini, N);
	for (i = 0; i < N; i++)
		ASSERT_EQ(300ull + i, a.m[i].seq);
	both_ways(_metadata, SECMSG_OP_VERIFY, &a, &b, self->acc, N);
	ASSERT_EQ(300ull + N, ts_recv_seq(self->acc[0]));
}

TEST_F(batch, seal_unseal_same_as_singles)
{
	static struct ts_msgset a, b, orig;
	int i;

	msgset_init(&a);
	msgset_init(&b);
	msgset_init(&orig);
	both_ways(_metadata, SECMSG_OP_SEAL, &a, &b, self->ini, N);
	for (i = 0; i < N; i++) {
		ASSERT_EQ(300ull + i, a.m[i].seq);
		if (a.len[i] && !a.qop[i])
			ASSERT_NE(0, memcmp(orig.data[i], a.data[i], a.len[i]));
	}
	both_ways(_metadata, SECMSG_OP_UNSEAL, &a, &b, self->acc, N);
	for (i = 0; i < N; i++) {
		ASSERT_EQ(orig.qop[i], a.m[i].qop);
		ASSERT_EQ(0, memcmp(orig.data[i], a.data[i], DLEN));
	}
}

TEST_F(batch, verify_verdicts_same_as_singles)
{
	static struct ts_msgset a, b;
	int i;

	msgset_init(&a);
	msgset_init(&b);
	both_ways(_metadata, SECMSG_OP_SIGN, &a, &b, self->ini, N);
	/* 2 tampered, 5 a copy of 4 (a replay) */
	for (i = 0; i < 2; i++) {
		struct ts_msgset *s = i ? &b : &a;

		s->tok[2][20] ^= 0x40;
		memcpy(s->tok[5], s->tok[4], 32);
		s->len[5] = s->len[4];
		memcpy(s->data[5], s->data[4], DLEN);
	}
	both_ways(_metadata, SECMSG_OP_VERIFY, &a, &b, self->acc, N - 2);
	ASSERT_EQ((__u32)SECMSG_VERDICT_ALTERED, a.m[2].verdict);
	ASSERT_EQ(-EBADMSG, a.m[2].error);
	ASSERT_EQ((__u32)SECMSG_VERDICT_REPLAYED, a.m[5].verdict);
	ASSERT_EQ(-EALREADY, a.m[5].error);
	for (i = 0; i < N; i++)
		if (i != 2 && i != 5)
			ASSERT_EQ(0, a.m[i].error);
}

TEST_F(batch, bad_messages_fail_alone)
{
	static struct ts_msgset a, orig;
	struct secmsg_batch bt;
	uint8_t sealed[N][TS_MSGSET_DLEN_MAX], tok[N][32];
	struct secmsg_message m;
	int i;

	msgset_init(&a);
	msgset_init(&orig);
	ts_msgset_arm(&a, SECMSG_OP_SEAL);
	ASSERT_EQ(0, run_batch(self->ini[0], SECMSG_OP_SEAL, a.m, N, &bt));
	ASSERT_EQ((uint32_t)N, bt.completed);
	memcpy(sealed, a.data, sizeof(sealed));
	memcpy(tok, a.tok, sizeof(tok));

	ts_msgset_arm(&a, SECMSG_OP_UNSEAL);
	a.tok[1][30] ^= 1;				/* tampered */
	a.b[3][1].ptr = SM_PTR(self->none);		/* unmapped */
	a.len[3] = a.b[3][1].len = DLEN;
	ASSERT_EQ(0, run_batch(self->acc[0], SECMSG_OP_UNSEAL, a.m, N, &bt));
	ASSERT_EQ((uint32_t)N - 2, bt.completed);
	ASSERT_EQ(2u, bt.failed);
	ASSERT_EQ((__u32)SECMSG_VERDICT_ALTERED, a.m[1].verdict);
	ASSERT_EQ(-EBADMSG, a.m[1].error);
	ASSERT_EQ(0, memcmp(sealed[1], a.data[1], DLEN));
	ASSERT_EQ(-EFAULT, a.m[3].error);
	for (i = 0; i < N; i++) {
		if (i == 1 || i == 3)
			continue;
		ASSERT_EQ(0, a.m[i].error) TH_LOG("message %d", i);
		ASSERT_EQ((__u32)SECMSG_VERDICT_OK, a.m[i].verdict);
		ASSERT_EQ(300ull + i, a.m[i].seq);
		ASSERT_EQ(0, memcmp(orig.data[i], a.data[i], DLEN));
	}
	/* neither failure touched the window: the genuine ones go through */
	ASSERT_OK_MSG(ts_unseal1(self->acc[0], tok[1], sealed[1], orig.len[1],
				 &m), m);
	ASSERT_EQ(301ull, m.seq);
	ASSERT_OK_MSG(ts_unseal1(self->acc[0], tok[3], sealed[3], orig.len[3],
				 &m), m);
	ASSERT_EQ(303ull, m.seq);
	ASSERT_EQ(0, memcmp(orig.data[3], sealed[3], DLEN));
}

TEST_F(batch, seal_too_small_consumes_nothing)
{
	static struct ts_msgset a;
	struct secmsg_batch bt;

	msgset_init(&a);
	ts_msgset_arm(&a, SECMSG_OP_SEAL);
	a.b[1][0].len = 31;
	ASSERT_EQ(0, run_batch(self->ini[0], SECMSG_OP_SEAL, a.m, 3, &bt));
	ASSERT_EQ(2u, bt.completed);
	ASSERT_EQ(1u, bt.failed);
	ASSERT_EQ(-ENOBUFS, a.m[1].error);
	ASSERT_EQ((__u32)SECMSG_VERDICT_BUFFER_TOO_SMALL, a.m[1].verdict);
	ASSERT_EQ(32u, a.m[1].needed);
	ASSERT_EQ(0u, a.m[1].index);
	ASSERT_EQ(31u, a.b[1][0].len);
	ASSERT_EQ(300ull, a.m[0].seq);
	ASSERT_EQ(301ull, a.m[2].seq);
	ASSERT_EQ(SM_NO_INDEX, a.m[0].index);
	ASSERT_EQ(302ull, ts_send_seq(self->ini[0]));
}

TEST_F_TIMEOUT(batch, max_batch, 120)
{
	const uint32_t count = SECMSG_MAX_BATCH;
	struct secmsg_message *m = calloc(count, sizeof(*m));
	struct secmsg_buffer *b = calloc(count, 2 * sizeof(*b));
	uint8_t *tok = calloc(count, 32), data[16] = "batch of 1024";
	struct secmsg_batch bt;
	uint32_t i;

	ASSERT_TRUE(m && b && tok);
	for (i = 0; i < count; i++) {
		ts_buf(&b[2 * i], SECMSG_BUF_TOKEN, 0, tok + 32 * i, 32);
		ts_buf(&b[2 * i + 1], SECMSG_BUF_DATA, SECMSG_BUF_READONLY_WITH_CHECKSUM,
		       data, sizeof(data));
		ts_msg_init(&m[i], &b[2 * i], 2, 0);
	}
	ASSERT_EQ(0, run_batch(self->ini[0], SECMSG_OP_SIGN, m, count, &bt));
	ASSERT_EQ(count, bt.completed);
	ASSERT_EQ(0u, bt.failed);
	for (i = 0; i < count; i++)
		ASSERT_EQ(300ull + i, m[i].seq);
	for (i = 0; i < count; i++)
		ts_msg_init(&m[i], &b[2 * i], 2, 0);
	ASSERT_EQ(0, run_batch(self->acc[0], SECMSG_OP_VERIFY, m, count, &bt));
	ASSERT_EQ(count, bt.completed);
	free(m);
	free(b);
	free(tok);
}

TEST_F(batch, larger_msg_size)
{
	struct bigmsg {
		struct secmsg_message m;
		uint64_t tail;
	} bm[2];
	struct secmsg_buffer b[2][2];
	uint8_t tok[2][32], data[2][8] = { "one", "two" };
	struct secmsg_batch bt = {
		.size = sizeof(bt), .op = SECMSG_OP_SIGN, .count = 2,
		.msgs = SM_PTR(bm), .msg_size = sizeof(bm[0]),
	};
	int i;

	for (i = 0; i < 2; i++) {
		ts_buf(&b[i][0], SECMSG_BUF_TOKEN, 0, tok[i], 32);
		ts_buf(&b[i][1], SECMSG_BUF_DATA, 0, data[i], 8);
		ts_msg_init(&bm[i].m, b[i], 2, 0);
		bm[i].m.size = sizeof(bm[i]);
		bm[i].tail = 0;
	}
	bm[1].tail = 1;
	ASSERT_EQ(-E2BIG, ts_ioctl(self->ini[0], SECMSG_IOC_BATCH, &bt));
	ASSERT_EQ(0x5a5a5a5au, bm[0].m.verdict);
	bm[1].tail = 0;
	ASSERT_EQ(0, ts_ioctl(self->ini[0], SECMSG_IOC_BATCH, &bt));
	ASSERT_EQ(2u, bt.completed);
	ASSERT_EQ(300ull, bm[0].m.seq);
	ASSERT_EQ(301ull, bm[1].m.seq);
	ASSERT_EQ(0ull, bm[0].tail | bm[1].tail);
}

TEST_F(batch, stream_messages)
{
	uint8_t st[3][16 + 20 + 16], orig[20];
	struct secmsg_buffer b[3][3];
	struct secmsg_message m[3];
	struct secmsg_batch bt;
	int i;

	ts_fill(orig, 20, 5);
	for (i = 0; i < 3; i++) {
		memcpy(st[i] + 16, orig, 20);
		ts_buf(&b[i][0], SECMSG_BUF_STREAM_HEADER, 0, st[i], 16);
		ts_buf(&b[i][1], SECMSG_BUF_DATA, 0, st[i] + 16, 20);
		ts_buf(&b[i][2], SECMSG_BUF_STREAM_TRAILER, 0, st[i] + 36, 16);
		ts_msg_init(&m[i], b[i], 3, 0);
	}
	ASSERT_EQ(0, run_batch(self->ini[0], SECMSG_OP_SEAL, m, 3, &bt));
	ASSERT_EQ(3u, bt.completed);
	for (i = 0; i < 3; i++) {
		ts_buf(&b[i][0], SECMSG_BUF_STREAM, 0, st[i], sizeof(st[i]));
		ts_buf(&b[i][1], SECMSG_BUF_DATA, 0, NULL, 0);
		ts_msg_init(&m[i], b[i], 2, 0);
	}
	/* the second one is cut short */
	b[1][0].len = 31;
	ASSERT_EQ(0, run_batch(self->acc[0], SECMSG_OP_UNSEAL, m, 3, &bt));
	ASSERT_EQ(2u, bt.completed);
	ASSERT_EQ(1u, bt.failed);
	ASSERT_EQ(-ENODATA, m[1].error);
	ASSERT_EQ((__u32)SECMSG_VERDICT_INCOMPLETE_MESSAGE, m[1].verdict);
	ASSERT_EQ(32u, m[1].needed);
	ASSERT_EQ(0u, m[1].index);
	for (i = 0; i < 3; i += 2) {
		ASSERT_EQ(SM_PTR(st[i] + 16), b[i][1].ptr);
		ASSERT_EQ(20u, b[i][1].len);
		ASSERT_EQ(0, memcmp(orig, st[i] + 16, 20));
	}
}

TEST_F(batch, counters_same_as_singles)
{
	static struct ts_msgset a, b;
	struct secmsg_query qa, qb;

	msgset_init(&a);
	msgset_init(&b);
	both_ways(_metadata, SECMSG_OP_SEAL, &a, &b, self->ini, N);
	a.tok[0][0] ^= 1;
	b.tok[0][0] ^= 1;
	both_ways(_metadata, SECMSG_OP_UNSEAL, &a, &b, self->acc, N - 1);
	ASSERT_EQ(0, ts_query(self->ini[0], &qa));
	ASSERT_EQ(0, ts_query(self->ini[1], &qb));
	ASSERT_EQ(0, memcmp(&qa.counters, &qb.counters, sizeof(qa.counters)));
	ASSERT_EQ((uint64_t)N, qa.counters.sealed);
	ASSERT_EQ(0, ts_query(self->acc[0], &qa));
	ASSERT_EQ(0, ts_query(self->acc[1], &qb));
	ASSERT_EQ(0, memcmp(&qa.counters, &qb.counters, sizeof(qa.counters)));
	ASSERT_EQ((uint64_t)N - 1, qa.counters.unsealed);
	ASSERT_EQ(1ull, qa.counters.altered);
}

/*
 * Buffers spread over more pages than a batch keeps pinned from message
 * to message (8), in a shared file mapping, and messages whose buffers
 * alone are on more pages than that: pins are shared, given up and taken
 * again, or taken for one message only, and the bytes are still those of
 * single calls, in the file too.
 */
#define SPREAD_PAGES	24
#define SPREAD_MSGS	16
#define SPREAD_BUFS	12	/* DATA buffers of every fourth message */
#define SPREAD_LEN	20

struct spread {
	struct secmsg_message m[SPREAD_MSGS];
	struct secmsg_buffer b[SPREAD_MSGS][SPREAD_BUFS + 1];
	uint8_t tok[SPREAD_MSGS][32];
	uint8_t *mem;
	int memfd;
};

static unsigned int spread_bufs(int i)
{
	return i % 4 ? 3 : SPREAD_BUFS;
}

/* Buffer @j of message @i: its own bytes, on page (3i + 5j) mod 24. */
static uint8_t *spread_at(const struct spread *s, int i, int j)
{
	return s->mem + (size_t)((i * 3 + j * 5) % SPREAD_PAGES) * 4096 +
	       (size_t)(i * SPREAD_BUFS + j) * SPREAD_LEN;
}

static int spread_init(struct spread *s)
{
	size_t size = (size_t)SPREAD_PAGES * 4096;
	int i, j;

	memset(s->m, 0, sizeof(s->m));
	memset(s->tok, 0, sizeof(s->tok));
	s->memfd = memfd_create("secmsg_batch", MFD_CLOEXEC);
	if (s->memfd < 0 || ftruncate(s->memfd, (off_t)size))
		return -1;
	s->mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      s->memfd, 0);
	if (s->mem == MAP_FAILED)
		return -1;
	for (i = 0; i < SPREAD_MSGS; i++)
		for (j = 0; j < (int)spread_bufs(i); j++)
			ts_fill(spread_at(s, i, j), SPREAD_LEN, 7 * i + j);
	return 0;
}

static void spread_arm(struct spread *s)
{
	int i, j;

	for (i = 0; i < SPREAD_MSGS; i++) {
		ts_buf(&s->b[i][0], SECMSG_BUF_TOKEN, 0, s->tok[i], 32);
		for (j = 0; j < (int)spread_bufs(i); j++)
			ts_buf(&s->b[i][j + 1], SECMSG_BUF_DATA, 0,
			       spread_at(s, i, j), SPREAD_LEN);
		ts_msg_init(&s->m[i], s->b[i], spread_bufs(i) + 1, 0);
	}
}

static void spread_free(struct spread *s)
{
	munmap(s->mem, (size_t)SPREAD_PAGES * 4096);
	close(s->memfd);
}

TEST_F(batch, pages_beyond_held_same_as_singles)
{
	static const int ops[] = { SECMSG_OP_SEAL, SECMSG_OP_UNSEAL };
	size_t size = (size_t)SPREAD_PAGES * 4096;
	static struct spread a, b;
	struct secmsg_batch bt;
	uint8_t *orig, *file;
	int k, i;

	ASSERT_EQ(0, spread_init(&a));
	ASSERT_EQ(0, spread_init(&b));
	orig = malloc(size);
	file = malloc(size);
	ASSERT_TRUE(orig && file);
	memcpy(orig, a.mem, size);
	for (k = 0; k < 2; k++) {
		const int *fd = ops[k] == SECMSG_OP_SEAL ? self->ini : self->acc;

		spread_arm(&a);
		spread_arm(&b);
		ASSERT_EQ(0, run_batch(fd[0], ops[k], a.m, SPREAD_MSGS, &bt));
		ASSERT_EQ((uint32_t)SPREAD_MSGS, bt.completed);
		ASSERT_EQ(0u, bt.failed);
		for (i = 0; i < SPREAD_MSGS; i++) {
			ASSERT_EQ(0, ts_ioctl(fd[1], ts_op_ioctl(ops[k]),
					      &b.m[i]));
			ASSERT_EQ(0, a.m[i].error);
			ASSERT_EQ(b.m[i].seq, a.m[i].seq);
			ASSERT_EQ(0, memcmp(b.tok[i], a.tok[i], 32));
		}
		ASSERT_EQ(0, memcmp(b.mem, a.mem, size));
		/* Sealed in place, every byte; unsealed, back as it was. */
		if (ops[k] == SECMSG_OP_SEAL) {
			for (i = 0; i < SPREAD_MSGS; i++)
				ASSERT_NE(0, memcmp(orig + (spread_at(&a, i, 1) -
							    a.mem),
						    spread_at(&a, i, 1),
						    SPREAD_LEN));
		} else {
			ASSERT_EQ(0, memcmp(orig, a.mem, size));
		}
		ASSERT_EQ((ssize_t)size, pread(a.memfd, file, size, 0));
		ASSERT_EQ(0, memcmp(file, a.mem, size));
	}
	free(orig);
	free(file);
	spread_free(&a);
	spread_free(&b);
}

TEST_HARNESS_MAIN
