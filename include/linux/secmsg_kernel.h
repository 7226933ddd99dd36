/* SPDX-License-Identifier: GPL-2.0 */
/*
 * secmsg: the API for kernel consumers.
 *
 * A kernel service that talks to a user-space peer can protect its
 * messages with a security context that user space established (or
 * imported) and handed over as a file descriptor.  The service takes a
 * reference to the context from the fd, then signs, verifies, seals and
 * unseals messages in kernel memory, and drops the reference when done.
 *
 * The messages are those of the ioctls of uapi/linux/secmsg.h,
 * with the same buffer types, flags, layouts and limits, the same token
 * format, the same verdicts and errnos, and the same sequence numbers and
 * replay window: the context is one object, whether a message goes
 * through an ioctl of its fd or through these calls, and every message is
 * counted in its QUERY counters alike.  A buffer is either linear kernel
 * memory (a kvec) or a range of a scatterlist.
 *
 * Every call may sleep: process context only, no spinlocks held.
 *
 * Lifetime: the reference keeps the context, its keys and transforms, and
 * the secmsg module alive until secmsg_kctx_put(), however the fd is
 * closed meanwhile.  A context that expires (or is revoked) while a
 * consumer holds it fails every later call with the verdict user space
 * would get; a call already running finishes normally.
 */
#ifndef _LINUX_SECMSG_KERNEL_H
#define _LINUX_SECMSG_KERNEL_H

#include <linux/types.h>
#include <linux/uio.h>
#include <linux/secmsg.h>

struct scatterlist;
struct secmsg_ctx;

/**
 * struct secmsg_kbuffer - one buffer of a kernel message (SSPI's SecBuffer)
 * @type:   SECMSG_BUF_*
 * @flags:  SECMSG_BUF_READONLY or SECMSG_BUF_READONLY_WITH_CHECKSUM (DATA
 *          buffers only), or 0
 * @len:    in: bytes of the buffer; out: as struct secmsg_buffer's len
 * @offset: scatterlist form: bytes of @sg before the buffer; else 0
 * @base:   kvec form: the buffer's linear kernel memory; else NULL
 * @sg:     scatterlist form: the list the buffer lies in; else NULL
 *
 * At most one of @base and @sg is set (both: EINVAL); a buffer the call
 * reads or writes must have memory (EFAULT otherwise, as for a user
 * pointer that cannot be accessed).  The buffers of a message must not
 * overlap: kvec buffers are checked (EINVAL), scatterlist ones are not.
 * UNSEAL's stream form sets the DATA buffer to the data inside the
 * STREAM buffer: the same @base plus 16, or the same @sg with @offset
 * plus 16.
 */
struct secmsg_kbuffer {
	u32 type;
	u32 flags;
	u32 len;
	u32 offset;
	void *base;
	struct scatterlist *sg;
};

/**
 * struct secmsg_kmsg - a kernel message (SSPI's SecBufferDesc)
 * @qop:      in for sign and seal (SECMSG_QOP_*); out for verify and
 *            unseal, as struct secmsg_message's
 * @nbuffers: entries at @buffers, 1..SECMSG_MAX_BUFFERS
 * @buffers:  the buffers
 * @seq:      out: the sequence number sent or received
 * @verdict:  out: SECMSG_VERDICT_*
 * @needed:   out: bytes needed (BUFFER_TOO_SMALL, INCOMPLETE_MESSAGE)
 * @index:    out: the buffer @needed refers to, else 0xffffffff
 *
 * The out fields are written when the call returns 0 or a verdict's errno,
 * and not at all for any other errno.
 */
struct secmsg_kmsg {
	u32 qop;
	u32 nbuffers;
	struct secmsg_kbuffer *buffers;
	u64 seq;
	u32 verdict;
	u32 needed;
	u32 index;
};

struct secmsg_ctx *secmsg_kctx_from_fd(int fd);
void secmsg_kctx_put(struct secmsg_ctx *ctx);
int secmsg_ksign(struct secmsg_ctx *ctx, struct secmsg_kmsg *msg);
int secmsg_kverify(struct secmsg_ctx *ctx, struct secmsg_kmsg *msg);
int secmsg_kseal(struct secmsg_ctx *ctx, struct secmsg_kmsg *msg);
int secmsg_kunseal(struct secmsg_ctx *ctx, struct secmsg_kmsg *msg);
int secmsg_kquery(struct secmsg_ctx *ctx, struct secmsg_query *q);

/**
 * secmsg_kbuf_kvec() - describe a buffer in linear kernel memory
 * @b:     the buffer
 * @type:  SECMSG_BUF_*
 * @flags: SECMSG_BUF_READONLY*, or 0
 * @v:     the memory
 */
static inline void secmsg_kbuf_kvec(struct secmsg_kbuffer *b, u32 type,
				    u32 flags, const struct kvec *v)
{
	b->type = type;
	b->flags = flags;
	b->len = v->iov_len;
	b->offset = 0;
	b->base = v->iov_base;
	b->sg = NULL;
}

/**
 * secmsg_kbuf_sg() - describe a buffer inside a scatterlist
 * @b:      the buffer
 * @type:   SECMSG_BUF_*
 * @flags:  SECMSG_BUF_READONLY*, or 0
 * @sg:     the scatterlist (chained lists are followed)
 * @offset: bytes of @sg before the buffer
 * @len:    bytes of the buffer
 */
static inline void secmsg_kbuf_sg(struct secmsg_kbuffer *b, u32 type,
				  u32 flags, struct scatterlist *sg,
				  u32 offset, u32 len)
{
	b->type = type;
	b->flags = flags;
	b->len = len;
	b->offset = offset;
	b->base = NULL;
	b->sg = sg;
}

#endif /* _LINUX_SECMSG_KERNEL_H */
