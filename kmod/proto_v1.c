// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg: the "secmsg-v1" protocol of raw and local contexts.
 *
 * The token format is uapi/linux/secmsg.h's "Token format": every
 * message is one AEAD operation, laid out in kernel memory as the AEAD
 * wants it:
 *
 *   [ header 16 | AAD data | text | tag 16 ]
 *
 * The message's bytes are copied into that bounce buffer once (so a
 * racing writer cannot make us authenticate one thing and release
 * another), and the result is copied back only once the operation, and
 * for a receiver the tag and the replay window, accepted it.
 *
 * Large encrypted messages without READONLY_WITH_CHECKSUM data skip one
 * copy where the driver takes scattered text without allocating
 * (secmsg_dir.sg_text, crypto.c): the AEAD reads the data straight from
 * the user's mapped pages (secmsg_mb_sg()) and writes into the bounce
 * buffer, from which the result is copied back.  A racing writer of the
 * user's pages can then make the AEAD read different bytes in its hash
 * and cipher passes, but those pages are also where the output goes, so
 * it gains nothing it could not do by writing them after the call.
 *
 * SEAL of such a message goes further where the driver allows: the AEAD
 * encrypts the pages in place (src = dst = the pages between the header
 * and the tag in @w->edge), and nothing is copied at all.  The uapi's
 * failure contract (a call that fails without a verdict wrote no byte)
 * then rests on the driver: once it started writing it must finish.  Not
 * every synchronous driver does (skcipher walks allocate halfway), nor
 * need hardware ones; only drivers known to (6.1's generic-gcm-aesni) get
 * it (secmsg_dir.in_place, crypto.c).  With the others the output goes to
 * the bounce buffer as before.  The sequence
 * number is taken before, as ever, so nothing after the AEAD can fail.
 * UNSEAL never decrypts in place: a failed check releases no plaintext,
 * so it decrypts into the bounce buffer and copies out only what passed.
 *
 * SIGN and VERIFY of large data copy nothing either where the driver
 * hashes AAD scattered over the pages without allocating (secmsg_dir.
 * sg_aad, crypto.c): the data is AAD, read from the pages, and the AEAD
 * writes only the tag, into kernel memory.  A racing writer then changes
 * what is signed or verified, as writing before the call would; VERIFY
 * releases nothing.
 */
#include <crypto/aead.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "compat.h"
#include "crypto.h"
#include "engine.h"
#include "replay.h"

static_assert(SECMSG_HDR_SIZE + SECMSG_TAG_SIZE == SECMSG_TOKEN_SIZE);
static_assert(SECMSG_STREAM_HEADER_SIZE == SECMSG_HDR_SIZE);
static_assert(SECMSG_STREAM_TRAILER_SIZE == SECMSG_TAG_SIZE);

/*
 * Encrypted data from which the AEAD reads the user's pages directly.
 * Below it, describing the pages costs about what the copy it saves does.
 */
#define SECMSG_V1_DIRECT_MIN	(8u << 10)

/* An AEAD request for either direction. */
static size_t v1_req_size(const struct secmsg_ctx *ctx)
{
	return sizeof(struct aead_request) +
	       max(crypto_aead_reqsize(ctx->tx.tfm),
		   crypto_aead_reqsize(ctx->rx.tfm));
}

static void v1_req_init(struct secmsg_work *w, unsigned int op)
{
	const struct secmsg_ctx *ctx = w->ctx;

	aead_request_set_tfm(w->req, secmsg_op_sends(op) ? ctx->tx.tfm :
							     ctx->rx.tfm);
}

static void v1_sizes(const struct secmsg_ctx *ctx, struct secmsg_sizes *sz)
{
	sz->token = SECMSG_TOKEN_SIZE;
	sz->header = SECMSG_HDR_SIZE;
	sz->trailer = SECMSG_TAG_SIZE;
}

/*
 * SEAL's output buffers must hold what they receive; the first (by index)
 * that cannot is reported.
 */
static int v1_seal_room(struct secmsg_work *w, struct secmsg_message *m)
{
	const struct secmsg_msgbuf *mb = &w->mb;
	int first, second;

	if (mb->token >= 0) {
		if (mb->b[mb->token].len < SECMSG_TOKEN_SIZE)
			return secmsg_fail(w, m,
					   SECMSG_VERDICT_BUFFER_TOO_SMALL,
					   SECMSG_TOKEN_SIZE, mb->token);
		return 0;
	}
	first = min(mb->header, mb->trailer);
	second = max(mb->header, mb->trailer);
	if (mb->b[first].len < SECMSG_HDR_SIZE)
		return secmsg_fail(w, m, SECMSG_VERDICT_BUFFER_TOO_SMALL,
				   SECMSG_HDR_SIZE, first);
	if (mb->b[second].len < SECMSG_HDR_SIZE)
		return secmsg_fail(w, m, SECMSG_VERDICT_BUFFER_TOO_SMALL,
				   SECMSG_HDR_SIZE, second);
	return 0;
}

/* The verdicts of the message's shape, before its memory is touched. */
static int v1_check(struct secmsg_work *w, struct secmsg_message *m)
{
	const struct secmsg_msgbuf *mb = &w->mb;
	bool sealed, ok;

	switch (mb->op) {
	case SECMSG_OP_SIGN:
		if (m->qop != SECMSG_QOP_DEFAULT)
			return secmsg_fail_v(w, m,
					     SECMSG_VERDICT_QOP_NOT_SUPPORTED);
		if (mb->b[mb->token].len < SECMSG_TOKEN_SIZE)
			return secmsg_fail(w, m,
					   SECMSG_VERDICT_BUFFER_TOO_SMALL,
					   SECMSG_TOKEN_SIZE, mb->token);
		return 0;
	case SECMSG_OP_SEAL:
		sealed = secmsg_seal_encrypts(w, m, &ok);
		if (!ok)
			return secmsg_fail_v(w, m,
					     SECMSG_VERDICT_QOP_NOT_SUPPORTED);
		if (!sealed && mb->rwc_len + mb->plain_len > SECMSG_MAX_SIGNED)
			return -EMSGSIZE;
		return v1_seal_room(w, m);
	default:
		if (mb->stream >= 0) {
			if (mb->b[mb->stream].len < SECMSG_TOKEN_SIZE)
				return secmsg_fail(w, m,
					SECMSG_VERDICT_INCOMPLETE_MESSAGE,
					SECMSG_TOKEN_SIZE, mb->stream);
			return 0;
		}
		if (mb->b[mb->token].len < SECMSG_TOKEN_SIZE)
			return secmsg_fail_v(w, m, SECMSG_VERDICT_BAD_TOKEN);
		return 0;
	}
}

/* Header as this side sends it. */
static void v1_hdr_build(const struct secmsg_ctx *ctx, u8 *h, u16 id,
			 bool sealed, u64 seq)
{
	u8 flags = sealed ? SECMSG_TOK_FLAG_SEALED : 0;

	if (ctx->role == SECMSG_ROLE_ACCEPTOR)
		flags |= SECMSG_TOK_FLAG_SENT_BY_ACCEPTOR;
	put_unaligned_be16(id, h);
	h[2] = flags;
	h[3] = ctx->suite->id;
	put_unaligned_be32(0, h + 4);
	put_unaligned_be64(seq, h + 8);
}

/*
 * Write the header of a message being sent, once its number is taken,
 * wherever the AEAD reads the AAD from: the bounce buffer, and the copies
 * secmsg_bounce_sg() and the direct path set up before the number was
 * known.
 */
static void v1_hdr_set(struct secmsg_work *w, u16 id, bool sealed, u64 seq)
{
	v1_hdr_build(w->ctx, w->bounce, id, sealed, seq);
	if (w->aad)
		memcpy(w->aad, w->bounce, SECMSG_HDR_SIZE);
	if (w->usg)
		memcpy(w->edge, w->bounce, SECMSG_HDR_SIZE);
}

/**
 * v1_hdr_parse() - check a received header's fixed fields
 * @ctx:    the receiving context
 * @h:      the header as received
 * @id:     the token id the call expects
 * @sealed: out: the SEALED flag (WRAP only)
 * @seq:    out: the sequence number, not yet authenticated
 *
 * The header is authenticated as AAD anyway; checking it as well keeps a
 * SIGN token from passing as a sign-only wrap over the same data (their
 * AAD would be equal), and our own tokens from being accepted back.
 *
 * Return: false if the token must be reported as altered.
 */
static bool v1_hdr_parse(const struct secmsg_ctx *ctx, const u8 *h, u16 id,
			 bool *sealed, u64 *seq)
{
	u8 peer = ctx->role == SECMSG_ROLE_INITIATOR ?
		  SECMSG_TOK_FLAG_SENT_BY_ACCEPTOR : 0;
	u8 known = SECMSG_TOK_FLAG_SENT_BY_ACCEPTOR;
	u8 flags = h[2];

	if (id == SECMSG_TOK_WRAP)
		known |= SECMSG_TOK_FLAG_SEALED;
	if (get_unaligned_be16(h) != id || (flags & ~known) ||
	    (flags & SECMSG_TOK_FLAG_SENT_BY_ACCEPTOR) != peer ||
	    h[3] != ctx->suite->id || get_unaligned_be32(h + 4))
		return false;
	*sealed = flags & SECMSG_TOK_FLAG_SEALED;
	*seq = get_unaligned_be64(h + 8);
	return true;
}

/* One AEAD operation over the bounce buffer and/or the mapped pages. */
static int v1_run(struct secmsg_work *w, bool encrypt, u64 seq,
		  unsigned int assoclen, unsigned int cryptlen)
{
	const struct secmsg_ctx *ctx = w->ctx;
	int err;

	err = secmsg_bounce_sg(w, assoclen);
	if (err)
		return err;
	secmsg_crypto_nonce(w->nonce, encrypt ? &ctx->tx : &ctx->rx, seq);
	/*
	 * In place over the bounce buffer, from the pages into it, or
	 * (w->in_place: SEAL, SIGN and VERIFY direct) in place over the
	 * pages.
	 */
	return secmsg_crypto_run(w->req, w->usg ?: w->sg,
				 w->in_place ? w->usg : w->sg, encrypt,
				 assoclen, cryptlen, w->nonce);
}

/* Decrypt/verify, then the replay window: in that order, always. */
static int v1_open(struct secmsg_work *w, struct secmsg_message *m, u64 seq,
		   unsigned int assoclen, unsigned int cryptlen)
{
	u32 verdict;
	int err;

	err = v1_run(w, false, seq, assoclen, cryptlen);
	if (err == -EBADMSG)
		return secmsg_fail_v(w, m, SECMSG_VERDICT_ALTERED);
	if (err)
		return err;
	verdict = secmsg_replay_check(&w->ctx->replay, seq);
	/* The number is authenticated now: worth reporting. */
	m->seq = seq;
	if (verdict != SECMSG_VERDICT_OK)
		return secmsg_fail_v(w, m, verdict);
	return 0;
}

/*
 * Send what the bounce buffer holds: describe it, take the next number
 * (the step after which nothing may fail), set the header and run the
 * AEAD; a crypto failure gives the number back.
 */
static int v1_send(struct secmsg_work *w, struct secmsg_message *m, u16 id,
		   bool sealed, u32 aad, u32 text, u64 *seq)
{
	int err;

	err = secmsg_bounce_sg(w, aad);
	if (err)
		return err;
	if (!secmsg_ctx_take_seq(w->ctx, seq))
		return secmsg_fail_v(w, m, SECMSG_VERDICT_EXPIRED);
	v1_hdr_set(w, id, sealed, *seq);
	err = v1_run(w, true, *seq, aad, text);
	if (err)
		secmsg_ctx_untake_seq(w->ctx, *seq);
	return err;
}

/*
 * Gather a message's DATA into the bounce buffer as the AEAD takes it:
 * encrypted, READONLY_WITH_CHECKSUM data after the header and the rest
 * at @aad; otherwise all of it after the header.
 */
static void v1_gather(struct secmsg_work *w, bool sealed, u32 aad)
{
	if (sealed) {
		secmsg_mb_gather(&w->mb, SECMSG_SEL_RWC,
				 w->bounce + SECMSG_HDR_SIZE);
		secmsg_mb_gather(&w->mb, SECMSG_SEL_PLAIN, w->bounce + aad);
	} else {
		secmsg_mb_gather(&w->mb, SECMSG_SEL_ALL,
				 w->bounce + SECMSG_HDR_SIZE);
	}
}

/* Token form: header || tag, written to the TOKEN buffer. */
static void v1_put_token(struct secmsg_work *w, const u8 *hdr, const u8 *tag)
{
	struct secmsg_msgbuf *mb = &w->mb;
	u8 token[SECMSG_TOKEN_SIZE];

	memcpy(token, hdr, SECMSG_HDR_SIZE);
	memcpy(token + SECMSG_HDR_SIZE, tag, SECMSG_TAG_SIZE);
	secmsg_mb_write(mb, mb->token, 0, token, sizeof(token));
	secmsg_mb_set_len(mb, mb->token, SECMSG_TOKEN_SIZE);
}

/*
 * Whether the AEAD reads the @dlen signed bytes of SIGN or VERIFY from the
 * pages directly: as AAD, which @dir's driver must take scattered
 * (secmsg_dir.sg_aad).  It then writes nothing there, only the tag.
 */
static bool v1_direct_signed(const struct secmsg_work *w,
			     const struct secmsg_dir *dir, u32 dlen)
{
	return dir->sg_aad && dlen >= SECMSG_V1_DIRECT_MIN &&
	       secmsg_mb_can_sg(&w->mb);
}

/*
 * Whether the AEAD reads @text encrypted bytes from the pages directly:
 * @dir's driver must take scattered text without allocating
 * (secmsg_dir.sg_text).
 */
static bool v1_direct(const struct secmsg_work *w,
		      const struct secmsg_dir *dir, u32 text)
{
	return dir->sg_text && !w->mb.rwc_len &&
	       text >= SECMSG_V1_DIRECT_MIN && secmsg_mb_can_sg(&w->mb);
}

/* Describe @seg straight over the pages, between @w->edge's two halves. */
static int v1_direct_sg(struct secmsg_work *w, const struct secmsg_seg *seg,
			unsigned int nseg)
{
	int err;

	err = secmsg_mb_sg(&w->mb, seg, nseg, &w->usgt, w->edge,
			   SECMSG_HDR_SIZE, w->edge + SECMSG_HDR_SIZE,
			   SECMSG_TAG_SIZE);
	if (err)
		return err;
	w->usg = w->usgt.sgl;
	return 0;
}

/*
 * Describe the signed data of SIGN or VERIFY straight over the pages,
 * between the header and the tag in @w->edge, and have the AEAD run in
 * place there: it reads the AAD and writes only the tag, into @w->edge.
 */
static int v1_direct_signed_sg(struct secmsg_work *w)
{
	struct secmsg_seg seg[SECMSG_MAX_BUFFERS];
	int err;

	err = v1_direct_sg(w, seg, secmsg_mb_segs(&w->mb, SECMSG_SEL_ALL,
						  seg));
	if (err)
		return err;
	w->in_place = true;
	return 0;
}

static int v1_sign(struct secmsg_work *w, struct secmsg_message *m)
{
	struct secmsg_msgbuf *mb = &w->mb;
	u32 dlen = mb->rwc_len + mb->plain_len;
	bool direct = v1_direct_signed(w, &w->ctx->tx, dlen);
	u64 seq;
	int err;

	if (direct) {
		err = v1_direct_signed_sg(w);
		if (err)
			return err;
	}
	/* Direct: the bounce buffer holds the header alone. */
	err = secmsg_bounce_alloc(w, direct ? SECMSG_HDR_SIZE :
				  SECMSG_HDR_SIZE + dlen + SECMSG_TAG_SIZE);
	if (err)
		return err;
	if (!direct)
		v1_gather(w, false, 0);
	err = v1_send(w, m, SECMSG_TOK_SIGN, false, SECMSG_HDR_SIZE + dlen, 0,
		      &seq);
	if (err)
		return err;
	v1_put_token(w, w->bounce, direct ? w->edge + SECMSG_HDR_SIZE :
			w->bounce + SECMSG_HDR_SIZE + dlen);
	m->seq = seq;
	return 0;
}

static int v1_seal(struct secmsg_work *w, struct secmsg_message *m)
{
	struct secmsg_msgbuf *mb = &w->mb;
	u32 dlen = mb->rwc_len + mb->plain_len;
	bool sealed, ok, direct;
	u32 aad, text;
	u8 *tag;
	u64 seq;
	int err;

	sealed = secmsg_seal_encrypts(w, m, &ok);
	aad = SECMSG_HDR_SIZE + (sealed ? mb->rwc_len : dlen);
	text = sealed ? mb->plain_len : 0;
	direct = sealed && v1_direct(w, &w->ctx->tx, text);
	if (direct) {
		/* Here: the kernel's stack init zeroes it where declared. */
		struct secmsg_seg seg[SECMSG_MAX_BUFFERS];
		unsigned int nseg = secmsg_mb_segs(mb, SECMSG_SEL_PLAIN, seg);

		/* The plaintext is read from its pages, not copied. */
		err = v1_direct_sg(w, seg, nseg);
		if (err)
			return err;
		/* And encrypted there, where the driver always finishes. */
		w->in_place = w->ctx->tx.in_place;
	}
	/* In place: the bounce buffer holds the header alone. */
	err = secmsg_bounce_alloc_text(w, w->in_place ? SECMSG_HDR_SIZE :
				       SECMSG_HDR_SIZE + dlen + SECMSG_TAG_SIZE,
				       aad);
	if (err)
		return err;
	if (!direct) {
		/* Plaintext of an encrypted message: wiped if it fails. */
		w->wipe = sealed;
		v1_gather(w, sealed, aad);
	}
	err = v1_send(w, m, SECMSG_TOK_WRAP, sealed, aad, text, &seq);
	if (err)
		return err;
	/* Only ciphertext is left where the plaintext was. */
	w->wipe = false;

	if (w->in_place) {
		/* The ciphertext is in the caller's pages, the tag at the edge. */
		secmsg_mb_written(mb, SECMSG_SEL_PLAIN);
		tag = w->edge + SECMSG_HDR_SIZE;
	} else {
		if (sealed)
			secmsg_mb_scatter(mb, SECMSG_SEL_PLAIN,
					  w->bounce + aad);
		tag = w->bounce + aad + text;
	}
	if (mb->token >= 0) {
		v1_put_token(w, w->bounce, tag);
		if (mb->padding >= 0)
			secmsg_mb_set_len(mb, mb->padding, 0);
	} else {
		secmsg_mb_write(mb, mb->header, 0, w->bounce, SECMSG_HDR_SIZE);
		secmsg_mb_write(mb, mb->trailer, 0, tag, SECMSG_TAG_SIZE);
		secmsg_mb_set_len(mb, mb->header, SECMSG_HDR_SIZE);
		secmsg_mb_set_len(mb, mb->trailer, SECMSG_TAG_SIZE);
	}
	m->seq = seq;
	return 0;
}

static int v1_verify(struct secmsg_work *w, struct secmsg_message *m)
{
	struct secmsg_msgbuf *mb = &w->mb;
	u32 dlen = mb->rwc_len + mb->plain_len;
	u8 token[SECMSG_TOKEN_SIZE];
	bool sealed;
	u64 seq;
	int err;

	secmsg_mb_read(mb, mb->token, 0, token, sizeof(token));
	if (!v1_hdr_parse(w->ctx, token, SECMSG_TOK_SIGN, &sealed, &seq))
		return secmsg_fail_v(w, m, SECMSG_VERDICT_ALTERED);

	if (v1_direct_signed(w, &w->ctx->rx, dlen)) {
		err = v1_direct_signed_sg(w);
		if (err)
			return err;
		memcpy(w->edge, token, SECMSG_TOKEN_SIZE);
		err = secmsg_bounce_alloc(w, SECMSG_HDR_SIZE);
		if (err)
			return err;
		memcpy(w->bounce, token, SECMSG_HDR_SIZE);
	} else {
		err = secmsg_bounce_alloc(w, SECMSG_HDR_SIZE + dlen +
					  SECMSG_TAG_SIZE);
		if (err)
			return err;
		memcpy(w->bounce, token, SECMSG_HDR_SIZE);
		secmsg_mb_gather(mb, SECMSG_SEL_ALL,
				 w->bounce + SECMSG_HDR_SIZE);
		memcpy(w->bounce + SECMSG_HDR_SIZE + dlen,
		       token + SECMSG_HDR_SIZE, SECMSG_TAG_SIZE);
	}

	err = v1_open(w, m, seq, SECMSG_HDR_SIZE + dlen, SECMSG_TAG_SIZE);
	if (err)
		return err;
	m->qop = SECMSG_QOP_DEFAULT;
	return 0;
}

/*
 * UNSEAL of a large encrypted message whose AAD is the header alone, read
 * from the pages directly, with @w->edge holding the received header and
 * tag: decrypt into the bounce buffer (whose first 16 bytes the AEAD
 * skips), then the tag and the replay window as ever.  The caller copies
 * the plaintext out only on success.
 */
static int v1_unseal_direct(struct secmsg_work *w, struct secmsg_message *m,
			    const struct secmsg_seg *seg, unsigned int nseg,
			    u64 seq, u32 text)
{
	int err;

	err = v1_direct_sg(w, seg, nseg);
	if (err)
		return err;
	err = secmsg_bounce_alloc_text(w, SECMSG_HDR_SIZE + text +
				       SECMSG_TAG_SIZE, SECMSG_HDR_SIZE);
	if (err)
		return err;
	/* Decrypted, verified or not: wipe it in any case. */
	w->wipe = true;
	memcpy(w->bounce, w->edge, SECMSG_HDR_SIZE);
	return v1_open(w, m, seq, SECMSG_HDR_SIZE, text + SECMSG_TAG_SIZE);
}

static int v1_unseal_token(struct secmsg_work *w, struct secmsg_message *m)
{
	struct secmsg_msgbuf *mb = &w->mb;
	u32 dlen = mb->rwc_len + mb->plain_len;
	u8 token[SECMSG_TOKEN_SIZE];
	u32 aad, text;
	bool sealed;
	u64 seq;
	int err;

	secmsg_mb_read(mb, mb->token, 0, token, sizeof(token));
	if (!v1_hdr_parse(w->ctx, token, SECMSG_TOK_WRAP, &sealed, &seq))
		return secmsg_fail_v(w, m, SECMSG_VERDICT_ALTERED);

	/* The (authenticated) SEALED flag decides the layout. */
	if (!sealed && dlen > SECMSG_MAX_SIGNED)
		return -EMSGSIZE;
	aad = SECMSG_HDR_SIZE + (sealed ? mb->rwc_len : dlen);
	text = sealed ? mb->plain_len : 0;
	if (sealed && v1_direct(w, &w->ctx->rx, text)) {
		struct secmsg_seg seg[SECMSG_MAX_BUFFERS];

		memcpy(w->edge, token, SECMSG_TOKEN_SIZE);
		err = v1_unseal_direct(w, m, seg,
				       secmsg_mb_segs(mb, SECMSG_SEL_PLAIN, seg),
				       seq, text);
		if (err)
			return err;
		aad = SECMSG_HDR_SIZE;
		goto out;
	}
	err = secmsg_bounce_alloc_text(w, SECMSG_HDR_SIZE + dlen +
				       SECMSG_TAG_SIZE, aad);
	if (err)
		return err;
	/* Decrypted in place, verified or not: wipe it in any case. */
	w->wipe = sealed;
	memcpy(w->bounce, token, SECMSG_HDR_SIZE);
	v1_gather(w, sealed, aad);
	memcpy(w->bounce + aad + text, token + SECMSG_HDR_SIZE,
	       SECMSG_TAG_SIZE);
	err = v1_open(w, m, seq, aad, text + SECMSG_TAG_SIZE);
	if (err)
		return err;
out:
	if (sealed)
		secmsg_mb_scatter(mb, SECMSG_SEL_PLAIN, w->bounce + aad);
	m->qop = sealed ? SECMSG_QOP_DEFAULT : SECMSG_QOP_WRAP_NO_ENCRYPT;
	return 0;
}

static int v1_unseal_stream(struct secmsg_work *w, struct secmsg_message *m)
{
	struct secmsg_msgbuf *mb = &w->mb;
	const unsigned int s = mb->stream;
	const u32 n = mb->b[s].len - SECMSG_TOKEN_SIZE;
	u32 aad, text;
	bool sealed;
	u64 seq;
	int err;

	if (v1_direct(w, &w->ctx->rx, n)) {
		const struct secmsg_seg seg = { s, SECMSG_HDR_SIZE, n };

		secmsg_mb_read(mb, s, 0, w->edge, SECMSG_HDR_SIZE);
		secmsg_mb_read(mb, s, SECMSG_HDR_SIZE + n,
			       w->edge + SECMSG_HDR_SIZE, SECMSG_TAG_SIZE);
		if (!v1_hdr_parse(w->ctx, w->edge, SECMSG_TOK_WRAP, &sealed,
				  &seq))
			return secmsg_fail_v(w, m, SECMSG_VERDICT_ALTERED);
		if (sealed) {
			err = v1_unseal_direct(w, m, &seg, 1, seq, n);
			if (err)
				return err;
			goto out;
		}
		/* A sign-only wrap: its data is AAD, the bounce path's. */
	}

	/* A stream is already laid out as the bounce buffer is. */
	err = secmsg_bounce_alloc_text(w, mb->b[s].len, SECMSG_HDR_SIZE);
	if (err)
		return err;
	secmsg_mb_read(mb, s, 0, w->bounce, mb->b[s].len);
	if (!v1_hdr_parse(w->ctx, w->bounce, SECMSG_TOK_WRAP, &sealed, &seq))
		return secmsg_fail_v(w, m, SECMSG_VERDICT_ALTERED);

	if (!sealed && n > SECMSG_MAX_SIGNED)
		return -EMSGSIZE;
	aad = SECMSG_HDR_SIZE + (sealed ? 0 : n);
	text = sealed ? n : 0;
	w->wipe = sealed;
	err = v1_open(w, m, seq, aad, text + SECMSG_TAG_SIZE);
	if (err)
		return err;
out:
	/* A sign-only wrap's data is plaintext already. */
	if (sealed)
		secmsg_mb_write(mb, s, SECMSG_HDR_SIZE,
				w->bounce + SECMSG_HDR_SIZE, n);
	secmsg_mb_point(mb, mb->data, s, SECMSG_HDR_SIZE);
	secmsg_mb_set_len(mb, mb->data, n);
	m->qop = sealed ? SECMSG_QOP_DEFAULT : SECMSG_QOP_WRAP_NO_ENCRYPT;
	return 0;
}

static int v1_unseal(struct secmsg_work *w, struct secmsg_message *m)
{
	return w->mb.stream >= 0 ? v1_unseal_stream(w, m) :
				   v1_unseal_token(w, m);
}

const struct secmsg_proto secmsg_proto_v1 = {
	.name = "secmsg-v1",
	.req_size = v1_req_size,
	.req_init = v1_req_init,
	.sizes = v1_sizes,
	.check = v1_check,
	.sign = v1_sign,
	.verify = v1_verify,
	.seal = v1_seal,
	.unseal = v1_unseal,
};
