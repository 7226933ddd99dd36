// SPDX-License-Identifier: GPL-2.0
/*
 * The failure contract (uapi "Results and verdicts"): a call that fails
 * without a verdict has done nothing.  Every case here makes a write-back
 * impossible (a read-only page, a NULL pointer) in a place the call only
 * reaches after it has read the message: the call must fail with EFAULT
 * and leave everything exactly as it was: sequence numbers, the replay
 * window (the same message is still accepted afterwards), counters, and
 * every byte of the caller's buffers and structs.  For every suite, with
 * small messages and with large ones (which read the user's pages
 * directly), single calls, the stream form and BATCH.
 *
 * Also: READONLY buffers may not overlap another buffer (EINVAL), since
 * they are promised to stay untouched.
 */
#include "secmsg_test.h"

#define PAGE		4096
#define NPAGES		8	/* test area: pages 0..6 writable, 7 read-only */
#define SMALL		64
#define LARGE		(16 << 10)	/* reads the pages directly */
#define POISON32	0x5a5a5a5au

FIXTURE(contract) {
	int dev;
	int ini, acc;
	uint8_t *area;		/* NPAGES pages */
	uint8_t *page;		/* one more page, for structs */
};

FIXTURE_VARIANT(contract) {
	uint32_t suite;
};

FIXTURE_VARIANT_ADD(contract, aes128_gcm) {
	.suite = SECMSG_SUITE_AES128_GCM,
};

FIXTURE_VARIANT_ADD(contract, aes256_gcm) {
	.suite = SECMSG_SUITE_AES256_GCM,
};

FIXTURE_VARIANT_ADD(contract, chacha20_poly1305) {
	.suite = SECMSG_SUITE_CHACHA20_POLY1305,
};

/* Strict order: a number used and lost would show at the next message. */
#define CT_FLAGS (SM_FLAGS_DEFAULT | SECMSG_CTX_SEQUENCE_DETECT)

FIXTURE_SETUP(contract)
{
	self->ini = self->acc = -1;
	self->area = self->page = NULL;
	SM_OPEN_DEV_OR_SKIP(self->dev);
	self->ini = ts_import_simple(self->dev, SECMSG_ROLE_INITIATOR,
				     variant->suite, CT_FLAGS, 100, 500);
	ASSERT_LE(0, self->ini);
	self->acc = ts_import_simple(self->dev, SECMSG_ROLE_ACCEPTOR,
				     variant->suite, CT_FLAGS, 500, 100);
	ASSERT_LE(0, self->acc);
	self->area = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->area);
	self->page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->page);
}

FIXTURE_TEARDOWN(contract)
{
	if (self->area && self->area != MAP_FAILED)
		munmap(self->area, NPAGES * PAGE);
	if (self->page && self->page != MAP_FAILED)
		munmap(self->page, PAGE);
	if (self->ini >= 0)
		close(self->ini);
	if (self->acc >= 0)
		close(self->acc);
	if (self->dev >= 0)
		close(self->dev);
}

/* What a failed call must leave as it was, besides the caller's bytes. */
struct ct_state {
	uint64_t send_seq;
	uint64_t recv_seq;
	struct secmsg_counters counters;
};

static void ct_state(struct __test_metadata *_metadata, int fd,
		     struct ct_state *s)
{
	struct secmsg_query q;

	ASSERT_EQ(0, ts_query(fd, &q));
	s->send_seq = q.send_seq;
	s->recv_seq = q.recv_seq;
	s->counters = q.counters;
}

#define ASSERT_SAME_STATE(fd, before) do { \
	struct ct_state __now; \
	ct_state(_metadata, (fd), &__now); \
	ASSERT_EQ((before).send_seq, __now.send_seq); \
	ASSERT_EQ((before).recv_seq, __now.recv_seq); \
	ASSERT_EQ(0, memcmp(&(before).counters, &__now.counters, \
			    sizeof(__now.counters))) \
		TH_LOG("counters changed"); \
} while (0)

/* The out fields as ts_msg_init() poisoned them: nothing written back. */
#define ASSERT_UNTOUCHED_MSG(m) do { \
	ASSERT_EQ(0x5a5a5a5a5a5a5a5aull, (m)->seq); \
	ASSERT_EQ((int32_t)POISON32, (m)->error); \
	ASSERT_EQ(POISON32, (m)->verdict); \
	ASSERT_EQ(POISON32, (m)->needed); \
	ASSERT_EQ(POISON32, (m)->index); \
} while (0)

/* @len bytes that end 32 bytes into the area's read-only last page. */
static uint8_t *ct_span(FIXTURE_DATA(contract) *self, uint32_t len)
{
	return self->area + (NPAGES - 1) * PAGE + 32 - len;
}

static void ct_protect_last(struct __test_metadata *_metadata,
			    FIXTURE_DATA(contract) *self)
{
	ASSERT_EQ(0, mprotect(self->area + (NPAGES - 1) * PAGE, PAGE,
			      PROT_READ));
}

static void ct_protect_page(struct __test_metadata *_metadata,
			    FIXTURE_DATA(contract) *self)
{
	ASSERT_EQ(0, mprotect(self->page, PAGE, PROT_READ));
}

/* Seal @len bytes of pattern @seed on ini: token and ciphertext out. */
static void ct_sealed(struct __test_metadata *_metadata,
		      FIXTURE_DATA(contract) *self, uint8_t *tok,
		      uint8_t *ct, uint32_t len, uint32_t seed)
{
	struct secmsg_message m;

	ts_fill(ct, len, seed);
	ASSERT_OK_MSG(ts_seal1(self->ini, tok, ct, len, 0, &m), m);
}

/* The message still unseals (exactly once) to pattern @seed. */
static void ct_unseals(struct __test_metadata *_metadata,
		       FIXTURE_DATA(contract) *self, const uint8_t *tok,
		       const uint8_t *ct, uint32_t len, uint32_t seed)
{
	uint8_t *buf = malloc(len), *want = malloc(len);
	uint8_t t[SECMSG_TOKEN_SIZE];
	struct secmsg_message m;

	ASSERT_TRUE(buf && want);
	memcpy(buf, ct, len);
	memcpy(t, tok, sizeof(t));
	ts_fill(want, len, seed);
	ASSERT_OK_MSG(ts_unseal1(self->acc, t, buf, len, &m), m);
	ASSERT_EQ(0, memcmp(buf, want, len));
	free(buf);
	free(want);
}

/* UNSEAL into DATA that spans a writable and a read-only page. */
static void ct_unseal_span(struct __test_metadata *_metadata,
			   FIXTURE_DATA(contract) *self, uint32_t len)
{
	uint8_t tok[SECMSG_TOKEN_SIZE], *ct = malloc(len), *data;
	struct secmsg_message m;
	struct ct_state st;

	ASSERT_TRUE(ct != NULL);
	ct_sealed(_metadata, self, tok, ct, len, len);
	data = ct_span(self, len);
	memcpy(data, ct, len);
	ct_protect_last(_metadata, self);
	ct_state(_metadata, self->acc, &st);

	ASSERT_EQ(-EFAULT, ts_unseal1(self->acc, tok, data, len, &m));
	ASSERT_UNTOUCHED_MSG(&m);
	ASSERT_EQ(0, memcmp(data, ct, len)) TH_LOG("bytes written");
	ASSERT_SAME_STATE(self->acc, st);
	ct_unseals(_metadata, self, tok, ct, len, len);
	free(ct);
}

TEST_F(contract, unseal_data_half_readonly_small)
{
	ct_unseal_span(_metadata, self, SMALL);
}

TEST_F(contract, unseal_data_half_readonly_large)
{
	ct_unseal_span(_metadata, self, LARGE);
}

/* The message struct is read-only: its out fields cannot be written. */
static void ct_unseal_ro_msg(struct __test_metadata *_metadata,
			     FIXTURE_DATA(contract) *self, uint32_t len)
{
	struct secmsg_message *m = (void *)self->page;
	uint8_t tok[SECMSG_TOKEN_SIZE], *ct = malloc(len), *data = malloc(len);
	struct secmsg_buffer b[2];
	struct ct_state st;

	ASSERT_TRUE(ct && data);
	ct_sealed(_metadata, self, tok, ct, len, len + 1);
	memcpy(data, ct, len);
	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, tok, sizeof(tok));
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, data, len);
	ts_msg_init(m, b, 2, 0);
	ct_protect_page(_metadata, self);
	ct_state(_metadata, self->acc, &st);

	ASSERT_EQ(-EFAULT, ts_ioctl(self->acc, SECMSG_IOC_UNSEAL, m));
	ASSERT_EQ(0, memcmp(data, ct, len)) TH_LOG("plaintext released");
	ASSERT_SAME_STATE(self->acc, st);
	ct_unseals(_metadata, self, tok, ct, len, len + 1);
	free(ct);
	free(data);
}

TEST_F(contract, unseal_readonly_message_small)
{
	ct_unseal_ro_msg(_metadata, self, SMALL);
}

TEST_F(contract, unseal_readonly_message_large)
{
	ct_unseal_ro_msg(_metadata, self, LARGE);
}

/* Stream form: the DATA buffer's ptr and len go back to a read-only array. */
TEST_F(contract, unseal_stream_readonly_buffers)
{
	struct secmsg_buffer *b = (void *)self->page, sb[3];
	uint8_t stream[SECMSG_TOKEN_SIZE + SMALL], copy[sizeof(stream)];
	uint8_t want[SMALL];
	struct secmsg_message m;
	struct ct_state st;

	/* A real stream: SEAL's stream form, laid out contiguously. */
	ts_fill(copy + 16, SMALL, 8);
	ts_buf(&sb[0], SECMSG_BUF_STREAM_HEADER, 0, copy, 16);
	ts_buf(&sb[1], SECMSG_BUF_DATA, 0, copy + 16, SMALL);
	ts_buf(&sb[2], SECMSG_BUF_STREAM_TRAILER, 0, copy + 16 + SMALL, 16);
	ASSERT_OK_MSG(ts_call(self->ini, SECMSG_IOC_SEAL, &m, sb, 3, 0), m);

	memcpy(stream, copy, sizeof(copy));
	ts_buf(&b[0], SECMSG_BUF_STREAM, 0, stream, sizeof(stream));
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, NULL, 0);
	ct_protect_page(_metadata, self);
	ct_state(_metadata, self->acc, &st);
	ASSERT_EQ(-EFAULT, ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, b, 2, 0));
	ASSERT_UNTOUCHED_MSG(&m);
	ASSERT_EQ(0, memcmp(stream, copy, sizeof(copy))) TH_LOG("released");
	ASSERT_SAME_STATE(self->acc, st);

	/* The same stream, with a writable array: accepted now. */
	ts_buf(&sb[0], SECMSG_BUF_STREAM, 0, stream, sizeof(stream));
	ts_buf(&sb[1], SECMSG_BUF_DATA, 0, NULL, 0);
	ASSERT_OK_MSG(ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, sb, 2, 0), m);
	ASSERT_EQ(100ull, m.seq);
	ts_fill(want, SMALL, 8);
	ASSERT_EQ(SM_PTR(stream + 16), sb[1].ptr);
	ASSERT_EQ((uint32_t)SMALL, sb[1].len);
	ASSERT_EQ(0, memcmp(stream + 16, want, SMALL));
}

TEST_F(contract, verify_readonly_message)
{
	struct secmsg_message *m = (void *)self->page, sm;
	uint8_t tok[SECMSG_TOKEN_SIZE], data[SMALL];
	struct secmsg_buffer b[2];
	struct ct_state st;

	ts_fill(data, sizeof(data), 3);
	ASSERT_OK_MSG(ts_sign1(self->ini, tok, data, sizeof(data), &sm), sm);
	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, tok, sizeof(tok));
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, data, sizeof(data));
	ts_msg_init(m, b, 2, 0);
	ct_protect_page(_metadata, self);
	ct_state(_metadata, self->acc, &st);
	ASSERT_EQ(-EFAULT, ts_ioctl(self->acc, SECMSG_IOC_VERIFY, m));
	ASSERT_SAME_STATE(self->acc, st);
	/* Not taken into the window: verifies now, once. */
	ASSERT_OK_MSG(ts_verify1(self->acc, tok, data, sizeof(data), &sm), sm);
	ASSERT_EQ(100ull, sm.seq);
	ASSERT_VERDICT(ts_verify1(self->acc, tok, data, sizeof(data), &sm), sm,
		       EALREADY, SECMSG_VERDICT_REPLAYED);
}

/*
 * After a SEAL or SIGN that failed with EFAULT, the next message takes the
 * number the failed one would have had, and the peer (strict order)
 * accepts it.
 */
static void ct_next_is(struct __test_metadata *_metadata,
		       FIXTURE_DATA(contract) *self, uint64_t seq)
{
	uint8_t tok[SECMSG_TOKEN_SIZE], data[SMALL];
	struct secmsg_message m;

	ts_fill(data, sizeof(data), 99);
	ASSERT_OK_MSG(ts_seal1(self->ini, tok, data, sizeof(data), 0, &m), m);
	ASSERT_EQ(seq, m.seq);
	ct_unseals(_metadata, self, tok, data, sizeof(data), 99);
}

/* SEAL with a TOKEN the kernel cannot write: NULL, or read-only. */
static void ct_seal_bad_token(struct __test_metadata *_metadata,
			      FIXTURE_DATA(contract) *self, uint8_t *tok,
			      uint32_t len)
{
	uint8_t *data = malloc(len), *orig = malloc(len);
	struct secmsg_message m;
	struct ct_state st;

	ASSERT_TRUE(data && orig);
	ts_fill(data, len, 5);
	memcpy(orig, data, len);
	ct_state(_metadata, self->ini, &st);
	ASSERT_EQ(-EFAULT, ts_seal1(self->ini, tok, data, len, 0, &m));
	ASSERT_UNTOUCHED_MSG(&m);
	ASSERT_EQ(0, memcmp(data, orig, len)) TH_LOG("data encrypted");
	ASSERT_SAME_STATE(self->ini, st);
	ct_next_is(_metadata, self, 100);
	free(data);
	free(orig);
}

TEST_F(contract, seal_token_null_small)
{
	ct_seal_bad_token(_metadata, self, NULL, SMALL);
}

TEST_F(contract, seal_token_null_large)
{
	ct_seal_bad_token(_metadata, self, NULL, LARGE);
}

TEST_F(contract, seal_token_readonly_small)
{
	ct_protect_page(_metadata, self);
	ct_seal_bad_token(_metadata, self, self->page, SMALL);
}

TEST_F(contract, seal_token_readonly_large)
{
	ct_protect_page(_metadata, self);
	ct_seal_bad_token(_metadata, self, self->page, LARGE);
}

/* SEAL of DATA that spans a writable and a read-only page. */
static void ct_seal_span(struct __test_metadata *_metadata,
			 FIXTURE_DATA(contract) *self, uint32_t len)
{
	uint8_t tok[SECMSG_TOKEN_SIZE], *orig = malloc(len), *data;
	struct secmsg_message m;
	struct ct_state st;

	ASSERT_TRUE(orig != NULL);
	data = ct_span(self, len);
	ts_fill(data, len, 11);
	memcpy(orig, data, len);
	ct_protect_last(_metadata, self);
	ct_state(_metadata, self->ini, &st);
	ASSERT_EQ(-EFAULT, ts_seal1(self->ini, tok, data, len, 0, &m));
	ASSERT_UNTOUCHED_MSG(&m);
	ASSERT_EQ(0, memcmp(data, orig, len)) TH_LOG("data encrypted");
	ASSERT_SAME_STATE(self->ini, st);
	ct_next_is(_metadata, self, 100);
	free(orig);
}

TEST_F(contract, seal_data_half_readonly_small)
{
	ct_seal_span(_metadata, self, SMALL);
}

TEST_F(contract, seal_data_half_readonly_large)
{
	ct_seal_span(_metadata, self, LARGE);
}

/* SEAL and SIGN with a read-only message struct. */
static void ct_send_ro_msg(struct __test_metadata *_metadata,
			   FIXTURE_DATA(contract) *self, unsigned long req,
			   uint32_t len)
{
	struct secmsg_message *m = (void *)self->page;
	uint8_t tok[SECMSG_TOKEN_SIZE], *data = malloc(len);
	uint8_t *orig = malloc(len);
	struct secmsg_buffer b[2];
	struct ct_state st;

	ASSERT_TRUE(data && orig);
	ts_fill(data, len, 12);
	memcpy(orig, data, len);
	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, tok, sizeof(tok));
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, data, len);
	ts_msg_init(m, b, 2, 0);
	ct_protect_page(_metadata, self);
	ct_state(_metadata, self->ini, &st);
	ASSERT_EQ(-EFAULT, ts_ioctl(self->ini, req, m));
	ASSERT_EQ(0, memcmp(data, orig, len)) TH_LOG("data encrypted");
	ASSERT_EQ((uint32_t)SECMSG_TOKEN_SIZE, b[0].len);
	ASSERT_SAME_STATE(self->ini, st);
	ct_next_is(_metadata, self, 100);
	free(data);
	free(orig);
}

TEST_F(contract, seal_readonly_message_small)
{
	ct_send_ro_msg(_metadata, self, SECMSG_IOC_SEAL, SMALL);
}

TEST_F(contract, seal_readonly_message_large)
{
	ct_send_ro_msg(_metadata, self, SECMSG_IOC_SEAL, LARGE);
}

TEST_F(contract, sign_readonly_message)
{
	ct_send_ro_msg(_metadata, self, SECMSG_IOC_SIGN, SMALL);
}

TEST_F(contract, sign_token_readonly)
{
	uint8_t data[SMALL];
	struct secmsg_message m;
	struct ct_state st;

	ct_protect_page(_metadata, self);
	ts_fill(data, sizeof(data), 13);
	ct_state(_metadata, self->ini, &st);
	ASSERT_EQ(-EFAULT, ts_sign1(self->ini, self->page, data, sizeof(data),
				    &m));
	ASSERT_UNTOUCHED_MSG(&m);
	ASSERT_SAME_STATE(self->ini, st);
	ct_next_is(_metadata, self, 100);
}

/* Stream SEAL: the lens go back to a read-only buffer array. */
TEST_F(contract, seal_stream_readonly_buffers)
{
	struct secmsg_buffer *b = (void *)self->page;
	uint8_t stream[SECMSG_TOKEN_SIZE + SMALL], orig[sizeof(stream)];
	struct secmsg_message m;
	struct ct_state st;

	ts_fill(stream, sizeof(stream), 14);
	memcpy(orig, stream, sizeof(stream));
	ts_buf(&b[0], SECMSG_BUF_STREAM_HEADER, 0, stream, 16);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, stream + 16, SMALL);
	ts_buf(&b[2], SECMSG_BUF_STREAM_TRAILER, 0, stream + 16 + SMALL, 16);
	ct_protect_page(_metadata, self);
	ct_state(_metadata, self->ini, &st);
	ASSERT_EQ(-EFAULT, ts_call(self->ini, SECMSG_IOC_SEAL, &m, b, 3, 0));
	ASSERT_UNTOUCHED_MSG(&m);
	ASSERT_EQ(0, memcmp(stream, orig, sizeof(stream)));
	ASSERT_SAME_STATE(self->ini, st);
	ct_next_is(_metadata, self, 100);
}

/* ---- BATCH ------------------------------------------------------------ */

#define NB	4

struct ct_batch {
	struct secmsg_message m[NB];
	struct secmsg_buffer b[NB][2];
	uint8_t tok[NB][SECMSG_TOKEN_SIZE];
	uint8_t data[NB][SMALL];
};

static void ct_batch_init(struct ct_batch *cb, struct secmsg_batch *bt,
			  struct secmsg_message *msgs)
{
	int i;

	for (i = 0; i < NB; i++) {
		ts_fill(cb->data[i], SMALL, 20 + i);
		ts_buf(&cb->b[i][0], SECMSG_BUF_TOKEN, 0, cb->tok[i],
		       SECMSG_TOKEN_SIZE);
		ts_buf(&cb->b[i][1], SECMSG_BUF_DATA, 0, cb->data[i], SMALL);
		ts_msg_init(&msgs[i], cb->b[i], 2, 0);
	}
	memset(bt, 0, sizeof(*bt));
	bt->size = sizeof(*bt);
	bt->op = SECMSG_OP_SEAL;
	bt->count = NB;
	bt->msgs = SM_PTR(msgs);
	bt->msg_size = sizeof(*msgs);
	bt->completed = bt->failed = POISON32;
}

/* One message's token cannot be written: only that message fails. */
TEST_F(contract, batch_one_bad_token)
{
	struct ct_batch cb;
	struct secmsg_batch bt;
	uint8_t orig[SMALL];
	uint64_t seq = 100;
	int i;

	ct_batch_init(&cb, &bt, cb.m);
	cb.b[1][0].ptr = 0;
	memcpy(orig, cb.data[1], SMALL);
	ASSERT_EQ(0, ts_ioctl(self->ini, SECMSG_IOC_BATCH, &bt));
	ASSERT_EQ((uint32_t)NB - 1, bt.completed);
	ASSERT_EQ(1u, bt.failed);
	ASSERT_EQ(-EFAULT, cb.m[1].error);
	ASSERT_EQ((uint32_t)SECMSG_VERDICT_OK, cb.m[1].verdict);
	ASSERT_EQ(0, memcmp(cb.data[1], orig, SMALL));
	/* The others took consecutive numbers; the peer takes them in order. */
	for (i = 0; i < NB; i++) {
		if (i == 1)
			continue;
		ASSERT_EQ(0, cb.m[i].error);
		ASSERT_EQ(seq, cb.m[i].seq);
		ct_unseals(_metadata, self, cb.tok[i], cb.data[i], SMALL,
			   20 + i);
		seq++;
	}
	ct_next_is(_metadata, self, seq);
}

/* The message array is read-only: nothing is processed. */
TEST_F(contract, batch_readonly_messages)
{
	struct secmsg_message *msgs = (void *)self->page;
	struct ct_batch cb, orig;
	struct secmsg_batch bt;
	struct ct_state st;

	ct_batch_init(&cb, &bt, msgs);
	memcpy(&orig, &cb, sizeof(cb));
	ct_protect_page(_metadata, self);
	ct_state(_metadata, self->ini, &st);
	ASSERT_EQ(-EFAULT, ts_ioctl(self->ini, SECMSG_IOC_BATCH, &bt));
	ASSERT_EQ(POISON32, bt.completed);
	ASSERT_EQ(0, memcmp(&cb, &orig, sizeof(cb)));
	ASSERT_SAME_STATE(self->ini, st);
	ct_next_is(_metadata, self, 100);
}

/* The batch struct is read-only: its counts cannot be written. */
TEST_F(contract, batch_readonly_counts)
{
	struct secmsg_batch *bt = (void *)self->page;
	struct ct_batch cb, orig;
	struct ct_state st;

	ct_batch_init(&cb, bt, cb.m);
	memcpy(&orig, &cb, sizeof(cb));
	ct_protect_page(_metadata, self);
	ct_state(_metadata, self->ini, &st);
	ASSERT_EQ(-EFAULT, ts_ioctl(self->ini, SECMSG_IOC_BATCH, bt));
	ASSERT_EQ(0, memcmp(&cb, &orig, sizeof(cb)));
	ASSERT_SAME_STATE(self->ini, st);
	ct_next_is(_metadata, self, 100);
}

/* ---- READONLY buffers ------------------------------------------------- */

/* A READONLY DATA buffer inside the TOKEN: refused, nothing written. */
TEST_F(contract, readonly_inside_token)
{
	uint8_t tok[SECMSG_TOKEN_SIZE], data[SMALL], otok[sizeof(tok)];
	uint8_t odata[sizeof(data)];
	struct secmsg_buffer b[3];
	struct secmsg_message m;
	struct ct_state st;

	ts_fill(tok, sizeof(tok), 30);
	ts_fill(data, sizeof(data), 31);
	memcpy(otok, tok, sizeof(tok));
	memcpy(odata, data, sizeof(data));
	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, tok, sizeof(tok));
	ts_buf(&b[1], SECMSG_BUF_DATA, SECMSG_BUF_READONLY, tok + 8, 8);
	ts_buf(&b[2], SECMSG_BUF_DATA, 0, data, sizeof(data));
	ct_state(_metadata, self->ini, &st);
	ASSERT_EQ(-EINVAL, ts_call(self->ini, SECMSG_IOC_SEAL, &m, b, 3, 0));
	ASSERT_UNTOUCHED_MSG(&m);
	ASSERT_EQ(0, memcmp(tok, otok, sizeof(tok)));
	ASSERT_EQ(0, memcmp(data, odata, sizeof(data)));
	ASSERT_SAME_STATE(self->ini, st);
	ASSERT_EQ(-EINVAL, ts_call(self->ini, SECMSG_IOC_SIGN, &m, b, 3, 0));
	ASSERT_EQ(0, memcmp(tok, otok, sizeof(tok)));
	ASSERT_SAME_STATE(self->ini, st);
}

/* A READONLY DATA buffer inside a DATA buffer that is encrypted. */
TEST_F(contract, readonly_inside_data)
{
	uint8_t tok[SECMSG_TOKEN_SIZE], data[SMALL], odata[sizeof(data)];
	struct secmsg_buffer b[3];
	struct secmsg_message m;
	struct ct_state st;

	ts_fill(data, sizeof(data), 32);
	memcpy(odata, data, sizeof(data));
	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, tok, sizeof(tok));
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, data, sizeof(data));
	ts_buf(&b[2], SECMSG_BUF_DATA, SECMSG_BUF_READONLY, data + 16, 4);
	ct_state(_metadata, self->ini, &st);
	ASSERT_EQ(-EINVAL, ts_call(self->ini, SECMSG_IOC_SEAL, &m, b, 3, 0));
	ASSERT_EQ(0, memcmp(data, odata, sizeof(data)));
	ASSERT_SAME_STATE(self->ini, st);
	/* Two READONLY buffers over the same bytes overlap as well. */
	ts_buf(&b[1], SECMSG_BUF_DATA, SECMSG_BUF_READONLY, data, 8);
	ts_buf(&b[2], SECMSG_BUF_DATA, SECMSG_BUF_READONLY, data + 4, 8);
	ASSERT_EQ(-EINVAL, ts_call(self->ini, SECMSG_IOC_SEAL, &m, b, 3, 0));
	ASSERT_SAME_STATE(self->ini, st);
}

/* Beside the others, a READONLY buffer is fine, and left untouched. */
TEST_F(contract, readonly_beside_untouched)
{
	uint8_t buf[SECMSG_TOKEN_SIZE + 8 + SMALL], orig[8];
	uint8_t *tok = buf, *ro = buf + SECMSG_TOKEN_SIZE, *data = ro + 8;
	struct secmsg_buffer b[3];
	struct secmsg_message m;

	ts_fill(buf, sizeof(buf), 33);
	memcpy(orig, ro, sizeof(orig));
	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, tok, SECMSG_TOKEN_SIZE);
	ts_buf(&b[1], SECMSG_BUF_DATA, SECMSG_BUF_READONLY, ro, 8);
	ts_buf(&b[2], SECMSG_BUF_DATA, 0, data, SMALL);
	ASSERT_OK_MSG(ts_call(self->ini, SECMSG_IOC_SEAL, &m, b, 3, 0), m);
	ASSERT_EQ(0, memcmp(ro, orig, sizeof(orig)));
	ASSERT_OK_MSG(ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, b, 3, 0), m);
	ASSERT_EQ(0, memcmp(ro, orig, sizeof(orig)));
}

/* ---- the order of errors, and the contract's loose ends --------------- */

/* An altered message in memory the call cannot write: EFAULT, uncounted. */
TEST_F(contract, efault_wins_over_altered)
{
	uint8_t tok[SECMSG_TOKEN_SIZE], ct[SMALL], *data;
	struct secmsg_message m;
	struct ct_state st;

	ct_sealed(_metadata, self, tok, ct, SMALL, 40);
	ct[3] ^= 1;
	data = ct_span(self, SMALL);
	memcpy(data, ct, SMALL);
	ct_protect_last(_metadata, self);
	ct_state(_metadata, self->acc, &st);
	ASSERT_EQ(-EFAULT, ts_unseal1(self->acc, tok, data, SMALL, &m));
	ASSERT_SAME_STATE(self->acc, st);
	/* The same bytes in writable memory: the verdict, counted. */
	ASSERT_VERDICT(ts_unseal1(self->acc, tok, ct, SMALL, &m), m, EBADMSG,
		       SECMSG_VERDICT_ALTERED);
	ct_state(_metadata, self->acc, &st);
	ASSERT_EQ(1ull, st.counters.altered);
}

/* A verdict of the message's shape wins over memory it cannot write. */
TEST_F(contract, shape_verdict_wins_over_efault)
{
	uint8_t *data = ct_span(self, SMALL), tok[16];
	struct secmsg_buffer b[2];
	struct secmsg_message m;
	struct ct_state st;

	ct_protect_last(_metadata, self);
	ct_state(_metadata, self->ini, &st);
	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, tok, sizeof(tok));
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, data, SMALL);
	ASSERT_VERDICT(ts_call(self->ini, SECMSG_IOC_SEAL, &m, b, 2, 0), m,
		       ENOBUFS, SECMSG_VERDICT_BUFFER_TOO_SMALL);
	ASSERT_EQ((uint32_t)SECMSG_TOKEN_SIZE, m.needed);
	ASSERT_EQ(0u, m.index);
	ASSERT_EQ(st.send_seq, ts_send_seq(self->ini));
	ct_next_is(_metadata, self, 100);
}

/* SIGN takes qop 0 only; a refused SIGN or SEAL uses no number. */
TEST_F(contract, refused_send_uses_no_number)
{
	uint8_t tok[SECMSG_TOKEN_SIZE], data[SMALL];
	struct secmsg_buffer b[2];
	struct secmsg_message m;

	ts_fill(data, sizeof(data), 41);
	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, tok, sizeof(tok));
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, data, sizeof(data));
	ASSERT_VERDICT(ts_call(self->ini, SECMSG_IOC_SIGN, &m, b, 2,
			       SECMSG_QOP_WRAP_NO_ENCRYPT), m,
		       EOPNOTSUPP, SECMSG_VERDICT_QOP_NOT_SUPPORTED);
	ASSERT_VERDICT(ts_call(self->ini, SECMSG_IOC_SEAL, &m, b, 2, 7), m,
		       EOPNOTSUPP, SECMSG_VERDICT_QOP_NOT_SUPPORTED);
	b[0].len = SECMSG_TOKEN_SIZE - 1;
	ASSERT_VERDICT(ts_call(self->ini, SECMSG_IOC_SIGN, &m, b, 2, 0), m,
		       ENOBUFS, SECMSG_VERDICT_BUFFER_TOO_SMALL);
	ct_next_is(_metadata, self, 100);
}

/*
 * A sign-only wrap works on a context without CONFIDENTIALITY, where a
 * sealing qop is refused; its receiver learns the qop.
 */
TEST_F(contract, wrap_no_encrypt_without_confidentiality)
{
	uint8_t tok[SECMSG_TOKEN_SIZE], data[SMALL], orig[SMALL];
	struct secmsg_message m;
	int ini, acc;

	ini = ts_import_simple(self->dev, SECMSG_ROLE_INITIATOR,
			       variant->suite, SECMSG_CTX_REPLAY_DETECT, 7, 0);
	ASSERT_LE(0, ini);
	acc = ts_import_simple(self->dev, SECMSG_ROLE_ACCEPTOR, variant->suite,
			       SECMSG_CTX_REPLAY_DETECT, 0, 7);
	ASSERT_LE(0, acc);
	ts_fill(data, sizeof(data), 42);
	memcpy(orig, data, sizeof(data));
	ASSERT_VERDICT(ts_seal1(ini, tok, data, sizeof(data), 0, &m), m,
		       EOPNOTSUPP, SECMSG_VERDICT_QOP_NOT_SUPPORTED);
	ASSERT_OK_MSG(ts_seal1(ini, tok, data, sizeof(data),
			       SECMSG_QOP_WRAP_NO_ENCRYPT, &m), m);
	ASSERT_EQ(7ull, m.seq);
	ASSERT_EQ(0, memcmp(data, orig, sizeof(data)));
	ASSERT_OK_MSG(ts_unseal1(acc, tok, data, sizeof(data), &m), m);
	ASSERT_EQ(SECMSG_QOP_WRAP_NO_ENCRYPT, m.qop);
	close(ini);
	close(acc);
}

/*
 * UNSEAL may write its plain DATA, whatever the message turns out to be:
 * a sign-only wrap in read-only memory is EFAULT too, with nothing done.
 */
TEST_F(contract, unseal_needs_writable_data)
{
	uint8_t tok[SECMSG_TOKEN_SIZE], *data = self->page;
	struct secmsg_message m;
	struct ct_state st;

	ts_fill(data, SMALL, 43);
	ASSERT_OK_MSG(ts_seal1(self->ini, tok, data, SMALL,
			       SECMSG_QOP_WRAP_NO_ENCRYPT, &m), m);
	ct_protect_page(_metadata, self);
	ct_state(_metadata, self->acc, &st);
	ASSERT_EQ(-EFAULT, ts_unseal1(self->acc, tok, data, SMALL, &m));
	ASSERT_SAME_STATE(self->acc, st);
	ct_unseals(_metadata, self, tok, data, SMALL, 43);
}

/*
 * The stream form's header and trailer are the token form's 32 bytes,
 * its data the same ciphertext: two contexts imported alike, one message
 * in each form.
 */
TEST_F(contract, stream_is_token_rearranged)
{
	uint8_t stream[SECMSG_TOKEN_SIZE + SMALL], tok[SECMSG_TOKEN_SIZE];
	uint8_t data[SMALL];
	struct secmsg_buffer b[3];
	struct secmsg_message m;
	int twin;

	twin = ts_import_simple(self->dev, SECMSG_ROLE_INITIATOR,
				variant->suite, CT_FLAGS, 100, 500);
	ASSERT_LE(0, twin);
	ts_fill(stream + 16, SMALL, 44);
	ts_fill(data, SMALL, 44);
	ts_buf(&b[0], SECMSG_BUF_STREAM_HEADER, 0, stream, 16);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, stream + 16, SMALL);
	ts_buf(&b[2], SECMSG_BUF_STREAM_TRAILER, 0, stream + 16 + SMALL, 16);
	ASSERT_OK_MSG(ts_call(self->ini, SECMSG_IOC_SEAL, &m, b, 3, 0), m);
	ASSERT_OK_MSG(ts_seal1(twin, tok, data, SMALL, 0, &m), m);
	ASSERT_EQ(0, memcmp(stream, tok, 16));
	ASSERT_EQ(0, memcmp(stream + 16, data, SMALL));
	ASSERT_EQ(0, memcmp(stream + 16 + SMALL, tok + 16, 16));
	close(twin);
}

TEST_HARNESS_MAIN
