// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg: message calls (SIGN, VERIFY, SEAL, UNSEAL, BATCH).
 *
 * Every message is one AEAD operation run in place over a kernel bounce
 * buffer laid out as the AEAD wants it:
 *
 *   [ header 16 | AAD data | text | tag 16 ]
 *
 * User memory is read once into the bounce buffer (so a racing writer
 * cannot make us authenticate one thing and release another) and written
 * only after the operation, and for a receiver the replay check, succeeded.
 *
 * Per-call state lives in a one-page work area that also holds the AEAD
 * request and the bounce room of small messages.  Each context keeps one
 * spare work area, so the common call allocates nothing (with
 * init_on_alloc, every allocation would also cost a memset).  The bounce
 * room is wiped whenever it may hold plaintext of a sealed message.
 *
 * Large sealed messages without READONLY_WITH_CHECKSUM data skip the
 * bounce buffer on one side (see secmsg_pin()): SEAL encrypts the user's
 * pinned DATA pages in place, UNSEAL decrypts from the user's pinned pages
 * into the bounce buffer and copies the plaintext out only once the tag
 * and the replay window accepted it.  Either way the user's buffers are
 * written only where the bounce path writes them: SEAL's data is its own
 * output, and UNSEAL writes nothing before the verdict.  A racing writer of
 * the user's pages can make the AEAD read different bytes in its hash and
 * cipher passes, but those pages are also where the output goes, so it
 * gains nothing it could not do by writing them after the call.
 *
 * Kernel consumers (include/linux/secmsg_kernel.h) send their messages
 * down the same path: secmsg_msg_one() for a single message, the same
 * parse, state check, verdicts, counters, sequence numbers and replay
 * window.  Only the buffer memory differs: kernel addresses or
 * scatterlists instead of user pointers, read and written through
 * secmsg_buf_read() and secmsg_buf_write(), and always bounced.
 */
#include <crypto/aead.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/secmsg_kernel.h>
#include <asm/unaligned.h>

#include "context.h"
#include "crypto.h"
#include "message.h"

/* The work area is one page, unless a driver's request is very large. */
#define SECMSG_WORK_SIZE	PAGE_SIZE
/* Least bounce room inside the work area. */
#define SECMSG_SMALL_MIN	512
/*
 * Sealed data from which SEAL and UNSEAL pin the user's pages instead of
 * bouncing them.  Below it, pinning and unpinning (a page table walk and
 * two atomics per page, plus a page array and a scatterlist) cost about
 * what the copies they save do.
 */
#define SECMSG_PIN_MIN		(8u << 10)
/* Pages a message's data may span: every buffer may add a partial page. */
#define SECMSG_PIN_MAX_PAGES	(SECMSG_MAX_MESSAGE / PAGE_SIZE + \
				 2 * SECMSG_MAX_BUFFERS)

/* Out fields written back: seq, error, verdict, needed, index. */
#define SECMSG_RESULT_OFFSET	offsetof(struct secmsg_message, seq)
#define SECMSG_RESULT_SIZE	(offsetofend(struct secmsg_message, index) - \
				 SECMSG_RESULT_OFFSET)

static_assert(sizeof(struct secmsg_import) == SECMSG_IMPORT_SIZE_VER0);
static_assert(sizeof(struct secmsg_message) == SECMSG_MESSAGE_SIZE_VER0);
static_assert(sizeof(struct secmsg_batch) == SECMSG_BATCH_SIZE_VER0);
static_assert(sizeof(struct secmsg_query) == SECMSG_QUERY_SIZE_VER2);
static_assert(sizeof(struct secmsg_init) == SECMSG_INIT_SIZE_VER0);
static_assert(sizeof(struct secmsg_accept) == SECMSG_ACCEPT_SIZE_VER0);
static_assert(sizeof(struct secmsg_complete) == SECMSG_COMPLETE_SIZE_VER0);
static_assert(sizeof(struct secmsg_buffer) == 24);
static_assert(SECMSG_HDR_SIZE + SECMSG_TAG_SIZE == SECMSG_TOKEN_SIZE);
static_assert(SECMSG_STREAM_HEADER_SIZE == SECMSG_HDR_SIZE);
static_assert(SECMSG_STREAM_TRAILER_SIZE == SECMSG_TAG_SIZE);
static_assert(SECMSG_MAX_BUFFERS <= 32);	/* secmsg_parsed.sgmask */

/**
 * struct secmsg_parsed - a message's buffer list, checked
 * @buf:       kernel copy of the user's buffers
 * @nbuf:      entries in @buf
 * @token:     index of the TOKEN buffer, or -1
 * @header:    index of the STREAM_HEADER buffer, or -1
 * @trailer:   index of the STREAM_TRAILER buffer, or -1
 * @padding:   index of the PADDING buffer, or -1
 * @stream:    index of the STREAM buffer, or -1
 * @data:      index of the (last) DATA buffer, or -1
 * @rwc_len:   covered bytes in DATA buffers flagged READONLY_WITH_CHECKSUM
 * @plain_len: covered bytes in DATA buffers without flags
 * @sgmask:    kernel messages: bit i is set when buffer i is a
 *             scatterlist (whose @buf[i].ptr is 0)
 * @start:     scratch for the overlap check (off the stack, which the
 * @end:       kernel may zero-initialise on every call)
 */
struct secmsg_parsed {
	struct secmsg_buffer buf[SECMSG_MAX_BUFFERS];
	unsigned int nbuf;
	int token;
	int header;
	int trailer;
	int padding;
	int stream;
	int data;
	u32 rwc_len;
	u32 plain_len;
	u32 sgmask;
	u64 start[SECMSG_MAX_BUFFERS];
	u64 end[SECMSG_MAX_BUFFERS];
};

/**
 * struct secmsg_work - per-call state, reused by every message of a batch
 * @ctx:        the context
 * @req:        AEAD request, right after this struct in the same allocation
 * @ubuf:       the user's buffer array of the current message
 * @kbuf:       a kernel message's buffers, or NULL for a user message:
 *              then @p.buf[i].ptr is a kernel address (or 0 for a
 *              scatterlist) and buffer memory is read and written
 *              through secmsg_buf_read() and secmsg_buf_write()
 * @p:          its parsed buffer list
 * @bounce:     the bounce buffer: @small, or kvmalloc()ed
 * @bounce_len: its length
 * @sg:         scatterlist over the bounce buffer
 * @sg_one:     the scatterlist of a linear bounce buffer
 * @sgt:        the page table of a vmalloc()ed bounce buffer
 * @aad:        linear copy of the AAD of a vmalloc()ed bounce buffer
 * @wipe:       the bounce buffer may hold plaintext of a sealed message
 * @pages:      pinned user pages (kvmalloc()ed), or NULL
 * @npinned:    entries of @pages pinned so far
 * @usgt:       scatterlist over [@edge header | @pages | @edge tag]
 * @usg:        @usgt.sgl once set up, else NULL
 * @edge:       header and tag around pinned pages: linear memory
 * @nonce:      the nonce, in memory an asynchronous driver may read
 * @small:      bounce room for small messages, in the same allocation
 * @small_len:  its size
 * @size:       size of the whole allocation
 */
struct secmsg_work {
	struct secmsg_ctx *ctx;
	struct aead_request *req;
	struct secmsg_buffer __user *ubuf;
	struct secmsg_kbuffer *kbuf;
	struct secmsg_parsed p;
	u8 *bounce;
	size_t bounce_len;
	struct scatterlist *sg;
	struct scatterlist sg_one;
	struct sg_table sgt;
	u8 *aad;
	bool wipe;
	struct page **pages;
	unsigned int npinned;
	struct sg_table usgt;
	struct scatterlist *usg;
	u8 edge[SECMSG_HDR_SIZE + SECMSG_TAG_SIZE];
	u8 nonce[SECMSG_IV_SIZE];
	u8 *small;
	size_t small_len;
	size_t size;
};

/* Which covered DATA buffers to gather or scatter. */
enum secmsg_sel {
	SECMSG_SEL_ALL,		/* every covered DATA buffer */
	SECMSG_SEL_RWC,		/* READONLY_WITH_CHECKSUM: signed only */
	SECMSG_SEL_PLAIN,	/* no flags: encrypted when sealing */
};

static const struct {
	int err;
	enum secmsg_counter counter;
} secmsg_verdicts[SECMSG_VERDICT_MAX + 1] = {
	[SECMSG_VERDICT_ALTERED] = { -EBADMSG, SECMSG_CNT_ALTERED },
	[SECMSG_VERDICT_REPLAYED] = { -EALREADY, SECMSG_CNT_REPLAYED },
	[SECMSG_VERDICT_TOO_OLD] = { -ESTALE, SECMSG_CNT_TOO_OLD },
	[SECMSG_VERDICT_OUT_OF_SEQUENCE] = { -EILSEQ,
					     SECMSG_CNT_OUT_OF_SEQUENCE },
	[SECMSG_VERDICT_EXPIRED] = { -EKEYEXPIRED, SECMSG_CNT_EXPIRED },
	[SECMSG_VERDICT_BAD_TOKEN] = { -EPROTO, SECMSG_CNT_BAD_TOKEN },
	[SECMSG_VERDICT_BUFFER_TOO_SMALL] = { -ENOBUFS, SECMSG_CNT_OTHER },
	[SECMSG_VERDICT_INCOMPLETE_MESSAGE] = { -ENODATA, SECMSG_CNT_OTHER },
	[SECMSG_VERDICT_QOP_NOT_SUPPORTED] = { -EOPNOTSUPP, SECMSG_CNT_OTHER },
	[SECMSG_VERDICT_INCOMPLETE_CONTEXT] = { -ENOTCONN, SECMSG_CNT_OTHER },
	[SECMSG_VERDICT_REVOKED] = { -EKEYREVOKED, SECMSG_CNT_REVOKED },
};

/* Record a verdict in @m, count it, and return its errno. */
static int secmsg_fail(struct secmsg_work *w, struct secmsg_message *m,
		       u32 verdict, u32 needed, u32 index)
{
	m->verdict = verdict;
	m->needed = needed;
	m->index = index;
	secmsg_ctx_count(w->ctx, secmsg_verdicts[verdict].counter);
	return secmsg_verdicts[verdict].err;
}

static int secmsg_fail_v(struct secmsg_work *w, struct secmsg_message *m,
			 u32 verdict)
{
	return secmsg_fail(w, m, verdict, 0, SECMSG_NO_INDEX);
}

static bool secmsg_op_sends(unsigned int op)
{
	return op == SECMSG_OP_SIGN || op == SECMSG_OP_SEAL;
}

/**
 * secmsg_work_get() - a work area for one call on a context
 * @ctx: the context
 * @op:  SECMSG_OP_*; chooses the direction's transform
 *
 * Takes the context's spare work area if no other call holds it, else
 * allocates one.  Layout: this struct, the AEAD request (CRYPTO_MINALIGN
 * aligned) and the bounce room (aligned for DMA, apart from the request).
 *
 * Return: the work area, or NULL.
 */
static struct secmsg_work *secmsg_work_get(struct secmsg_ctx *ctx,
					   unsigned int op)
{
	struct crypto_aead *tfm = secmsg_op_sends(op) ? ctx->tx.tfm :
							ctx->rx.tfm;
	size_t req_off = ALIGN(sizeof(struct secmsg_work), CRYPTO_MINALIGN);
	size_t small_off, size;
	struct secmsg_work *w;

	/* Both directions' requests must fit: their drivers may differ. */
	small_off = req_off + sizeof(struct aead_request) +
		    max(crypto_aead_reqsize(ctx->tx.tfm),
			crypto_aead_reqsize(ctx->rx.tfm));
	small_off = ALIGN(small_off, ARCH_KMALLOC_MINALIGN);
	size = max_t(size_t, SECMSG_WORK_SIZE, small_off + SECMSG_SMALL_MIN);

	w = xchg(&ctx->spare_work, NULL);
	if (w && w->size != size) {
		kfree_sensitive(w);
		w = NULL;
	}
	if (!w) {
		w = kmalloc(size, GFP_KERNEL_ACCOUNT);
		if (!w)
			return NULL;
		w->size = size;
		w->req = (void *)w + req_off;
		w->small = (u8 *)w + small_off;
		w->small_len = size - small_off;
	}
	w->ctx = ctx;
	w->kbuf = NULL;
	aead_request_set_tfm(w->req, tfm);
	w->bounce = NULL;
	w->sg = NULL;
	w->aad = NULL;
	w->wipe = false;
	w->pages = NULL;
	w->npinned = 0;
	w->usg = NULL;
	return w;
}

/* Give the work area back as the context's spare, or free it. */
static void secmsg_work_put(struct secmsg_work *w)
{
	struct secmsg_ctx *ctx = w->ctx;

	if (cmpxchg(&ctx->spare_work, NULL, w))
		kfree_sensitive(w);
}

/**
 * secmsg_msg_ctx_free() - free a context's spare work area
 * @ctx: the context, being released
 *
 * Wipes the request context (driver state) and the bounce room.
 */
void secmsg_msg_ctx_free(struct secmsg_ctx *ctx)
{
	kfree_sensitive(ctx->spare_work);
	ctx->spare_work = NULL;
}

static int secmsg_bounce_alloc(struct secmsg_work *w, size_t len)
{
	if (len <= w->small_len) {
		w->bounce = w->small;
	} else {
		w->bounce = kvmalloc(len, GFP_KERNEL_ACCOUNT);
		if (!w->bounce)
			return -ENOMEM;
	}
	w->bounce_len = len;
	return 0;
}

/**
 * secmsg_bounce_sg() - the scatterlist of the bounce buffer
 * @w:        work area with its bounce buffer
 * @assoclen: bytes of AAD at its start
 *
 * Linear memory takes one entry (sg_init_one() needs the linear map).  A
 * vmalloc()ed buffer is described page by page, except that AAD which
 * would span pages is first copied into one linear buffer of its own: some
 * drivers (6.1's gcm-aesni) otherwise kmalloc() a linear copy themselves,
 * which WARNs above KMALLOC_MAX_SIZE.  The AEAD never writes the AAD, so
 * the copy needs no copying back.
 *
 * Return: 0, -ENOMEM, or -EMSGSIZE for AAD above KMALLOC_MAX_SIZE.
 */
static int secmsg_bounce_sg(struct secmsg_work *w, unsigned int assoclen)
{
	size_t skip = 0, rem = w->bounce_len;
	u8 *p = w->bounce;
	struct scatterlist *sg;
	unsigned int n, i;
	int err;

	if (w->sg)
		return 0;	/* set up before the sequence number was taken */
	if (assoclen > KMALLOC_MAX_SIZE)
		return -EMSGSIZE;
	if (!is_vmalloc_addr(p)) {
		sg_init_one(&w->sg_one, p, rem);
		w->sg = &w->sg_one;
		return 0;
	}

	if (offset_in_page(p) + assoclen > PAGE_SIZE) {
		w->aad = kmemdup(p, assoclen, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (!w->aad)
			return -ENOMEM;
		skip = assoclen;
	}
	p += skip;
	rem -= skip;
	n = DIV_ROUND_UP(offset_in_page(p) + rem, PAGE_SIZE) + !!skip;
	err = sg_alloc_table(&w->sgt, n, GFP_KERNEL_ACCOUNT);
	if (err)
		return err;
	w->sg = w->sgt.sgl;
	for_each_sg(w->sgt.sgl, sg, n, i) {
		unsigned int off = offset_in_page(p);
		unsigned int chunk = min_t(size_t, PAGE_SIZE - off, rem);

		if (!i && skip) {
			sg_set_buf(sg, w->aad, skip);
			continue;
		}
		sg_set_page(sg, vmalloc_to_page(p), chunk, off);
		p += chunk;
		rem -= chunk;
	}
	return 0;
}

/* A range of user memory to pin. */
struct secmsg_range {
	u64 ptr;
	u32 len;
};

static unsigned int secmsg_range_pages(const struct secmsg_range *r)
{
	return DIV_ROUND_UP(offset_in_page((unsigned long)r->ptr) + (u64)r->len,
			    PAGE_SIZE);
}

/**
 * secmsg_pin() - pin user ranges and describe them for the AEAD
 * @w:     work area; @w->edge receives the header and tag around the data
 * @r:     the ranges, in order, none empty
 * @nr:    their number
 *
 * Sets up @w->usg as [@w->edge header 16 | the ranges' pages | @w->edge tag
 * 16].  The header is an entry of its own, so drivers that want the AAD
 * linear (6.1's gcm-aesni) find it in the first entry.  Whatever was
 * pinned or allocated, also on error, is released by secmsg_unpin().
 *
 * Return: 0, -ENOMEM, or -EFAULT if a range cannot be pinned whole.
 */
static int secmsg_pin(struct secmsg_work *w, const struct secmsg_range *r,
		      unsigned int nr)
{
	unsigned int npages = 0, i;
	struct scatterlist *sg;
	int err;

	for (i = 0; i < nr; i++)
		npages += secmsg_range_pages(&r[i]);
	if (WARN_ON_ONCE(npages > SECMSG_PIN_MAX_PAGES))
		return -EMSGSIZE;
	w->pages = kvmalloc_array(npages, sizeof(*w->pages),
				  GFP_KERNEL_ACCOUNT);
	if (!w->pages)
		return -ENOMEM;
	err = sg_alloc_table(&w->usgt, npages + 2, GFP_KERNEL_ACCOUNT);
	if (err)
		return err;
	w->usg = w->usgt.sgl;

	sg = w->usg;
	sg_set_buf(sg, w->edge, SECMSG_HDR_SIZE);
	for (i = 0; i < nr; i++) {
		unsigned long start = r[i].ptr;
		unsigned int off = offset_in_page(start);
		unsigned int n = secmsg_range_pages(&r[i]);
		struct page **pages = w->pages + w->npinned;
		u32 rem = r[i].len;
		unsigned int j;
		int got;

		/* Only read: the AEAD writes its output to kernel memory. */
		got = pin_user_pages_fast(start - off, n, 0, pages);
		if (got > 0)
			w->npinned += got;
		if (got != n)
			return got == -ENOMEM ? -ENOMEM : -EFAULT;
		for (j = 0; j < n; j++) {
			unsigned int chunk = min_t(u32, PAGE_SIZE - off, rem);

			sg = sg_next(sg);
			sg_set_page(sg, pages[j], chunk, off);
			rem -= chunk;
			off = 0;
		}
	}
	sg = sg_next(sg);
	sg_set_buf(sg, w->edge + SECMSG_HDR_SIZE, SECMSG_TAG_SIZE);
	return 0;
}

/* Release what secmsg_pin() set up; the AEAD is done with it. */
static void secmsg_unpin(struct secmsg_work *w)
{
	if (w->usg) {
		sg_free_table(&w->usgt);
		w->usg = NULL;
	}
	if (w->npinned) {
		unpin_user_pages(w->pages, w->npinned);
		w->npinned = 0;
	}
	kvfree(w->pages);
	w->pages = NULL;
}

/*
 * Wipe the bounce buffer if it may hold plaintext of a sealed message.
 * Signed-only data, ciphertext, headers and tags travel in the clear.
 */
static void secmsg_bounce_free(struct secmsg_work *w)
{
	secmsg_unpin(w);
	if (w->sg && w->sg == w->sgt.sgl)
		sg_free_table(&w->sgt);
	w->sg = NULL;
	kfree(w->aad);
	w->aad = NULL;
	if (w->bounce == w->small) {
		if (w->wipe)
			memzero_explicit(w->small, w->bounce_len);
	} else if (w->wipe) {
		kvfree_sensitive(w->bounce, w->bounce_len);
	} else {
		kvfree(w->bounce);
	}
	w->bounce = NULL;
	w->wipe = false;
}

static bool secmsg_selected(const struct secmsg_buffer *b,
			    enum secmsg_sel sel)
{
	if (b->type != SECMSG_BUF_DATA || b->flags == SECMSG_BUF_READONLY)
		return false;
	switch (sel) {
	case SECMSG_SEL_RWC:
		return b->flags == SECMSG_BUF_READONLY_WITH_CHECKSUM;
	case SECMSG_SEL_PLAIN:
		return !b->flags;
	default:
		return true;
	}
}

/*
 * Buffer memory.  A user message's buffers are user memory; a kernel
 * message's are kernel memory (kvec form, its address in @p.buf[i].ptr)
 * or part of a scatterlist.  The engine reads and writes buffer bytes
 * only through these two, so both kinds go through the same code.  A
 * scatterlist's length was checked against the access beforehand
 * (secmsg_kbuf_check()); a short copy still fails cleanly.
 */
static int secmsg_buf_read(const struct secmsg_work *w, unsigned int i,
			   u32 off, void *dst, u32 len)
{
	const struct secmsg_kbuffer *kb;

	if (likely(!w->kbuf))
		return copy_from_user(dst, u64_to_user_ptr(w->p.buf[i].ptr + off),
				      len) ? -EFAULT : 0;
	kb = &w->kbuf[i];
	if (!kb->sg) {
		memcpy(dst, kb->base + off, len);
		return 0;
	}
	if (sg_pcopy_to_buffer(kb->sg, sg_nents(kb->sg), dst, len,
			       (size_t)kb->offset + off) != len)
		return -EFAULT;
	return 0;
}

static int secmsg_buf_write(const struct secmsg_work *w, unsigned int i,
			    u32 off, const void *src, size_t len)
{
	const struct secmsg_kbuffer *kb;

	if (likely(!w->kbuf))
		return copy_to_user(u64_to_user_ptr(w->p.buf[i].ptr + off), src,
				    len) ? -EFAULT : 0;
	kb = &w->kbuf[i];
	if (!kb->sg) {
		memcpy(kb->base + off, src, len);
		return 0;
	}
	if (sg_pcopy_from_buffer(kb->sg, sg_nents(kb->sg), src, len,
				 (size_t)kb->offset + off) != len)
		return -EFAULT;
	return 0;
}

/* Copy the selected DATA buffers, in order, to @dst. */
static int secmsg_gather(const struct secmsg_work *w, enum secmsg_sel sel,
			 u8 *dst)
{
	const struct secmsg_parsed *p = &w->p;
	unsigned int i;

	for (i = 0; i < p->nbuf; i++) {
		const struct secmsg_buffer *b = &p->buf[i];

		if (!secmsg_selected(b, sel) || !b->len)
			continue;
		if (secmsg_buf_read(w, i, 0, dst, b->len))
			return -EFAULT;
		dst += b->len;
	}
	return 0;
}

/* Copy @src back to the selected DATA buffers, in order. */
static int secmsg_scatter(const struct secmsg_work *w, enum secmsg_sel sel,
			  const u8 *src)
{
	const struct secmsg_parsed *p = &w->p;
	unsigned int i;

	for (i = 0; i < p->nbuf; i++) {
		const struct secmsg_buffer *b = &p->buf[i];

		if (!secmsg_selected(b, sel) || !b->len)
			continue;
		if (secmsg_buf_write(w, i, 0, src, b->len))
			return -EFAULT;
		src += b->len;
	}
	return 0;
}

/* The bytes of buffer @i the call reads or writes. */
static u32 secmsg_accessed_len(const struct secmsg_parsed *p, unsigned int i)
{
	const struct secmsg_buffer *b = &p->buf[i];

	switch (b->type) {
	case SECMSG_BUF_TOKEN:
		return min_t(u32, b->len, SECMSG_TOKEN_SIZE);
	case SECMSG_BUF_STREAM_HEADER:
	case SECMSG_BUF_STREAM_TRAILER:
		return min_t(u32, b->len, SECMSG_HDR_SIZE);
	case SECMSG_BUF_STREAM:
		return b->len;
	case SECMSG_BUF_DATA:
		/* A stream UNSEAL's DATA is only pointed, never accessed. */
		if (p->stream >= 0 || b->flags == SECMSG_BUF_READONLY)
			return 0;
		return b->len;
	default:
		return 0;
	}
}

/* No two accessed byte ranges may overlap (in-place work would be
 * ill-defined); a range that wraps the address space cannot be valid.
 */
static int secmsg_check_overlap(struct secmsg_parsed *p)
{
	u64 *start = p->start, *end = p->end;
	unsigned int i, j, n = 0;

	for (i = 0; i < p->nbuf; i++) {
		u32 len = secmsg_accessed_len(p, i);
		u64 s = p->buf[i].ptr, e;

		/* Scatterlists have no address to compare: the caller's. */
		if (!len || (p->sgmask & BIT(i)))
			continue;
		if (check_add_overflow(s, (u64)len, &e))
			return -EFAULT;
		for (j = 0; j < n; j++)
			if (s < end[j] && start[j] < e)
				return -EINVAL;
		start[n] = s;
		end[n] = e;
		n++;
	}
	return 0;
}

static bool secmsg_has_flagged_data(const struct secmsg_parsed *p)
{
	unsigned int i;

	for (i = 0; i < p->nbuf; i++)
		if (p->buf[i].type == SECMSG_BUF_DATA && p->buf[i].flags)
			return true;
	return false;
}

/**
 * secmsg_parse() - check a buffer list against the layouts of an operation
 * @p:  the buffer list, with @p->buf and @p->nbuf filled in
 * @op: SECMSG_OP_*
 *
 * Return: 0, -EINVAL for a bad type, flag, reserved field, layout or
 * overlap, -EMSGSIZE if more than SECMSG_MAX_MESSAGE bytes are covered
 * or more than SECMSG_MAX_SIGNED signed only,
 * -EFAULT for a range that wraps.
 */
static int secmsg_parse(struct secmsg_parsed *p, unsigned int op)
{
	unsigned int i, ndata = 0;
	u64 rwc = 0, plain = 0, covered;

	p->token = -1;
	p->header = -1;
	p->trailer = -1;
	p->padding = -1;
	p->stream = -1;
	p->data = -1;

	for (i = 0; i < p->nbuf; i++) {
		const struct secmsg_buffer *b = &p->buf[i];
		int *slot = NULL;

		if (b->reserved || (b->flags && b->type != SECMSG_BUF_DATA))
			return -EINVAL;
		switch (b->type) {
		case SECMSG_BUF_EMPTY:
			break;
		case SECMSG_BUF_DATA:
			if (b->flags == SECMSG_BUF_READONLY_WITH_CHECKSUM)
				rwc += b->len;
			else if (!b->flags)
				plain += b->len;
			else if (b->flags != SECMSG_BUF_READONLY)
				return -EINVAL;
			p->data = i;
			ndata++;
			break;
		case SECMSG_BUF_TOKEN:
			slot = &p->token;
			break;
		case SECMSG_BUF_PADDING:
			if (op == SECMSG_OP_SIGN || op == SECMSG_OP_VERIFY)
				return -EINVAL;
			slot = &p->padding;
			break;
		case SECMSG_BUF_STREAM_HEADER:
			if (op != SECMSG_OP_SEAL)
				return -EINVAL;
			slot = &p->header;
			break;
		case SECMSG_BUF_STREAM_TRAILER:
			if (op != SECMSG_OP_SEAL)
				return -EINVAL;
			slot = &p->trailer;
			break;
		case SECMSG_BUF_STREAM:
			if (op != SECMSG_OP_UNSEAL)
				return -EINVAL;
			slot = &p->stream;
			break;
		default:
			return -EINVAL;
		}
		if (slot) {
			if (*slot >= 0)
				return -EINVAL;
			*slot = i;
		}
	}

	if (p->stream >= 0) {
		/* UNSEAL stream form: STREAM, one plain DATA (out), EMPTY* */
		u32 len = p->buf[p->stream].len;

		if (p->token >= 0 || p->padding >= 0 || ndata != 1 ||
		    p->buf[p->data].flags)
			return -EINVAL;
		covered = len > SECMSG_TOKEN_SIZE ? len - SECMSG_TOKEN_SIZE : 0;
		rwc = 0;
		plain = 0;
	} else if (p->header >= 0 || p->trailer >= 0) {
		/*
		 * SEAL stream form: STREAM_HEADER, DATA*, STREAM_TRAILER.
		 * The receiver sees one stream, so every DATA buffer is
		 * part of it, the same way: no flags.
		 */
		if (p->header < 0 || p->trailer < 0 ||
		    p->token >= 0 || p->padding >= 0 ||
		    secmsg_has_flagged_data(p))
			return -EINVAL;
		covered = rwc + plain;
	} else {
		/* token form */
		if (p->token < 0)
			return -EINVAL;
		covered = rwc + plain;
	}
	if (covered > SECMSG_MAX_MESSAGE)
		return -EMSGSIZE;
	/* A sign-only wrap's data is checked once its kind is known. */
	if ((op == SECMSG_OP_SIGN || op == SECMSG_OP_VERIFY ? rwc + plain :
	     rwc) > SECMSG_MAX_SIGNED)
		return -EMSGSIZE;
	p->rwc_len = rwc;
	p->plain_len = plain;
	return secmsg_check_overlap(p);
}

/* Header as this side sends it. */
static void secmsg_hdr_build(const struct secmsg_ctx *ctx, u8 *h, u16 id,
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
 * secmsg_bounce_sg() and secmsg_pin() set up before the number was known.
 */
static void secmsg_hdr_set(struct secmsg_work *w, u16 id, bool sealed,
			   u64 seq)
{
	secmsg_hdr_build(w->ctx, w->bounce, id, sealed, seq);
	if (w->aad)
		memcpy(w->aad, w->bounce, SECMSG_HDR_SIZE);
	if (w->usg)
		memcpy(w->edge, w->bounce, SECMSG_HDR_SIZE);
}

/**
 * secmsg_hdr_parse() - check a received header's fixed fields
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
static bool secmsg_hdr_parse(const struct secmsg_ctx *ctx, const u8 *h,
			     u16 id, bool *sealed, u64 *seq)
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

/* One AEAD operation over the bounce buffer and/or the pinned pages. */
static int secmsg_run(struct secmsg_work *w, bool encrypt, u64 seq,
		      unsigned int assoclen, unsigned int cryptlen)
{
	const struct secmsg_ctx *ctx = w->ctx;
	int err;

	if (w->bounce) {
		err = secmsg_bounce_sg(w, assoclen);
		if (err)
			return err;
	}
	secmsg_crypto_nonce(w->nonce, encrypt ? &ctx->tx : &ctx->rx, seq);
	/* In place over the bounce buffer, or from pinned pages into it. */
	return secmsg_crypto_run(w->req, w->usg ?: w->sg, w->sg ?: w->usg,
				 encrypt, assoclen, cryptlen, w->nonce);
}

/* Decrypt/verify, then the replay window: in that order, always. */
static int secmsg_open(struct secmsg_work *w, struct secmsg_message *m,
		       u64 seq, unsigned int assoclen, unsigned int cryptlen)
{
	u32 verdict;
	int err;

	err = secmsg_run(w, false, seq, assoclen, cryptlen);
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

/* Write back buffer @i's len. */
static int secmsg_put_len(struct secmsg_work *w, int i, u32 len)
{
	if (w->kbuf) {
		w->kbuf[i].len = len;
		return 0;
	}
	return put_user(len, &w->ubuf[i].len) ? -EFAULT : 0;
}

/* Point buffer @i at buffer @from's bytes from @off on (UNSEAL stream). */
static int secmsg_put_ptr(struct secmsg_work *w, int i, int from, u32 off)
{
	struct secmsg_kbuffer *kb;

	if (!w->kbuf)
		return put_user(w->p.buf[from].ptr + off, &w->ubuf[i].ptr) ?
		       -EFAULT : 0;
	kb = &w->kbuf[i];
	kb->sg = w->kbuf[from].sg;
	kb->base = kb->sg ? NULL : w->kbuf[from].base + off;
	kb->offset = kb->sg ? w->kbuf[from].offset + off : 0;
	return 0;
}

/* Token form: header || tag, written to the TOKEN buffer. */
static int secmsg_put_token(struct secmsg_work *w, const u8 *hdr,
			    const u8 *tag)
{
	u8 token[SECMSG_TOKEN_SIZE];

	memcpy(token, hdr, SECMSG_HDR_SIZE);
	memcpy(token + SECMSG_HDR_SIZE, tag, SECMSG_TAG_SIZE);
	if (secmsg_buf_write(w, w->p.token, 0, token, sizeof(token)))
		return -EFAULT;
	return secmsg_put_len(w, w->p.token, SECMSG_TOKEN_SIZE);
}

static int secmsg_sign(struct secmsg_work *w, struct secmsg_message *m)
{
	const struct secmsg_parsed *p = &w->p;
	u32 dlen = p->rwc_len + p->plain_len;
	u64 seq;
	int err;

	if (m->qop != SECMSG_QOP_DEFAULT)
		return secmsg_fail_v(w, m, SECMSG_VERDICT_QOP_NOT_SUPPORTED);
	if (p->buf[p->token].len < SECMSG_TOKEN_SIZE)
		return secmsg_fail(w, m, SECMSG_VERDICT_BUFFER_TOO_SMALL,
				   SECMSG_TOKEN_SIZE, p->token);

	err = secmsg_bounce_alloc(w, SECMSG_HDR_SIZE + dlen + SECMSG_TAG_SIZE);
	if (err)
		return err;
	err = secmsg_gather(w, SECMSG_SEL_ALL, w->bounce + SECMSG_HDR_SIZE);
	if (!err)
		err = secmsg_bounce_sg(w, SECMSG_HDR_SIZE + dlen);
	if (err)
		return err;

	/* Take the number last, once nothing but the AEAD can fail. */
	if (!secmsg_ctx_take_seq(w->ctx, &seq))
		return secmsg_fail_v(w, m, SECMSG_VERDICT_EXPIRED);
	secmsg_hdr_set(w, SECMSG_TOK_SIGN, false, seq);
	err = secmsg_run(w, true, seq, SECMSG_HDR_SIZE + dlen, 0);
	if (err) {
		secmsg_ctx_untake_seq(w->ctx, seq);
		return err;
	}

	err = secmsg_put_token(w, w->bounce,
			       w->bounce + SECMSG_HDR_SIZE + dlen);
	if (err)
		return err;
	m->seq = seq;
	secmsg_ctx_count(w->ctx, SECMSG_CNT_SIGNED);
	return 0;
}

/* SEAL's output buffers must hold what they receive; the first (by index)
 * that cannot is reported.
 */
static int secmsg_seal_room(struct secmsg_work *w, struct secmsg_message *m)
{
	const struct secmsg_parsed *p = &w->p;
	int first, second;

	if (p->token >= 0) {
		if (p->buf[p->token].len < SECMSG_TOKEN_SIZE)
			return secmsg_fail(w, m,
					   SECMSG_VERDICT_BUFFER_TOO_SMALL,
					   SECMSG_TOKEN_SIZE, p->token);
		return 0;
	}
	first = min(p->header, p->trailer);
	second = max(p->header, p->trailer);
	if (p->buf[first].len < SECMSG_HDR_SIZE)
		return secmsg_fail(w, m, SECMSG_VERDICT_BUFFER_TOO_SMALL,
				   SECMSG_HDR_SIZE, first);
	if (p->buf[second].len < SECMSG_HDR_SIZE)
		return secmsg_fail(w, m, SECMSG_VERDICT_BUFFER_TOO_SMALL,
				   SECMSG_HDR_SIZE, second);
	return 0;
}

static int secmsg_seal_put_token(struct secmsg_work *w, bool sealed,
				 u32 aad, u32 text)
{
	const struct secmsg_parsed *p = &w->p;
	int err;

	if (sealed) {
		err = secmsg_scatter(w, SECMSG_SEL_PLAIN, w->bounce + aad);
		if (err)
			return err;
	}
	err = secmsg_put_token(w, w->bounce, w->bounce + aad + text);
	if (!err && p->padding >= 0)
		err = secmsg_put_len(w, p->padding, 0);
	return err;
}

/*
 * Whether the user's stream buffers are the usual contiguous stream, in
 * which case the bounce buffer is the stream and goes back in one copy.
 */
static bool secmsg_stream_contiguous(const struct secmsg_parsed *p,
				     bool sealed)
{
	u64 next = p->buf[p->header].ptr + SECMSG_HDR_SIZE;
	unsigned int i;

	/* Scatterlists have no address to compare. */
	if (!sealed || p->rwc_len || p->sgmask)
		return false;
	for (i = 0; i < p->nbuf; i++) {
		const struct secmsg_buffer *b = &p->buf[i];

		if (!secmsg_selected(b, SECMSG_SEL_PLAIN) || !b->len)
			continue;
		if (b->ptr != next)
			return false;
		next += b->len;
	}
	return next == p->buf[p->trailer].ptr;
}

static int secmsg_seal_put_stream(struct secmsg_work *w, bool sealed,
				  u32 aad, u32 text)
{
	const struct secmsg_parsed *p = &w->p;
	int err;

	if (secmsg_stream_contiguous(p, sealed)) {
		/* The header buffer's address is the whole stream's. */
		if (secmsg_buf_write(w, p->header, 0, w->bounce,
				     w->bounce_len))
			return -EFAULT;
	} else {
		if (sealed) {
			err = secmsg_scatter(w, SECMSG_SEL_PLAIN,
					     w->bounce + aad);
			if (err)
				return err;
		}
		if (secmsg_buf_write(w, p->header, 0, w->bounce,
				     SECMSG_HDR_SIZE) ||
		    secmsg_buf_write(w, p->trailer, 0, w->bounce + aad + text,
				     SECMSG_TAG_SIZE))
			return -EFAULT;
	}
	err = secmsg_put_len(w, p->header, SECMSG_HDR_SIZE);
	if (!err)
		err = secmsg_put_len(w, p->trailer, SECMSG_TAG_SIZE);
	return err;
}

/* The non-empty plain DATA buffers, in order; returns their number. */
static unsigned int secmsg_plain_ranges(const struct secmsg_parsed *p,
					struct secmsg_range *r)
{
	unsigned int i, n = 0;

	for (i = 0; i < p->nbuf; i++) {
		const struct secmsg_buffer *b = &p->buf[i];

		if (!secmsg_selected(b, SECMSG_SEL_PLAIN) || !b->len)
			continue;
		r[n].ptr = b->ptr;
		r[n].len = b->len;
		n++;
	}
	return n;
}

/* Whether a sealed message's data goes through pinned pages. */
static bool secmsg_use_pins(const struct secmsg_work *w, u32 text)
{
	/* Kernel memory needs no pinning: always the bounce path. */
	return !w->p.rwc_len && text >= SECMSG_PIN_MIN && !w->kbuf;
}

static int secmsg_seal(struct secmsg_work *w, struct secmsg_message *m)
{
	const struct secmsg_parsed *p = &w->p;
	u32 dlen = p->rwc_len + p->plain_len;
	struct secmsg_range r[SECMSG_MAX_BUFFERS];
	bool sealed, pinned;
	u32 aad, text;
	u64 seq;
	int err;

	if (m->qop == SECMSG_QOP_DEFAULT &&
	    (w->ctx->flags & SECMSG_CTX_CONFIDENTIALITY))
		sealed = true;
	else if (m->qop == SECMSG_QOP_WRAP_NO_ENCRYPT)
		sealed = false;
	else
		return secmsg_fail_v(w, m, SECMSG_VERDICT_QOP_NOT_SUPPORTED);
	if (!sealed && dlen > SECMSG_MAX_SIGNED)
		return -EMSGSIZE;
	err = secmsg_seal_room(w, m);
	if (err)
		return err;

	aad = SECMSG_HDR_SIZE + (sealed ? p->rwc_len : dlen);
	text = sealed ? p->plain_len : 0;
	pinned = sealed && secmsg_use_pins(w, text);
	err = secmsg_bounce_alloc(w, SECMSG_HDR_SIZE + dlen + SECMSG_TAG_SIZE);
	if (err)
		return err;
	if (pinned) {
		/* Encrypt from the pinned pages: the plaintext is not copied. */
		err = secmsg_pin(w, r, secmsg_plain_ranges(p, r));
	} else if (sealed) {
		w->wipe = true;
		err = secmsg_gather(w, SECMSG_SEL_RWC,
				    w->bounce + SECMSG_HDR_SIZE);
		if (!err)
			err = secmsg_gather(w, SECMSG_SEL_PLAIN,
					    w->bounce + aad);
	} else {
		err = secmsg_gather(w, SECMSG_SEL_ALL,
				    w->bounce + SECMSG_HDR_SIZE);
	}
	if (!err)
		err = secmsg_bounce_sg(w, aad);
	if (err)
		return err;

	if (!secmsg_ctx_take_seq(w->ctx, &seq))
		return secmsg_fail_v(w, m, SECMSG_VERDICT_EXPIRED);
	secmsg_hdr_set(w, SECMSG_TOK_WRAP, sealed, seq);
	err = secmsg_run(w, true, seq, aad, text);
	if (err) {
		secmsg_ctx_untake_seq(w->ctx, seq);
		return err;
	}
	/* Only ciphertext is left where the plaintext was. */
	w->wipe = false;

	if (p->token >= 0)
		err = secmsg_seal_put_token(w, sealed, aad, text);
	else
		err = secmsg_seal_put_stream(w, sealed, aad, text);
	if (err)
		return err;
	m->seq = seq;
	secmsg_ctx_count(w->ctx, SECMSG_CNT_SEALED);
	return 0;
}

static int secmsg_verify(struct secmsg_work *w, struct secmsg_message *m)
{
	const struct secmsg_parsed *p = &w->p;
	const struct secmsg_buffer *tok = &p->buf[p->token];
	u32 dlen = p->rwc_len + p->plain_len;
	u8 token[SECMSG_TOKEN_SIZE];
	bool sealed;
	u64 seq;
	int err;

	if (tok->len < SECMSG_TOKEN_SIZE)
		return secmsg_fail_v(w, m, SECMSG_VERDICT_BAD_TOKEN);
	if (secmsg_buf_read(w, p->token, 0, token, sizeof(token)))
		return -EFAULT;
	if (!secmsg_hdr_parse(w->ctx, token, SECMSG_TOK_SIGN, &sealed, &seq))
		return secmsg_fail_v(w, m, SECMSG_VERDICT_ALTERED);

	err = secmsg_bounce_alloc(w, SECMSG_HDR_SIZE + dlen + SECMSG_TAG_SIZE);
	if (err)
		return err;
	memcpy(w->bounce, token, SECMSG_HDR_SIZE);
	err = secmsg_gather(w, SECMSG_SEL_ALL, w->bounce + SECMSG_HDR_SIZE);
	if (err)
		return err;
	memcpy(w->bounce + SECMSG_HDR_SIZE + dlen, token + SECMSG_HDR_SIZE,
	       SECMSG_TAG_SIZE);

	err = secmsg_open(w, m, seq, SECMSG_HDR_SIZE + dlen, SECMSG_TAG_SIZE);
	if (err)
		return err;
	m->qop = SECMSG_QOP_DEFAULT;
	secmsg_ctx_count(w->ctx, SECMSG_CNT_VERIFIED);
	return 0;
}

/*
 * UNSEAL of a large sealed message whose AAD is the header alone, with the
 * ranges already pinned (secmsg_pin()) and @w->edge holding the received
 * header and tag: decrypt from the user's pages into the bounce buffer
 * (whose first 16 bytes the AEAD skips), then check the tag and the replay
 * window as ever.  The caller copies the plaintext out only on success;
 * the user's buffers are not written before.
 */
static int secmsg_unseal_pinned(struct secmsg_work *w,
				struct secmsg_message *m, u64 seq, u32 text)
{
	int err;

	err = secmsg_bounce_alloc(w, SECMSG_HDR_SIZE + text + SECMSG_TAG_SIZE);
	if (err)
		return err;
	/* Decrypted, verified or not: wipe it in any case. */
	w->wipe = true;
	memcpy(w->bounce, w->edge, SECMSG_HDR_SIZE);
	err = secmsg_open(w, m, seq, SECMSG_HDR_SIZE,
			  text + SECMSG_TAG_SIZE);
	if (err)
		return err;
	secmsg_unpin(w);
	return 0;
}

static int secmsg_unseal_token(struct secmsg_work *w,
			       struct secmsg_message *m)
{
	const struct secmsg_parsed *p = &w->p;
	const struct secmsg_buffer *tok = &p->buf[p->token];
	u32 dlen = p->rwc_len + p->plain_len;
	u8 token[SECMSG_TOKEN_SIZE];
	u32 aad, text;
	bool sealed;
	u64 seq;
	int err;

	if (tok->len < SECMSG_TOKEN_SIZE)
		return secmsg_fail_v(w, m, SECMSG_VERDICT_BAD_TOKEN);
	if (secmsg_buf_read(w, p->token, 0, token, sizeof(token)))
		return -EFAULT;
	if (!secmsg_hdr_parse(w->ctx, token, SECMSG_TOK_WRAP, &sealed, &seq))
		return secmsg_fail_v(w, m, SECMSG_VERDICT_ALTERED);

	/* The (authenticated) SEALED flag decides the layout. */
	if (!sealed && dlen > SECMSG_MAX_SIGNED)
		return -EMSGSIZE;
	aad = SECMSG_HDR_SIZE + (sealed ? p->rwc_len : dlen);
	text = sealed ? p->plain_len : 0;
	if (sealed && secmsg_use_pins(w, text)) {
		struct secmsg_range r[SECMSG_MAX_BUFFERS];

		memcpy(w->edge, token, SECMSG_TOKEN_SIZE);
		err = secmsg_pin(w, r, secmsg_plain_ranges(p, r));
		if (!err)
			err = secmsg_unseal_pinned(w, m, seq, text);
		if (err)
			return err;
		goto out;
	}
	err = secmsg_bounce_alloc(w, SECMSG_HDR_SIZE + dlen + SECMSG_TAG_SIZE);
	if (err)
		return err;
	/* Decrypted in place, verified or not: wipe it in any case. */
	w->wipe = sealed;
	memcpy(w->bounce, token, SECMSG_HDR_SIZE);
	if (sealed) {
		err = secmsg_gather(w, SECMSG_SEL_RWC,
				    w->bounce + SECMSG_HDR_SIZE);
		if (!err)
			err = secmsg_gather(w, SECMSG_SEL_PLAIN,
					    w->bounce + aad);
	} else {
		err = secmsg_gather(w, SECMSG_SEL_ALL,
				    w->bounce + SECMSG_HDR_SIZE);
	}
	if (err)
		return err;
	memcpy(w->bounce + aad + text, token + SECMSG_HDR_SIZE,
	       SECMSG_TAG_SIZE);

	err = secmsg_open(w, m, seq, aad, text + SECMSG_TAG_SIZE);
	if (err)
		return err;
out:
	if (sealed) {
		err = secmsg_scatter(w, SECMSG_SEL_PLAIN, w->bounce + aad);
		if (err)
			return err;
	}
	m->qop = sealed ? SECMSG_QOP_DEFAULT : SECMSG_QOP_WRAP_NO_ENCRYPT;
	secmsg_ctx_count(w->ctx, SECMSG_CNT_UNSEALED);
	return 0;
}

static int secmsg_unseal_stream(struct secmsg_work *w,
				struct secmsg_message *m)
{
	const struct secmsg_parsed *p = &w->p;
	const struct secmsg_buffer *s = &p->buf[p->stream];
	u32 n, aad, text;
	bool sealed;
	u64 seq;
	int err;

	if (s->len < SECMSG_TOKEN_SIZE)
		return secmsg_fail(w, m, SECMSG_VERDICT_INCOMPLETE_MESSAGE,
				   SECMSG_TOKEN_SIZE, p->stream);
	n = s->len - SECMSG_TOKEN_SIZE;

	if (secmsg_use_pins(w, n)) {
		struct secmsg_range r = { s->ptr + SECMSG_HDR_SIZE, n };

		/* As the bounce path, read (pin) it all before parsing. */
		if (secmsg_buf_read(w, p->stream, 0, w->edge,
				    SECMSG_HDR_SIZE) ||
		    secmsg_buf_read(w, p->stream, SECMSG_HDR_SIZE + n,
				    w->edge + SECMSG_HDR_SIZE, SECMSG_TAG_SIZE))
			return -EFAULT;
		err = secmsg_pin(w, &r, 1);
		if (err)
			return err;
		if (!secmsg_hdr_parse(w->ctx, w->edge, SECMSG_TOK_WRAP,
				      &sealed, &seq))
			return secmsg_fail_v(w, m, SECMSG_VERDICT_ALTERED);
		if (sealed) {
			err = secmsg_unseal_pinned(w, m, seq, n);
			if (err)
				return err;
			goto out;
		}
		/* A sign-only wrap: its data is AAD, the bounce path's. */
		secmsg_unpin(w);
	}

	/* A stream is already laid out as the bounce buffer is. */
	err = secmsg_bounce_alloc(w, s->len);
	if (err)
		return err;
	if (secmsg_buf_read(w, p->stream, 0, w->bounce, s->len))
		return -EFAULT;
	if (!secmsg_hdr_parse(w->ctx, w->bounce, SECMSG_TOK_WRAP, &sealed,
			      &seq))
		return secmsg_fail_v(w, m, SECMSG_VERDICT_ALTERED);

	if (!sealed && n > SECMSG_MAX_SIGNED)
		return -EMSGSIZE;
	aad = SECMSG_HDR_SIZE + (sealed ? 0 : n);
	text = sealed ? n : 0;
	w->wipe = sealed;
	err = secmsg_open(w, m, seq, aad, text + SECMSG_TAG_SIZE);
	if (err)
		return err;
out:
	/* A sign-only wrap's data is plaintext already. */
	if (sealed && secmsg_buf_write(w, p->stream, SECMSG_HDR_SIZE,
				       w->bounce + SECMSG_HDR_SIZE, n))
		return -EFAULT;
	err = secmsg_put_ptr(w, p->data, p->stream, SECMSG_HDR_SIZE);
	if (err)
		return err;
	err = secmsg_put_len(w, p->data, n);
	if (err)
		return err;
	m->qop = sealed ? SECMSG_QOP_DEFAULT : SECMSG_QOP_WRAP_NO_ENCRYPT;
	secmsg_ctx_count(w->ctx, SECMSG_CNT_UNSEALED);
	return 0;
}

/*
 * Read a message's buffer list into @w->p: the user's array, or a kernel
 * message's (@w->kbuf), whose kvec buffers keep their kernel address in
 * ptr and whose scatterlist buffers are marked in @w->p.sgmask.
 */
static int secmsg_msg_load(struct secmsg_work *w,
			   const struct secmsg_message *m)
{
	unsigned int i;

	w->p.nbuf = m->nbuffers;
	w->p.sgmask = 0;
	if (likely(!w->kbuf)) {
		w->ubuf = u64_to_user_ptr(m->buffers);
		if (copy_from_user(w->p.buf, w->ubuf,
				   m->nbuffers * sizeof(struct secmsg_buffer)))
			return -EFAULT;
		return 0;
	}
	w->ubuf = NULL;
	for (i = 0; i < m->nbuffers; i++) {
		const struct secmsg_kbuffer *kb = &w->kbuf[i];
		struct secmsg_buffer *b = &w->p.buf[i];

		if ((kb->base && kb->sg) || (!kb->sg && kb->offset))
			return -EINVAL;
		b->type = kb->type;
		b->flags = kb->flags;
		b->ptr = (uintptr_t)kb->base;
		b->len = kb->len;
		b->reserved = 0;
		if (kb->sg)
			w->p.sgmask |= BIT(i);
	}
	return 0;
}

/*
 * A kernel message, parsed: every byte the call will access must exist,
 * as copy_from_user() would find for a user message (EFAULT), but before
 * anything is done.
 */
static int secmsg_kbuf_check(const struct secmsg_work *w)
{
	unsigned int i;

	for (i = 0; i < w->p.nbuf; i++) {
		const struct secmsg_kbuffer *kb = &w->kbuf[i];
		u32 len = secmsg_accessed_len(&w->p, i);

		if (!len)
			continue;
		if (kb->sg ? sg_nents_for_len(kb->sg, (u64)kb->offset + len) < 0 :
			     !kb->base)
			return -EFAULT;
	}
	return 0;
}

/**
 * secmsg_msg_process() - run one message
 * @w:  work area (context, request, bounce room); @w->kbuf set for a
 *      kernel message
 * @op: SECMSG_OP_*
 * @m:  the message, already checked by secmsg_msg_copy_in()
 *
 * Fills @m's out fields.  On success the buffers have been written.  This
 * is the one place every message, from user space or from the kernel,
 * passes on its way to the keys: the context's state is checked here.
 *
 * Return: 0; the errno of a verdict (@m->verdict says which); or another
 * negative errno, with @m->verdict SECMSG_VERDICT_OK and nothing written.
 */
static int secmsg_msg_process(struct secmsg_work *w, unsigned int op,
			      struct secmsg_message *m)
{
	int err;

	m->seq = 0;
	m->error = 0;
	m->verdict = SECMSG_VERDICT_OK;
	m->needed = 0;
	m->index = SECMSG_NO_INDEX;

	err = secmsg_msg_load(w, m);
	if (err)
		goto out;
	err = secmsg_parse(&w->p, op);
	if (!err && w->kbuf)
		err = secmsg_kbuf_check(w);
	if (err)
		goto out;

	if (secmsg_ctx_expired(w->ctx)) {
		err = secmsg_fail_v(w, m, secmsg_ctx_end_verdict(w->ctx));
		goto out;
	}
	switch (op) {
	case SECMSG_OP_SIGN:
		err = secmsg_sign(w, m);
		break;
	case SECMSG_OP_VERIFY:
		err = secmsg_verify(w, m);
		break;
	case SECMSG_OP_SEAL:
		err = secmsg_seal(w, m);
		break;
	default:
		if (w->p.stream >= 0)
			err = secmsg_unseal_stream(w, m);
		else
			err = secmsg_unseal_token(w, m);
		break;
	}
out:
	secmsg_bounce_free(w);
	m->error = err;
	return err;
}

/*
 * Read one message struct.  @expect is the batch's msg_size (every message
 * must have it), or 0 for a single call.
 */
static int secmsg_msg_copy_in(struct secmsg_message *m,
			      struct secmsg_message __user *umsg, u32 expect)
{
	u32 usize;
	int err;

	/* Before the copy, whose tail check would read the next message. */
	if (expect) {
		if (get_user(usize, &umsg->size))
			return -EFAULT;
		if (usize != expect)
			return -EINVAL;
	}
	err = secmsg_copy_struct(m, sizeof(*m), umsg, SECMSG_MESSAGE_SIZE_VER0,
				 NULL);
	if (err)
		return err;
	if (m->flags || !m->nbuffers || m->nbuffers > SECMSG_MAX_BUFFERS)
		return -EINVAL;
	return 0;
}

/*
 * A message on a context that is not complete: its verdict, decided
 * before any buffer is read (no work area: there are no transforms yet).
 * Revoked wins: that one is final.
 */
static int secmsg_msg_incomplete(struct secmsg_ctx *ctx,
				 struct secmsg_message *m)
{
	const u32 v = secmsg_ctx_revoked(ctx) ? SECMSG_VERDICT_REVOKED :
		      SECMSG_VERDICT_INCOMPLETE_CONTEXT;

	m->seq = 0;
	m->verdict = v;
	m->needed = 0;
	m->index = SECMSG_NO_INDEX;
	m->error = secmsg_verdicts[v].err;
	secmsg_ctx_count(ctx, secmsg_verdicts[v].counter);
	return m->error;
}

/* Write a message's out fields: always the result, qop when received. */
static int secmsg_msg_put_result(struct secmsg_message __user *umsg,
				 const struct secmsg_message *m,
				 unsigned int op)
{
	if (copy_to_user((u8 __user *)umsg + SECMSG_RESULT_OFFSET,
			 (const u8 *)m + SECMSG_RESULT_OFFSET,
			 SECMSG_RESULT_SIZE))
		return -EFAULT;
	if (!m->error && !secmsg_op_sends(op) && put_user(m->qop, &umsg->qop))
		return -EFAULT;
	return 0;
}

/**
 * secmsg_msg_one() - one message on a context, from user space or not
 * @ctx:  the context
 * @op:   SECMSG_OP_*
 * @m:    the message, well formed; its out fields are set
 * @kbuf: a kernel message's buffers, or NULL: @m->buffers is a user
 *        pointer
 *
 * The single-message path of the SIGN, VERIFY, SEAL and UNSEAL ioctls and
 * of the kernel API: the same checks, verdicts, counters and sequence
 * numbers for both.
 *
 * Return: as secmsg_msg_process(); @m->verdict is SECMSG_VERDICT_OK for
 * an errno that is no verdict's.
 */
static int secmsg_msg_one(struct secmsg_ctx *ctx, unsigned int op,
			  struct secmsg_message *m,
			  struct secmsg_kbuffer *kbuf)
{
	struct secmsg_work *w;
	int err;

	if (!secmsg_ctx_is_complete(ctx))
		return secmsg_msg_incomplete(ctx, m);
	m->verdict = SECMSG_VERDICT_OK;
	w = secmsg_work_get(ctx, op);
	if (!w)
		return -ENOMEM;
	w->kbuf = kbuf;
	err = secmsg_msg_process(w, op, m);
	secmsg_work_put(w);
	return err;
}

/**
 * secmsg_msg_ioctl() - SIGN, VERIFY, SEAL, UNSEAL on one message
 * @ctx:  the context
 * @op:   SECMSG_OP_*
 * @umsg: the user's struct secmsg_message
 *
 * Return: 0; a verdict's errno, with the out fields written; or another
 * negative errno with nothing written back.
 */
long secmsg_msg_ioctl(struct secmsg_ctx *ctx, unsigned int op,
		      struct secmsg_message __user *umsg)
{
	struct secmsg_message m;
	int err, werr;

	err = secmsg_msg_copy_in(&m, umsg, 0);
	if (err)
		return err;
	err = secmsg_msg_one(ctx, op, &m, NULL);
	if (!err || m.verdict != SECMSG_VERDICT_OK) {
		werr = secmsg_msg_put_result(umsg, &m, op);
		if (werr)
			err = werr;
	}
	return err;
}

/* A kernel message: the ioctl's path, with the kernel's buffers. */
static int secmsg_kmsg_run(struct secmsg_ctx *ctx, unsigned int op,
			   struct secmsg_kmsg *km)
{
	struct secmsg_message m = {
		.size = sizeof(m),
		.qop = km->qop,
		.nbuffers = km->nbuffers,
	};
	int err;

	might_sleep();
	if (!km->buffers || !km->nbuffers ||
	    km->nbuffers > SECMSG_MAX_BUFFERS)
		return -EINVAL;
	err = secmsg_msg_one(ctx, op, &m, km->buffers);
	if (err && m.verdict == SECMSG_VERDICT_OK)
		return err;
	km->seq = m.seq;
	km->verdict = m.verdict;
	km->needed = m.needed;
	km->index = m.index;
	if (!err && !secmsg_op_sends(op))
		km->qop = m.qop;
	return err;
}

/**
 * secmsg_ksign() - sign a kernel message (MakeSignature)
 * @ctx: a context reference from secmsg_kctx_from_fd()
 * @msg: one TOKEN (>= 32 bytes; its len is set to 32), DATA*, EMPTY*
 *
 * As SECMSG_IOC_SIGN, on kernel memory.  Context: process; may sleep.
 *
 * Return: 0; the errno of a verdict, with @msg's out fields set (see
 * include/uapi/linux/secmsg.h: EKEYEXPIRED, ENOBUFS, EOPNOTSUPP,
 * ENOTCONN); or EINVAL, EMSGSIZE, EFAULT, ENOMEM with nothing written.
 */
int secmsg_ksign(struct secmsg_ctx *ctx, struct secmsg_kmsg *msg)
{
	return secmsg_kmsg_run(ctx, SECMSG_OP_SIGN, msg);
}
EXPORT_SYMBOL_GPL(secmsg_ksign);

/**
 * secmsg_kverify() - verify a kernel message (VerifySignature)
 * @ctx: a context reference from secmsg_kctx_from_fd()
 * @msg: one TOKEN (>= 32 bytes), DATA*, EMPTY*
 *
 * As SECMSG_IOC_VERIFY, on kernel memory, with the context's replay
 * window.  A failed verify changes nothing but the counters.  Context:
 * process; may sleep.
 *
 * Return: 0; the errno of a verdict with @msg's out fields set (EBADMSG
 * altered, EALREADY replayed, ESTALE too old, EILSEQ out of sequence,
 * EKEYEXPIRED, EPROTO, ENOTCONN); or EINVAL, EMSGSIZE, EFAULT, ENOMEM
 * with nothing written.
 */
int secmsg_kverify(struct secmsg_ctx *ctx, struct secmsg_kmsg *msg)
{
	return secmsg_kmsg_run(ctx, SECMSG_OP_VERIFY, msg);
}
EXPORT_SYMBOL_GPL(secmsg_kverify);

/**
 * secmsg_kseal() - seal a kernel message (EncryptMessage)
 * @ctx: a context reference from secmsg_kctx_from_fd()
 * @msg: token form (TOKEN, DATA*, PADDING?, EMPTY*) or stream form
 *       (STREAM_HEADER, DATA*, STREAM_TRAILER, EMPTY*); @msg->qop
 *       SECMSG_QOP_DEFAULT or SECMSG_QOP_WRAP_NO_ENCRYPT
 *
 * As SECMSG_IOC_SEAL, on kernel memory: DATA without flags is encrypted in
 * place.  Context: process; may sleep.
 *
 * Return: 0; the errno of a verdict with @msg's out fields set
 * (EKEYEXPIRED, ENOBUFS, EOPNOTSUPP, ENOTCONN); or EINVAL, EMSGSIZE,
 * EFAULT, ENOMEM with nothing written.
 */
int secmsg_kseal(struct secmsg_ctx *ctx, struct secmsg_kmsg *msg)
{
	return secmsg_kmsg_run(ctx, SECMSG_OP_SEAL, msg);
}
EXPORT_SYMBOL_GPL(secmsg_kseal);

/**
 * secmsg_kunseal() - unseal a kernel message (DecryptMessage)
 * @ctx: a context reference from secmsg_kctx_from_fd()
 * @msg: token form (TOKEN, DATA*, PADDING?, EMPTY*) or stream form
 *       (STREAM, DATA, EMPTY*: the DATA buffer is set to the plaintext
 *       inside the stream)
 *
 * As SECMSG_IOC_UNSEAL, on kernel memory, with the context's replay
 * window.  A failed unseal releases no plaintext and changes nothing but
 * the counters.  @msg->qop tells whether the message was encrypted.
 * Context: process; may sleep.
 *
 * Return: 0; the errno of a verdict with @msg's out fields set (EBADMSG,
 * EALREADY, ESTALE, EILSEQ, EKEYEXPIRED, EPROTO, ENODATA, ENOTCONN); or
 * EINVAL, EMSGSIZE, EFAULT, ENOMEM with nothing written.
 */
int secmsg_kunseal(struct secmsg_ctx *ctx, struct secmsg_kmsg *msg)
{
	return secmsg_kmsg_run(ctx, SECMSG_OP_UNSEAL, msg);
}
EXPORT_SYMBOL_GPL(secmsg_kunseal);

/**
 * secmsg_batch_ioctl() - BATCH: many messages of one kind
 * @ctx:    the context
 * @ubatch: the user's struct secmsg_batch
 *
 * All message structs are read and checked first, so a malformed one
 * fails the call with nothing processed.  Then each message runs exactly
 * as a single call would, in order, sharing one work area; each gets its
 * out fields as soon as it is done.
 *
 * Return: 0 once every message has its result, or a negative errno.
 */
long secmsg_batch_ioctl(struct secmsg_ctx *ctx,
			struct secmsg_batch __user *ubatch)
{
	u32 completed = 0, failed = 0, i;
	struct secmsg_message *msgs;
	struct secmsg_batch b;
	struct secmsg_work *w;
	u8 __user *base;
	int err;

	err = secmsg_copy_struct(&b, sizeof(b), ubatch, SECMSG_BATCH_SIZE_VER0,
				 NULL);
	if (err)
		return err;
	if (b.flags || b.reserved || b.op < SECMSG_OP_SIGN ||
	    b.op > SECMSG_OP_UNSEAL || !b.count ||
	    b.count > SECMSG_MAX_BATCH || b.msg_size < SECMSG_MESSAGE_SIZE_VER0)
		return -EINVAL;
	if (b.msg_size > PAGE_SIZE)
		return -E2BIG;

	msgs = kvmalloc_array(b.count, sizeof(*msgs), GFP_KERNEL_ACCOUNT);
	if (!msgs)
		return -ENOMEM;
	base = u64_to_user_ptr(b.msgs);
	for (i = 0; i < b.count; i++) {
		err = secmsg_msg_copy_in(&msgs[i], (struct secmsg_message __user *)
					 (base + (size_t)i * b.msg_size),
					 b.msg_size);
		if (err)
			goto out_free;
	}

	if (!secmsg_ctx_is_complete(ctx)) {
		for (i = 0; i < b.count; i++) {
			secmsg_msg_incomplete(ctx, &msgs[i]);
			err = secmsg_msg_put_result((struct secmsg_message __user *)
						    (base + (size_t)i * b.msg_size),
						    &msgs[i], b.op);
			if (err)
				goto out_free;
		}
		if (put_user(0, &ubatch->completed) ||
		    put_user(b.count, &ubatch->failed))
			err = -EFAULT;
		goto out_free;
	}

	w = secmsg_work_get(ctx, b.op);
	if (!w) {
		err = -ENOMEM;
		goto out_free;
	}
	for (i = 0; i < b.count; i++) {
		struct secmsg_message __user *umsg =
			(struct secmsg_message __user *)
			(base + (size_t)i * b.msg_size);

		if (secmsg_msg_process(w, b.op, &msgs[i]))
			failed++;
		else
			completed++;
		err = secmsg_msg_put_result(umsg, &msgs[i], b.op);
		if (err)
			goto out_work;
		cond_resched();
	}
	if (put_user(completed, &ubatch->completed) ||
	    put_user(failed, &ubatch->failed))
		err = -EFAULT;

out_work:
	secmsg_work_put(w);
out_free:
	kvfree(msgs);
	return err;
}
