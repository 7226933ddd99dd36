// SPDX-License-Identifier: GPL-2.0
/*
 * The message path's memory (issue 13): what a context keeps for its
 * message calls, and that a used context's next message allocates
 * nothing.
 *
 * noalloc: after a warm-up message of a size, the same call of the same
 * size runs with /proc/thread-self/fail-nth armed at 1 and every slab and
 * page allocation counted (secmsg_fail.h, FI_PAGE): had the call
 * allocated anything, its first allocation would have failed and fail-nth
 * would read 0.  It must still read 1, and the call succeed.  The process
 * is mlockall()ed, so no page fault of ours allocates.  Without fault
 * injection (Debian's kernel) it SKIPs: it runs on the debug kernel.
 * Raw contexts of both suites, and RFC 4121 contexts (IMPORT_KRB5) of the
 * AES and Camellia enctypes, whose cts(cbc()) transforms walk the text the
 * way ChaCha20 does.  And BATCH and
 * io_uring: NB messages per call (one BATCH, or NB requests submitted at
 * once), the measured call the warm-up's size.
 */
#include "secmsg_test.h"
#include "secmsg_fail.h"

#include <dirent.h>
#include <time.h>
#include <sys/mman.h>
#include <liburing.h>

/* Room for a token of every package (raw: SECMSG_TOKEN_SIZE) */
#define TOK	128

/* Messages per BATCH call of the batch variants */
#define NB	4

/*
 * The messages of a warm-up call and of a measured one (one each, or a
 * BATCH of NB each), all of one size, and their tokens: toklen[i] is what
 * the sender wrote (the receiver's TOKEN).
 */
struct two_calls {
	uint8_t tok[2 * NB][TOK];
	uint32_t toklen[2 * NB];
	uint8_t *data[2 * NB];
	uint32_t len;
	unsigned int n;
};

static int msgs_alloc(struct two_calls *t, uint32_t len, unsigned int n)
{
	unsigned int i;

	t->len = len;
	t->n = n;
	for (i = 0; i < n; i++) {
		t->data[i] = mmap(NULL, len, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
				  -1, 0);
		if (t->data[i] == MAP_FAILED)
			return -errno;
		ts_fill(t->data[i], len, len + i);
		t->toklen[i] = TOK;
	}
	return 0;
}

static void msgs_free(struct two_calls *t)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (t->data[i] && t->data[i] != MAP_FAILED)
			munmap(t->data[i], t->len);
}

static bool req_sends(unsigned long req)
{
	return req == SECMSG_IOC_SIGN || req == SECMSG_IOC_SEAL;
}

static uint32_t req_op(unsigned long req)
{
	return req == SECMSG_IOC_SIGN ? SECMSG_OP_SIGN :
	       req == SECMSG_IOC_VERIFY ? SECMSG_OP_VERIFY :
	       req == SECMSG_IOC_SEAL ? SECMSG_OP_SEAL : SECMSG_OP_UNSEAL;
}

/*
 * Message @k of @t for op @req in @m and @b: TOKEN (all its room for a
 * sender, what the sender wrote for a receiver), DATA.
 */
static void msg_arm(struct two_calls *t, int k, unsigned long req,
		    struct secmsg_buffer b[2], struct secmsg_message *m)
{
	if (req_sends(req))
		t->toklen[k] = TOK;
	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, t->tok[k], t->toklen[k]);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, t->data[k], t->len);
	ts_msg_init(m, b, 2, 0);
}

/* After @n messages from @first went well: a sender's token lengths. */
static void msgs_sent(struct two_calls *t, int first, int n,
		      unsigned long req, struct secmsg_buffer (*b)[2])
{
	int i;

	for (i = 0; i < n && req_sends(req); i++)
		t->toklen[first + i] = b[i][0].len;
}

/* Message @i of @t as op @req on @fd; a sender records its token's length. */
static int msgs_call(int fd, unsigned long req, struct two_calls *t, int i,
		     struct secmsg_message *m)
{
	struct secmsg_buffer b[1][2];
	int ret;

	msg_arm(t, i, req, b[0], m);
	ret = ts_ioctl(fd, req, m);
	if (!ret)
		msgs_sent(t, i, 1, req, b);
	return ret;
}

/*
 * Messages @first to @first + NB - 1 of @t in one BATCH of op @req: 0 when
 * every one completed, the errno of the call, or the first message's
 * error (its struct in @m).
 */
static int msgs_batch(int fd, unsigned long req, struct two_calls *t,
		      int first, struct secmsg_message *m)
{
	struct secmsg_buffer b[NB][2];
	struct secmsg_message mm[NB];
	struct secmsg_batch bt = {
		.size = sizeof(bt), .op = req_op(req), .count = NB,
		.msgs = SM_PTR(mm), .msg_size = sizeof(mm[0]),
	};
	int i;

	for (i = 0; i < NB; i++)
		msg_arm(t, first + i, req, b[i], &mm[i]);
	if (ioctl(fd, SECMSG_IOC_BATCH, &bt))
		return -errno;
	for (i = 0; i < NB; i++) {
		if (mm[i].error) {
			*m = mm[i];
			return mm[i].error;
		}
	}
	msgs_sent(t, first, NB, req, b);
	*m = mm[0];
	return bt.completed == NB ? 0 : -EPROTO;
}

static const uint8_t k5_key[32] = {
	0x6b, 0x02, 0xa3, 0x44, 0x75, 0x06, 0xe7, 0x28,
	0x99, 0x0a, 0x4b, 0x8c, 0x0d, 0xce, 0x3f, 0x10,
	0x21, 0x52, 0x03, 0xb4, 0x65, 0x16, 0xf7, 0x88,
	0x39, 0xca, 0x1b, 0x6c, 0x1d, 0x7e, 0x2f, 0x90,
};

/*
 * One side of a kernel-to-kernel RFC 4121 pair of @etype: sends from
 * @send, expects from @recv; -1 with errno set if IMPORT_KRB5 failed.
 */
static int k5_import(int dev, uint32_t etype, uint32_t role, uint64_t send,
		     uint64_t recv)
{
	struct secmsg_krb5_import imp;

	ts_k5_import_init(&imp, etype, role, false, k5_key);
	imp.send_seq = send;
	imp.recv_seq = recv;
	return ioctl(dev, SECMSG_IOC_IMPORT_KRB5, &imp);
}

FIXTURE(noalloc) {
	int dev, a, b;
	int armed;
	struct two_calls t;
	struct io_uring ring;
	bool have_ring;
};

FIXTURE_VARIANT(noalloc) {
	unsigned long req;
	uint32_t len;
	uint32_t suite;		/* 0: AES-256-GCM */
	uint32_t etype;		/* an RFC 4121 context of this enctype */
	bool batch;		/* the calls are BATCHes of NB */
	bool uring;		/* the calls are NB io_uring requests */
};

#define NOALLOC(op, req_, len_) \
	FIXTURE_VARIANT_ADD(noalloc, op##_##len_) { \
		.req = SECMSG_IOC_##req_, .len = len_, \
	}
/*
 * ChaCha20-Poly1305: SIGN and VERIFY read large data from the pages, SEAL
 * and UNSEAL bounce it (its driver allocates on scattered text).
 */
#define NOALLOC_CHACHA(op, req_, len_) \
	FIXTURE_VARIANT_ADD(noalloc, chacha_##op##_##len_) { \
		.req = SECMSG_IOC_##req_, .len = len_, \
		.suite = SECMSG_SUITE_CHACHA20_POLY1305, \
	}
/* RFC 4121: every op bounces its text through cts(cbc()) or the HMAC. */
#define NOALLOC_K5(name, et, op, req_, len_) \
	FIXTURE_VARIANT_ADD(noalloc, name##_##op##_##len_) { \
		.req = SECMSG_IOC_##req_, .len = len_, .etype = et, \
	}
#define NOALLOC_K5_OPS(name, et, len_) \
	NOALLOC_K5(name, et, seal, SEAL, len_); \
	NOALLOC_K5(name, et, unseal, UNSEAL, len_); \
	NOALLOC_K5(name, et, sign, SIGN, len_); \
	NOALLOC_K5(name, et, verify, VERIFY, len_)
/* BATCH: its kept message array, and the pins it holds per batch */
#define NOALLOC_BATCH(op, req_, len_) \
	FIXTURE_VARIANT_ADD(noalloc, batch_##op##_##len_) { \
		.req = SECMSG_IOC_##req_, .len = len_, .batch = true, \
	}
/* io_uring: NB requests per io_uring_enter(2), run by the submitter */
#define NOALLOC_URING(op, req_, len_) \
	FIXTURE_VARIANT_ADD(noalloc, uring_##op##_##len_) { \
		.req = SECMSG_IOC_##req_, .len = len_, .uring = true, \
	}
NOALLOC(seal, SEAL, 64);
NOALLOC(seal, SEAL, 4096);
NOALLOC(seal, SEAL, 65536);
NOALLOC(seal, SEAL, 1048576);
NOALLOC(unseal, UNSEAL, 64);
NOALLOC(unseal, UNSEAL, 4096);
NOALLOC(unseal, UNSEAL, 65536);
NOALLOC(unseal, UNSEAL, 1048576);
NOALLOC(sign, SIGN, 64);
NOALLOC(sign, SIGN, 4096);
NOALLOC(sign, SIGN, 65536);
NOALLOC(sign, SIGN, 1048576);
NOALLOC(verify, VERIFY, 64);
NOALLOC(verify, VERIFY, 4096);
NOALLOC(verify, VERIFY, 65536);
NOALLOC(verify, VERIFY, 1048576);
NOALLOC_CHACHA(sign, SIGN, 4096);
NOALLOC_CHACHA(sign, SIGN, 65536);
NOALLOC_CHACHA(sign, SIGN, 1048576);
NOALLOC_CHACHA(verify, VERIFY, 4096);
NOALLOC_CHACHA(verify, VERIFY, 65536);
NOALLOC_CHACHA(verify, VERIFY, 1048576);
NOALLOC_CHACHA(seal, SEAL, 65536);
NOALLOC_CHACHA(seal, SEAL, 1048576);
NOALLOC_CHACHA(unseal, UNSEAL, 65536);
NOALLOC_CHACHA(unseal, UNSEAL, 1048576);
NOALLOC_BATCH(seal, SEAL, 64);
NOALLOC_BATCH(unseal, UNSEAL, 64);
NOALLOC_BATCH(sign, SIGN, 64);
NOALLOC_BATCH(verify, VERIFY, 64);
NOALLOC_BATCH(seal, SEAL, 65536);
NOALLOC_BATCH(unseal, UNSEAL, 65536);
NOALLOC_URING(seal, SEAL, 64);
NOALLOC_URING(unseal, UNSEAL, 64);
NOALLOC_URING(sign, SIGN, 64);
NOALLOC_URING(verify, VERIFY, 64);
NOALLOC_URING(seal, SEAL, 65536);
NOALLOC_URING(unseal, UNSEAL, 65536);
NOALLOC_K5_OPS(k5_aes256_sha1, 18, 64);
NOALLOC_K5_OPS(k5_aes256_sha1, 18, 4096);
NOALLOC_K5_OPS(k5_aes256_sha1, 18, 65536);
NOALLOC_K5_OPS(k5_aes256_sha1, 18, 1048576);
NOALLOC_K5_OPS(k5_aes128_sha256, 19, 65536);
NOALLOC_K5_OPS(k5_aes256_sha384, 20, 1048576);
NOALLOC_K5_OPS(k5_camellia256, 26, 65536);
NOALLOC_K5_OPS(k5_camellia128, 25, 1048576);

FIXTURE_SETUP(noalloc)
{
	self->armed = 0;
	self->have_ring = false;
	self->a = self->b = -1;
	self->dev = -1;
	if (geteuid() != 0)
		SM_SKIP_SETUP("needs root (debugfs fault injection)");
	if (access(FAIL_NTH, F_OK))
		SM_SKIP_SETUP("no %s: kernel without CONFIG_FAULT_INJECTION",
			      FAIL_NTH);
	if (access(FAILSLAB "ignore-gfp-wait", F_OK) ||
	    access(FAILPAGE "ignore-gfp-wait", F_OK))
		SM_SKIP_SETUP("no failslab or fail_page_alloc in debugfs "
			      "(CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC)");
	if (variant->etype) {
		SM_OPEN_DEV_OR_SKIP(self->dev);
		self->a = k5_import(self->dev, variant->etype,
				    SECMSG_ROLE_INITIATOR, 1000, 2000);
		if (self->a < 0 && errno == ENOENT)
			SM_SKIP_SETUP("enctype %u: the kernel's crypto API "
				      "lacks its algorithms", variant->etype);
		ASSERT_LE(0, self->a) TH_LOG("IMPORT_KRB5: %s",
					     strerror(errno));
		self->b = k5_import(self->dev, variant->etype,
				    SECMSG_ROLE_ACCEPTOR, 2000, 1000);
		ASSERT_LE(0, self->b) TH_LOG("IMPORT_KRB5: %s",
					     strerror(errno));
	} else {
		ts_pair_setup(_metadata, &self->dev, &self->a, &self->b,
			      variant->suite ?: SECMSG_SUITE_AES256_GCM,
			      SM_FLAGS_DEFAULT, 1000, 2000);
	}
	if (variant->uring) {
		int ret = io_uring_queue_init(2 * NB, &self->ring, 0);

		if (ret == -ENOSYS)
			SM_SKIP_SETUP("no io_uring in this kernel");
		ASSERT_EQ(0, ret);
		self->have_ring = true;
	}
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		SM_SKIP_SETUP("mlockall: %s", strerror(errno));
	ASSERT_EQ(0, msgs_alloc(&self->t, variant->len,
				variant->batch || variant->uring ? 2 * NB : 2));
	nth_fd = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, nth_fd);
	knobs_save();
	self->armed = 1;
}

FIXTURE_TEARDOWN(noalloc)
{
	if (self->armed) {
		nth_arm(0);
		knobs_restore();
		close(nth_fd);
		nth_fd = -1;
	}
	if (self->have_ring)
		io_uring_queue_exit(&self->ring);
	msgs_free(&self->t);
	ts_pair_teardown(self->dev, self->a, self->b);
}

/*
 * Messages @first to @first + NB - 1 of @t as NB IORING_OP_URING_CMD
 * requests of @req on @fd, submitted at once and reaped: as msgs_batch().
 */
static int msgs_uring(struct io_uring *r, int fd, unsigned long req,
		      struct two_calls *t, int first, struct secmsg_message *m)
{
	struct secmsg_buffer b[NB][2];
	struct secmsg_message mm[NB];
	struct io_uring_cqe *cqe;
	int i, ret, sub, res = 0;

	for (i = 0; i < NB; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(r);
		struct secmsg_uring_cmd c = { .arg = SM_PTR(&mm[i]) };

		if (!sqe)
			return -EBUSY;
		msg_arm(t, first + i, req, b[i], &mm[i]);
		io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL, 0, 0);
		sqe->cmd_op = req;
		memcpy(sqe->cmd, &c, sizeof(c));
		io_uring_sqe_set_data64(sqe, i);
	}
	/* Every request submitted is reaped: they point into this frame. */
	sub = io_uring_submit(r);
	for (i = 0; i < sub; i++) {
		ret = io_uring_wait_cqe(r, &cqe);
		if (ret)
			return ret;
		if (cqe->res && !res) {
			res = cqe->res;
			*m = mm[cqe->user_data % NB];
		}
		io_uring_cqe_seen(r, cqe);
	}
	if (sub != NB)
		return sub < 0 ? sub : -EPROTO;
	if (res)
		return res;
	msgs_sent(t, first, NB, req, b);
	*m = mm[0];
	return 0;
}

/* The warm-up (@k 0) or measured (@k 1) call of the variant */
static int noalloc_call(FIXTURE_DATA(noalloc) *self, int fd,
			const FIXTURE_VARIANT(noalloc) *variant,
			struct two_calls *t, int k, struct secmsg_message *m)
{
	if (variant->uring)
		return msgs_uring(&self->ring, fd, variant->req, t, k * NB, m);
	if (variant->batch)
		return msgs_batch(fd, variant->req, t, k * NB, m);
	return msgs_call(fd, variant->req, t, k, m);
}

TEST_F(noalloc, second_call)
{
	unsigned long req = variant->req;
	int fd = req_sends(req) ? self->a : self->b;
	struct secmsg_message m;
	unsigned int i;
	long left;
	int ret;

	/* A receiver's input: every message sent by a. */
	for (i = 0; !req_sends(req) && i < self->t.n; i++) {
		ret = msgs_call(self->a, req == SECMSG_IOC_VERIFY ?
				SECMSG_IOC_SIGN : SECMSG_IOC_SEAL,
				&self->t, i, &m);
		ASSERT_OK_MSG(ret, m);
	}
	ret = noalloc_call(self, fd, variant, &self->t, 0, &m);
	ASSERT_OK_MSG(ret, m) TH_LOG("warm-up");

	ASSERT_EQ(0, knobs_set(FI_PAGE));
	ASSERT_EQ(0, nth_arm(1));
	ret = noalloc_call(self, fd, variant, &self->t, 1, &m);
	left = nth_left();
	nth_arm(0);
	knobs_restore();
	ASSERT_NE(0, left) TH_LOG("the second call of %u bytes allocated "
				  "(its first allocation was failed: %s)",
				  variant->len, strerror(-ret));
	ASSERT_EQ(1, left);
	ASSERT_OK_MSG(ret, m);
}

#define IDLE_PARAM	"/sys/module/secmsg/parameters/idle_release_ms"

static uint64_t kept_of(int fd)
{
	struct secmsg_query q;

	if (ts_query(fd, &q))
		return UINT64_MAX;
	return q.kept;
}

FIXTURE(kept) {
	int dev, a, b;
	char saved[16];
	int have_saved;
	struct two_calls t;
};

FIXTURE_SETUP(kept)
{
	ssize_t n;
	int fd;

	self->have_saved = 0;
	memset(&self->t, 0, sizeof(self->t));
	ts_pair_setup(_metadata, &self->dev, &self->a, &self->b,
		      SECMSG_SUITE_AES256_GCM, SM_FLAGS_DEFAULT, 1000, 2000);
	fd = open(IDLE_PARAM, O_RDONLY);
	if (fd < 0)
		SM_SKIP_SETUP("no %s", IDLE_PARAM);
	n = read(fd, self->saved, sizeof(self->saved) - 1);
	close(fd);
	ASSERT_LT(0, n);
	self->saved[n] = 0;
	self->have_saved = 1;
}

FIXTURE_TEARDOWN(kept)
{
	if (self->have_saved)
		ts_param_write("idle_release_ms", self->saved);
	msgs_free(&self->t);
	ts_pair_teardown(self->dev, self->a, self->b);
}

/* Poll until @fd keeps nothing; its last kept. */
static uint64_t wait_released(int fd, unsigned int ms)
{
	uint64_t k = kept_of(fd);

	while (k && ms >= 20) {
		usleep(20000);
		ms -= 20;
		k = kept_of(fd);
	}
	return k;
}

TEST_F(kept, grows_bounded_released)
{
	const uint32_t len = 1 << 20;
	struct secmsg_message m;
	uint64_t k, ka, kb;
	int ret;

	/* Kept until closed: nothing releases it under the test's feet. */
	if (geteuid() != 0)
		SKIP(return, "needs root (the idle_release_ms parameter)");
	ASSERT_EQ(0, ts_param_write("idle_release_ms", "0"));
	ASSERT_EQ(0u, kept_of(self->a));
	ASSERT_EQ(0u, kept_of(self->b));
	ASSERT_EQ(0, msgs_alloc(&self->t, len, 2));

	/* A small message: the work area alone. */
	ret = ts_seal1(self->a, self->t.tok[0], self->t.data[0], 64, 0, &m);
	ASSERT_OK_MSG(ret, m);
	k = kept_of(self->a);
	TH_LOG("kept after a 64-byte seal: %llu", (unsigned long long)k);
	ASSERT_LT(0u, k);
	ASSERT_GE(16384u, k);
	ASSERT_EQ(0u, kept_of(self->b));

	/* A large one: at least its size, within the bound. */
	ret = msgs_call(self->a, SECMSG_IOC_SEAL, &self->t, 1, &m);
	ASSERT_OK_MSG(ret, m);
	ret = msgs_call(self->b, SECMSG_IOC_UNSEAL, &self->t, 1, &m);
	ASSERT_OK_MSG(ret, m);
	ka = kept_of(self->a);
	kb = kept_of(self->b);
	TH_LOG("kept after a %u-byte seal: %llu, unseal: %llu", len,
	       (unsigned long long)ka, (unsigned long long)kb);
	/* (a seal in place needs no bounce buffer: see seal_in_place) */
	ASSERT_LT(0u, ka);
	ASSERT_LE((uint64_t)len, kb);
	ASSERT_GE(SECMSG_MAX_KEPT, ka);
	ASSERT_GE(SECMSG_MAX_KEPT, kb);
	/* secmsg-v1: the message once, tables, the work area */
	ASSERT_GE((uint64_t)len + len / 8 + 16384, ka);
	ASSERT_GE((uint64_t)len + len / 8 + 16384, kb);

	/* A smaller one reuses it: nothing grows. */
	ret = ts_unseal1(self->b, self->t.tok[0], self->t.data[0], 4096, &m);
	ASSERT_VERDICT(ret, m, EBADMSG, SECMSG_VERDICT_ALTERED);
	ASSERT_EQ(kb, kept_of(self->b));

	/* Idle: released within two periods (and some scheduling). */
	ASSERT_EQ(0, ts_param_write("idle_release_ms", "100"));
	ASSERT_EQ(0u, wait_released(self->a, 3000));
	ASSERT_EQ(0u, wait_released(self->b, 3000));

	/* Used again: kept again, still working. */
	ret = msgs_call(self->a, SECMSG_IOC_SEAL, &self->t, 0, &m);
	ASSERT_OK_MSG(ret, m);
	ret = msgs_call(self->b, SECMSG_IOC_UNSEAL, &self->t, 0, &m);
	ASSERT_OK_MSG(ret, m);
	ASSERT_LE((uint64_t)len, kept_of(self->b));
}

/*
 * A large SEAL on a driver known to finish what it starts (x86's
 * gcm-aesni) runs in place on the caller's pages: no bounce buffer the
 * size of the message is kept.  Token and stream form; the peer opens
 * both.
 */
TEST_F(kept, seal_in_place)
{
	const uint32_t len = 1 << 20;
	struct secmsg_buffer b[3];
	struct secmsg_message m;
	struct secmsg_query q;
	uint8_t *mem, *orig;
	int ret, in_place;

	if (geteuid() != 0)
		SKIP(return, "needs root (the idle_release_ms parameter)");
	ASSERT_EQ(0, ts_param_write("idle_release_ms", "0"));
	ASSERT_EQ(0, ts_query(self->a, &q));
	/* the drivers known to finish what they start (kmod/crypto.c) */
	in_place = !strcmp(q.driver, "generic-gcm-aesni");
	mem = malloc(len + 32);
	orig = malloc(len);
	ASSERT_TRUE(mem && orig);
	ts_fill(orig, len, 77);

	memcpy(mem, orig, len);
	ret = ts_seal1(self->a, mem + len, mem, len, 0, &m);
	ASSERT_OK_MSG(ret, m);
	ASSERT_NE(0, memcmp(orig, mem, len));
	TH_LOG("driver %s: kept after a %u-byte seal %llu", q.driver, len,
	       (unsigned long long)kept_of(self->a));
	if (in_place)
		ASSERT_GT((uint64_t)len / 4, kept_of(self->a));
	ret = ts_unseal1(self->b, mem + len, mem, len, &m);
	ASSERT_OK_MSG(ret, m);
	ASSERT_EQ(0, memcmp(orig, mem, len));

	/* stream form */
	memcpy(mem + 16, orig, len);
	ts_buf(&b[0], SECMSG_BUF_STREAM_HEADER, 0, mem, 16);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, mem + 16, len);
	ts_buf(&b[2], SECMSG_BUF_STREAM_TRAILER, 0, mem + 16 + len, 16);
	ASSERT_OK_MSG(ts_call(self->a, SECMSG_IOC_SEAL, &m, b, 3, 0), m);
	if (in_place)
		ASSERT_GT((uint64_t)len / 4, kept_of(self->a));
	ts_buf(&b[0], SECMSG_BUF_STREAM, 0, mem, len + 32);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, NULL, 0);
	ASSERT_OK_MSG(ts_call(self->b, SECMSG_IOC_UNSEAL, &m, b, 2, 0), m);
	ASSERT_EQ(0, memcmp(orig, mem + 16, len));
	free(mem);
	free(orig);
}

/* A context in use is not released, however short the period. */
TEST_F(kept, busy_stays)
{
	struct secmsg_message m;
	uint8_t tok[TOK], data[256];
	int i, ret;

	if (geteuid() != 0)
		SKIP(return, "needs root (the idle_release_ms parameter)");
	ASSERT_EQ(0, ts_param_write("idle_release_ms", "500"));
	memset(data, 7, sizeof(data));
	for (i = 0; i < 20; i++) {
		/* used every 50 ms: never a whole period idle */
		if (i)
			ASSERT_LT(0u, kept_of(self->a)) TH_LOG("before %d", i);
		ret = ts_seal1(self->a, tok, data, sizeof(data), 0, &m);
		ASSERT_OK_MSG(ret, m);
		usleep(50000);
	}
	ASSERT_EQ(0u, wait_released(self->a, 3000));
}

/* Give free slab objects back (SLUB: /sys/kernel/slab/CACHE/shrink). */
static void slab_shrink(void)
{
	struct dirent *de;
	char path[512];
	DIR *d = opendir("/sys/kernel/slab");

	if (!d)
		return;
	while ((de = readdir(d))) {
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink",
			 de->d_name);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* an alias, or not shrinkable: fine */
		(void)!write(fd, "1", 1);
		close(fd);
	}
	closedir(d);
}

/*
 * Kernel memory that grows with contexts, kB: Slab + Percpu + VmallocUsed,
 * with free slab objects given back first (so that what the idle pass
 * freed does not count).
 */
static long kmem_kb(void)
{
	static const char *const keys[] = { "Slab:", "Percpu:", "VmallocUsed:" };
	char line[128];
	long sum = 0, v;
	unsigned int i;
	FILE *f;

	slab_shrink();
	f = fopen("/proc/meminfo", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		for (i = 0; i < SM_ARRAY_SIZE(keys); i++)
			if (!strncmp(line, keys[i], strlen(keys[i])) &&
			    sscanf(line + strlen(keys[i]), "%ld", &v) == 1)
				sum += v;
	fclose(f);
	return sum;
}

#define NCTX	1000

/*
 * Memory per idle context (issue 13: at most 4 KiB, transforms and file
 * included): NCTX raw contexts, measured new, right after one message
 * each, and once the idle pass freed what they kept.  Reported; asserted
 * only on a kernel without fault injection (the debug kernel's KASAN and
 * debug objects make every allocation larger).
 */
TEST_F(kept, idle_size)
{
	static int fds[NCTX];
	long base, fresh, busy, idle;
	struct secmsg_message m;
	uint8_t tok[TOK], data[64];
	int i, ret, debug = !access(FAIL_NTH, F_OK);
	struct secmsg_query q;
	bool stacked;

	if (geteuid() != 0)
		SKIP(return, "needs root (the idle_release_ms parameter)");
	ASSERT_EQ(0, ts_param_write("idle_release_ms", "100"));
	memset(data, 1, sizeof(data));
	base = kmem_kb();
	for (i = 0; i < NCTX; i++) {
		fds[i] = ts_import_simple(self->dev, SECMSG_ROLE_INITIATOR,
					  SECMSG_SUITE_AES256_GCM,
					  SM_FLAGS_DEFAULT, 1, 1);
		ASSERT_LE(0, fds[i]) TH_LOG("context %d: %s", i,
					    strerror(-fds[i]));
	}
	/*
	 * The bound is for the drivers the module binds by itself, whatever
	 * they are.  A pcrypt instance stacked on top by someone else brings
	 * its own per-transform state and is only reported (secmsg_async
	 * registers one for each of its tests and removes it again).
	 */
	ASSERT_EQ(0, ts_query(fds[0], &q));
	stacked = !strncmp(q.driver, "pcrypt(", 7);
	usleep(300000);
	fresh = kmem_kb();
	for (i = 0; i < NCTX; i++) {
		ret = ts_seal1(fds[i], tok, data, sizeof(data), 0, &m);
		ASSERT_OK_MSG(ret, m);
	}
	busy = kmem_kb();
	for (i = 0; i < NCTX; i++)
		ASSERT_EQ(0u, wait_released(fds[i], 3000));
	usleep(300000);
	idle = kmem_kb();
	for (i = 0; i < NCTX; i++)
		close(fds[i]);
	TH_LOG("per context (Slab+Percpu+VmallocUsed delta over %d, %s): new %ld B, after a message %ld B, idle again %ld B%s",
	       NCTX, q.driver, (fresh - base) * 1024 / NCTX,
	       (busy - base) * 1024 / NCTX, (idle - base) * 1024 / NCTX,
	       debug ? " (debug kernel: not checked)" :
	       stacked ? " (pcrypt stacked on top: not checked)" : "");
	if (!debug && !stacked) {
		ASSERT_GE(4096, (fresh - base) * 1024 / NCTX);
		ASSERT_GE(4096, (idle - base) * 1024 / NCTX);
	}
}

TEST_HARNESS_MAIN
