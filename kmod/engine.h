/* SPDX-License-Identifier: GPL-2.0 */
/*
 * secmsg: the message engine, between its two layers.
 *
 * A message call runs in three steps (message.c):
 *
 *   1. the buffer layer (msgbuf.c) loads and checks the buffer list;
 *   2. the context's state and the protocol's size rules give the
 *      verdicts that need no memory (expired, buffer too small...), then
 *      the buffer layer maps the message: every byte the call may read or
 *      write becomes accessible for good, or the call fails with nothing
 *      done (EFAULT, ENOMEM);
 *   3. the protocol (proto_v1.c: "secmsg-v1" for raw and local contexts)
 *      runs the operation: it builds or parses its tokens, runs the
 *      crypto, takes the send sequence number or passes the replay
 *      window, and writes the results through the buffer layer, which
 *      cannot fail any more.
 *
 * A protocol sees the message only through struct secmsg_msgbuf's
 * accessors (header, associated data, text and tag in kernel memory, or
 * scatterlists over mapped pages), never user pointers.
 */
#ifndef _SECMSG_ENGINE_H
#define _SECMSG_ENGINE_H

#include <linux/scatterlist.h>
#include <linux/types.h>

#include "context.h"
#include "msgbuf.h"

/**
 * struct secmsg_work - per-call state, reused by every message of a batch
 * @ctx:        the context
 * @req:        the protocol's request area (secmsg-v1: an AEAD request;
 *              RFC 4121: krb5_crypto.c's), right after this struct in the
 *              same kmalloc()ed allocation, CRYPTO_MINALIGN aligned;
 *              NULL while the context is not complete
 * @mb:         the current message's buffers
 * @pins:       pinned user memory of the call: the adapter's (message
 *              struct, batch array) and the current message's
 * @bounce:     the bounce buffer of the current message: @small or
 *              @scratch
 * @bounce_len: its length
 * @sg:         scatterlist over the bounce buffer
 * @sg_one:     the scatterlist of a linear bounce buffer
 * @bsg:        the page table of a vmalloc()ed bounce buffer (kept)
 * @aad:        the current message's linear copy of its AAD (@aad_buf),
 *              when the bounce buffer is vmalloc()ed, else NULL
 * @wipe:       the bounce buffer may hold plaintext the caller does not
 *              get if the message fails (see message.c)
 * @usgt:       scatterlist straight over the message's mapped pages, or
 *              (RFC 4121) over parts of the bounce buffer (kept)
 * @usg:        @usgt's list once set up for the current message, else NULL
 * @in_place:   secmsg-v1 SEAL: the AEAD writes its output over @usg (the
 *              caller's pages), not into the bounce buffer
 * @edge:       secmsg-v1: linear memory around @usg's pages (header and tag)
 * @nonce:      secmsg-v1: the nonce, in memory an asynchronous driver may
 *              read
 * @small:      bounce room for small messages, in the same allocation
 * @small_len:  its size
 * @size:       size of the whole allocation
 * @scratch:    bounce buffer of larger messages, kvmalloc()ed, grown to the
 *              largest the work area has seen (kept)
 * @scratch_len: its size
 * @aad_buf:    linear AAD copies, kmalloc()ed, grown likewise (kept)
 * @aad_cap:    its size
 * @msgs:       BATCH: the message structs, kvmalloc()ed (kept)
 * @msgs_cap:   entries @msgs has room for
 * @acct:       bytes of this work area counted in the context's @kept
 *
 * What is marked kept stays with the work area from call to call, so that
 * the context's next message of the same or a smaller size allocates
 * nothing; it goes when the context has been idle (message.c).
 */
struct secmsg_work {
	struct secmsg_ctx *ctx;
	void *req;
	struct secmsg_msgbuf mb;
	struct secmsg_pinset pins;
	u8 *bounce;
	size_t bounce_len;
	struct scatterlist *sg;
	struct scatterlist sg_one;
	struct secmsg_sgtab bsg;
	u8 *aad;
	bool wipe;
	struct secmsg_sgtab usgt;
	struct scatterlist *usg;
	bool in_place;
	u8 edge[SECMSG_HDR_SIZE + SECMSG_TAG_SIZE];
	u8 nonce[SECMSG_IV_SIZE];
	u8 *small;
	size_t small_len;
	size_t size;
	u8 *scratch;
	size_t scratch_len;
	u8 *aad_buf;
	size_t aad_cap;
	struct secmsg_message *msgs;
	u32 msgs_cap;
	size_t acct;
};

/**
 * struct secmsg_proto - a package's token format and its operations
 * @name:   as reported to users, e.g. "secmsg-v1"
 * @req_size: bytes of the request area a call on the complete context
 *          needs (the largest of both directions: their drivers may
 *          differ)
 * @req_init: prepare @w->req for a call of kind @op (SECMSG_OP_*)
 * @sizes:  the context's token, stream header and trailer sizes
 * @check:  the verdicts a message's shape decides, before its memory is
 *          touched (qop, buffer sizes); 0 to go on
 * @sign:   MakeSignature: take a number, write the token
 * @verify: VerifySignature: check the token, then the replay window
 * @seal:   EncryptMessage (or a sign-only wrap)
 * @unseal: DecryptMessage: check, window, then release the plaintext
 *
 * The four operations run on a mapped message (secmsg_mb_map()).  They
 * return 0, a verdict's errno (secmsg_fail()), or another errno from a
 * step before anything was committed (an allocation, the crypto).  From
 * the sequence number taken or the window passed on, nothing may fail:
 * the write-back through the buffer layer cannot.
 */
struct secmsg_proto {
	const char *name;
	size_t (*req_size)(const struct secmsg_ctx *ctx);
	void (*req_init)(struct secmsg_work *w, unsigned int op);
	void (*sizes)(const struct secmsg_ctx *ctx, struct secmsg_sizes *sz);
	int (*check)(struct secmsg_work *w, struct secmsg_message *m);
	int (*sign)(struct secmsg_work *w, struct secmsg_message *m);
	int (*verify)(struct secmsg_work *w, struct secmsg_message *m);
	int (*seal)(struct secmsg_work *w, struct secmsg_message *m);
	int (*unseal)(struct secmsg_work *w, struct secmsg_message *m);
};

extern const struct secmsg_proto secmsg_proto_v1;
extern const struct secmsg_proto secmsg_proto_krb5;

static inline bool secmsg_op_sends(unsigned int op)
{
	return op == SECMSG_OP_SIGN || op == SECMSG_OP_SEAL;
}

int secmsg_fail(struct secmsg_work *w, struct secmsg_message *m,
		u32 verdict, u32 needed, u32 index);

static inline int secmsg_fail_v(struct secmsg_work *w,
				struct secmsg_message *m, u32 verdict)
{
	return secmsg_fail(w, m, verdict, 0, SECMSG_NO_INDEX);
}

/*
 * The qop rule of SEAL, the same for every protocol (uapi "Quality of
 * protection"): whether it encrypts, or refuses the qop (false with *@ok
 * false).
 */
static inline bool secmsg_seal_encrypts(const struct secmsg_work *w,
					const struct secmsg_message *m,
					bool *ok)
{
	*ok = true;
	if (m->qop == SECMSG_QOP_DEFAULT &&
	    (w->ctx->flags & SECMSG_CTX_CONFIDENTIALITY))
		return true;
	*ok = m->qop == SECMSG_QOP_WRAP_NO_ENCRYPT;
	return false;
}

int secmsg_bounce_alloc(struct secmsg_work *w, size_t len);
int secmsg_bounce_alloc_text(struct secmsg_work *w, size_t len,
			     size_t text_off);
int secmsg_bounce_sg(struct secmsg_work *w, unsigned int assoclen);

#endif /* _SECMSG_ENGINE_H */
