// SPDX-License-Identifier: GPL-2.0
/*
 * The message calls through io_uring (uapi "io_uring"): IORING_OP_URING_CMD
 * on a context fd gives the same bytes, verdicts and failures as the
 * ioctls.  Two pairs of contexts are imported identically: the ring runs
 * on one, the ioctls on the other, outputs compared byte for byte for the
 * same sequence numbers.  Then many requests in flight at once (inline and
 * on io_uring's workers), the verdicts, the request's own errors (nothing
 * done), a context closed or a ring torn down under requests, BATCH,
 * SQPOLL and SQE128 rings.
 */
#include "secmsg_test.h"

#include <stddef.h>
#include <liburing.h>

#define N	64	/* requests in flight at once */
#define DLEN	48
#define SEQ_I	1000ull	/* the initiators' first send number */
#define SEQ_A	7000ull	/* the acceptors' */
#define POISON	0xa5

FIXTURE(uring) {
	int dev;
	int ini[2], acc[2];	/* [0]: through the ring, [1]: ioctls */
	struct io_uring ring;
	bool have_ring;
	void *none;
};

FIXTURE_VARIANT(uring) {
	uint32_t suite;
};

FIXTURE_VARIANT_ADD(uring, aes128_gcm) {
	.suite = SECMSG_SUITE_AES128_GCM,
};

FIXTURE_VARIANT_ADD(uring, aes256_gcm) {
	.suite = SECMSG_SUITE_AES256_GCM,
};

FIXTURE_VARIANT_ADD(uring, chacha20_poly1305) {
	.suite = SECMSG_SUITE_CHACHA20_POLY1305,
};

/* A ring, or SKIP where the kernel has no io_uring. */
static int ring_init(struct __test_metadata *_metadata, struct io_uring *r,
		     unsigned int entries, unsigned int flags)
{
	struct io_uring_params p;
	int ret;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	if (flags & IORING_SETUP_SQPOLL)
		p.sq_thread_idle = 1000;
	ret = io_uring_queue_init_params(entries, r, &p);
	if (ret == -ENOSYS)
		SM_SKIP_SETUP("no io_uring in this kernel (CONFIG_IO_URING)");
	return ret;
}

FIXTURE_SETUP(uring)
{
	self->have_ring = false;
	self->none = NULL;
	ts_pairs_setup(_metadata, &self->dev, self->ini, self->acc, 2,
		       variant->suite, SM_FLAGS_DEFAULT, SEQ_I, SEQ_A);
	self->none = ts_unmapped_page();
	ASSERT_TRUE(self->none != NULL);
	ASSERT_EQ(0, ring_init(_metadata, &self->ring, 4 * N, 0));
	self->have_ring = true;
}

FIXTURE_TEARDOWN(uring)
{
	if (self->have_ring)
		io_uring_queue_exit(&self->ring);
	if (self->none)
		munmap(self->none, 4096);
	ts_pairs_teardown(self->dev, self->ini, self->acc, 2);
}

/* ---- requests ---------------------------------------------------------- */

/* The next SQE, cleared (all 128 bytes on an SQE128 ring). */
static struct io_uring_sqe *get_sqe(struct io_uring *r)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(r);

	if (sqe)
		memset(sqe, 0, r->flags & IORING_SETUP_SQE128 ?
		       2 * sizeof(*sqe) : sizeof(*sqe));
	return sqe;
}

/* Fill @sqe as the uapi says: a URING_CMD on @fd, @arg in the cmd area. */
static void prep_cmd(struct io_uring_sqe *sqe, int fd, uint32_t cmd_op,
		     const void *arg, uint64_t reserved, uint64_t user_data,
		     uint8_t sqe_flags)
{
	struct secmsg_uring_cmd c = {
		.arg = SM_PTR(arg), .reserved = reserved,
	};

	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL, 0, 0);
	sqe->cmd_op = cmd_op;
	memcpy(sqe->cmd, &c, sizeof(c));
	io_uring_sqe_set_data64(sqe, user_data);
	sqe->flags |= sqe_flags;
}

/*
 * Reap @n CQEs: res[user_data] = cqe->res, each user_data (< @n) exactly
 * once.  Returns 0, or -1 with a message logged.
 */
static int reap(struct __test_metadata *_metadata, struct io_uring *r,
		unsigned int n, int *res)
{
	struct io_uring_cqe *cqe;
	bool seen[4 * N] = { false };
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = io_uring_wait_cqe(r, &cqe);
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
		res[cqe->user_data] = cqe->res;
		if (r->flags & IORING_SETUP_CQE32 && (cqe->big_cqe[0] ||
						      cqe->big_cqe[1])) {
			TH_LOG("big CQE extra not zero");
			return -1;
		}
		io_uring_cqe_seen(r, cqe);
	}
	return 0;
}

/* One request, submitted and reaped: its cqe->res. */
static int ring_call(struct __test_metadata *_metadata, struct io_uring *r,
		     int fd, uint32_t cmd_op, const void *arg,
		     uint64_t reserved, uint8_t sqe_flags)
{
	struct io_uring_sqe *sqe = get_sqe(r);
	int res = 0x7eadbeef, ret;

	if (!sqe) {
		TH_LOG("no SQE");
		return 0x7eadbeef;
	}
	prep_cmd(sqe, fd, cmd_op, arg, reserved, 0, sqe_flags);
	ret = io_uring_submit(r);
	if (ret != 1) {
		TH_LOG("io_uring_submit: %d", ret);
		return 0x7eadbeef;
	}
	if (reap(_metadata, r, 1, &res))
		return 0x7eadbeef;
	return res;
}

/* ---- message sets ------------------------------------------------------- */

/* N messages (secmsg_test.h), lengths and qops varied, tokens poisoned. */
static void msgset_init(struct ts_msgset *s, uint32_t seed)
{
	int i;

	ts_msgset_init(s, N, DLEN);
	for (i = 0; i < N; i++) {
		s->len[i] = (uint32_t)(i * 7) % (DLEN + 1);
		ts_fill(s->data[i], DLEN, seed + i);
		memset(s->tok[i], POISON, 32);
		s->qop[i] = i % 5 == 4 ? SECMSG_QOP_WRAP_NO_ENCRYPT : 0;
	}
}

/*
 * All N messages of @s as @op requests on @fd (user_data i, @sqe_flags on
 * each; with IOSQE_IO_LINK each is linked to the next), submitted at once:
 * what io_uring_submit() returned, or -1 (logged) when an SQE is missing.
 */
static int submit_all(struct __test_metadata *_metadata, struct io_uring *r,
		      int fd, int op, struct ts_msgset *s, uint8_t sqe_flags)
{
	int i;

	for (i = 0; i < N; i++) {
		struct io_uring_sqe *sqe = get_sqe(r);

		if (!sqe) {
			TH_LOG("no SQE for message %d", i);
			return -1;
		}
		prep_cmd(sqe, fd, ts_op_ioctl(op), &s->m[i], 0, i,
			 i < N - 1 ? sqe_flags : sqe_flags & ~IOSQE_IO_LINK);
	}
	return io_uring_submit(r);
}

/* Submit all N messages of @s at once (@sqe_flags on each); res[] out. */
static int ring_all(struct __test_metadata *_metadata, struct io_uring *r,
		    int fd, int op, struct ts_msgset *s, uint8_t sqe_flags,
		    int *res)
{
	int ret = submit_all(_metadata, r, fd, op, s, sqe_flags);

	/*
	 * On an SQPOLL ring liburing counts what the kernel has not consumed
	 * yet, by the SQ head, which the kernel's thread moves only after its
	 * whole pass: requests that completed inline in that pass (their
	 * CQEs already reaped) are counted again.  The CQEs are what count.
	 */
	if (ret != N && !((r->flags & IORING_SETUP_SQPOLL) && ret > N)) {
		TH_LOG("io_uring_submit: %d", ret);
		return -1;
	}
	return reap(_metadata, r, N, res);
}

/* order[k] = the message of @s whose seq is @first + k; 0 or -1. */
static int by_seq(const struct ts_msgset *s, uint64_t first, int *order)
{
	int i;

	for (i = 0; i < N; i++)
		order[i] = -1;
	for (i = 0; i < N; i++) {
		uint64_t k = s->m[i].seq - first;

		if (k >= N || order[k] >= 0)
			return -1;
		order[k] = i;
	}
	return 0;
}

/*
 * @op on @a through the ring on fd[0] (all at once), and on @b by ioctls
 * on fd[1] in the order of the sequence numbers the ring's messages got:
 * same results, out fields and bytes.  Every message must succeed.
 */
static void ring_vs_ioctl(struct __test_metadata *_metadata,
			  struct io_uring *r, int op, struct ts_msgset *a,
			  struct ts_msgset *b, const int fd[2], uint64_t first,
			  uint8_t sqe_flags)
{
	int res[N], order[N], i, k;
	bool sends = op == SECMSG_OP_SIGN || op == SECMSG_OP_SEAL;

	ts_msgset_arm(a, op);
	ts_msgset_arm(b, op);
	ASSERT_EQ(0, ring_all(_metadata, r, fd[0], op, a, sqe_flags, res));
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, res[i]) TH_LOG("message %d: %s", i,
					    strerror(-res[i]));
		ASSERT_OK_MSG(res[i], a->m[i]);
	}
	ASSERT_EQ(0, by_seq(a, first, order)) TH_LOG("sequence numbers");
	for (k = 0; k < N; k++) {
		i = order[k];
		ASSERT_EQ(0, ts_ioctl(fd[1], ts_op_ioctl(op), &b->m[i]));
		ASSERT_EQ(a->m[i].seq, b->m[i].seq);
	}
	for (i = 0; i < N; i++) {
		ASSERT_EQ(b->m[i].error, a->m[i].error);
		ASSERT_EQ(b->m[i].verdict, a->m[i].verdict);
		ASSERT_EQ(b->m[i].qop, a->m[i].qop);
		ASSERT_EQ(b->m[i].needed, a->m[i].needed);
		ASSERT_EQ(b->m[i].index, a->m[i].index);
		ASSERT_EQ(b->b[i][0].len, a->b[i][0].len);
		ASSERT_EQ(b->b[i][1].len, a->b[i][1].len);
		ASSERT_EQ(0, memcmp(b->tok[i], a->tok[i], 32))
			TH_LOG("token %d", i);
		ASSERT_EQ(0, memcmp(b->data[i], a->data[i], DLEN))
			TH_LOG("data %d", i);
	}
	if (sends) {
		ASSERT_EQ(first + N, ts_send_seq(fd[0]));
	} else {
		ASSERT_EQ(first + N, ts_recv_seq(fd[0]));
	}
}

/* ---- same bytes as the ioctls -------------------------------------------- */

TEST_F(uring, seal_unseal_same_as_ioctl)
{
	static struct ts_msgset a, b, orig;
	int i;

	msgset_init(&a, 100);
	msgset_init(&b, 100);
	msgset_init(&orig, 100);
	ring_vs_ioctl(_metadata, &self->ring, SECMSG_OP_SEAL, &a, &b,
		      self->ini, SEQ_I, 0);
	for (i = 0; i < N; i++) {
		ASSERT_EQ(32u, a.b[i][0].len);
		if (a.len[i] && !a.qop[i]) {
			ASSERT_NE(0, memcmp(orig.data[i], a.data[i], a.len[i]));
		}
	}
	ring_vs_ioctl(_metadata, &self->ring, SECMSG_OP_UNSEAL, &a, &b,
		      self->acc, SEQ_I, 0);
	for (i = 0; i < N; i++) {
		ASSERT_EQ(orig.qop[i], a.m[i].qop);
		ASSERT_EQ(0, memcmp(orig.data[i], a.data[i], DLEN));
	}
}

TEST_F(uring, sign_verify_same_as_ioctl)
{
	static struct ts_msgset a, b;

	msgset_init(&a, 200);
	msgset_init(&b, 200);
	ring_vs_ioctl(_metadata, &self->ring, SECMSG_OP_SIGN, &a, &b,
		      self->ini, SEQ_I, 0);
	ring_vs_ioctl(_metadata, &self->ring, SECMSG_OP_VERIFY, &a, &b,
		      self->acc, SEQ_I, 0);
}

/* Sealed by the ioctl, unsealed by the ring, and the other way. */
TEST_F(uring, ring_and_ioctl_interoperate)
{
	static struct ts_msgset a, orig;
	int res[N], i;

	msgset_init(&a, 300);
	msgset_init(&orig, 300);
	ts_msgset_arm(&a, SECMSG_OP_SEAL);
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, ts_ioctl(self->ini[0], SECMSG_IOC_SEAL, &a.m[i]));
	}
	ts_msgset_arm(&a, SECMSG_OP_UNSEAL);
	ASSERT_EQ(0, ring_all(_metadata, &self->ring, self->acc[0],
			      SECMSG_OP_UNSEAL, &a, 0, res));
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, res[i]);
		ASSERT_EQ(SEQ_I + (uint64_t)i, a.m[i].seq);
		ASSERT_EQ(orig.qop[i], a.m[i].qop);
		ASSERT_EQ(0, memcmp(orig.data[i], a.data[i], DLEN));
	}

	/* the acceptor's direction: ring seals, ioctls unseal */
	msgset_init(&a, 301);
	ts_msgset_arm(&a, SECMSG_OP_SEAL);
	ASSERT_EQ(0, ring_all(_metadata, &self->ring, self->acc[0],
			      SECMSG_OP_SEAL, &a, 0, res));
	msgset_init(&orig, 301);
	ts_msgset_arm(&a, SECMSG_OP_UNSEAL);
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, res[i]);
		ASSERT_OK_MSG(ts_ioctl(self->ini[0], SECMSG_IOC_UNSEAL,
				       &a.m[i]), a.m[i]);
		ASSERT_EQ(0, memcmp(orig.data[i], a.data[i], DLEN));
	}
}

/* The size bits of cmd_op are ignored, as the ioctl's. */
TEST_F(uring, cmd_op_size_bits_ignored)
{
	uint8_t tok[32], data[16], orig[16];
	struct secmsg_buffer b[2];
	struct secmsg_message m;

	ts_fill(data, sizeof(data), 5);
	memcpy(orig, data, sizeof(data));
	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, tok, 32);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, data, sizeof(data));
	ts_msg_init(&m, b, 2, 0);
	ASSERT_OK_MSG(ring_call(_metadata, &self->ring, self->ini[0],
				_IOWR(SECMSG_IOC_MAGIC, 0x12, __u64),
				&m, 0, 0), m);
	ASSERT_EQ(SEQ_I, m.seq);
	ts_msg_init(&m, b, 2, 0);
	ASSERT_OK_MSG(ts_ioctl(self->acc[0], SECMSG_IOC_UNSEAL, &m), m);
	ASSERT_EQ(0, memcmp(orig, data, sizeof(data)));
}

/* ---- many in flight ------------------------------------------------------ */

/*
 * 64 seals at once on io_uring's workers (IOSQE_ASYNC), then 64 unseals
 * likewise: every CQE once, each message its own result, the sequence
 * numbers exactly the next 64 (in whatever order the workers took them).
 */
TEST_F_TIMEOUT(uring, many_in_flight_on_workers, 300)
{
	static struct ts_msgset a, orig;
	int res[N], order[N], i;

	msgset_init(&a, 400);
	msgset_init(&orig, 400);
	ts_msgset_arm(&a, SECMSG_OP_SEAL);
	ASSERT_EQ(0, ring_all(_metadata, &self->ring, self->ini[0],
			      SECMSG_OP_SEAL, &a, IOSQE_ASYNC, res));
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, res[i]) TH_LOG("seal %d: %s", i,
					    strerror(-res[i]));
		ASSERT_OK_MSG(res[i], a.m[i]);
	}
	ASSERT_EQ(0, by_seq(&a, SEQ_I, order));
	ASSERT_EQ(SEQ_I + N, ts_send_seq(self->ini[0]));

	ts_msgset_arm(&a, SECMSG_OP_UNSEAL);
	ASSERT_EQ(0, ring_all(_metadata, &self->ring, self->acc[0],
			      SECMSG_OP_UNSEAL, &a, IOSQE_ASYNC, res));
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, res[i]) TH_LOG("unseal %d: %s", i,
					    strerror(-res[i]));
		ASSERT_OK_MSG(res[i], a.m[i]);
		ASSERT_EQ(orig.qop[i], a.m[i].qop);
		ASSERT_EQ(0, memcmp(orig.data[i], a.data[i], DLEN));
	}
	ASSERT_EQ(0, by_seq(&a, SEQ_I, order));
	ASSERT_EQ(SEQ_I + N, ts_recv_seq(self->acc[0]));

	/* all of them again: every one a replay */
	msgset_init(&orig, 400);
	for (i = 0; i < N; i++)
		memcpy(a.data[i], orig.data[i], DLEN);
	ts_msgset_arm(&a, SECMSG_OP_SEAL);
	ASSERT_EQ(0, ring_all(_metadata, &self->ring, self->ini[1],
			      SECMSG_OP_SEAL, &a, 0, res));
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, res[i]);
	}
	ts_msgset_arm(&a, SECMSG_OP_UNSEAL);
	ASSERT_EQ(0, ring_all(_metadata, &self->ring, self->acc[0],
			      SECMSG_OP_UNSEAL, &a, IOSQE_ASYNC, res));
	for (i = 0; i < N; i++) {
		ASSERT_VERDICT(res[i], a.m[i], EALREADY,
			       SECMSG_VERDICT_REPLAYED);
	}
	ASSERT_EQ(SEQ_I + N, ts_recv_seq(self->acc[0]));
}

/*
 * On a driver that completes in the caller (SECMSG_DRIVER_INLINE:
 * synchronous ones, and x86's AES-NI GCM though flagged asynchronous),
 * requests run in the submitting task: their CQEs are there when
 * io_uring_enter(2) returns, in submission order.
 */
TEST_F(uring, sync_driver_completes_inline)
{
	static struct ts_msgset a;
	struct io_uring_cqe *cqe;
	struct secmsg_query q;
	int i;

	ASSERT_EQ(0, ts_query(self->ini[0], &q));
	if (!(q.driver_flags & SECMSG_DRIVER_INLINE))
		SKIP(return, "%s may complete later: its requests go to the workers",
		     q.driver);
	msgset_init(&a, 450);
	ts_msgset_arm(&a, SECMSG_OP_SEAL);
	ASSERT_EQ(N, submit_all(_metadata, &self->ring, self->ini[0],
				SECMSG_OP_SEAL, &a, 0));
	ASSERT_EQ((unsigned int)N, io_uring_cq_ready(&self->ring));
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, io_uring_peek_cqe(&self->ring, &cqe));
		ASSERT_EQ((uint64_t)i, cqe->user_data);
		ASSERT_EQ(0, cqe->res);
		ASSERT_EQ(SEQ_I + i, a.m[i].seq);
		io_uring_cqe_seen(&self->ring, cqe);
	}
}

/* An IOPOLL ring: io_uring's EOPNOTSUPP (no uring_cmd_iopoll), nothing done. */
TEST_F(uring, iopoll_ring_refused)
{
	uint8_t tok[32], data[24];
	struct secmsg_buffer b[2];
	struct secmsg_message m;
	struct io_uring poll;
	int ret;

	ret = ring_init(_metadata, &poll, 8, IORING_SETUP_IOPOLL);
	ASSERT_EQ(0, ret) TH_LOG("IOPOLL ring: %s", strerror(-ret));
	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, tok, 32);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, data, 24);
	ts_msg_init(&m, b, 2, 0);
	ASSERT_EQ(-EOPNOTSUPP, ring_call(_metadata, &poll, self->ini[0],
					 SECMSG_IOC_SEAL, &m, 0, 0));
	ASSERT_EQ(0x5a5a5a5a, m.error);
	ASSERT_EQ(SEQ_I, ts_send_seq(self->ini[0]));
	io_uring_queue_exit(&poll);
}

/* Linked requests on the workers run, and take numbers, in order. */
TEST_F(uring, linked_requests_in_order)
{
	static struct ts_msgset a;
	int res[N], i;

	msgset_init(&a, 500);
	ts_msgset_arm(&a, SECMSG_OP_SEAL);
	ASSERT_EQ(N, submit_all(_metadata, &self->ring, self->ini[0],
				SECMSG_OP_SEAL, &a, IOSQE_ASYNC | IOSQE_IO_LINK));
	ASSERT_EQ(0, reap(_metadata, &self->ring, N, res));
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, res[i]);
		ASSERT_EQ(SEQ_I + (uint64_t)i, a.m[i].seq);
	}
}

/* A registered context fd (IOSQE_FIXED_FILE) works the same. */
TEST_F(uring, fixed_file)
{
	uint8_t tok[32], data[20], orig[20];
	struct secmsg_buffer b[2];
	struct secmsg_message m;
	int fds[1] = { self->ini[0] };

	ASSERT_EQ(0, io_uring_register_files(&self->ring, fds, 1));
	ts_fill(data, sizeof(data), 6);
	memcpy(orig, data, sizeof(data));
	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, tok, 32);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, data, sizeof(data));
	ts_msg_init(&m, b, 2, 0);
	ASSERT_OK_MSG(ring_call(_metadata, &self->ring, 0, SECMSG_IOC_SEAL,
				&m, 0, IOSQE_FIXED_FILE), m);
	ASSERT_EQ(SEQ_I, m.seq);
	ts_msg_init(&m, b, 2, 0);
	ASSERT_OK_MSG(ts_ioctl(self->acc[0], SECMSG_IOC_UNSEAL, &m), m);
	ASSERT_EQ(0, memcmp(orig, data, sizeof(data)));
	ASSERT_EQ(0, io_uring_unregister_files(&self->ring));
}

/* ---- verdicts ------------------------------------------------------------- */

/* One message of 24 bytes, with a TOKEN of @toklen bytes. */
struct one {
	uint8_t tok[32];
	uint8_t data[24];
	struct secmsg_buffer b[2];
	struct secmsg_message m;
};

/* @o through the ring (@ring) or the ioctl (NULL): the result. */
static int one_call(struct __test_metadata *_metadata, struct io_uring *ring,
		    int fd, unsigned int cmd, struct one *o, uint32_t toklen,
		    uint8_t sqe_flags)
{
	ts_buf(&o->b[0], SECMSG_BUF_TOKEN, 0, o->tok, toklen);
	ts_buf(&o->b[1], SECMSG_BUF_DATA, 0, o->data, sizeof(o->data));
	ts_msg_init(&o->m, o->b, 2, 0);
	if (!ring)
		return ts_ioctl(fd, cmd, &o->m);
	return ring_call(_metadata, ring, fd, cmd, &o->m, 0, sqe_flags);
}

/*
 * The same call through the ring on fd[0] and by the ioctl on fd[1] (on
 * copies of @o): the same verdict @err/@verd, out fields and bytes.
 */
static void same_verdict(struct __test_metadata *_metadata,
			 struct io_uring *ring, const int fd[2],
			 unsigned int cmd, const struct one *o,
			 uint32_t toklen, uint8_t sqe_flags, int err,
			 uint32_t verd)
{
	struct one r = *o, c = *o;
	int rr, rc;

	rr = one_call(_metadata, ring, fd[0], cmd, &r, toklen, sqe_flags);
	rc = one_call(_metadata, NULL, fd[1], cmd, &c, toklen, 0);
	ASSERT_VERDICT(rc, c.m, err, verd);
	ASSERT_VERDICT(rr, r.m, err, verd);
	ASSERT_EQ(c.m.seq, r.m.seq);
	ASSERT_EQ(c.m.qop, r.m.qop);
	ASSERT_EQ(c.m.needed, r.m.needed);
	ASSERT_EQ(c.m.index, r.m.index);
	ASSERT_EQ(c.b[0].len, r.b[0].len);
	ASSERT_EQ(0, memcmp(c.tok, r.tok, sizeof(r.tok)));
	ASSERT_EQ(0, memcmp(c.data, r.data, sizeof(r.data)));
	if (err) {
		/* a failed unseal or verify leaves the buffers as they were */
		ASSERT_EQ(0, memcmp(o->data, r.data, sizeof(r.data)));
		if (cmd != SECMSG_IOC_SEAL && cmd != SECMSG_IOC_SIGN) {
			ASSERT_EQ(0, memcmp(o->tok, r.tok, sizeof(r.tok)));
		}
	}
}

TEST_F(uring, verdicts_same_as_ioctl)
{
	struct one o[3], s;
	int i;

	/* three messages, sealed alike on both initiators */
	for (i = 0; i < 3; i++) {
		memset(o[i].tok, POISON, 32);
		ts_fill(o[i].data, 24, 600 + i);
		s = o[i];
		ASSERT_EQ(0, one_call(_metadata, NULL, self->ini[1],
				      SECMSG_IOC_SEAL, &s, 32, 0));
		ASSERT_EQ(0, one_call(_metadata, NULL, self->ini[0],
				      SECMSG_IOC_SEAL, &o[i], 32, 0));
		ASSERT_EQ(0, memcmp(s.tok, o[i].tok, 32));
	}

	/* altered: EBADMSG, verdict ALTERED, the buffers untouched */
	o[0].tok[20] ^= 1;
	same_verdict(_metadata, &self->ring, self->acc, SECMSG_IOC_UNSEAL,
		     &o[0], 32, 0, EBADMSG, SECMSG_VERDICT_ALTERED);
	same_verdict(_metadata, &self->ring, self->acc, SECMSG_IOC_UNSEAL,
		     &o[0], 32, IOSQE_ASYNC, EBADMSG, SECMSG_VERDICT_ALTERED);
	ASSERT_EQ(SEQ_I, ts_recv_seq(self->acc[0]));

	/* good, then replayed: EALREADY, verdict REPLAYED */
	same_verdict(_metadata, &self->ring, self->acc, SECMSG_IOC_UNSEAL,
		     &o[1], 32, 0, 0, SECMSG_VERDICT_OK);
	same_verdict(_metadata, &self->ring, self->acc, SECMSG_IOC_UNSEAL,
		     &o[1], 32, 0, EALREADY, SECMSG_VERDICT_REPLAYED);
	same_verdict(_metadata, &self->ring, self->acc, SECMSG_IOC_UNSEAL,
		     &o[1], 32, IOSQE_ASYNC, EALREADY,
		     SECMSG_VERDICT_REPLAYED);
	ASSERT_EQ(SEQ_I + 2, ts_recv_seq(self->acc[0]));

	/* a token of 16 bytes: ENOBUFS, needed 32 at index 0 */
	same_verdict(_metadata, &self->ring, self->ini, SECMSG_IOC_SEAL,
		     &o[2], 16, 0, ENOBUFS, SECMSG_VERDICT_BUFFER_TOO_SMALL);
	same_verdict(_metadata, &self->ring, self->acc, SECMSG_IOC_UNSEAL,
		     &o[2], 16, 0, EPROTO, SECMSG_VERDICT_BAD_TOKEN);
	ASSERT_EQ(SEQ_I + 3, ts_send_seq(self->ini[0]));
	ASSERT_EQ(SEQ_I + 3, ts_send_seq(self->ini[1]));
}

/* ---- failures with nothing done ------------------------------------------ */

/*
 * @m (armed for a seal of @data) fails with @err: no number used, the
 * message struct, the buffer array, token and data as they were.
 */
static void fails_nothing_done(struct __test_metadata *_metadata,
			       struct io_uring *r, int fd, uint32_t cmd_op,
			       const void *arg, uint64_t reserved,
			       uint8_t sqe_flags, int err,
			       const struct secmsg_message *m,
			       const struct secmsg_buffer *b,
			       const uint8_t *tok, const uint8_t *data)
{
	struct secmsg_message m0 = *m;
	struct secmsg_buffer b0[2];
	uint8_t tok0[32], data0[24];
	uint64_t seq = ts_send_seq(fd);

	memcpy(b0, b, sizeof(b0));
	memcpy(tok0, tok, 32);
	memcpy(data0, data, 24);
	ASSERT_EQ(-err, ring_call(_metadata, r, fd, cmd_op, arg, reserved,
				  sqe_flags));
	ASSERT_EQ(0, memcmp(&m0, m, sizeof(m0)));
	ASSERT_EQ(0, memcmp(b0, b, sizeof(b0)));
	ASSERT_EQ(0, memcmp(tok0, tok, 32));
	ASSERT_EQ(0, memcmp(data0, data, 24));
	ASSERT_EQ(seq, ts_send_seq(fd));
}

TEST_F(uring, bad_requests_do_nothing)
{
	uint8_t tok[32], data[24];
	struct secmsg_buffer b[2];
	struct secmsg_message m, *ro;
	struct secmsg_buffer *bad;
	int i;

	memset(tok, POISON, sizeof(tok));
	ts_fill(data, sizeof(data), 700);
	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, tok, 32);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, data, 24);
	ts_msg_init(&m, b, 2, 0);

	/* reserved bytes of the command area: EINVAL, inline or on a worker */
	for (i = 0; i < 2; i++) {
		uint8_t fl = i ? IOSQE_ASYNC : 0;

		fails_nothing_done(_metadata, &self->ring, self->ini[0],
				   SECMSG_IOC_SEAL, &m, 1, fl, EINVAL, &m, b,
				   tok, data);
		fails_nothing_done(_metadata, &self->ring, self->ini[0],
				   SECMSG_IOC_SEAL, &m, 1ull << 63, fl,
				   EINVAL, &m, b, tok, data);
	}

	/* fixed buffers: EINVAL from the module (io_uring's EFAULT first
	 * when the ring has no registered buffer) */
	{
		struct io_uring_sqe *sqe;
		struct iovec iov = { .iov_base = data, .iov_len = 24 };
		int res = 0;

		for (i = 0; i < 2; i++) {
			if (i)
				ASSERT_EQ(0, io_uring_register_buffers(
						&self->ring, &iov, 1));
			sqe = get_sqe(&self->ring);
			ASSERT_TRUE(sqe != NULL);
			prep_cmd(sqe, self->ini[0], SECMSG_IOC_SEAL, &m, 0, 0,
				 0);
			sqe->uring_cmd_flags = IORING_URING_CMD_FIXED;
			ASSERT_EQ(1, io_uring_submit(&self->ring));
			ASSERT_EQ(0, reap(_metadata, &self->ring, 1, &res));
			ASSERT_EQ(i ? -EINVAL : -EFAULT, res);
			ASSERT_EQ(0x5a5a5a5a, m.error);
			ASSERT_EQ(SEQ_I, ts_send_seq(self->ini[0]));
		}
		ASSERT_EQ(0, io_uring_unregister_buffers(&self->ring));
	}

	/* not a message call: ENOTTY */
	fails_nothing_done(_metadata, &self->ring, self->ini[0],
			   SECMSG_IOC_QUERY, &m, 0, 0, ENOTTY, &m, b, tok,
			   data);
	fails_nothing_done(_metadata, &self->ring, self->ini[0],
			   SECMSG_IOC_COMPLETE, &m, 0, 0, ENOTTY, &m, b, tok,
			   data);
	fails_nothing_done(_metadata, &self->ring, self->ini[0],
			   SECMSG_IOC_IMPERSONATE, &m, 0, 0, ENOTTY, &m, b,
			   tok, data);
	fails_nothing_done(_metadata, &self->ring, self->ini[0],
			   SECMSG_IOC_REVERT, &m, 0, 0, ENOTTY, &m, b, tok,
			   data);
	fails_nothing_done(_metadata, &self->ring, self->ini[0], 0, &m, 0, 0,
			   ENOTTY, &m, b, tok, data);
	fails_nothing_done(_metadata, &self->ring, self->ini[0],
			   _IOWR(SECMSG_IOC_MAGIC, 0x16, __u64), &m, 0, 0,
			   ENOTTY, &m, b, tok, data);

	/* the message struct cannot be read: EFAULT */
	fails_nothing_done(_metadata, &self->ring, self->ini[0],
			   SECMSG_IOC_SEAL, NULL, 0, 0, EFAULT, &m, b, tok,
			   data);
	fails_nothing_done(_metadata, &self->ring, self->ini[0],
			   SECMSG_IOC_SEAL, self->none, 0, IOSQE_ASYNC,
			   EFAULT, &m, b, tok, data);

	/* ... or not written (a read-only page): EFAULT */
	ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	*ro = m;
	ASSERT_EQ(0, mprotect(ro, 4096, PROT_READ));
	fails_nothing_done(_metadata, &self->ring, self->ini[0],
			   SECMSG_IOC_SEAL, ro, 0, 0, EFAULT, ro, b, tok,
			   data);

	/* the buffer array cannot be read */
	m.buffers = SM_PTR(self->none);
	fails_nothing_done(_metadata, &self->ring, self->ini[0],
			   SECMSG_IOC_SEAL, &m, 0, 0, EFAULT, &m, b, tok,
			   data);
	m.buffers = SM_PTR(b);

	/* a buffer cannot be written: EFAULT (step 4) */
	bad = (struct secmsg_buffer *)(void *)&b[1];
	bad->ptr = SM_PTR(ro);
	fails_nothing_done(_metadata, &self->ring, self->ini[0],
			   SECMSG_IOC_SEAL, &m, 0, IOSQE_ASYNC, EFAULT, &m,
			   b, tok, data);
	bad->ptr = SM_PTR(data);
	munmap(ro, 4096);

	/* a malformed message: EINVAL as the ioctl */
	m.flags = 1;
	fails_nothing_done(_metadata, &self->ring, self->ini[0],
			   SECMSG_IOC_SEAL, &m, 0, 0, EINVAL, &m, b, tok,
			   data);
	m.flags = 0;

	/* and the pair still works, from the number it had */
	ASSERT_EQ(SEQ_I, ts_send_seq(self->ini[0]));
	ASSERT_OK_MSG(ring_call(_metadata, &self->ring, self->ini[0],
				SECMSG_IOC_SEAL, &m, 0, 0), m);
	ASSERT_EQ(SEQ_I, m.seq);
	ts_assert_pair_works(_metadata, self->ini[0], self->acc[0]);
}

/* On /dev/secmsg (not a context): io_uring's EOPNOTSUPP. */
TEST_F(uring, device_fd_is_not_a_context)
{
	uint8_t tok[32], data[24];
	struct secmsg_buffer b[2];
	struct secmsg_message m;

	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, tok, 32);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, data, 24);
	ts_msg_init(&m, b, 2, 0);
	ASSERT_EQ(-EOPNOTSUPP, ring_call(_metadata, &self->ring, self->dev,
					 SECMSG_IOC_SEAL, &m, 0, 0));
	ASSERT_EQ(-EOPNOTSUPP, ring_call(_metadata, &self->ring, self->dev,
					 SECMSG_IOC_IMPORT, &m, 0, 0));
	ASSERT_EQ(0x5a5a5a5a5a5a5a5aull, m.seq);
}

/* ---- lifetimes ----------------------------------------------------------- */

/*
 * The context's only fd closed right after 64 requests went to the
 * workers: the requests hold it, all complete, and the peer reads them.
 */
TEST_F_TIMEOUT(uring, close_with_requests_in_flight, 300)
{
	static struct ts_msgset a, orig;
	int res[N], order[N], i;
	long before = ts_module_refcnt();

	msgset_init(&a, 800);
	msgset_init(&orig, 800);
	ts_msgset_arm(&a, SECMSG_OP_SEAL);
	ASSERT_EQ(N, submit_all(_metadata, &self->ring, self->ini[0],
				SECMSG_OP_SEAL, &a, IOSQE_ASYNC));
	ASSERT_EQ(0, close(self->ini[0]));
	self->ini[0] = -1;
	ASSERT_EQ(0, reap(_metadata, &self->ring, N, res));
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, res[i]) TH_LOG("seal %d: %s", i,
					    strerror(-res[i]));
	}
	ASSERT_EQ(0, by_seq(&a, SEQ_I, order));
	/* the context is gone once the last request let go of it */
	ASSERT_EQ(before - 1, ts_wait_refcnt(before - 1));

	ts_msgset_arm(&a, SECMSG_OP_UNSEAL);
	for (i = 0; i < N; i++) {
		ASSERT_OK_MSG(ts_ioctl(self->acc[0], SECMSG_IOC_UNSEAL,
				       &a.m[i]), a.m[i]);
		ASSERT_EQ(0, memcmp(orig.data[i], a.data[i], DLEN));
	}
}

/*
 * The ring torn down with 64 requests on the workers and the context
 * closed: each message is then either sealed whole (the peer reads it)
 * or untouched (cancelled before it ran), never half; the context and
 * the ring are freed (module count back), nothing leaks.
 */
TEST_F_TIMEOUT(uring, ring_torn_down_with_requests_pending, 300)
{
	static struct ts_msgset a, orig;
	struct secmsg_message poisoned;
	long before = ts_module_refcnt();
	int i, sealed = 0;
	bool seen[N] = { false };

	msgset_init(&a, 900);
	msgset_init(&orig, 900);
	ts_msgset_arm(&a, SECMSG_OP_SEAL);
	ASSERT_EQ(N, submit_all(_metadata, &self->ring, self->ini[0],
				SECMSG_OP_SEAL, &a, IOSQE_ASYNC));
	io_uring_queue_exit(&self->ring);
	self->have_ring = false;
	ASSERT_EQ(0, close(self->ini[0]));
	self->ini[0] = -1;
	ASSERT_EQ(before - 1, ts_wait_refcnt(before - 1));

	for (i = 0; i < N; i++) {
		if (a.m[i].error == 0x5a5a5a5a) {
			/* never ran: exactly as submitted */
			ts_msg_init(&poisoned, a.b[i], 2, a.qop[i]);
			ASSERT_EQ(0, memcmp(&poisoned, &a.m[i],
					    sizeof(poisoned)));
			ASSERT_EQ(32u, a.b[i][0].len);
			ASSERT_EQ(0, memcmp(orig.tok[i], a.tok[i], 32));
			ASSERT_EQ(0, memcmp(orig.data[i], a.data[i], DLEN));
			continue;
		}
		ASSERT_EQ(0, a.m[i].error);
		ASSERT_TRUE(a.m[i].seq >= SEQ_I && a.m[i].seq < SEQ_I + N);
		ASSERT_FALSE(seen[a.m[i].seq - SEQ_I]);
		seen[a.m[i].seq - SEQ_I] = true;
		sealed++;
	}
	/* the numbers used are the first ones, each once */
	for (i = 0; i < N; i++) {
		ASSERT_EQ(i < sealed, seen[i]) TH_LOG("seq %llu", SEQ_I + i);
	}
	ts_msgset_arm(&a, SECMSG_OP_UNSEAL);
	for (i = 0; i < N; i++) {
		if (a.m[i].error == 0x5a5a5a5a &&
		    !memcmp(orig.tok[i], a.tok[i], 32))
			continue;
		ASSERT_OK_MSG(ts_ioctl(self->acc[0], SECMSG_IOC_UNSEAL,
				       &a.m[i]), a.m[i]);
		ASSERT_EQ(0, memcmp(orig.data[i], a.data[i], DLEN));
	}
	TH_LOG("%d of %d sealed before the ring went", sealed, N);
}

/* ---- BATCH ----------------------------------------------------------------- */

TEST_F(uring, batch_same_as_ioctl)
{
	static struct ts_msgset a, b, orig;
	struct secmsg_batch ba, bb;
	int i, k;

	msgset_init(&a, 1000);
	msgset_init(&b, 1000);
	msgset_init(&orig, 1000);
	for (k = 0; k < 2; k++) {
		int op = k ? SECMSG_OP_UNSEAL : SECMSG_OP_SEAL;
		const int *fd = k ? self->acc : self->ini;

		ts_msgset_arm(&a, op);
		ts_msgset_arm(&b, op);
		memset(&ba, 0, sizeof(ba));
		ba.size = sizeof(ba);
		ba.op = (uint32_t)op;
		ba.count = N;
		ba.msgs = SM_PTR(a.m);
		ba.msg_size = sizeof(a.m[0]);
		ba.completed = 0xdead;
		ba.failed = 0xbeef;
		bb = ba;
		bb.msgs = SM_PTR(b.m);
		ASSERT_EQ(0, ring_call(_metadata, &self->ring, fd[0],
				       SECMSG_IOC_BATCH, &ba, 0, k ?
				       IOSQE_ASYNC : 0));
		ASSERT_EQ(0, ts_ioctl(fd[1], SECMSG_IOC_BATCH, &bb));
		ASSERT_EQ((uint32_t)N, ba.completed);
		ASSERT_EQ(0u, ba.failed);
		for (i = 0; i < N; i++) {
			ASSERT_EQ(0, memcmp(a.tok[i], b.tok[i], 32));
			ASSERT_EQ(0, memcmp(a.data[i], b.data[i], DLEN));
			ASSERT_EQ(b.m[i].seq, a.m[i].seq);
			ASSERT_EQ(SEQ_I + (uint64_t)i, a.m[i].seq);
			ASSERT_EQ(b.m[i].qop, a.m[i].qop);
			ASSERT_EQ(0, a.m[i].error);
		}
	}
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, memcmp(orig.data[i], a.data[i], DLEN));
	}

	/* a malformed batch: EINVAL, nothing done */
	ts_msgset_arm(&a, SECMSG_OP_SEAL);
	ba.op = SECMSG_OP_SEAL;
	ba.reserved = 1;
	ba.completed = 0xdead;
	ASSERT_EQ(-EINVAL, ring_call(_metadata, &self->ring, self->ini[0],
				     SECMSG_IOC_BATCH, &ba, 0, 0));
	ASSERT_EQ(0xdeadu, ba.completed);
	ASSERT_EQ(0x5a5a5a5a, a.m[0].error);
	ASSERT_EQ(SEQ_I + N, ts_send_seq(self->ini[0]));
}

/* ---- other kinds of rings -------------------------------------------------- */

/* SQPOLL: the kernel's thread submits; same bytes as the ioctls. */
TEST_F_TIMEOUT(uring, sqpoll_ring, 300)
{
	static struct ts_msgset a, b;
	struct io_uring sq;
	int ret;

	ret = ring_init(_metadata, &sq, 4 * N, IORING_SETUP_SQPOLL);
	ASSERT_EQ(0, ret) TH_LOG("SQPOLL ring: %s", strerror(-ret));
	msgset_init(&a, 1100);
	msgset_init(&b, 1100);
	ring_vs_ioctl(_metadata, &sq, SECMSG_OP_SEAL, &a, &b, self->ini,
		      SEQ_I, 0);
	ring_vs_ioctl(_metadata, &sq, SECMSG_OP_UNSEAL, &a, &b, self->acc,
		      SEQ_I, 0);
	io_uring_queue_exit(&sq);
}

/* SQE128 and CQE32: the 64 further command bytes must be zero. */
TEST_F(uring, sqe128_ring)
{
	uint8_t tok[32], data[24], orig[24];
	struct secmsg_buffer b[2];
	struct secmsg_message m;
	struct io_uring big;
	struct io_uring_sqe *sqe;
	int ret, res = 0;

	ret = ring_init(_metadata, &big, 8,
			IORING_SETUP_SQE128 | IORING_SETUP_CQE32);
	ASSERT_EQ(0, ret) TH_LOG("SQE128 ring: %s", strerror(-ret));
	memset(tok, POISON, sizeof(tok));
	ts_fill(data, sizeof(data), 1200);
	memcpy(orig, data, sizeof(data));
	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, tok, 32);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, data, 24);
	ts_msg_init(&m, b, 2, 0);

	sqe = get_sqe(&big);
	ASSERT_TRUE(sqe != NULL);
	prep_cmd(sqe, self->ini[0], SECMSG_IOC_SEAL, &m, 0, 0, 0);
	((uint8_t *)sqe)[offsetof(struct io_uring_sqe, cmd) + 79] = 1;
	ASSERT_EQ(1, io_uring_submit(&big));
	ASSERT_EQ(0, reap(_metadata, &big, 1, &res));
	ASSERT_EQ(-EINVAL, res);
	ASSERT_EQ(0x5a5a5a5a, m.error);
	ASSERT_EQ(SEQ_I, ts_send_seq(self->ini[0]));

	ASSERT_OK_MSG(ring_call(_metadata, &big, self->ini[0],
				SECMSG_IOC_SEAL, &m, 0, 0), m);
	ASSERT_EQ(SEQ_I, m.seq);
	ts_msg_init(&m, b, 2, 0);
	ASSERT_OK_MSG(ts_ioctl(self->acc[0], SECMSG_IOC_UNSEAL, &m), m);
	ASSERT_EQ(0, memcmp(orig, data, sizeof(data)));
	io_uring_queue_exit(&big);
}

TEST_HARNESS_MAIN
