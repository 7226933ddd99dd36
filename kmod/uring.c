// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg: the message calls through io_uring (IORING_OP_URING_CMD on a
 * context fd; uapi "io_uring").
 *
 * A request is the ioctl it names, with the same argument: the SQE's
 * command area holds the pointer the ioctl would be given, and the
 * request runs through the ioctl's own entry points (secmsg_msg_ioctl(),
 * secmsg_batch_ioctl()), so buffers, verdicts and the failure contract
 * cannot differ.  cqe->res is the ioctl's return value.
 *
 * Where it runs.  io_uring first issues a request with
 * IO_URING_F_NONBLOCK, from the submitting task (or the SQPOLL thread);
 * -EAGAIN sends it to an io-wq worker, which issues it again, allowed to
 * block.  With a synchronous crypto driver (the kernel's software and
 * AES-NI ciphers) a message only computes: what it may wait for is the
 * same as for any io_uring request that touches user memory (page
 * faults, GFP_KERNEL allocations), so it runs at once, in the issuing
 * task, and completes inline: no worker, no context switch, which is the
 * point of the ring.  With an asynchronous driver the message would sleep
 * until the driver calls back, holding up the submitter and every later
 * SQE: it is punted instead, and the workers (io_uring starts several)
 * each keep one request in the driver.  IOSQE_ASYNC punts any request.
 *
 * Measured (TCG guest, 2 CPUs, Debian 6.1, 64 seals in flight,
 * ChaCha20-Poly1305): at 64 B inline 44-50k/s against 28-43k/s on the
 * workers, the hand-off being most of a small message's cost; at 1 KiB
 * and 16 KiB the workers win (21k against 26-29k/s, 1.9k against 3.0k/s)
 * by sealing on both CPUs at once, which a caller with large messages
 * can ask for with IOSQE_ASYNC.  What counts is whether the driver
 * completes in the caller (secmsg_ctx_inline(), QUERY's
 * SECMSG_DRIVER_INLINE), not its CRYPTO_ALG_ASYNC flag: x86's AES-NI GCM
 * is flagged so (a SIMD wrapper, which defers to cryptd only where the
 * FPU is not usable, never in a task) and runs inline; punting it cost
 * its small messages 90% of their rate in make bench.
 *
 * Whose request.  Workers and the SQPOLL thread share the submitter's
 * memory and files; the message path uses of the calling task only its
 * mm (user pages are pinned with pin_user_pages_fast() on current->mm),
 * never its credentials.  The calls that would act on the calling
 * thread itself (IMPERSONATE, REVERT) or that are not message calls
 * (QUERY, COMPLETE) are refused: a worker is not the thread that asked.
 *
 * Lifetimes.  io_uring holds a reference to the request's file from
 * submission to completion: the context, whose last reference is the
 * file's, cannot be freed under a request, however its fds are closed,
 * and the module (the file's f_op owner) cannot be unloaded either.
 */
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/kernel.h>

#include "compat.h"
#include "context.h"
#include "message.h"
#include "uring.h"

static_assert(sizeof(struct secmsg_uring_cmd) == SECMSG_URING_CMD_SIZE);

/* Bytes of the command area of a 64-byte SQE (sqe->cmd), and of a 128. */
#define SECMSG_URING_CMD_AREA		16
#define SECMSG_URING_CMD_AREA128	80

static_assert(SECMSG_URING_CMD_SIZE == SECMSG_URING_CMD_AREA);

/* Whether the SQE128 area beyond struct secmsg_uring_cmd is all zero. */
static bool secmsg_uring_tail_zero(const void *cmd)
{
	const u64 *p = cmd + SECMSG_URING_CMD_SIZE;
	unsigned int i;

	for (i = 0; i < (SECMSG_URING_CMD_AREA128 - SECMSG_URING_CMD_SIZE) /
			sizeof(u64); i++)
		if (READ_ONCE(p[i]))
			return false;
	return true;
}

/**
 * secmsg_uring_cmd() - f_op->uring_cmd of a context fd
 * @ioucmd:      the request: @cmd_op an ioctl number, the command area a
 *               struct secmsg_uring_cmd
 * @issue_flags: IO_URING_F_*
 *
 * Runs the message call the request names as the ioctl would.
 *
 * Context: process (the submitter, the SQPOLL thread or an io-wq worker);
 * may sleep, except that under IO_URING_F_NONBLOCK a context whose driver
 * may complete later is not waited for (-EAGAIN).
 *
 * Return: what the ioctl returns (0, a verdict's errno, or another
 * negative errno with nothing done); -ENOTTY for a @cmd_op that is not a
 * message call; -EINVAL for reserved bytes or flags that are set;
 * -EAGAIN to be issued again from a worker.
 */
int secmsg_uring_cmd(struct io_uring_cmd *ioucmd, unsigned int issue_flags)
{
	struct secmsg_ctx *ctx = ioucmd->file->private_data;
	const struct secmsg_uring_cmd *c = secmsg_uring_cmd_area(ioucmd);
	unsigned int key = SECMSG_IOC_KEY(ioucmd->cmd_op);
	unsigned int op;
	void __user *arg;

	switch (key) {
	case SECMSG_IOC_KEY(SECMSG_IOC_SIGN):
		op = SECMSG_OP_SIGN;
		break;
	case SECMSG_IOC_KEY(SECMSG_IOC_VERIFY):
		op = SECMSG_OP_VERIFY;
		break;
	case SECMSG_IOC_KEY(SECMSG_IOC_SEAL):
		op = SECMSG_OP_SEAL;
		break;
	case SECMSG_IOC_KEY(SECMSG_IOC_UNSEAL):
		op = SECMSG_OP_UNSEAL;
		break;
	case SECMSG_IOC_KEY(SECMSG_IOC_BATCH):
		op = 0;
		break;
	default:
		return -ENOTTY;
	}

	/*
	 * The command area may be the SQ ring itself, which user space can
	 * change under us: each field is read once.  No fixed buffers.
	 */
	if (ioucmd->flags || READ_ONCE(c->reserved))
		return -EINVAL;
	if ((issue_flags & IO_URING_F_SQE128) && !secmsg_uring_tail_zero(c))
		return -EINVAL;
	arg = u64_to_user_ptr(READ_ONCE(c->arg));

	/* Do not sleep on an asynchronous driver in the submitter. */
	if ((issue_flags & IO_URING_F_NONBLOCK) &&
	    secmsg_ctx_is_complete(ctx) && !secmsg_ctx_inline(ctx))
		return -EAGAIN;

	/*
	 * The ioctls never return -EAGAIN (uapi "Results and verdicts"), so
	 * their result is never taken for a request to issue again.
	 */
	if (!op)
		return secmsg_batch_ioctl(ctx, arg);
	return secmsg_msg_ioctl(ctx, op, arg);
}
