// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg: RFC 4121 MIC and Wrap tokens, the protocol of Kerberos contexts.
 *
 * The layout of every form on the wire, and how SSPI's buffers map to it,
 * is uapi/linux/secmsg.h's "Kerberos tokens".  In short, with h the
 * enctype's checksum length and a 16-byte header
 *
 *   MIC:           hdr(04 04, flags, FF x5, seq) || HMAC(Kc, data || hdr)
 *   Wrap, sealed:  hdr(05 04, ..., EC, RRC, seq) ||
 *                  rotate(E(Ke/Ki, conf || data || filler || hdr'), RRC)
 *   Wrap, signed:  hdr(EC = h) || rotate(data || HMAC(Kc, data || hdr0))
 *
 * where hdr' is the header with RRC 0 and hdr0 with EC and RRC 0.  What
 * we send is what MIT sends: EC 0 when sealed; RRC 0 in the stream form
 * (gss_wrap), RRC = 16 + h sealed or h signed in the token form
 * (gss_wrap_iov without a trailer, which is also what Windows reads).  We
 * receive any RRC, and for sealed tokens with EC and RRC both set also
 * Windows' rotation by RRC + EC (MS-KILE 3.4.5.4.1).
 *
 * As in secmsg-v1, every received byte is copied into the bounce buffer
 * once and checked there; nothing is written to the caller's buffers
 * before the tag and the replay window accepted the token.
 */
#include <linux/kernel.h>
#include <linux/random.h>
#include <linux/string.h>
#include <crypto/algapi.h>

#include "compat.h"
#include "engine.h"
#include "krb5.h"
#include "replay.h"

#define K5_TOK_MIC		0x0404
#define K5_TOK_WRAP		0x0504
#define K5_FLAG_ACCEPTOR	0x01
#define K5_FLAG_SEALED		0x02
#define K5_FLAG_SUBKEY		0x04
#define K5_HDR			SECMSG_KRB5_HDR_SIZE
#define K5_CONF			SECMSG_KRB5_BLOCK

static u32 k5_h(const struct secmsg_ctx *ctx)
{
	return ctx->krb5->type->cksum_len;
}

static size_t k5_req_size(const struct secmsg_ctx *ctx)
{
	return max(secmsg_krb5_req_size(&ctx->krb5->tx),
		   secmsg_krb5_req_size(&ctx->krb5->rx));
}

static void k5_req_init(struct secmsg_work *w, unsigned int op)
{
	/* The request is set up per operation in krb5_crypto.c. */
}

/*
 * TOKEN: the longest token form we read (Windows': header, EC filler,
 * encrypted header, checksum, confounder).  Stream: a sealed one's
 * header (with the confounder) and trailer (encrypted header, checksum).
 */
static void k5_sizes(const struct secmsg_ctx *ctx, struct secmsg_sizes *sz)
{
	sz->token = K5_HDR + 16 + K5_HDR + k5_h(ctx) + K5_CONF;
	sz->header = K5_HDR + K5_CONF;
	sz->trailer = K5_HDR + k5_h(ctx);
}

/* SEAL's output buffers must hold what they receive (first by index). */
static int k5_seal_room(struct secmsg_work *w, struct secmsg_message *m,
			bool sealed)
{
	const struct secmsg_msgbuf *mb = &w->mb;
	u32 h = k5_h(w->ctx), need[2];
	int idx[2], i;

	if (mb->token >= 0) {
		need[0] = K5_HDR + h + (sealed ? K5_HDR + K5_CONF : 0);
		if (mb->b[mb->token].len < need[0])
			return secmsg_fail(w, m,
					   SECMSG_VERDICT_BUFFER_TOO_SMALL,
					   need[0], mb->token);
		return 0;
	}
	idx[0] = mb->header;
	need[0] = K5_HDR + (sealed ? K5_CONF : 0);
	idx[1] = mb->trailer;
	need[1] = h + (sealed ? K5_HDR : 0);
	if (idx[1] < idx[0]) {
		swap(idx[0], idx[1]);
		swap(need[0], need[1]);
	}
	for (i = 0; i < 2; i++)
		if (mb->b[idx[i]].len < need[i])
			return secmsg_fail(w, m,
					   SECMSG_VERDICT_BUFFER_TOO_SMALL,
					   need[i], idx[i]);
	return 0;
}

static int k5_check(struct secmsg_work *w, struct secmsg_message *m)
{
	const struct secmsg_msgbuf *mb = &w->mb;
	u32 h = k5_h(w->ctx);
	struct secmsg_sizes sz;
	bool sealed, ok;

	switch (mb->op) {
	case SECMSG_OP_SIGN:
		if (m->qop != SECMSG_QOP_DEFAULT)
			return secmsg_fail_v(w, m,
					     SECMSG_VERDICT_QOP_NOT_SUPPORTED);
		if (mb->b[mb->token].len < K5_HDR + h)
			return secmsg_fail(w, m,
					   SECMSG_VERDICT_BUFFER_TOO_SMALL,
					   K5_HDR + h, mb->token);
		return 0;
	case SECMSG_OP_SEAL:
		sealed = secmsg_seal_encrypts(w, m, &ok);
		if (!ok)
			return secmsg_fail_v(w, m,
					     SECMSG_VERDICT_QOP_NOT_SUPPORTED);
		if (!sealed && mb->rwc_len + mb->plain_len > SECMSG_MAX_SIGNED)
			return -EMSGSIZE;
		return k5_seal_room(w, m, sealed);
	case SECMSG_OP_VERIFY:
		if (mb->b[mb->token].len < K5_HDR + h)
			return secmsg_fail_v(w, m, SECMSG_VERDICT_BAD_TOKEN);
		return 0;
	default:
		if (mb->stream >= 0) {
			if (mb->b[mb->stream].len < K5_HDR + h)
				return secmsg_fail(w, m,
					SECMSG_VERDICT_INCOMPLETE_MESSAGE,
					K5_HDR + h, mb->stream);
			return 0;
		}
		k5_sizes(w->ctx, &sz);
		if (mb->b[mb->token].len < K5_HDR + h ||
		    mb->b[mb->token].len > sz.token)
			return secmsg_fail_v(w, m, SECMSG_VERDICT_BAD_TOKEN);
		return 0;
	}
}

/* A header as this side sends it. */
static void k5_hdr(const struct secmsg_ctx *ctx, u8 *hdr, u16 id,
		   bool sealed, u16 ec, u16 rrc, u64 seq)
{
	u8 flags = sealed ? K5_FLAG_SEALED : 0;

	if (ctx->role == SECMSG_ROLE_ACCEPTOR)
		flags |= K5_FLAG_ACCEPTOR;
	if (ctx->krb5->subkey)
		flags |= K5_FLAG_SUBKEY;
	put_unaligned_be16(id, hdr);
	hdr[2] = flags;
	if (id == K5_TOK_MIC) {
		memset(hdr + 3, 0xff, 5);
	} else {
		hdr[3] = 0xff;
		put_unaligned_be16(ec, hdr + 4);
		put_unaligned_be16(rrc, hdr + 6);
	}
	put_unaligned_be64(seq, hdr + 8);
}

/*
 * A received token's first @len bytes (its header, then what follows if
 * @len is more) from buffer @i into @hdr, and the header's fixed fields
 * checked: token @id, direction, filler; ALTERED if they are wrong.  The
 * AcceptorSubkey flag is not enforced (as MIT: a peer may have sent
 * before it knew of the subkey; a wrong key fails the tag anyway);
 * unknown flags are ignored, as MIT does.
 */
static int k5_hdr_read(struct secmsg_work *w, struct secmsg_message *m,
		       int i, u16 id, u8 *hdr, u32 len)
{
	u8 peer = w->ctx->role == SECMSG_ROLE_INITIATOR ? K5_FLAG_ACCEPTOR : 0;
	static const u8 ff[5] = { 0xff, 0xff, 0xff, 0xff, 0xff };
	bool ok;

	secmsg_mb_read(&w->mb, i, 0, hdr, len);
	if (get_unaligned_be16(hdr) != id ||
	    (hdr[2] & K5_FLAG_ACCEPTOR) != peer)
		ok = false;
	else if (id == K5_TOK_MIC)
		ok = !(hdr[2] & K5_FLAG_SEALED) && !memcmp(hdr + 3, ff, 5);
	else
		ok = hdr[3] == 0xff;
	if (!ok)
		return secmsg_fail_v(w, m, SECMSG_VERDICT_ALTERED);
	return 0;
}

/* The replay window for @hdr's number, once the token's tag verified. */
static int k5_accept(struct secmsg_work *w, struct secmsg_message *m,
		     const u8 *hdr)
{
	u64 seq = get_unaligned_be64(hdr + 8);
	u32 verdict = secmsg_replay_check(&w->ctx->replay, seq);

	m->seq = seq;
	if (verdict != SECMSG_VERDICT_OK)
		return secmsg_fail_v(w, m, verdict);
	return 0;
}

/* Take the next number; EXPIRED when the sequence space is used up. */
static int k5_take(struct secmsg_work *w, struct secmsg_message *m, u64 *seq)
{
	if (!secmsg_ctx_take_seq(w->ctx, seq))
		return secmsg_fail_v(w, m, SECMSG_VERDICT_EXPIRED);
	return 0;
}

/* Bounce = the message's data (@dlen bytes), then room for a header. */
static int k5_bounce_data(struct secmsg_work *w, u32 dlen)
{
	int err = secmsg_bounce_alloc(w, dlen + K5_HDR);

	if (!err)
		err = secmsg_bounce_sg(w, 0);
	if (!err)
		secmsg_mb_gather(&w->mb, SECMSG_SEL_ALL, w->bounce);
	return err;
}

/*
 * The checksum a MIC or a sign-only Wrap (@id) sends, into @cksum: over
 * bounce = data || header, under the sequence number it takes into
 * *@seq (a Wrap's header as hdr0: EC and RRC 0).  Fails with EXPIRED's
 * verdict, or an errno with nothing taken.
 */
static int k5_cksum_out(struct secmsg_work *w, struct secmsg_message *m,
			u16 id, u8 *cksum, u64 *seq)
{
	const struct secmsg_krb5_dir *d = &w->ctx->krb5->tx;
	struct secmsg_msgbuf *mb = &w->mb;
	u32 dlen = mb->rwc_len + mb->plain_len;
	int err;

	err = k5_bounce_data(w, dlen);
	if (err)
		return err;
	err = k5_take(w, m, seq);
	if (err)
		return err;
	k5_hdr(w->ctx, w->bounce + dlen, id, false, 0, 0, *seq);
	err = secmsg_krb5_checksum(d, w->req, id == K5_TOK_WRAP, w->sg,
				   dlen + K5_HDR, cksum);
	if (err)
		secmsg_ctx_untake_seq(w->ctx, *seq);
	return err;
}

static int k5_sign(struct secmsg_work *w, struct secmsg_message *m)
{
	struct secmsg_msgbuf *mb = &w->mb;
	u32 dlen = mb->rwc_len + mb->plain_len, h = k5_h(w->ctx);
	u8 tok[K5_HDR + SECMSG_KRB5_CKSUM_MAX];
	u64 seq;
	int err;

	err = k5_cksum_out(w, m, K5_TOK_MIC, tok + K5_HDR, &seq);
	if (err)
		return err;
	memcpy(tok, w->bounce + dlen, K5_HDR);
	secmsg_mb_write(mb, mb->token, 0, tok, K5_HDR + h);
	secmsg_mb_set_len(mb, mb->token, K5_HDR + h);
	m->seq = seq;
	return 0;
}

static int k5_verify(struct secmsg_work *w, struct secmsg_message *m)
{
	const struct secmsg_krb5_dir *d = &w->ctx->krb5->rx;
	struct secmsg_msgbuf *mb = &w->mb;
	u32 dlen = mb->rwc_len + mb->plain_len, h = k5_h(w->ctx);
	u8 tok[K5_HDR + SECMSG_KRB5_CKSUM_MAX];
	u8 mac[SECMSG_KRB5_CKSUM_MAX];
	int err;

	err = k5_hdr_read(w, m, mb->token, K5_TOK_MIC, tok, K5_HDR + h);
	if (err)
		return err;
	err = k5_bounce_data(w, dlen);
	if (err)
		return err;
	memcpy(w->bounce + dlen, tok, K5_HDR);
	err = secmsg_krb5_checksum(d, w->req, false, w->sg, dlen + K5_HDR,
				   mac);
	if (err)
		return err;
	if (crypto_memneq(mac, tok + K5_HDR, h))
		return secmsg_fail_v(w, m, SECMSG_VERDICT_ALTERED);
	err = k5_accept(w, m, tok);
	if (err)
		return err;
	m->qop = SECMSG_QOP_DEFAULT;
	return 0;
}

/* A part of the bounce buffer the cipher works on. */
struct k5_reg {
	u32 off;
	u32 len;
};

/*
 * The scatterlist of the cipher over some parts of the bounce buffer, in
 * order (in @w->usgt, kept for the next message): linear memory
 * one entry a part, a vmalloc()ed buffer one a page.
 */
static int k5_regions_sg(struct secmsg_work *w, const struct k5_reg *r,
			 unsigned int n)
{
	bool vm = is_vmalloc_addr(w->bounce);
	struct scatterlist *sg;
	unsigned int i, ents = 0;

	for (i = 0; i < n; i++)
		if (r[i].len)
			ents += vm ? DIV_ROUND_UP(offset_in_page(w->bounce +
							       r[i].off) +
						  r[i].len, PAGE_SIZE) : 1;
	sg = secmsg_sgtab_get(&w->usgt, ents);
	if (!sg)
		return -ENOMEM;
	w->usg = sg;
	for (i = 0; i < n; i++) {
		u8 *p = w->bounce + r[i].off;
		u32 rem = r[i].len;

		while (rem) {
			u32 chunk = vm ? min_t(u32, rem, PAGE_SIZE -
					       offset_in_page(p)) : rem;

			if (vm)
				sg_set_page(sg, vmalloc_to_page(p), chunk,
					    offset_in_page(p));
			else
				sg_set_buf(sg, p, chunk);
			sg = sg_next(sg);
			p += chunk;
			rem -= chunk;
		}
	}
	return 0;
}

/*
 * The layout of a sealed wrap with READONLY_WITH_CHECKSUM data (MIT's
 * SIGN_ONLY iovs), in the order the tag covers it:
 *
 *   conf || covered DATA buffers in order || filler (@ec) || hdr'
 *
 * and the parts the cipher works on: the confounder, the DATA buffers
 * without flags, filler and hdr'.  @regs gets those (at most
 * SECMSG_MAX_BUFFERS + 2); returns how many.
 */
static unsigned int k5_rwc_layout(const struct secmsg_msgbuf *mb, u32 ec,
				  struct k5_reg *regs)
{
	struct secmsg_seg seg[SECMSG_MAX_BUFFERS];
	unsigned int i, nseg, n = 0;
	u32 off = K5_CONF;

	regs[n++] = (struct k5_reg){ 0, K5_CONF };
	nseg = secmsg_mb_segs(mb, SECMSG_SEL_ALL, seg);
	for (i = 0; i < nseg; i++) {
		if (!mb->b[seg[i].i].flags)
			regs[n++] = (struct k5_reg){ off, seg[i].len };
		off += seg[i].len;
	}
	regs[n++] = (struct k5_reg){ off, ec + K5_HDR };
	return n;
}

/* Write the DATA buffers without flags from their places in the layout. */
static void k5_rwc_scatter(struct secmsg_msgbuf *mb, const u8 *layout)
{
	struct secmsg_seg seg[SECMSG_MAX_BUFFERS];
	unsigned int i, nseg;
	u32 off = K5_CONF;

	nseg = secmsg_mb_segs(mb, SECMSG_SEL_ALL, seg);
	for (i = 0; i < nseg; i++) {
		if (!mb->b[seg[i].i].flags)
			secmsg_mb_write(mb, seg[i].i, seg[i].off, layout + off,
					seg[i].len);
		off += seg[i].len;
	}
}

/*
 * Sealed, token form, with signed-only data: as gss_wrap_iov with
 * SIGN_ONLY buffers.  The tag covers the layout above, the cipher only
 * its encrypted parts; the token carries those alone (the signed-only
 * data travels as the caller sends it).
 */
static int k5_seal_sealed_rwc(struct secmsg_work *w, struct secmsg_message *m)
{
	const struct secmsg_krb5_dir *d = &w->ctx->krb5->tx;
	struct secmsg_msgbuf *mb = &w->mb;
	u32 n = mb->plain_len, a = mb->rwc_len, h = k5_h(w->ctx);
	u32 hl = K5_CONF + a + n + K5_HDR;
	u8 tok[K5_HDR + K5_HDR + SECMSG_KRB5_CKSUM_MAX + K5_CONF];
	struct k5_reg regs[SECMSG_MAX_BUFFERS + 2];
	unsigned int nreg;
	u8 *b, *alt;
	u64 seq;
	int err;

	err = secmsg_bounce_alloc(w, hl + h);
	if (!err)
		err = secmsg_bounce_sg(w, 0);
	if (err)
		return err;
	nreg = k5_rwc_layout(mb, 0, regs);
	err = k5_regions_sg(w, regs, nreg);
	if (err)
		return err;
	b = w->bounce;
	alt = b + K5_CONF + a + n;
	w->wipe = true;
	get_random_bytes(b, K5_CONF);
	secmsg_mb_gather(mb, SECMSG_SEL_ALL, b + K5_CONF);
	err = k5_take(w, m, &seq);
	if (err)
		return err;
	k5_hdr(w->ctx, alt, K5_TOK_WRAP, true, 0, 0, seq);
	err = secmsg_krb5_encrypt_iov(d, w->req, w->usg, K5_CONF + n + K5_HDR,
				      w->sg, hl, b + hl);
	if (err) {
		secmsg_ctx_untake_seq(w->ctx, seq);
		return err;
	}
	/* Ciphertext, and signed-only data the caller has anyway. */
	w->wipe = false;

	k5_rwc_scatter(mb, b);
	k5_hdr(w->ctx, tok, K5_TOK_WRAP, true, 0, K5_HDR + h, seq);
	memcpy(tok + K5_HDR, alt, K5_HDR);
	memcpy(tok + K5_HDR + K5_HDR, b + hl, h);
	memcpy(tok + K5_HDR + K5_HDR + h, b, K5_CONF);
	secmsg_mb_write(mb, mb->token, 0, tok, K5_HDR + K5_HDR + h + K5_CONF);
	secmsg_mb_set_len(mb, mb->token, K5_HDR + K5_HDR + h + K5_CONF);
	if (mb->padding >= 0)
		secmsg_mb_set_len(mb, mb->padding, 0);
	m->seq = seq;
	return 0;
}

/*
 * Sealed: bounce = conf || data || hdr' || tag, encrypted in place.  The
 * token form rotates the tail (last cipher block and tag) in front of the
 * confounder, as gss_wrap_iov does without a trailer buffer.
 */
static int k5_seal_sealed(struct secmsg_work *w, struct secmsg_message *m)
{
	const struct secmsg_krb5_dir *d = &w->ctx->krb5->tx;
	struct secmsg_msgbuf *mb = &w->mb;
	u32 n = mb->plain_len, h = k5_h(w->ctx);
	u32 rrc = mb->token >= 0 ? K5_HDR + h : 0;
	u8 tok[K5_HDR + K5_HDR + SECMSG_KRB5_CKSUM_MAX + K5_CONF];
	u8 *b, *tail;
	u64 seq;
	int err;

	err = secmsg_bounce_alloc(w, K5_CONF + n + K5_HDR + h);
	if (!err)
		err = secmsg_bounce_sg(w, 0);
	if (err)
		return err;
	b = w->bounce;
	tail = b + K5_CONF + n;
	/* Plaintext of an encrypted message: wiped afterwards. */
	w->wipe = true;
	get_random_bytes(b, K5_CONF);
	secmsg_mb_gather(mb, SECMSG_SEL_PLAIN, b + K5_CONF);
	err = k5_take(w, m, &seq);
	if (err)
		return err;
	k5_hdr(w->ctx, tail, K5_TOK_WRAP, true, 0, 0, seq);
	err = secmsg_krb5_encrypt(d, w->req, w->sg, K5_CONF + n + K5_HDR,
				  tail + K5_HDR);
	if (err) {
		secmsg_ctx_untake_seq(w->ctx, seq);
		return err;
	}
	/* Only ciphertext is left where the plaintext was. */
	w->wipe = false;

	k5_hdr(w->ctx, tok, K5_TOK_WRAP, true, 0, rrc, seq);
	secmsg_mb_scatter(mb, SECMSG_SEL_PLAIN, b + K5_CONF);
	if (mb->token >= 0) {
		memcpy(tok + K5_HDR, tail, K5_HDR + h);
		memcpy(tok + K5_HDR + K5_HDR + h, b, K5_CONF);
		secmsg_mb_write(mb, mb->token, 0, tok,
				K5_HDR + K5_HDR + h + K5_CONF);
		secmsg_mb_set_len(mb, mb->token, K5_HDR + K5_HDR + h + K5_CONF);
		if (mb->padding >= 0)
			secmsg_mb_set_len(mb, mb->padding, 0);
	} else {
		memcpy(tok + K5_HDR, b, K5_CONF);
		secmsg_mb_write(mb, mb->header, 0, tok, K5_HDR + K5_CONF);
		secmsg_mb_write(mb, mb->trailer, 0, tail, K5_HDR + h);
		secmsg_mb_set_len(mb, mb->header, K5_HDR + K5_CONF);
		secmsg_mb_set_len(mb, mb->trailer, K5_HDR + h);
	}
	m->seq = seq;
	return 0;
}

/* Sign-only wrap: bounce = data || hdr0; the checksum travels after it. */
static int k5_seal_signed(struct secmsg_work *w, struct secmsg_message *m)
{
	struct secmsg_msgbuf *mb = &w->mb;
	u32 h = k5_h(w->ctx);
	u8 tok[K5_HDR + SECMSG_KRB5_CKSUM_MAX];
	u64 seq;
	int err;

	err = k5_cksum_out(w, m, K5_TOK_WRAP, tok + K5_HDR, &seq);
	if (err)
		return err;
	if (mb->token >= 0) {
		/* The checksum rotated in front of the data: RRC = EC = h. */
		k5_hdr(w->ctx, tok, K5_TOK_WRAP, false, h, h, seq);
		secmsg_mb_write(mb, mb->token, 0, tok, K5_HDR + h);
		secmsg_mb_set_len(mb, mb->token, K5_HDR + h);
		if (mb->padding >= 0)
			secmsg_mb_set_len(mb, mb->padding, 0);
	} else {
		k5_hdr(w->ctx, tok, K5_TOK_WRAP, false, h, 0, seq);
		secmsg_mb_write(mb, mb->header, 0, tok, K5_HDR);
		secmsg_mb_write(mb, mb->trailer, 0, tok + K5_HDR, h);
		secmsg_mb_set_len(mb, mb->header, K5_HDR);
		secmsg_mb_set_len(mb, mb->trailer, h);
	}
	m->seq = seq;
	return 0;
}

static int k5_seal(struct secmsg_work *w, struct secmsg_message *m)
{
	bool ok;

	if (!secmsg_seal_encrypts(w, m, &ok))
		return k5_seal_signed(w, m);
	return w->mb.rwc_len ? k5_seal_sealed_rwc(w, m) : k5_seal_sealed(w, m);
}

/*
 * A received Wrap token in the bounce buffer: U (@len + 16 bytes of room,
 * where it is unrotated and checked) then S (@len bytes: the token after
 * its header, as received).
 */
struct k5_in {
	u8 hdr[K5_HDR];
	u8 *u;
	u8 *s;
	u8 *layout;	/* sealed with signed-only data: see k5_rwc_layout() */
	u32 len;
	u32 tlen;	/* token form: TOKEN bytes; stream form: 0 */
};

/* U = S rotated left by @r. */
static void k5_unrotate(struct k5_in *in, u32 r)
{
	r %= in->len;
	memcpy(in->u, in->s + r, in->len - r);
	memcpy(in->u + in->len - r, in->s, r);
}

/*
 * Write the released message: token form, into the DATA buffers it came
 * from (sealed only: signed data is there already); stream form, at byte
 * 16 of the stream, with the DATA buffer pointed there.
 */
static void k5_release(struct secmsg_work *w, const u8 *msg, u32 n,
		       bool sealed)
{
	struct secmsg_msgbuf *mb = &w->mb;

	if (mb->stream < 0) {
		if (sealed)
			secmsg_mb_scatter(mb, SECMSG_SEL_PLAIN, msg);
		return;
	}
	secmsg_mb_write(mb, mb->stream, K5_HDR, msg, n);
	secmsg_mb_point(mb, mb->data, mb->stream, K5_HDR);
	secmsg_mb_set_len(mb, mb->data, n);
}

static int k5_unseal_sealed(struct secmsg_work *w, struct secmsg_message *m,
			    struct k5_in *in)
{
	const struct secmsg_krb5_dir *d = &w->ctx->krb5->rx;
	u32 h = k5_h(w->ctx), ec, rrc, n, rot[2], i, j, off, nrot = 0;
	struct k5_reg regs[SECMSG_MAX_BUFFERS + 2];
	struct secmsg_msgbuf *mb = &w->mb;
	unsigned int nreg = 0;
	const u8 *alt;
	int err = -EBADMSG;

	ec = get_unaligned_be16(in->hdr + 4);
	rrc = get_unaligned_be16(in->hdr + 6);
	if (in->len < K5_CONF + ec + K5_HDR + h)
		return secmsg_fail_v(w, m, SECMSG_VERDICT_BAD_TOKEN);
	n = in->len - (K5_CONF + ec + K5_HDR + h);
	if (mb->stream < 0 && n != mb->plain_len)
		return secmsg_fail_v(w, m, SECMSG_VERDICT_BAD_TOKEN);

	/* Windows rotates by RRC + EC: try its form first when it may be. */
	if (ec && rrc)
		rot[nrot++] = rrc + ec;
	rot[nrot++] = rrc;
	if (in->layout) {
		nreg = k5_rwc_layout(mb, ec, regs);
		err = k5_regions_sg(w, regs, nreg);
		if (err)
			return err;
		err = -EBADMSG;
	}
	w->wipe = true;
	for (i = 0; i < nrot && err == -EBADMSG; i++) {
		k5_unrotate(in, rot[i]);
		if (!in->layout) {
			err = secmsg_krb5_decrypt(d, w->req, w->sg,
						  in->len - h,
						  in->u + in->len - h);
			continue;
		}
		/* The ciphertext into its parts, the signed data between. */
		secmsg_mb_gather(mb, SECMSG_SEL_ALL, in->layout + K5_CONF);
		for (j = 0, off = 0; j < nreg; off += regs[j].len, j++)
			memcpy(in->layout + regs[j].off, in->u + off,
			       regs[j].len);
		err = secmsg_krb5_decrypt_iov(d, w->req, w->usg,
					      in->len - h, w->sg,
					      in->len - h + mb->rwc_len,
					      in->u + in->len - h);
	}
	if (err == -EBADMSG)
		return secmsg_fail_v(w, m, SECMSG_VERDICT_ALTERED);
	if (err)
		return err;
	/*
	 * The encrypted header copy must be this token's, RRC aside: EC
	 * too, which the tag does not cover otherwise (a changed EC would
	 * cut the message short).
	 */
	alt = in->layout ? in->layout + K5_CONF + mb->rwc_len + n + ec :
			   in->u + K5_CONF + n + ec;
	if (memcmp(alt, in->hdr, 6) || memcmp(alt + 8, in->hdr + 8, 8))
		return secmsg_fail_v(w, m, SECMSG_VERDICT_ALTERED);
	err = k5_accept(w, m, in->hdr);
	if (err)
		return err;
	if (in->layout)
		k5_rwc_scatter(mb, in->layout);
	else
		k5_release(w, in->u + K5_CONF, n, true);
	m->qop = SECMSG_QOP_DEFAULT;
	return 0;
}

static int k5_unseal_signed(struct secmsg_work *w, struct secmsg_message *m,
			    struct k5_in *in)
{
	const struct secmsg_krb5_dir *d = &w->ctx->krb5->rx;
	struct secmsg_msgbuf *mb = &w->mb;
	u32 h = k5_h(w->ctx), ec, rrc, n, rot[2], i, nrot = 0;
	u8 tag[SECMSG_KRB5_CKSUM_MAX], mac[SECMSG_KRB5_CKSUM_MAX];
	bool ok = false;
	int err;

	ec = get_unaligned_be16(in->hdr + 4);
	rrc = get_unaligned_be16(in->hdr + 6);
	if (ec != h)
		return secmsg_fail_v(w, m, SECMSG_VERDICT_ALTERED);
	if (in->len < h)
		return secmsg_fail_v(w, m, SECMSG_VERDICT_BAD_TOKEN);
	n = in->len - h;
	if (mb->stream < 0 && n != mb->rwc_len + mb->plain_len)
		return secmsg_fail_v(w, m, SECMSG_VERDICT_BAD_TOKEN);
	if (n > SECMSG_MAX_SIGNED)
		return -EMSGSIZE;

	rot[nrot++] = rrc;
	if (rrc)
		rot[nrot++] = rrc + ec;
	for (i = 0; i < nrot && !ok; i++) {
		k5_unrotate(in, rot[i]);
		/* U = data || checksum: checked as data || hdr0. */
		memcpy(tag, in->u + n, h);
		memcpy(in->u + n, in->hdr, K5_HDR);
		memset(in->u + n + 4, 0, 4);
		err = secmsg_krb5_checksum(d, w->req, true, w->sg, n + K5_HDR,
					   mac);
		if (err)
			return err;
		ok = !crypto_memneq(mac, tag, h);
	}
	if (!ok)
		return secmsg_fail_v(w, m, SECMSG_VERDICT_ALTERED);
	/* Token form: the data the token signs must be the DATA buffers'. */
	if (mb->stream < 0 && memcmp(in->u, in->s + in->tlen - K5_HDR, n))
		return secmsg_fail_v(w, m, SECMSG_VERDICT_BAD_TOKEN);
	err = k5_accept(w, m, in->hdr);
	if (err)
		return err;
	k5_release(w, in->u, n, false);
	m->qop = SECMSG_QOP_WRAP_NO_ENCRYPT;
	return 0;
}

static int k5_unseal(struct secmsg_work *w, struct secmsg_message *m)
{
	struct secmsg_msgbuf *mb = &w->mb;
	struct k5_in in;
	int err;

	size_t lay = 0;
	bool sealed;

	if (mb->stream >= 0) {
		in.tlen = 0;
		in.len = mb->b[mb->stream].len - K5_HDR;
	} else {
		in.tlen = mb->b[mb->token].len;
	}
	err = k5_hdr_read(w, m, mb->stream >= 0 ? mb->stream : mb->token,
			  K5_TOK_WRAP, in.hdr, K5_HDR);
	if (err)
		return err;
	sealed = in.hdr[2] & K5_FLAG_SEALED;
	/*
	 * Token form: the token is TOKEN then the DATA it carries: all of
	 * it signed only, the encrypted buffers alone when sealed (signed-
	 * only data does not travel in a sealed token).
	 */
	if (mb->stream < 0)
		in.len = in.tlen - K5_HDR + mb->plain_len +
			 (sealed ? 0 : mb->rwc_len);
	if (!in.len)
		return secmsg_fail_v(w, m, SECMSG_VERDICT_BAD_TOKEN);

	/* Sealed with signed-only data: room for its layout in front. */
	if (sealed && mb->stream < 0 && mb->rwc_len)
		lay = (size_t)in.len + mb->rwc_len;
	err = secmsg_bounce_alloc(w, lay + 2 * (size_t)in.len + K5_HDR);
	if (!err)
		err = secmsg_bounce_sg(w, 0);
	if (err)
		return err;
	in.layout = lay ? w->bounce : NULL;
	in.u = w->bounce + lay;
	in.s = in.u + in.len + K5_HDR;
	if (mb->stream >= 0) {
		secmsg_mb_read(mb, mb->stream, K5_HDR, in.s, in.len);
	} else {
		secmsg_mb_read(mb, mb->token, K5_HDR, in.s, in.tlen - K5_HDR);
		secmsg_mb_gather(mb, sealed ? SECMSG_SEL_PLAIN : SECMSG_SEL_ALL,
				 in.s + in.tlen - K5_HDR);
	}
	if (sealed)
		return k5_unseal_sealed(w, m, &in);
	return k5_unseal_signed(w, m, &in);
}

const struct secmsg_proto secmsg_proto_krb5 = {
	.name = "rfc4121",
	.req_size = k5_req_size,
	.req_init = k5_req_init,
	.sizes = k5_sizes,
	.check = k5_check,
	.sign = k5_sign,
	.verify = k5_verify,
	.seal = k5_seal,
	.unseal = k5_unseal,
};
