// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The message calls: sign, verify, seal, unseal, batch.
 *
 * This is the hot path: buffers are converted on the stack, one ioctl per
 * call, nothing allocated except for large batches.  Through io_uring
 * (1.6), the conversion goes to the caller's struct sm_uring_slot instead,
 * which outlives the call.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/io_uring.h>

#include "internal.h"

/* sm_batch() converts this much on the stack, and allocates beyond it. */
#define SM_BATCH_STACK_MSGS 16
#define SM_BATCH_STACK_BUFS 64

/*
 * Convert @n caller buffers to the kernel's.  Return 0 or -errno: the
 * kernel takes 32-bit lengths, so a longer buffer cannot be passed.
 */
static int sm_bufs_to_kernel(struct secmsg_buffer *kb,
			     const struct sm_buffer *bufs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (bufs[i].len > UINT32_MAX)
			return -EMSGSIZE;
		kb[i].type = bufs[i].type;
		kb[i].flags = bufs[i].flags;
		kb[i].ptr = SM_PTR(bufs[i].data);
		kb[i].len = (__u32)bufs[i].len;
		kb[i].reserved = 0;
	}
	return 0;
}

/*
 * After success, write back what the kernel may have changed: the lengths
 * and, for a stream unseal, where DATA now points.
 */
static void sm_bufs_from_kernel(struct sm_buffer *bufs,
				const struct secmsg_buffer *kb, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		bufs[i].data = (void *)(uintptr_t)kb[i].ptr;
		bufs[i].len = kb[i].len;
	}
}

static void sm_kmsg_init(struct secmsg_message *m, uint32_t qop,
			 struct secmsg_buffer *kb, unsigned int n)
{
	m->size = sizeof(*m);
	m->flags = 0;
	m->qop = qop;
	m->nbuffers = n;
	m->buffers = SM_PTR(kb);
	m->seq = 0;
	/* The kernel writes these only for messages it processed. */
	m->error = 0;
	m->verdict = SECMSG_VERDICT_OK;
	m->needed = 0;
	m->index = SM_INDEX_NONE;
}

static sm_status sm_msg_call(sm_ctx *ctx, unsigned long ioc, uint32_t qop,
			     struct sm_buffer *bufs, unsigned int n,
			     uint64_t *seq_out, uint32_t *qop_out)
{
	struct secmsg_buffer kb[SECMSG_MAX_BUFFERS];
	struct secmsg_message m;
	int err;

	if (!ctx || !bufs || n == 0 || n > SECMSG_MAX_BUFFERS)
		return sm_invalid(EINVAL);
	err = sm_bufs_to_kernel(kb, bufs, n);
	if (err)
		return sm_invalid(-err);
	sm_kmsg_init(&m, qop, kb, n);

	if (ioctl(ctx->fd, ioc, &m) < 0)
		return sm_verdict_status(m.verdict, errno);

	sm_bufs_from_kernel(bufs, kb, n);
	if (seq_out)
		*seq_out = m.seq;
	if (qop_out)
		*qop_out = m.qop;
	return SM_E_OK;
}

SM_EXPORT sm_status sm_sign(sm_ctx *ctx, uint32_t qop, struct sm_buffer *bufs,
			    unsigned int n, uint64_t *seq_out)
{
	return sm_msg_call(ctx, SECMSG_IOC_SIGN, qop, bufs, n, seq_out, NULL);
}

SM_EXPORT sm_status sm_verify(sm_ctx *ctx, struct sm_buffer *bufs,
			      unsigned int n, uint64_t *seq_out,
			      uint32_t *qop_out)
{
	return sm_msg_call(ctx, SECMSG_IOC_VERIFY, 0, bufs, n, seq_out,
			   qop_out);
}

SM_EXPORT sm_status sm_seal(sm_ctx *ctx, uint32_t qop, struct sm_buffer *bufs,
			    unsigned int n, uint64_t *seq_out)
{
	return sm_msg_call(ctx, SECMSG_IOC_SEAL, qop, bufs, n, seq_out, NULL);
}

SM_EXPORT sm_status sm_unseal(sm_ctx *ctx, struct sm_buffer *bufs,
			      unsigned int n, uint64_t *seq_out,
			      uint32_t *qop_out)
{
	return sm_msg_call(ctx, SECMSG_IOC_UNSEAL, 0, bufs, n, seq_out,
			   qop_out);
}

/* Mark messages [from, to) as not processed, with @st. */
static void sm_batch_fail(struct sm_message *msgs, unsigned int from,
			  unsigned int to, sm_status st, int err)
{
	unsigned int i;

	for (i = from; i < to; i++) {
		msgs[i].status = st;
		msgs[i].error = err;
		msgs[i].seq = 0;
		msgs[i].needed = 0;
		msgs[i].index = SM_INDEX_NONE;
	}
}

static int sm_batch_op_valid(int op)
{
	return op == SM_OP_SIGN || op == SM_OP_VERIFY || op == SM_OP_SEAL ||
	       op == SM_OP_UNSEAL;
}

static int sm_msg_check(const struct sm_message *m)
{
	unsigned int i;

	if (!m->bufs || m->nbufs == 0 || m->nbufs > SECMSG_MAX_BUFFERS)
		return -EINVAL;
	for (i = 0; i < m->nbufs; i++)
		if (m->bufs[i].len > UINT32_MAX)
			return -EMSGSIZE;
	return 0;
}

/*
 * The kernel's copy of @m, an SM_OP_* message whose lengths
 * sm_msg_check() has passed: @km, with its buffers in @kb.
 */
static void sm_msg_to_kernel(struct secmsg_message *km,
			     struct secmsg_buffer *kb,
			     const struct sm_message *m, int op)
{
	/* VERIFY and UNSEAL output qop: a reused message may hold one */
	int qop_in = op == SM_OP_SIGN || op == SM_OP_SEAL;

	sm_bufs_to_kernel(kb, m->bufs, m->nbufs);
	sm_kmsg_init(km, qop_in ? m->qop : 0, kb, m->nbufs);
	km->flags = m->flags;
}

/*
 * @m's results from the kernel's copy @km and @kb, once the kernel has
 * processed it: @err is the errno it came with, 0 on success.
 */
static void sm_msg_from_kernel(struct sm_message *m,
			       const struct secmsg_message *km,
			       const struct secmsg_buffer *kb, int err)
{
	m->error = err;
	m->needed = km->needed;
	m->index = km->index;
	if (err || km->verdict != SECMSG_VERDICT_OK) {
		m->status = sm_verdict_status(km->verdict, err);
		m->seq = 0;
		return;
	}
	m->status = SM_E_OK;
	m->seq = km->seq;
	m->qop = km->qop;
	sm_bufs_from_kernel(m->bufs, kb, m->nbufs);
}

/* Run msgs[0..count), count <= SECMSG_MAX_BATCH, in one BATCH ioctl. */
static sm_status sm_batch_chunk(sm_ctx *ctx, int op, struct sm_message *msgs,
				unsigned int count, struct secmsg_message *km,
				struct secmsg_buffer *kb)
{
	struct secmsg_batch b;
	struct secmsg_buffer *p = kb;
	unsigned int i;

	for (i = 0; i < count; i++) {
		sm_msg_to_kernel(&km[i], p, &msgs[i], op);
		p += msgs[i].nbufs;
	}
	b = (struct secmsg_batch){
		.size = sizeof(b),
		.op = (__u32)op,
		.count = count,
		.msgs = SM_PTR(km),
		.msg_size = sizeof(*km),
	};
	if (ioctl(ctx->fd, SECMSG_IOC_BATCH, &b) < 0)
		return sm_errno_status(errno, SM_CALL_BATCH);

	for (p = kb, i = 0; i < count; p += msgs[i].nbufs, i++)
		sm_msg_from_kernel(&msgs[i], &km[i], p, -km[i].error);
	return SM_E_OK;
}

SM_EXPORT sm_status sm_batch(sm_ctx *ctx, int op, struct sm_message *msgs,
			     unsigned int count)
{
	struct secmsg_message km_stack[SM_BATCH_STACK_MSGS];
	struct secmsg_buffer kb_stack[SM_BATCH_STACK_BUFS];
	struct secmsg_message *km = km_stack;
	struct secmsg_buffer *kb = kb_stack;
	unsigned int i, start, max_msgs, max_bufs, nbufs;
	sm_status st = SM_E_OK;
	void *heap = NULL;
	int ret = 0, err;

	if (!msgs || count == 0)
		return sm_invalid(EINVAL);

	/*
	 * Check everything that cannot reach the kernel before running any
	 * message, and size the largest chunk.
	 */
	if (!ctx || !sm_batch_op_valid(op))
		ret = -EINVAL;
	max_msgs = count < SECMSG_MAX_BATCH ? count : SECMSG_MAX_BATCH;
	max_bufs = 0;
	nbufs = 0;
	for (i = 0; i < count && !ret; i++) {
		if (i % SECMSG_MAX_BATCH == 0)
			nbufs = 0;
		ret = sm_msg_check(&msgs[i]);
		nbufs += msgs[i].nbufs;
		if (nbufs > max_bufs)
			max_bufs = nbufs;
	}
	if (ret) {
		sm_batch_fail(msgs, 0, count, SM_E_INVALID_PARAMETER, -ret);
		return sm_invalid(-ret);
	}

	if (max_msgs > SM_BATCH_STACK_MSGS || max_bufs > SM_BATCH_STACK_BUFS) {
		heap = malloc(max_msgs * sizeof(*km) + max_bufs * sizeof(*kb));
		if (!heap) {
			sm_batch_fail(msgs, 0, count, SM_E_INSUFFICIENT_MEMORY,
				      ENOMEM);
			errno = ENOMEM;
			return SM_E_INSUFFICIENT_MEMORY;
		}
		km = heap;
		kb = (struct secmsg_buffer *)(km + max_msgs);
	}

	for (start = 0; start < count; start += SECMSG_MAX_BATCH) {
		unsigned int n = count - start;

		if (n > SECMSG_MAX_BATCH)
			n = SECMSG_MAX_BATCH;
		st = sm_batch_chunk(ctx, op, msgs + start, n, km, kb);
		if (st) {
			err = errno;
			sm_batch_fail(msgs, start, count, st, err);
			break;
		}
	}

	free(heap);
	if (st)
		errno = err;
	return st;
}

/* ------------------------------------------------------------------------
 * io_uring (uapi "io_uring"): the SQE is the caller's, from any ring; the
 * kernel's copy of the message lives in the caller's slot until the CQE.
 * ------------------------------------------------------------------------
 */
static_assert(sizeof(struct sm_uring_slot) == SM_URING_SLOT_SIZE,
	      "struct sm_uring_slot outgrew SM_URING_SLOT_SIZE");
static_assert(sizeof(struct secmsg_uring_cmd) == SECMSG_URING_CMD_SIZE,
	      "struct secmsg_uring_cmd");
static_assert(sizeof(struct io_uring_sqe) == 64, "a 64-byte SQE");

static unsigned int sm_op_ioctl(int op)
{
	switch (op) {
	case SM_OP_SIGN:
		return SECMSG_IOC_SIGN;
	case SM_OP_VERIFY:
		return SECMSG_IOC_VERIFY;
	case SM_OP_SEAL:
		return SECMSG_IOC_SEAL;
	case SM_OP_UNSEAL:
		return SECMSG_IOC_UNSEAL;
	default:
		return 0;
	}
}

SM_EXPORT sm_status sm_uring_prep(struct io_uring_sqe *sqe, sm_ctx *ctx,
				  int op, struct sm_message *msg,
				  struct sm_uring_slot *slot)
{
	struct secmsg_uring_cmd c = { 0 };
	__u64 user_data;
	int ret;

	if (slot)
		slot->u.priv.msg = NULL;
	if (sqe) {
		/* Every field but user_data: a NOP unless all is well. */
		user_data = sqe->user_data;
		memset(sqe, 0, sizeof(*sqe));
		sqe->user_data = user_data;
		sqe->opcode = IORING_OP_NOP;
	}

	if (!sqe || !ctx || !msg || !slot || !sm_batch_op_valid(op))
		ret = -EINVAL;
	else
		ret = sm_msg_check(msg);
	if (ret) {
		if (msg)
			sm_batch_fail(msg, 0, 1, SM_E_INVALID_PARAMETER, -ret);
		return sm_invalid(-ret);
	}

	sm_msg_to_kernel(&slot->u.priv.km, slot->u.priv.kb, msg, op);
	slot->u.priv.msg = msg;
	c.arg = SM_PTR(&slot->u.priv.km);
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = ctx->fd;
	sqe->cmd_op = sm_op_ioctl(op);
	memcpy(sqe->cmd, &c, sizeof(c));
	return SM_E_OK;
}

SM_EXPORT sm_status sm_uring_result(struct sm_uring_slot *slot,
				    int32_t cqe_res)
{
	struct sm_message *msg;

	if (!slot || !slot->u.priv.msg)
		return sm_invalid(EINVAL);
	msg = slot->u.priv.msg;
	slot->u.priv.msg = NULL;

	if (cqe_res > 0)	/* no kernel returns one */
		sm_batch_fail(msg, 0, 1, SM_E_INTERNAL_ERROR, EPROTO);
	else
		sm_msg_from_kernel(msg, &slot->u.priv.km, slot->u.priv.kb,
				   -cqe_res);
	if (msg->status != SM_E_OK)
		errno = msg->error;
	return msg->status;
}
