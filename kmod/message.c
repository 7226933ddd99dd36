// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg: message calls (SIGN, VERIFY, SEAL, UNSEAL, BATCH, and the kernel
 * API's secmsg_ksign() and friends).
 *
 * The engine (see engine.h) and its adapters.  Every message, from an
 * ioctl, a BATCH or a kernel consumer, passes through
 * secmsg_msg_process(): the buffer layer checks and maps it, the
 * context's state and the protocol's size rules give their verdicts, and
 * the context's protocol runs it.  The adapters only read the message
 * structs and write their out fields back; for user space, the out fields
 * are pinned for write before the message runs, so that a result, once
 * reached, is always delivered (uapi "Results and verdicts").
 *
 * Per-call state lives in a work area that also holds the AEAD request
 * and the bounce room of small messages.  A context keeps its work area
 * from call to call (@spare_work, taken and given back with xchg() and
 * cmpxchg(), no lock), and with it what its messages needed: a scratch
 * bounce buffer grown to the largest message seen, a linear AAD copy,
 * the scatterlist tables and the pinned-page array sized for them, and
 * BATCH's message array.  So a context's next message of the same or a
 * smaller size allocates nothing.  A second call running concurrently on
 * the same context finds the area taken and allocates its own, freed when
 * it ends (unless the kept one was freed meanwhile: then it is kept).
 * What a context keeps is bounded (SECMSG_MAX_KEPT in the uapi header)
 * and reported by QUERY (kept).
 *
 * An idle context gives it back: one module-wide delayed work (the idle
 * pass, every idle_release_ms while anything is kept) frees the kept work
 * area of each context that ran no message since the previous pass, so a
 * context idle for between one and two periods keeps nothing.
 *
 * Wiping.  Freeing a work area, at the idle pass, at close or when a
 * larger scratch buffer replaces a smaller one, wipes it: request context
 * (driver state), small room and scratch buffer.  Between calls, the kept
 * bounce buffer may hold the plaintext of the context's last successful
 * call; that call delivered it to its caller, who holds the context's keys
 * anyway, and the buffer is reachable by no one but the next call on the
 * context, which overwrites what it uses before reading it.  What a caller
 * never receives is wiped at once: when a call that may have put
 * plaintext there fails (a tag that did not verify left unverified
 * plaintext, a replayed message, a failed seal), the bytes it used are
 * zeroed before the call returns.  Wiping every call instead cost as much
 * as the allocation's zeroing this keeping avoids (up to 15% at 16 KiB).
 */
#include <crypto/aead.h>
#include <linux/export.h>
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <linux/secmsg_kernel.h>

#include "context.h"
#include "crypto.h"
#include "engine.h"
#include "message.h"

/* The work area is one page, unless a driver's request is very large. */
#define SECMSG_WORK_SIZE	PAGE_SIZE
/* Least bounce room inside the work area. */
#define SECMSG_SMALL_MIN	512

/*
 * The out fields of struct secmsg_message: qop (VERIFY, UNSEAL) and seq,
 * error, verdict, needed, index (every call).  Pinned as one range.
 */
#define SECMSG_OUT_OFFSET	offsetof(struct secmsg_message, qop)
#define SECMSG_OUT_SIZE		(offsetofend(struct secmsg_message, index) - \
				 SECMSG_OUT_OFFSET)
#define SECMSG_RESULT_OFFSET	offsetof(struct secmsg_message, seq)
#define SECMSG_RESULT_SIZE	(offsetofend(struct secmsg_message, index) - \
				 SECMSG_RESULT_OFFSET)

static_assert(sizeof(struct secmsg_import) == SECMSG_IMPORT_SIZE_VER0);
static_assert(sizeof(struct secmsg_message) == SECMSG_MESSAGE_SIZE_VER0);
static_assert(sizeof(struct secmsg_batch) == SECMSG_BATCH_SIZE_VER0);
static_assert(sizeof(struct secmsg_query) == SECMSG_QUERY_SIZE_VER4);
static_assert(sizeof(struct secmsg_init) == SECMSG_INIT_SIZE_VER0);
static_assert(sizeof(struct secmsg_accept) == SECMSG_ACCEPT_SIZE_VER0);
static_assert(sizeof(struct secmsg_complete) == SECMSG_COMPLETE_SIZE_VER0);

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

/* What a successful message counts as. */
static const enum secmsg_counter secmsg_done[] = {
	[SECMSG_OP_SIGN] = SECMSG_CNT_SIGNED,
	[SECMSG_OP_VERIFY] = SECMSG_CNT_VERIFIED,
	[SECMSG_OP_SEAL] = SECMSG_CNT_SEALED,
	[SECMSG_OP_UNSEAL] = SECMSG_CNT_UNSEALED,
};

/**
 * secmsg_fail() - record a verdict
 * @w:       the call
 * @m:       the message: its out fields get the verdict
 * @verdict: SECMSG_VERDICT_*
 * @needed:  BUFFER_TOO_SMALL, INCOMPLETE_MESSAGE: bytes needed
 * @index:   the buffer @needed refers to, else SECMSG_NO_INDEX
 *
 * Counts the verdict (and sends its event, if it is one).
 *
 * Return: the verdict's errno.
 */
int secmsg_fail(struct secmsg_work *w, struct secmsg_message *m, u32 verdict,
		u32 needed, u32 index)
{
	m->verdict = verdict;
	m->needed = needed;
	m->index = index;
	secmsg_ctx_count(w->ctx, secmsg_verdicts[verdict].counter);
	return secmsg_verdicts[verdict].err;
}

/* The protocol of a context's package. */
static const struct secmsg_proto *secmsg_ctx_proto(const struct secmsg_ctx *ctx)
{
	/* raw and local: secmsg-v1; kerberos and negotiate: RFC 4121. */
	return ctx->proto;
}

/* The bytes a work area keeps between calls (QUERY's kept). */
static size_t secmsg_work_bytes(const struct secmsg_work *w)
{
	return w->size + w->scratch_len + w->aad_cap +
	       (w->bsg.cap + w->usgt.cap) * sizeof(struct scatterlist) +
	       w->pins.big_cap * sizeof(struct page *) +
	       w->msgs_cap * sizeof(struct secmsg_message);
}

/*
 * Free a work area and everything it keeps, wiped: the request context
 * (driver state), the small room, the scratch buffer.  Signed-only AAD
 * copies, tables and page arrays hold nothing secret.
 */
static void secmsg_work_free(struct secmsg_work *w)
{
	secmsg_pins_drop(&w->pins);
	secmsg_sgtab_free(&w->bsg);
	secmsg_sgtab_free(&w->usgt);
	kvfree(w->msgs);
	kfree(w->aad_buf);
	kvfree_sensitive(w->scratch, w->scratch_len);
	kfree_sensitive(w);
}

/*
 * Whether a context ran a message since the idle pass last looked; set
 * only when clear, so that a busy context's calls only read the line.
 */
static void secmsg_ctx_mark_busy(struct secmsg_ctx *ctx)
{
	if (!READ_ONCE(ctx->msg_busy))
		WRITE_ONCE(ctx->msg_busy, true);
}

static void secmsg_idle_arm(void);

/**
 * secmsg_work_get() - a work area for one call on a context
 * @ctx: the context
 * @op:  SECMSG_OP_*; the protocol prepares its request for it
 *
 * Takes the context's kept work area if no other call holds it, else
 * allocates one.  Layout: this struct, the protocol's request area
 * (CRYPTO_MINALIGN aligned) and the bounce room (aligned for DMA, apart
 * from the request); larger buffers hang off it (see struct secmsg_work).
 * A context that is not complete has no transforms yet: its calls get a
 * bare work area without request (@req NULL), enough for their verdict.
 *
 * Return: the work area, or NULL.
 */
static struct secmsg_work *secmsg_work_get(struct secmsg_ctx *ctx,
					   unsigned int op)
{
	size_t req_off = ALIGN(sizeof(struct secmsg_work), CRYPTO_MINALIGN);
	const struct secmsg_proto *proto = secmsg_ctx_proto(ctx);
	size_t small_off, size;
	struct secmsg_work *w;

	if (!secmsg_ctx_is_complete(ctx)) {
		w = kzalloc(sizeof(*w), GFP_KERNEL_ACCOUNT);
		if (!w)
			return NULL;
		w->ctx = ctx;
		secmsg_pins_init(&w->pins);
		return w;
	}

	secmsg_ctx_mark_busy(ctx);
	small_off = ALIGN(req_off + proto->req_size(ctx), ARCH_KMALLOC_MINALIGN);
	size = max_t(size_t, SECMSG_WORK_SIZE, small_off + SECMSG_SMALL_MIN);

	w = xchg(&ctx->spare_work, NULL);
	if (!w) {
		w = kzalloc(size, GFP_KERNEL_ACCOUNT);
		if (!w)
			return NULL;
		w->size = size;
		w->req = (void *)w + req_off;
		w->small = (u8 *)w + small_off;
		w->small_len = size - small_off;
	}
	w->ctx = ctx;
	proto->req_init(w, op);
	secmsg_pins_init(&w->pins);
	w->bounce = NULL;
	w->sg = NULL;
	w->aad = NULL;
	w->wipe = false;
	w->usg = NULL;
	w->in_place = false;
	return w;
}

/*
 * Give the work area back as the context's kept one, or free it when a
 * concurrent call's already is.  The context's kept count follows.
 */
static void secmsg_work_put(struct secmsg_work *w)
{
	struct secmsg_ctx *ctx = w->ctx;
	size_t bytes;

	secmsg_pins_free(&w->pins);
	if (!w->req) {
		kfree(w);
		return;
	}
	bytes = secmsg_work_bytes(w);
	if (!cmpxchg(&ctx->spare_work, NULL, w)) {
		atomic_long_add(bytes - w->acct, &ctx->kept);
		w->acct = bytes;
		secmsg_idle_arm();
		return;
	}
	atomic_long_sub(w->acct, &ctx->kept);
	secmsg_work_free(w);
}

/*
 * Take the context's kept work area away and free it; the caller
 * ensures that @ctx stays (a reference, or secmsg_ctx_lock while listed).
 * A call running meanwhile keeps its own area, or allocates one.
 */
static void secmsg_ctx_drop_kept(struct secmsg_ctx *ctx)
{
	struct secmsg_work *w = xchg(&ctx->spare_work, NULL);

	if (!w)
		return;
	atomic_long_sub(w->acct, &ctx->kept);
	secmsg_work_free(w);
}

/**
 * secmsg_msg_ctx_free() - free a context's kept work area
 * @ctx: the context, being released
 *
 * Wipes the request context (driver state) and the bounce buffers.
 */
void secmsg_msg_ctx_free(struct secmsg_ctx *ctx)
{
	secmsg_ctx_drop_kept(ctx);
}

/**
 * secmsg_msg_kept() - the bytes a context keeps for its message calls
 * @ctx: the context
 *
 * Return: the work area and what hangs off it (QUERY's kept), 0 when the
 * context has none; see SECMSG_MAX_KEPT.
 */
u64 secmsg_msg_kept(struct secmsg_ctx *ctx)
{
	long kept = atomic_long_read(&ctx->kept);

	return kept > 0 ? kept : 0;
}

/* Idle contexts give their kept work area back. */
static unsigned int secmsg_idle_release_ms = 1000;
static bool secmsg_idle_stopped;
static void secmsg_idle_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(secmsg_idle_work, secmsg_idle_fn);

/* Queue the idle pass unless it is queued or disabled (a cheap read). */
static void secmsg_idle_arm(void)
{
	unsigned int ms = READ_ONCE(secmsg_idle_release_ms);

	if (ms && !delayed_work_pending(&secmsg_idle_work) &&
	    !READ_ONCE(secmsg_idle_stopped))
		queue_delayed_work(system_unbound_wq, &secmsg_idle_work,
				   msecs_to_jiffies(ms));
}

/*
 * The idle pass: a context that ran no message since the previous pass
 * frees its kept work area; the others are marked, to be looked at again
 * next time.  Requeued while anything is kept.
 */
static void secmsg_idle_fn(struct work_struct *work)
{
	struct secmsg_ctx *ctx;
	bool again = false;

	mutex_lock(&secmsg_ctx_lock);
	list_for_each_entry(ctx, &secmsg_ctx_list, node) {
		if (!READ_ONCE(ctx->spare_work))
			continue;
		if (READ_ONCE(ctx->msg_busy)) {
			WRITE_ONCE(ctx->msg_busy, false);
			again = true;
			continue;
		}
		secmsg_ctx_drop_kept(ctx);
		/* A call may have put one back meanwhile. */
		again |= !!READ_ONCE(ctx->spare_work);
		cond_resched();
	}
	mutex_unlock(&secmsg_ctx_lock);
	if (again)
		secmsg_idle_arm();
}

static int secmsg_idle_set(const char *val, const struct kernel_param *kp)
{
	int err = param_set_uint(val, kp);

	/* Not while loading: a failed load would leave the work queued. */
	if (!err && READ_ONCE(THIS_MODULE->state) == MODULE_STATE_LIVE &&
	    READ_ONCE(secmsg_idle_release_ms) &&
	    !READ_ONCE(secmsg_idle_stopped))
		mod_delayed_work(system_unbound_wq, &secmsg_idle_work,
				 msecs_to_jiffies(secmsg_idle_release_ms));
	return err;
}

static const struct kernel_param_ops secmsg_idle_ops = {
	.set = secmsg_idle_set,
	.get = param_get_uint,
};
module_param_cb(idle_release_ms, &secmsg_idle_ops, &secmsg_idle_release_ms,
		0644);
MODULE_PARM_DESC(idle_release_ms,
		 "A context that ran no message for this long (ms, up to twice) frees what it keeps for its calls; 0: kept until closed");

/**
 * secmsg_msg_exit() - stop the idle pass (module unload)
 */
void secmsg_msg_exit(void)
{
	WRITE_ONCE(secmsg_idle_stopped, true);
	cancel_delayed_work_sync(&secmsg_idle_work);
}

/* Grow the scratch buffer to at least @len bytes (kvmalloc()ed). */
static int secmsg_scratch_grow(struct secmsg_work *w, size_t len)
{
	u8 *p;

	if (len <= w->scratch_len)
		return 0;
	p = kvmalloc(len, GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	/* The old one may hold an earlier call's plaintext. */
	kvfree_sensitive(w->scratch, w->scratch_len);
	w->scratch = p;
	w->scratch_len = len;
	return 0;
}

/**
 * secmsg_bounce_alloc() - the bounce buffer of a message
 * @w:   the call
 * @len: bytes
 *
 * The work area's own room if it is large enough, else its scratch
 * buffer, grown (kvmalloc()ed) when it is smaller than @len.
 *
 * Return: 0 or -ENOMEM.
 */
int secmsg_bounce_alloc(struct secmsg_work *w, size_t len)
{
	int err;

	if (len <= w->small_len) {
		w->bounce = w->small;
	} else {
		err = secmsg_scratch_grow(w, len);
		if (err)
			return err;
		w->bounce = w->scratch;
	}
	w->bounce_len = len;
	return 0;
}

/**
 * secmsg_bounce_alloc_text() - a bounce buffer whose text starts a page
 * @w:        the call
 * @len:      bytes
 * @text_off: where the cipher's text starts in it
 *
 * As secmsg_bounce_alloc(), but in the scratch buffer the bounce buffer
 * starts so that its text starts a page: the cipher then walks whole
 * pages.  Drivers that walk with skcipher_walk (ChaCha20 under rfc7539,
 * CTR under gcm_base) take at most a page at a time, even of linear
 * memory, and kmalloc() a bounce block of their own, on every call, for
 * a stride of the cipher split over two pages.  The scratch buffer is a
 * page larger for it.  (The small room lies within one page.)
 *
 * Return: 0 or -ENOMEM.
 */
int secmsg_bounce_alloc_text(struct secmsg_work *w, size_t len,
			     size_t text_off)
{
	int err;

	if (len <= w->small_len)
		return secmsg_bounce_alloc(w, len);
	err = secmsg_scratch_grow(w, len + PAGE_SIZE);
	if (err)
		return err;
	w->bounce = w->scratch + (PAGE_SIZE -
				  offset_in_page(w->scratch + text_off)) %
				 PAGE_SIZE;
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
 * the copy needs no copying back.  Both the table and the copy's buffer
 * are kept for the next message.  Set up once per message: before the
 * sequence number is taken, where the caller can.
 *
 * Return: 0, -ENOMEM, or -EMSGSIZE for AAD above KMALLOC_MAX_SIZE.
 */
int secmsg_bounce_sg(struct secmsg_work *w, unsigned int assoclen)
{
	size_t skip = 0, rem = w->bounce_len;
	u8 *p = w->bounce;
	struct scatterlist *sg;
	unsigned int n, i;

	if (w->sg)
		return 0;
	if (assoclen > KMALLOC_MAX_SIZE)
		return -EMSGSIZE;
	if (!is_vmalloc_addr(p)) {
		sg_init_one(&w->sg_one, p, rem);
		w->sg = &w->sg_one;
		return 0;
	}

	if (offset_in_page(p) + assoclen > PAGE_SIZE) {
		if (assoclen > w->aad_cap) {
			u8 *aad = kmalloc(assoclen, GFP_KERNEL_ACCOUNT |
					  __GFP_NOWARN);

			if (!aad)
				return -ENOMEM;
			kfree(w->aad_buf);
			w->aad_buf = aad;
			w->aad_cap = assoclen;
		}
		w->aad = w->aad_buf;
		memcpy(w->aad, p, assoclen);
		skip = assoclen;
	}
	p += skip;
	rem -= skip;
	n = DIV_ROUND_UP(offset_in_page(p) + rem, PAGE_SIZE) + !!skip;
	sg = secmsg_sgtab_get(&w->bsg, n);
	if (!sg) {
		w->aad = NULL;
		return -ENOMEM;
	}
	w->sg = sg;
	for (i = 0; i < n; i++, sg = sg_next(sg)) {
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

/*
 * The end of a message: forget what it set up for the crypto (the kept
 * buffers stay), and wipe the bounce buffer if the message failed while
 * it may hold plaintext the caller does not get (see the header).
 */
static void secmsg_bounce_done(struct secmsg_work *w, int err)
{
	w->sg = NULL;
	w->usg = NULL;
	w->in_place = false;
	w->aad = NULL;
	if (w->bounce && w->wipe && err)
		memzero_explicit(w->bounce, w->bounce_len);
	w->bounce = NULL;
	w->wipe = false;
}

/*
 * A message on a context that is not complete: its verdict, decided
 * before any buffer is read (there are no transforms yet).  Revoked wins:
 * that one is final.
 */
static int secmsg_msg_incomplete(struct secmsg_work *w,
				 struct secmsg_message *m)
{
	return secmsg_fail_v(w, m, secmsg_ctx_revoked(w->ctx) ?
				   SECMSG_VERDICT_REVOKED :
				   SECMSG_VERDICT_INCOMPLETE_CONTEXT);
}

/**
 * secmsg_msg_process() - run one message
 * @w:    work area of the call
 * @op:   SECMSG_OP_*
 * @m:    the message, already checked by secmsg_msg_copy_in()
 * @kbuf: a kernel message's buffers, or NULL: @m->buffers is a user
 *        pointer
 *
 * Fills @m's out fields.  This is the one place every message, from user
 * space or from the kernel, passes on its way to the keys; the order of
 * its steps is the uapi's order of errors: the buffer list (EINVAL,
 * EMSGSIZE, EFAULT), the context's state and the message's shape
 * (verdicts), the message's memory (EFAULT, ENOMEM), then the protocol.
 *
 * Return: 0, with the results written; the errno of a verdict (@m->verdict
 * says which), with no buffer written; or another negative errno, with
 * @m->verdict SECMSG_VERDICT_OK and nothing done at all.
 */
static int secmsg_msg_process(struct secmsg_work *w, unsigned int op,
			      struct secmsg_message *m,
			      struct secmsg_kbuffer *kbuf)
{
	const struct secmsg_proto *proto = secmsg_ctx_proto(w->ctx);
	struct secmsg_sizes sz;
	int err;

	m->seq = 0;
	m->error = 0;
	m->verdict = SECMSG_VERDICT_OK;
	m->needed = 0;
	m->index = SECMSG_NO_INDEX;
	if (!w->req) {
		err = secmsg_msg_incomplete(w, m);
		goto out_result;
	}

	proto->sizes(w->ctx, &sz);
	err = secmsg_mb_load(&w->mb, &w->pins, op, m->qop, &sz, m->nbuffers,
			     m->buffers, kbuf);
	if (err)
		goto out;
	if (secmsg_ctx_expired(w->ctx)) {
		err = secmsg_fail_v(w, m, secmsg_ctx_end_verdict(w->ctx));
		goto out;
	}
	err = proto->check(w, m);
	if (err)
		goto out;
	err = secmsg_mb_map(&w->mb);
	if (err)
		goto out;

	switch (op) {
	case SECMSG_OP_SIGN:
		err = proto->sign(w, m);
		break;
	case SECMSG_OP_VERIFY:
		err = proto->verify(w, m);
		break;
	case SECMSG_OP_SEAL:
		err = proto->seal(w, m);
		break;
	default:
		err = proto->unseal(w, m);
		break;
	}
	if (!err)
		secmsg_ctx_count(w->ctx, secmsg_done[op]);
out:
	secmsg_bounce_done(w, err);
	secmsg_mb_release(&w->mb);
out_result:
	m->error = err;
	return err;
}

/* The checks of a message struct's in fields. */
static int secmsg_msg_check(const struct secmsg_message *m)
{
	if (m->flags || !m->nbuffers || m->nbuffers > SECMSG_MAX_BUFFERS)
		return -EINVAL;
	return 0;
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
	return secmsg_msg_check(m);
}

/*
 * Read a batch's message structs.  Structs of this kernel's size (the
 * usual case) are read in one copy and then checked in order; those of
 * another size, or an array that cannot be read as a whole, one by one,
 * which also finds the first that faults.  Either way the first struct
 * that fails decides the error.
 */
static int secmsg_batch_copy_in(struct secmsg_message *msgs, u64 base,
				u32 count, u32 msg_size)
{
	u32 i;
	int err;

	if (msg_size == sizeof(*msgs) &&
	    !copy_from_user(msgs, u64_to_user_ptr(base),
			    (size_t)count * sizeof(*msgs))) {
		for (i = 0; i < count; i++) {
			if (msgs[i].size != msg_size)
				return -EINVAL;
			err = secmsg_msg_check(&msgs[i]);
			if (err)
				return err;
		}
		return 0;
	}
	for (i = 0; i < count; i++) {
		err = secmsg_msg_copy_in(&msgs[i], u64_to_user_ptr(base +
					 (u64)i * msg_size), msg_size);
		if (err)
			return err;
	}
	return 0;
}

/* Whether a message's out fields go back: a result, or a verdict. */
static bool secmsg_msg_has_result(const struct secmsg_message *m)
{
	return !m->error || m->verdict != SECMSG_VERDICT_OK;
}

/*
 * Write a message's out fields into its pinned struct at @addr: always
 * the result, qop when received.  Cannot fail.
 */
static void secmsg_msg_put_result(struct secmsg_pinset *ps, int run,
				  u64 addr, const struct secmsg_message *m,
				  unsigned int op)
{
	secmsg_pins_write(ps, run, addr + SECMSG_RESULT_OFFSET,
			  (const u8 *)m + SECMSG_RESULT_OFFSET,
			  SECMSG_RESULT_SIZE);
	if (!m->error && !secmsg_op_sends(op))
		secmsg_pins_write(ps, run,
				  addr + offsetof(struct secmsg_message, qop),
				  &m->qop, sizeof(m->qop));
}

/**
 * secmsg_msg_ioctl() - SIGN, VERIFY, SEAL, UNSEAL on one message
 * @ctx:  the context
 * @op:   SECMSG_OP_*
 * @umsg: the user's struct secmsg_message
 *
 * The struct's out fields are pinned for write first: once the message
 * has a result, it is delivered.
 *
 * Return: 0; a verdict's errno, with the out fields written; or another
 * negative errno with nothing done and nothing written back.
 */
long secmsg_msg_ioctl(struct secmsg_ctx *ctx, unsigned int op,
		      struct secmsg_message __user *umsg)
{
	u64 addr = (uintptr_t)umsg;
	struct secmsg_message m;
	struct secmsg_work *w;
	int err, run;

	err = secmsg_msg_copy_in(&m, umsg, 0);
	if (err)
		return err;
	w = secmsg_work_get(ctx, op);
	if (!w)
		return -ENOMEM;
	err = secmsg_pins_reserve(&w->pins, 2);
	if (err)
		goto out;
	run = secmsg_pins_add(&w->pins, addr + SECMSG_OUT_OFFSET,
			      SECMSG_OUT_SIZE, true);
	if (run < 0) {
		err = run;
		goto out;
	}
	err = secmsg_msg_process(w, op, &m, NULL);
	if (secmsg_msg_has_result(&m))
		secmsg_msg_put_result(&w->pins, run, addr, &m, op);
out:
	secmsg_work_put(w);
	return err;
}

/*
 * BATCH's message structs: the work area's kept array (grown), or for a
 * bare work area (a context that is not complete) one of their own.
 */
static struct secmsg_message *secmsg_work_msgs(struct secmsg_work *w,
					       u32 count)
{
	struct secmsg_message *msgs;

	if (w->req && count <= w->msgs_cap)
		return w->msgs;
	msgs = kvmalloc_array(count, sizeof(*msgs), GFP_KERNEL_ACCOUNT);
	if (!msgs || !w->req)
		return msgs;
	kvfree(w->msgs);
	w->msgs = msgs;
	w->msgs_cap = count;
	return msgs;
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
	struct secmsg_work *w;
	int err;

	might_sleep();
	if (!km->buffers || !km->nbuffers ||
	    km->nbuffers > SECMSG_MAX_BUFFERS)
		return -EINVAL;
	w = secmsg_work_get(ctx, op);
	if (!w)
		return -ENOMEM;
	err = secmsg_msg_process(w, op, &m, km->buffers);
	secmsg_work_put(w);
	if (!secmsg_msg_has_result(&m))
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
 * <linux/secmsg.h>: EKEYEXPIRED, ENOBUFS, EOPNOTSUPP,
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
 * All message structs are read and checked first, and the memory their
 * results and the batch's counts go to is pinned for write, so a
 * malformed or unwritable batch fails the call with nothing processed.
 * Then each message runs exactly as a single call would, in order, sharing
 * one work area and the pins of pages an earlier message of the batch
 * pinned (secmsg_pins_hold()); each gets its out fields as soon as it is
 * done.
 *
 * Return: 0 once every message has its result, or a negative errno with
 * nothing processed.
 */
long secmsg_batch_ioctl(struct secmsg_ctx *ctx,
			struct secmsg_batch __user *ubatch)
{
	u64 counts = (uintptr_t)&ubatch->completed;
	u32 completed = 0, failed = 0, i;
	struct secmsg_message *msgs = NULL;
	int err, msgs_run, counts_run;
	struct secmsg_batch b;
	struct secmsg_work *w;
	u64 base, span;

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

	w = secmsg_work_get(ctx, b.op);
	if (!w)
		return -ENOMEM;
	msgs = secmsg_work_msgs(w, b.count);
	if (!msgs) {
		err = -ENOMEM;
		goto out_work;
	}
	base = b.msgs;
	err = secmsg_batch_copy_in(msgs, base, b.count, b.msg_size);
	if (err)
		goto out_work;

	/* The out fields of every message, and the counts. */
	span = (u64)(b.count - 1) * b.msg_size + SECMSG_OUT_OFFSET +
	       SECMSG_OUT_SIZE;
	err = secmsg_pins_reserve(&w->pins,
				  secmsg_range_pages(base, span) + 1);
	if (err)
		goto out_work;
	msgs_run = secmsg_pins_add(&w->pins, base, span, true);
	counts_run = secmsg_pins_add(&w->pins, counts, 2 * sizeof(u32), true);
	if (msgs_run < 0 || counts_run < 0) {
		err = msgs_run < 0 ? msgs_run : counts_run;
		goto out_work;
	}

	/* Messages side by side share their pages' pins. */
	secmsg_pins_hold(&w->pins);
	for (i = 0; i < b.count; i++) {
		if (secmsg_msg_process(w, b.op, &msgs[i], NULL))
			failed++;
		else
			completed++;
		secmsg_msg_put_result(&w->pins, msgs_run,
				      base + (u64)i * b.msg_size, &msgs[i],
				      b.op);
		cond_resched();
	}
	secmsg_pins_write(&w->pins, counts_run, counts, &completed,
			  sizeof(completed));
	secmsg_pins_write(&w->pins, counts_run, counts + sizeof(u32), &failed,
			  sizeof(failed));
	err = 0;

out_work:
	if (msgs && msgs != w->msgs)
		kvfree(msgs);
	secmsg_work_put(w);
	return err;
}
