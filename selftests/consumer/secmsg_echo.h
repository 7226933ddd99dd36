/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * secmsg_echo: the interface of the sample kernel consumer of secmsg
 * (selftests/consumer/secmsg_echo.c), shared with its test.
 *
 * /dev/secmsg_echo: a user attaches a secmsg context fd (the acceptor end
 * of a pair whose initiator it keeps), then write()s one sealed stream
 * per request (header || data || trailer, as SECMSG_IOC_SEAL's stream
 * form makes it).  The service unseals it with the attached context,
 * upper-cases the ASCII letters, seals the result with the same context
 * and keeps it for the next read(), which returns the whole sealed stream.
 * A request whose unseal fails gets that verdict's errno from write()
 * (EBADMSG altered, EALREADY replayed, EKEYEXPIRED ...) and no reply.
 *
 * Errors of the device itself: EBADFD (no context attached), EBUSY (one
 * attached already), EMSGSIZE (request above SECMSG_ECHO_MAX), ENODATA
 * (read() with no reply waiting), ENOBUFS (read() buffer shorter than the
 * reply; the reply stays).
 */
#ifndef _SECMSG_ECHO_H
#define _SECMSG_ECHO_H

#include <linux/ioctl.h>
#include <linux/types.h>
#include <linux/secmsg.h>

#define SECMSG_ECHO_DEVICE	"/dev/secmsg_echo"
#define SECMSG_ECHO_MAX		(64u << 10)	/* request bytes */

/* struct secmsg_echo_attach.flags */
#define SECMSG_ECHO_SG		0x1	/* use scatterlist buffers, not kvecs */

/**
 * struct secmsg_echo_attach - ATTACH: take a reference to a context
 * @fd:    a secmsg context descriptor of the caller
 * @flags: SECMSG_ECHO_SG or 0
 */
struct secmsg_echo_attach {
	__s32 fd;
	__u32 flags;
};

/**
 * struct secmsg_echo_sig - SIGN (kernel signs @data) or VERIFY (kernel
 * verifies @data against @token)
 * @data:    user pointer
 * @len:     bytes at @data, at most 4096
 * @verdict: out: SECMSG_VERDICT_* of the call
 * @seq:     out: its sequence number
 * @token:   out for SIGN, in for VERIFY
 */
struct secmsg_echo_sig {
	__u64 data;
	__u32 len;
	__u32 verdict;
	__u64 seq;
	__u8 token[32];
};

/**
 * struct secmsg_echo_msg - MSG: one message call through the kernel API
 * @op:     SECMSG_OP_SIGN, _VERIFY, _SEAL or _UNSEAL
 * @sgmask: bit i set: buffer i is passed as a scatterlist (cut in two,
 *          at an offset into its list), else as a kvec
 * @msg:    pointer to a struct secmsg_message (SECMSG_MESSAGE_SIZE_VER0
 *          bytes read) whose buffers hold at most SECMSG_ECHO_MAX bytes
 * @nomem:  bit i set: buffer i is passed as a kvec without memory (NULL
 *          base, its len kept), which the kernel API must refuse with
 *          EFAULT before anything is done
 * @reserved: zero
 *
 * The buffers are copied into kernel memory, the call is made on the
 * attached context, and the results are copied back as the ioctl of @op
 * writes them: the out fields on success or a verdict, the buffers (and
 * their lens, and the DATA ptr of the stream form) on success only.  The
 * return value is the call's.  A test-only window onto the kernel API.
 */
struct secmsg_echo_msg {
	__u32 op;
	__u32 sgmask;
	__u64 msg;
	__u32 nomem;
	__u32 reserved;
};

#define SECMSG_ECHO_IOC_MAGIC	0xE6
#define SECMSG_ECHO_IOC_ATTACH	_IOW(SECMSG_ECHO_IOC_MAGIC, 1, struct secmsg_echo_attach)
#define SECMSG_ECHO_IOC_DETACH	_IO(SECMSG_ECHO_IOC_MAGIC, 2)
/* the attached context, as secmsg_kquery() reports it */
#define SECMSG_ECHO_IOC_QUERY	_IOR(SECMSG_ECHO_IOC_MAGIC, 3, struct secmsg_query)
#define SECMSG_ECHO_IOC_SIGN	_IOWR(SECMSG_ECHO_IOC_MAGIC, 4, struct secmsg_echo_sig)
#define SECMSG_ECHO_IOC_VERIFY	_IOWR(SECMSG_ECHO_IOC_MAGIC, 5, struct secmsg_echo_sig)
#define SECMSG_ECHO_IOC_MSG	_IOW(SECMSG_ECHO_IOC_MAGIC, 6, struct secmsg_echo_msg)

#endif /* _SECMSG_ECHO_H */
