/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * secmsg_floor: the raw in-kernel AEAD as the benchmark's floor.
 *
 * A test module, not part of secmsg: /dev/secmsg_floor runs one AEAD
 * operation N times on a kernel buffer allocated, filled and described by a
 * scatterlist once per request, outside the timed loop, and returns the
 * kernel-measured time.  The algorithm names are secmsg's (kmod/crypto.c),
 * so the kernel binds the same driver it binds for secmsg.
 *
 * The buffer the kernel works on is HEADER | DATA | TAG, the layout of a
 * secmsg stream message; @header is the AAD of a seal and the start of the
 * AAD of a sign.  @buf points to DATA | TAG in user space (data_len + 16
 * bytes), read before the loop and written back after it:
 *
 *   SEAL    encrypt DATA in place, AAD = HEADER, TAG written.  Every
 *           iteration encrypts what the previous one left (the same work);
 *           with iterations = 1, @buf gets the ciphertext and tag.
 *   UNSEAL  decrypt DATA in place, AAD = HEADER, TAG checked.  @buf must
 *           hold a sealed message (checked once before timing: -EBADMSG).
 *           The input is restored from a copy kept in the kernel before it
 *           is decrypted again, and the restore is not timed: messages of
 *           up to a page are copied into a pool of up to 64 KiB, each pass
 *           over the pool timed as one span; larger ones are one message
 *           per span.  @clock_ns reports what as many empty spans cost (the
 *           timer's share of @ns).  @buf gets the plaintext.
 *   SIGN    AAD-only AEAD (GMAC for GCM): AAD = HEADER | DATA, no text,
 *           TAG written, as SECMSG_IOC_SIGN does for every suite.
 *   VERIFY  the same AAD, TAG checked, nothing written (checked once before
 *           timing: -EBADMSG).
 *
 * The same nonce serves every iteration: the cost does not depend on it,
 * and the keys are test keys.
 */
#ifndef _SECMSG_FLOOR_H
#define _SECMSG_FLOOR_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define SECMSG_FLOOR_OP_SEAL		0
#define SECMSG_FLOOR_OP_UNSEAL		1
#define SECMSG_FLOOR_OP_SIGN		2
#define SECMSG_FLOOR_OP_VERIFY		3

/* The crypto API names secmsg allocates (kmod/crypto.c). */
#define SECMSG_FLOOR_ALG_GCM		0	/* "gcm(aes)", key 16 or 32 */
#define SECMSG_FLOOR_ALG_CHACHAPOLY	1	/* "rfc7539(chacha20,poly1305)", key 32 */

#define SECMSG_FLOOR_HDR_SIZE		16
#define SECMSG_FLOOR_TAG_SIZE		16
#define SECMSG_FLOOR_NONCE_SIZE		12
#define SECMSG_FLOOR_KEY_MAX		32
#define SECMSG_FLOOR_DATA_MAX		(4U << 20)
#define SECMSG_FLOOR_ITER_MAX		0x1000000U	/* 2^24 */
/* iterations * (data_len + header + tag) at most this many bytes */
#define SECMSG_FLOOR_WORK_MAX		0x100000000ULL	/* 4 GiB */
#define SECMSG_FLOOR_NAME_MAX		128

/**
 * struct secmsg_floor_run - one timed run
 * @op:         SECMSG_FLOOR_OP_*
 * @alg:        SECMSG_FLOOR_ALG_*
 * @key_len:    bytes of @key used
 * @data_len:   bytes of DATA, at most SECMSG_FLOOR_DATA_MAX
 * @iterations: AEAD operations to time, 1 to SECMSG_FLOOR_ITER_MAX
 * @flags:      must be 0
 * @reserved:   must be 0
 * @key:        the key
 * @nonce:      the 12-byte nonce
 * @header:     the 16-byte header (AAD)
 * @pad:        must be 0
 * @buf:        user pointer to DATA | TAG, data_len + 16 bytes, read and
 *              written
 * @ns:         out: nanoseconds of the timed operations (ktime_get_ns)
 * @clock_ns:   out: UNSEAL only, what its timed spans cost empty
 * @driver:     out: the driver the kernel bound, NUL-terminated
 */
struct secmsg_floor_run {
	__u32 op;
	__u32 alg;
	__u32 key_len;
	__u32 data_len;
	__u32 iterations;
	__u32 flags;
	__u32 reserved[2];
	__u8 key[SECMSG_FLOOR_KEY_MAX];
	__u8 nonce[SECMSG_FLOOR_NONCE_SIZE];
	__u8 header[SECMSG_FLOOR_HDR_SIZE];
	__u32 pad;
	__aligned_u64 buf;
	__aligned_u64 ns;
	__aligned_u64 clock_ns;
	char driver[SECMSG_FLOOR_NAME_MAX];
};

#define SECMSG_FLOOR_IOC_RUN	_IOWR(0xF1, 0x01, struct secmsg_floor_run)

#endif /* _SECMSG_FLOOR_H */
