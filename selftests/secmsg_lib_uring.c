// SPDX-License-Identifier: GPL-2.0
/*
 * libsecmsg's io_uring helpers (sm_uring_prep(), sm_uring_result()) on a
 * liburing ring against the module: many messages sealed in flight at
 * once and unsealed the same way to the exact bytes, inline and on
 * io_uring's workers (IOSQE_ASYNC, where the kernel reads the slot after
 * io_uring_enter(2) has returned); a tampered message fails with its
 * buffers unchanged and the others pass, a replayed one is refused; the
 * stream form's DATA pointer, sign and verify, and a refused prep that
 * leaves a NOP.  secmsg_uring tests the uapi itself.
 */
#include "secmsg_test.h"

#include <liburing.h>
#include <secmsg.h>

#define N	32	/* messages in flight at once */
#define DMAX	300	/* the longest message */
#define CTX_FLAGS (SM_CTX_CONFIDENTIALITY | SM_CTX_INTEGRITY | \
		   SM_CTX_REPLAY_DETECT)

struct lmsg {
	struct sm_message m;
	struct sm_buffer b[3];
	struct sm_uring_slot slot;
	unsigned char tok[SM_TOKEN_SIZE];
	unsigned char data[DMAX + 32];	/* room for a stream */
	unsigned char plain[DMAX];
	unsigned char sealed[DMAX + 32];
	unsigned char sealed_tok[SM_TOKEN_SIZE];
	size_t len;
};

FIXTURE(lib_uring) {
	sm_ctx *ini, *acc;
	struct io_uring ring;
	bool have_ring;
	struct lmsg *msg;	/* N of them */
};

FIXTURE_VARIANT(lib_uring) {
	uint32_t suite;
	uint8_t sqe_flags;
};

FIXTURE_VARIANT_ADD(lib_uring, aes256_gcm) {
	.suite = SM_SUITE_AES256_GCM,
};

FIXTURE_VARIANT_ADD(lib_uring, chacha20_poly1305) {
	.suite = SM_SUITE_CHACHA20_POLY1305,
};

/* On io_uring's workers: the kernel reads the slots after submission. */
FIXTURE_VARIANT_ADD(lib_uring, aes256_gcm_async) {
	.suite = SM_SUITE_AES256_GCM,
	.sqe_flags = IOSQE_ASYNC,
};

static sm_status import(uint32_t role, uint32_t suite, sm_ctx **ctx)
{
	struct sm_import_params p = {
		.size = sizeof(p),
		.role = role,
		.suite = suite,
		.ctx_flags = CTX_FLAGS,
		.key = ts_test_key,
		.key_len = 32,
	};

	return sm_import(&p, ctx);
}

FIXTURE_SETUP(lib_uring)
{
	sm_status st;
	int ret;

	self->ini = NULL;
	self->acc = NULL;
	self->have_ring = false;
	self->msg = calloc(N, sizeof(*self->msg));
	ASSERT_NE(NULL, self->msg);
	st = import(SM_ROLE_INITIATOR, variant->suite, &self->ini);
	if (st == SM_E_SECPKG_NOT_FOUND)
		SM_SKIP_SETUP("%s missing: secmsg.ko not loaded",
			      SECMSG_DEVICE_PATH);
	ASSERT_EQ(SM_E_OK, st) TH_LOG("%s", sm_status_string(st));
	ASSERT_EQ(SM_E_OK, import(SM_ROLE_ACCEPTOR, variant->suite,
				  &self->acc));
	ret = io_uring_queue_init(2 * N, &self->ring, 0);
	if (ret == -ENOSYS)
		SM_SKIP_SETUP("no io_uring in this kernel (CONFIG_IO_URING)");
	ASSERT_EQ(0, ret);
	self->have_ring = true;
}

FIXTURE_TEARDOWN(lib_uring)
{
	if (self->have_ring)
		io_uring_queue_exit(&self->ring);
	sm_close(self->ini);
	sm_close(self->acc);
	free(self->msg);
}

/* @l in token form: TOKEN, then DATA of @len bytes at @data. */
static void token_form(struct lmsg *l, unsigned char *data, size_t len)
{
	l->b[0] = (struct sm_buffer){ SM_BUF_TOKEN, 0, l->tok, sizeof(l->tok) };
	l->b[1] = (struct sm_buffer){ SM_BUF_DATA, 0, data, len };
	l->m = (struct sm_message){ .bufs = l->b, .nbufs = 2 };
}

/*
 * Run msg[0..n) as @op on @ctx in one submission: sm_uring_prep() each
 * (user_data its index), then sm_uring_result() for each CQE.  Returns
 * 0, or -1 with a message logged.
 */
static int run(struct __test_metadata *_metadata, struct io_uring *ring,
	       sm_ctx *ctx, int op, struct lmsg *msg, unsigned int n,
	       uint8_t sqe_flags)
{
	bool seen[N] = { false };
	struct io_uring_cqe *cqe;
	unsigned int i;
	sm_status st;
	int ret;

	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

		if (!sqe) {
			TH_LOG("no SQE");
			return -1;
		}
		st = sm_uring_prep(sqe, ctx, op, &msg[i].m, &msg[i].slot);
		if (st != SM_E_OK) {
			TH_LOG("sm_uring_prep: %s", sm_status_string(st));
			return -1;
		}
		io_uring_sqe_set_data64(sqe, i);
		sqe->flags |= sqe_flags;
	}
	ret = io_uring_submit(ring);
	if (ret != (int)n) {
		TH_LOG("io_uring_submit: %d", ret);
		return -1;
	}
	for (i = 0; i < n; i++) {
		ret = io_uring_wait_cqe(ring, &cqe);
		if (ret) {
			TH_LOG("io_uring_wait_cqe: %s", strerror(-ret));
			return -1;
		}
		if (cqe->user_data >= n || seen[cqe->user_data]) {
			TH_LOG("user_data %llu unexpected",
			       (unsigned long long)cqe->user_data);
			return -1;
		}
		seen[cqe->user_data] = true;
		st = sm_uring_result(&msg[cqe->user_data].slot, cqe->res);
		if (st != msg[cqe->user_data].m.status) {
			TH_LOG("sm_uring_result %x, status %x", st,
			       msg[cqe->user_data].m.status);
			return -1;
		}
		io_uring_cqe_seen(ring, cqe);
	}
	return 0;
}

/* Seal msg[0..N) of 1..DMAX bytes through the ring; keep what was sent. */
static void seal_all(struct __test_metadata *_metadata, struct io_uring *ring,
		     sm_ctx *ini, struct lmsg *msg, uint8_t sqe_flags)
{
	bool seqs[N] = { false };
	unsigned int i;

	for (i = 0; i < N; i++) {
		struct lmsg *l = &msg[i];

		l->len = 1 + (i * 37) % DMAX;
		ts_fill(l->plain, l->len, i);
		memcpy(l->data, l->plain, l->len);
		token_form(l, l->data, l->len);
	}
	ASSERT_EQ(0, run(_metadata, ring, ini, SM_OP_SEAL, msg, N, sqe_flags));
	for (i = 0; i < N; i++) {
		struct lmsg *l = &msg[i];

		ASSERT_EQ(SM_E_OK, l->m.status)
			TH_LOG("message %u: %s", i,
			       sm_status_string(l->m.status));
		EXPECT_EQ(0, l->m.error);
		EXPECT_EQ(SM_INDEX_NONE, l->m.index);
		/* numbers 0..N-1, each once, in whatever order they ran */
		ASSERT_GT((uint64_t)N, l->m.seq);
		EXPECT_FALSE(seqs[l->m.seq]);
		seqs[l->m.seq] = true;
		EXPECT_EQ((size_t)SM_TOKEN_SIZE, l->b[0].len);
		EXPECT_EQ(l->len, l->b[1].len);
		EXPECT_NE(0, memcmp(l->data, l->plain, l->len));
		memcpy(l->sealed, l->data, l->len);
		memcpy(l->sealed_tok, l->tok, sizeof(l->tok));
	}
}

/* Make msg[i] the message as it was sent (token form). */
static void resend(struct lmsg *l)
{
	memcpy(l->data, l->sealed, l->len);
	memcpy(l->tok, l->sealed_tok, sizeof(l->tok));
	token_form(l, l->data, l->len);
}

TEST_F(lib_uring, seal_unseal_many)
{
	struct lmsg *l0 = &self->msg[0];
	unsigned int i;
	uint64_t seq;

	seal_all(_metadata, &self->ring, self->ini, self->msg,
		 variant->sqe_flags);
	for (i = 0; i < N; i++) {
		resend(&self->msg[i]);
		self->msg[i].m.qop = 99;	/* an output: not sent */
	}
	ASSERT_EQ(0, run(_metadata, &self->ring, self->acc, SM_OP_UNSEAL,
			 self->msg, N, variant->sqe_flags));
	for (i = 0; i < N; i++) {
		struct lmsg *l = &self->msg[i];

		ASSERT_EQ(SM_E_OK, l->m.status)
			TH_LOG("message %u: %s", i,
			       sm_status_string(l->m.status));
		EXPECT_EQ(0u, l->m.qop);
		EXPECT_EQ(l->len, l->b[1].len);
		EXPECT_EQ(0, memcmp(l->data, l->plain, l->len))
			TH_LOG("message %u: other bytes", i);
	}
	/* The synchronous calls go on with the next numbers. */
	ts_fill(l0->plain, 20, 99);
	memcpy(l0->data, l0->plain, 20);
	token_form(l0, l0->data, 20);
	ASSERT_EQ(SM_E_OK, sm_seal(self->ini, 0, l0->b, 2, &seq));
	EXPECT_EQ((uint64_t)N, seq);
	ASSERT_EQ(SM_E_OK, sm_unseal(self->acc, l0->b, 2, &seq, NULL));
	EXPECT_EQ((uint64_t)N, seq);
	EXPECT_EQ(0, memcmp(l0->data, l0->plain, 20));
}

TEST_F(lib_uring, tampered_and_replayed)
{
	const unsigned int bad = 5;
	unsigned int i;
	uint64_t seq_bad;

	seal_all(_metadata, &self->ring, self->ini, self->msg,
		 variant->sqe_flags);
	seq_bad = self->msg[bad].m.seq;
	for (i = 0; i < N; i++)
		resend(&self->msg[i]);
	self->msg[bad].data[self->msg[bad].len / 2] ^= 0x40;
	memcpy(self->msg[bad].sealed, self->msg[bad].data, self->msg[bad].len);
	ASSERT_EQ(0, run(_metadata, &self->ring, self->acc, SM_OP_UNSEAL,
			 self->msg, N, variant->sqe_flags));
	for (i = 0; i < N; i++) {
		struct lmsg *l = &self->msg[i];

		if (i != bad) {
			ASSERT_EQ(SM_E_OK, l->m.status);
			EXPECT_EQ(0, memcmp(l->data, l->plain, l->len));
			continue;
		}
		EXPECT_EQ(SM_E_MESSAGE_ALTERED, l->m.status);
		EXPECT_EQ(EBADMSG, l->m.error);
		EXPECT_EQ(0u, l->m.seq);
		/* nothing released, nothing written back */
		EXPECT_EQ(0, memcmp(l->data, l->sealed, l->len));
		EXPECT_EQ(0, memcmp(l->tok, l->sealed_tok, sizeof(l->tok)));
		EXPECT_EQ(sizeof(l->tok), l->b[0].len);
		EXPECT_EQ(l->len, l->b[1].len);
	}

	/* Every good message again: replays, with their bytes left alone */
	for (i = 0; i < N; i++)
		resend(&self->msg[i]);
	ASSERT_EQ(0, run(_metadata, &self->ring, self->acc, SM_OP_UNSEAL,
			 self->msg, N, variant->sqe_flags));
	for (i = 0; i < N; i++) {
		struct lmsg *l = &self->msg[i];

		EXPECT_EQ(i == bad ? SM_E_MESSAGE_ALTERED : SM_E_REPLAYED,
			  l->m.status) TH_LOG("message %u", i);
		EXPECT_EQ(i == bad ? EBADMSG : EALREADY, l->m.error);
		EXPECT_EQ(0, memcmp(l->data, l->sealed, l->len));
		EXPECT_EQ(0, memcmp(l->tok, l->sealed_tok, sizeof(l->tok)));
	}

	/* The altered message's number is still free: the original passes */
	self->msg[bad].sealed[self->msg[bad].len / 2] ^= 0x40;
	resend(&self->msg[bad]);
	ASSERT_EQ(0, run(_metadata, &self->ring, self->acc, SM_OP_UNSEAL,
			 &self->msg[bad], 1, variant->sqe_flags));
	EXPECT_EQ(SM_E_OK, self->msg[bad].m.status);
	EXPECT_EQ(seq_bad, self->msg[bad].m.seq);
	EXPECT_EQ(0, memcmp(self->msg[bad].data, self->msg[bad].plain,
			    self->msg[bad].len));
}

/* Stream form: the unseal points DATA into the stream (written back). */
TEST_F(lib_uring, stream_form)
{
	struct lmsg *l = &self->msg[0];
	const size_t len = 100;
	uint64_t seq;

	ts_fill(l->plain, len, 7);
	memcpy(l->data + 16, l->plain, len);
	l->b[0] = (struct sm_buffer){ SM_BUF_STREAM_HEADER, 0, l->data,
				      SM_STREAM_HEADER_SIZE };
	l->b[1] = (struct sm_buffer){ SM_BUF_DATA, 0, l->data + 16, len };
	l->b[2] = (struct sm_buffer){ SM_BUF_STREAM_TRAILER, 0,
				      l->data + 16 + len,
				      SM_STREAM_TRAILER_SIZE };
	l->m = (struct sm_message){ .bufs = l->b, .nbufs = 3 };
	ASSERT_EQ(0, run(_metadata, &self->ring, self->ini, SM_OP_SEAL, l, 1,
			 variant->sqe_flags));
	ASSERT_EQ(SM_E_OK, l->m.status);
	seq = l->m.seq;

	l->b[0] = (struct sm_buffer){ SM_BUF_STREAM, 0, l->data, len + 32 };
	l->b[1] = (struct sm_buffer){ SM_BUF_DATA, 0, NULL, 0 };
	l->m = (struct sm_message){ .bufs = l->b, .nbufs = 2 };
	ASSERT_EQ(0, run(_metadata, &self->ring, self->acc, SM_OP_UNSEAL, l, 1,
			 variant->sqe_flags));
	ASSERT_EQ(SM_E_OK, l->m.status);
	EXPECT_EQ(seq, l->m.seq);
	EXPECT_EQ((void *)(l->data + 16), l->b[1].data);
	EXPECT_EQ(len, l->b[1].len);
	EXPECT_EQ(0, memcmp(l->data + 16, l->plain, len));
}

/* Sign and verify; a short TOKEN reports which buffer and how much. */
TEST_F(lib_uring, sign_verify_too_small)
{
	struct lmsg *l = &self->msg[0];

	ts_fill(l->plain, 64, 3);
	token_form(l, l->plain, 64);
	ASSERT_EQ(0, run(_metadata, &self->ring, self->ini, SM_OP_SIGN, l, 1,
			 variant->sqe_flags));
	ASSERT_EQ(SM_E_OK, l->m.status);
	EXPECT_EQ((size_t)SM_TOKEN_SIZE, l->b[0].len);
	l->m.qop = 99;
	ASSERT_EQ(0, run(_metadata, &self->ring, self->acc, SM_OP_VERIFY, l, 1,
			 variant->sqe_flags));
	EXPECT_EQ(SM_E_OK, l->m.status);
	EXPECT_EQ(0u, l->m.qop);

	l->b[0].len = SM_TOKEN_SIZE - 1;
	ASSERT_EQ(0, run(_metadata, &self->ring, self->ini, SM_OP_SIGN, l, 1,
			 variant->sqe_flags));
	EXPECT_EQ(SM_E_BUFFER_TOO_SMALL, l->m.status);
	EXPECT_EQ(ENOBUFS, l->m.error);
	EXPECT_EQ(0u, l->m.index);
	EXPECT_EQ((uint32_t)SM_TOKEN_SIZE, l->m.needed);
	EXPECT_EQ((size_t)SM_TOKEN_SIZE - 1, l->b[0].len);
}

/*
 * A refused prep leaves a NOP (the SQE is taken from the ring all the
 * same): its CQE is 0, and its slot holds no request.
 */
TEST_F(lib_uring, refused_prep_is_a_nop)
{
	struct lmsg *l = &self->msg[0];
	struct io_uring_sqe *sqe = io_uring_get_sqe(&self->ring);
	struct io_uring_cqe *cqe;

	ASSERT_NE(NULL, sqe);
	token_form(l, l->plain, 10);
	l->m.nbufs = SM_MAX_BUFFERS + 1;
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_uring_prep(sqe, self->ini, SM_OP_SEAL, &l->m, &l->slot));
	EXPECT_EQ(SM_E_INVALID_PARAMETER, l->m.status);
	io_uring_sqe_set_data64(sqe, 77);
	ASSERT_EQ(1, io_uring_submit(&self->ring));
	ASSERT_EQ(0, io_uring_wait_cqe(&self->ring, &cqe));
	EXPECT_EQ(77u, cqe->user_data);
	EXPECT_EQ(0, cqe->res);
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_uring_result(&l->slot, cqe->res));
	io_uring_cqe_seen(&self->ring, cqe);
	/* and no number was used */
	l->m.nbufs = 2;
	ASSERT_EQ(0, run(_metadata, &self->ring, self->ini, SM_OP_SEAL, l, 1,
			 variant->sqe_flags));
	EXPECT_EQ(SM_E_OK, l->m.status);
	EXPECT_EQ(0u, l->m.seq);
}

TEST_HARNESS_MAIN
