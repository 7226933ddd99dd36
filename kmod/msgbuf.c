// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg: the buffer layer of the message engine (see msgbuf.h).
 *
 * secmsg_mb_load() reads a message's buffer list and checks it against
 * the layouts of its call: types, flags, reserved fields, sizes, overlap.
 * It decides, per buffer, which bytes the call may read or write.
 * secmsg_mb_map() makes those bytes accessible for good: user memory is
 * pinned (for write where the call may write), kernel scatterlists are
 * checked to be long enough.  From then on, until secmsg_mb_release(),
 * reading and writing the message cannot fail.
 */
#include <linux/highmem.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/secmsg_kernel.h>

#include "msgbuf.h"

static_assert(sizeof(struct secmsg_buffer) == 24);
static_assert(SECMSG_MAX_BUFFERS <= 32);

u64 secmsg_range_pages(u64 start, u64 len)
{
	return len ? DIV_ROUND_UP(offset_in_page(start) + len, PAGE_SIZE) : 0;
}

/* Pinned pages */

void secmsg_pins_init(struct secmsg_pinset *ps)
{
	ps->nruns = 0;
	ps->npages = 0;
	ps->pages = ps->inline_pages;
	ps->cap = SECMSG_PIN_INLINE;
	ps->hold = false;
	ps->nheld = 0;
	ps->held_next = 0;
}

/**
 * secmsg_pins_hold() - keep single pages pinned from message to message
 * @ps: the pin set of a call that runs many messages (BATCH)
 *
 * From now on, a range on a single page is pinned through one of
 * SECMSG_PIN_HELD held pages, which stay pinned when the message's runs
 * are released (secmsg_pins_release()), for the next message on the same
 * page, until secmsg_pins_free().  A batch of small messages side by side
 * then pins each page once instead of once per message.  When every held
 * page is in use, the page no run of the running message uses that was
 * taken longest ago makes room (round robin); when every one is used by
 * the running message, the range is pinned as without @hold.
 */
void secmsg_pins_hold(struct secmsg_pinset *ps)
{
	ps->hold = true;
}

/*
 * The held page for the single page at @start (pinned as strongly as
 * @write asks), pinning it into a free or reusable slot: its index, -1 if
 * no slot can take it, or -EFAULT, -ENOMEM (nothing changed).
 */
static int secmsg_pins_held(struct secmsg_pinset *ps, u64 start, bool write)
{
	u64 addr = start & PAGE_MASK;
	struct secmsg_pinheld *h;
	unsigned int i, slot = ps->nheld;
	struct page *page;
	int got;

	for (i = 0; i < ps->nheld; i++) {
		h = &ps->held[i];
		if (h->addr == addr && (h->write || !write))
			return i;
	}
	if (ps->nheld == SECMSG_PIN_HELD) {
		for (i = 0; i < SECMSG_PIN_HELD; i++) {
			slot = (ps->held_next + i) % SECMSG_PIN_HELD;
			if (!ps->held[slot].users)
				break;
		}
		if (i == SECMSG_PIN_HELD)
			return -1;
	}
	got = pin_user_pages_fast(addr, 1, write ? FOLL_WRITE : 0, &page);
	if (got != 1)
		return got == -ENOMEM ? -ENOMEM : -EFAULT;
	h = &ps->held[slot];
	if (slot < ps->nheld)
		unpin_user_pages_dirty_lock(&h->page, 1, h->dirty);
	else
		ps->nheld++;
	*h = (struct secmsg_pinheld){
		.page = page, .addr = addr, .write = write,
	};
	ps->held_next = (slot + 1) % SECMSG_PIN_HELD;
	return slot;
}

/**
 * secmsg_pins_reserve() - make room for more pinned pages
 * @ps:     the pin set
 * @npages: pages about to be added
 *
 * Uses the set's kept array when it is large enough; a larger one
 * replaces it (and is kept in turn).
 *
 * Return: 0, -ENOMEM, or -EFAULT for a count no message can need.
 */
int secmsg_pins_reserve(struct secmsg_pinset *ps, u64 npages)
{
	struct page **pages;
	u64 want = ps->npages + npages;

	if (want <= ps->cap)
		return 0;
	if (want > INT_MAX / sizeof(*pages))
		return -EFAULT;
	if (want <= ps->big_cap) {
		/* Only the inline array can be smaller than the kept one. */
		memcpy(ps->big, ps->pages, ps->npages * sizeof(*pages));
		ps->pages = ps->big;
		ps->cap = ps->big_cap;
		return 0;
	}
	pages = kvmalloc_array(want, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return -ENOMEM;
	memcpy(pages, ps->pages, ps->npages * sizeof(*pages));
	kvfree(ps->big);
	ps->big = pages;
	ps->big_cap = want;
	ps->pages = pages;
	ps->cap = want;
	return 0;
}

/*
 * An earlier run on the single page of [start, start + len), or -1.  Held
 * pages are found by secmsg_pins_held().
 */
static int secmsg_pins_find(const struct secmsg_pinset *ps, u64 start,
			    u64 len, bool write)
{
	unsigned int i;

	if (secmsg_range_pages(start, len) != 1)
		return -1;
	for (i = 0; i < ps->nruns; i++) {
		const struct secmsg_pinrun *r = &ps->run[i];

		if (r->owner == i && r->npages == 1 && r->held < 0 &&
		    (r->start & PAGE_MASK) == (start & PAGE_MASK) &&
		    (r->write || !write))
			return i;
	}
	return -1;
}

/**
 * secmsg_pins_add() - pin a user range
 * @ps:    the pin set, with room reserved (secmsg_pins_reserve())
 * @start: user address
 * @len:   bytes, not 0
 * @write: pin for write (the range must be writable now)
 *
 * A range on a single page already pinned (as strongly) shares that pin.
 *
 * Return: the run's index, or -EFAULT (not accessible as asked), -ENOMEM.
 * Nothing is left pinned for the range on error.
 */
int secmsg_pins_add(struct secmsg_pinset *ps, u64 start, u64 len, bool write)
{
	struct secmsg_pinrun *r;
	u64 n = secmsg_range_pages(start, len);
	int got, owner;

	if (WARN_ON_ONCE(ps->nruns >= SECMSG_PIN_RUNS || !len))
		return -EINVAL;
	r = &ps->run[ps->nruns];
	r->start = start;
	r->len = len;
	r->write = write;
	r->dirty = false;
	r->held = -1;
	if (ps->hold && n == 1 && start + len > start) {
		int h = secmsg_pins_held(ps, start, write);

		if (h < -1)
			return h;
		if (h >= 0) {
			ps->held[h].users++;
			r->held = h;
			r->first = 0;
			r->npages = 1;
			r->owner = ps->nruns;
			return ps->nruns++;
		}
	}
	owner = secmsg_pins_find(ps, start, len, write);
	if (owner >= 0) {
		r->first = ps->run[owner].first;
		r->npages = 1;
		r->owner = owner;
		return ps->nruns++;
	}
	if (WARN_ON_ONCE(ps->npages + n > ps->cap))
		return -EINVAL;
	if (start + len < start || n > INT_MAX)
		return -EFAULT;
	got = pin_user_pages_fast(start & PAGE_MASK, n, write ? FOLL_WRITE : 0,
				  ps->pages + ps->npages);
	if (got != n) {
		if (got > 0)
			unpin_user_pages(ps->pages + ps->npages, got);
		return got == -ENOMEM ? -ENOMEM : -EFAULT;
	}
	r->first = ps->npages;
	r->npages = n;
	r->owner = ps->nruns;
	ps->npages += n;
	return ps->nruns++;
}

/* The page of run @run holding user address @addr. */
struct page *secmsg_pins_page(const struct secmsg_pinset *ps, int run,
			      u64 addr)
{
	const struct secmsg_pinrun *r = &ps->run[run];

	if (r->held >= 0)
		return ps->held[r->held].page;
	return ps->pages[r->first + ((addr & PAGE_MASK) -
				     (r->start & PAGE_MASK)) / PAGE_SIZE];
}

static bool secmsg_pins_covers(const struct secmsg_pinset *ps, int run,
			       u64 addr, size_t len)
{
	const struct secmsg_pinrun *r;

	if (run < 0 || run >= ps->nruns)
		return false;
	r = &ps->run[run];
	return addr >= r->start && len <= r->len &&
	       addr - r->start <= r->len - len;
}

/* Run @run was written through: its pages are marked dirty when unpinned. */
void secmsg_pins_dirty(struct secmsg_pinset *ps, int run)
{
	const struct secmsg_pinrun *r = &ps->run[run];

	if (r->held >= 0)
		ps->held[r->held].dirty = true;
	else
		ps->run[r->owner].dirty = true;
}

/* Copy @len bytes to user address @addr inside run @run: cannot fail. */
void secmsg_pins_write(struct secmsg_pinset *ps, int run, u64 addr,
		       const void *src, size_t len)
{
	if (WARN_ON_ONCE(!secmsg_pins_covers(ps, run, addr, len) ||
			 !ps->run[run].write))
		return;
	secmsg_pins_dirty(ps, run);
	while (len) {
		unsigned int off = offset_in_page(addr);
		size_t chunk = min_t(size_t, PAGE_SIZE - off, len);

		memcpy_to_page(secmsg_pins_page(ps, run, addr), off, src, chunk);
		addr += chunk;
		src += chunk;
		len -= chunk;
	}
}

/* Copy @len bytes from user address @addr inside run @run. */
void secmsg_pins_read(const struct secmsg_pinset *ps, int run, u64 addr,
		      void *dst, size_t len)
{
	if (WARN_ON_ONCE(!secmsg_pins_covers(ps, run, addr, len)))
		return;
	while (len) {
		unsigned int off = offset_in_page(addr);
		size_t chunk = min_t(size_t, PAGE_SIZE - off, len);

		memcpy_from_page(dst, secmsg_pins_page(ps, run, addr), off,
				 chunk);
		addr += chunk;
		dst += chunk;
		len -= chunk;
	}
}

/*
 * Unpin the runs from index @from on (the earlier ones stay); held pages
 * stay pinned until secmsg_pins_free().
 */
void secmsg_pins_release(struct secmsg_pinset *ps, unsigned int from)
{
	bool first = true;
	unsigned int i;

	for (i = from; i < ps->nruns; i++) {
		struct secmsg_pinrun *r = &ps->run[i];

		if (r->held >= 0) {
			ps->held[r->held].users--;
			continue;
		}
		/* A shared run's pages belong to an earlier run. */
		if (r->owner != i)
			continue;
		if (first) {
			ps->npages = r->first;
			first = false;
		}
		if (r->dirty)
			unpin_user_pages_dirty_lock(ps->pages + r->first,
						    r->npages, true);
		else
			unpin_user_pages(ps->pages + r->first, r->npages);
	}
	if (from < ps->nruns)
		ps->nruns = from;
}

/* Unpin everything; the kept page array stays for the next call. */
void secmsg_pins_free(struct secmsg_pinset *ps)
{
	unsigned int i;

	secmsg_pins_release(ps, 0);
	for (i = 0; i < ps->nheld; i++)
		unpin_user_pages_dirty_lock(&ps->held[i].page, 1,
					    ps->held[i].dirty);
	secmsg_pins_init(ps);
}

/* Free the kept page array (nothing pinned). */
void secmsg_pins_drop(struct secmsg_pinset *ps)
{
	kvfree(ps->big);
	ps->big = NULL;
	ps->big_cap = 0;
}

/**
 * secmsg_sgtab_get() - a kept scatterlist of @n entries
 * @t: the table
 * @n: entries, not 0
 *
 * Grows @t if it is smaller; then initialises @n entries (the last one
 * marked as the end), ready to be set.
 *
 * Return: the list, or NULL (-ENOMEM; @t as it was).
 */
struct scatterlist *secmsg_sgtab_get(struct secmsg_sgtab *t, unsigned int n)
{
	struct scatterlist *sgl;

	if (n > t->cap) {
		sgl = kvmalloc_array(n, sizeof(*sgl), GFP_KERNEL_ACCOUNT);
		if (!sgl)
			return NULL;
		kvfree(t->sgl);
		t->sgl = sgl;
		t->cap = n;
	}
	sg_init_table(t->sgl, n);
	return t->sgl;
}

void secmsg_sgtab_free(struct secmsg_sgtab *t)
{
	kvfree(t->sgl);
	t->sgl = NULL;
	t->cap = 0;
}

/* The message */

bool secmsg_mb_selected(const struct secmsg_mbuf *b, enum secmsg_sel sel)
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

static bool secmsg_op_sends(unsigned int op)
{
	return op == SECMSG_OP_SIGN || op == SECMSG_OP_SEAL;
}

/*
 * Buffers of a user's list read per copy: most lists are this short, and
 * the kernel's stack init zeroes a local array on every call, so a whole
 * list's worth (SECMSG_MAX_BUFFERS) would cost every message.
 */
#define SECMSG_LIST_CHUNK	4

/* Read the buffer list: the user's array, or a kernel message's. */
static int secmsg_mb_read_list(struct secmsg_msgbuf *mb, u32 nbuf,
			       u64 ubuffers, struct secmsg_kbuffer *kbuf)
{
	struct secmsg_buffer ub[SECMSG_LIST_CHUNK];
	bool reserved = false;
	unsigned int i, n;

	mb->nbuf = nbuf;
	mb->kbuf = kbuf;
	mb->ubuf = NULL;
	if (kbuf) {
		for (i = 0; i < nbuf; i++) {
			const struct secmsg_kbuffer *kb = &kbuf[i];
			struct secmsg_mbuf *b = &mb->b[i];

			if ((kb->base && kb->sg) || (!kb->sg && kb->offset))
				return -EINVAL;
			b->type = kb->type;
			b->flags = kb->flags;
			b->len = kb->len;
			b->ptr = (uintptr_t)kb->base;
			b->sg = kb->sg;
			b->sg_off = kb->offset;
		}
		return 0;
	}
	mb->ubuf = u64_to_user_ptr(ubuffers);
	for (i = 0; i < nbuf; i++) {
		const struct secmsg_buffer *u = &ub[i % SECMSG_LIST_CHUNK];
		struct secmsg_mbuf *b = &mb->b[i];

		if (!(i % SECMSG_LIST_CHUNK)) {
			n = min_t(u32, nbuf - i, SECMSG_LIST_CHUNK);
			if (copy_from_user(ub, mb->ubuf + i, n * sizeof(*ub)))
				return -EFAULT;
		}
		reserved |= u->reserved != 0;
		b->type = u->type;
		b->flags = u->flags;
		b->len = u->len;
		b->ptr = u->ptr;
		b->sg = NULL;
		b->sg_off = 0;
	}
	/* The whole list is read first: its EFAULT wins (uapi). */
	return reserved ? -EINVAL : 0;
}

static bool secmsg_mb_has_flagged_data(const struct secmsg_msgbuf *mb)
{
	unsigned int i;

	for (i = 0; i < mb->nbuf; i++)
		if (mb->b[i].type == SECMSG_BUF_DATA && mb->b[i].flags)
			return true;
	return false;
}

/*
 * Check the buffer list against the layouts of the call (uapi "Buffers and
 * messages").  Return: 0, -EINVAL, or -EMSGSIZE.
 */
static int secmsg_mb_layout(struct secmsg_msgbuf *mb, unsigned int op,
			    const struct secmsg_sizes *sz)
{
	const u32 frame = sz->header + sz->trailer;
	unsigned int i, ndata = 0;
	u64 rwc = 0, plain = 0, covered;

	mb->token = -1;
	mb->header = -1;
	mb->trailer = -1;
	mb->padding = -1;
	mb->stream = -1;
	mb->data = -1;

	for (i = 0; i < mb->nbuf; i++) {
		const struct secmsg_mbuf *b = &mb->b[i];
		int *slot = NULL;

		if (b->flags && b->type != SECMSG_BUF_DATA)
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
			mb->data = i;
			ndata++;
			break;
		case SECMSG_BUF_TOKEN:
			slot = &mb->token;
			break;
		case SECMSG_BUF_PADDING:
			if (op == SECMSG_OP_SIGN || op == SECMSG_OP_VERIFY)
				return -EINVAL;
			slot = &mb->padding;
			break;
		case SECMSG_BUF_STREAM_HEADER:
			if (op != SECMSG_OP_SEAL)
				return -EINVAL;
			slot = &mb->header;
			break;
		case SECMSG_BUF_STREAM_TRAILER:
			if (op != SECMSG_OP_SEAL)
				return -EINVAL;
			slot = &mb->trailer;
			break;
		case SECMSG_BUF_STREAM:
			if (op != SECMSG_OP_UNSEAL)
				return -EINVAL;
			slot = &mb->stream;
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

	if (mb->stream >= 0) {
		/* UNSEAL stream form: STREAM, one plain DATA (out), EMPTY* */
		if (mb->token >= 0 || mb->padding >= 0 || ndata != 1 ||
		    mb->b[mb->data].flags)
			return -EINVAL;
		covered = mb->b[mb->stream].len;
		covered = covered > frame ? covered - frame : 0;
		rwc = 0;
		plain = 0;
	} else if (mb->header >= 0 || mb->trailer >= 0) {
		/*
		 * SEAL stream form: STREAM_HEADER, DATA*, STREAM_TRAILER.
		 * The receiver sees one stream, so every DATA buffer is
		 * part of it, the same way: no flags.
		 */
		if (mb->header < 0 || mb->trailer < 0 ||
		    mb->token >= 0 || mb->padding >= 0 ||
		    secmsg_mb_has_flagged_data(mb))
			return -EINVAL;
		covered = rwc + plain;
	} else {
		/* token form */
		if (mb->token < 0)
			return -EINVAL;
		covered = rwc + plain;
	}
	if (covered > SECMSG_MAX_MESSAGE)
		return -EMSGSIZE;
	/* A sign-only wrap's data is checked once its kind is known. */
	if ((op == SECMSG_OP_SIGN || op == SECMSG_OP_VERIFY ? rwc + plain :
	     rwc) > SECMSG_MAX_SIGNED)
		return -EMSGSIZE;
	mb->rwc_len = rwc;
	mb->plain_len = plain;
	return 0;
}

/*
 * Which bytes of each buffer the call may access, and whether it may
 * write them.  @sealing: a SEAL that encrypts (its plain DATA is written).
 * An UNSEAL learns whether the message is encrypted only from its token:
 * its plain DATA (or STREAM) buffers count as written either way.
 */
static void secmsg_mb_access(struct secmsg_msgbuf *mb, unsigned int op,
			     bool sealing, const struct secmsg_sizes *sz)
{
	unsigned int i;

	for (i = 0; i < mb->nbuf; i++) {
		struct secmsg_mbuf *b = &mb->b[i];

		b->acc = 0;
		b->write = false;
		b->pin = -1;
		switch (b->type) {
		case SECMSG_BUF_TOKEN:
			b->acc = min(b->len, sz->token);
			b->write = secmsg_op_sends(op);
			break;
		case SECMSG_BUF_STREAM_HEADER:
			b->acc = min(b->len, sz->header);
			b->write = true;
			break;
		case SECMSG_BUF_STREAM_TRAILER:
			b->acc = min(b->len, sz->trailer);
			b->write = true;
			break;
		case SECMSG_BUF_STREAM:
			b->acc = b->len;
			b->write = true;
			break;
		case SECMSG_BUF_DATA:
			/* A stream UNSEAL's DATA is only pointed, never
			 * accessed; READONLY data is not covered.
			 */
			if (mb->stream >= 0 || b->flags == SECMSG_BUF_READONLY)
				break;
			b->acc = b->len;
			b->write = !b->flags &&
				   (op == SECMSG_OP_UNSEAL ||
				    (op == SECMSG_OP_SEAL && sealing));
			break;
		default:
			break;
		}
	}
}

/*
 * No two buffers may overlap: in-place work would be ill-defined, and
 * READONLY data is promised to stay untouched, so READONLY buffers count
 * with their whole length.  A range that wraps the address space cannot
 * be valid.  Scatterlists have no address to compare: their user's care.
 */
static int secmsg_mb_check_overlap(struct secmsg_msgbuf *mb)
{
	u64 *start = mb->start, *end = mb->end;
	unsigned int i, j, n = 0;

	for (i = 0; i < mb->nbuf; i++) {
		const struct secmsg_mbuf *b = &mb->b[i];
		u32 len = b->acc;
		u64 s = b->ptr, e;

		if (b->type == SECMSG_BUF_DATA &&
		    b->flags == SECMSG_BUF_READONLY)
			len = b->len;
		if (!len || b->sg)
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

/**
 * secmsg_mb_load() - read and check a message's buffer list
 * @mb:       the descriptor to fill
 * @pins:     the call's pin set (the adapter's own pins already in it)
 * @op:       SECMSG_OP_*
 * @qop:      the message's qop (SEAL: whether plain DATA is written)
 * @sz:       the context's protocol sizes
 * @nbuf:     buffers, 1..SECMSG_MAX_BUFFERS (checked by the caller)
 * @ubuffers: user message: the user's array
 * @kbuf:     kernel message: the consumer's buffers, else NULL
 *
 * Nothing is pinned yet; secmsg_mb_release() is still needed.
 *
 * Return: 0; -EINVAL for a bad type, flag, reserved field, layout or
 * overlap; -EMSGSIZE beyond the size limits; -EFAULT for an array that
 * cannot be read or a range that wraps.
 */
int secmsg_mb_load(struct secmsg_msgbuf *mb, struct secmsg_pinset *pins,
		   unsigned int op, u32 qop, const struct secmsg_sizes *sz,
		   u32 nbuf, u64 ubuffers, struct secmsg_kbuffer *kbuf)
{
	int err;

	mb->op = op;
	mb->pins = pins;
	mb->pin_mark = pins->nruns;
	mb->ubuf_pin = -1;
	err = secmsg_mb_read_list(mb, nbuf, ubuffers, kbuf);
	if (err)
		return err;
	err = secmsg_mb_layout(mb, op, sz);
	if (err)
		return err;
	secmsg_mb_access(mb, op, qop == SECMSG_QOP_DEFAULT, sz);
	return secmsg_mb_check_overlap(mb);
}

/* Whether the call writes lens (or a ptr) back into the buffer list. */
static bool secmsg_mb_writes_list(const struct secmsg_msgbuf *mb)
{
	return secmsg_op_sends(mb->op) || mb->stream >= 0;
}

/*
 * A kernel message: every byte the call accesses must exist, as pinning
 * finds for a user message (EFAULT otherwise).
 */
static int secmsg_mb_check_kernel(const struct secmsg_msgbuf *mb)
{
	unsigned int i;

	for (i = 0; i < mb->nbuf; i++) {
		const struct secmsg_mbuf *b = &mb->b[i];

		if (!b->acc)
			continue;
		if (b->sg ? sg_nents_for_len(b->sg, (u64)b->sg_off + b->acc) < 0 :
			    !b->ptr)
			return -EFAULT;
	}
	return 0;
}

/**
 * secmsg_mb_map() - make every byte the call may access accessible
 * @mb: a loaded descriptor
 *
 * User memory is pinned: for write where the call may write (the buffers
 * it writes, and the buffer list when it writes lens back), so that no
 * write after this can fault.
 *
 * Return: 0, -EFAULT (memory not accessible as the call needs), -ENOMEM.
 */
int secmsg_mb_map(struct secmsg_msgbuf *mb)
{
	struct secmsg_pinset *ps = mb->pins;
	u64 list = (u64)mb->nbuf * sizeof(struct secmsg_buffer);
	u64 npages = 0;
	unsigned int i;
	int err, run;

	if (!secmsg_mb_is_user(mb))
		return secmsg_mb_check_kernel(mb);

	for (i = 0; i < mb->nbuf; i++)
		npages += secmsg_range_pages(mb->b[i].ptr, mb->b[i].acc);
	if (secmsg_mb_writes_list(mb))
		npages += secmsg_range_pages((uintptr_t)mb->ubuf, list);
	err = secmsg_pins_reserve(ps, npages);
	if (err)
		return err;

	/* Written ranges first: a read range on the same page shares. */
	for (i = 0; i < mb->nbuf; i++) {
		struct secmsg_mbuf *b = &mb->b[i];

		if (!b->acc || !b->write)
			continue;
		run = secmsg_pins_add(ps, b->ptr, b->acc, true);
		if (run < 0)
			return run;
		b->pin = run;
	}
	if (secmsg_mb_writes_list(mb)) {
		run = secmsg_pins_add(ps, (uintptr_t)mb->ubuf, list, true);
		if (run < 0)
			return run;
		mb->ubuf_pin = run;
	}
	for (i = 0; i < mb->nbuf; i++) {
		struct secmsg_mbuf *b = &mb->b[i];

		if (!b->acc || b->write)
			continue;
		run = secmsg_pins_add(ps, b->ptr, b->acc, false);
		if (run < 0)
			return run;
		b->pin = run;
	}
	return 0;
}

/* Unpin this message's memory (the adapter's pins stay). */
void secmsg_mb_release(struct secmsg_msgbuf *mb)
{
	secmsg_pins_release(mb->pins, mb->pin_mark);
}

/* Infallible access, once mapped */

void secmsg_mb_read(const struct secmsg_msgbuf *mb, unsigned int i, u32 off,
		    void *dst, u32 len)
{
	const struct secmsg_mbuf *b = &mb->b[i];

	if (WARN_ON_ONCE(off > b->acc || len > b->acc - off))
		return;
	if (secmsg_mb_is_user(mb))
		secmsg_pins_read(mb->pins, b->pin, b->ptr + off, dst, len);
	else if (!b->sg)
		memcpy(dst, (void *)(uintptr_t)b->ptr + off, len);
	else
		sg_pcopy_to_buffer(b->sg, sg_nents(b->sg), dst, len,
				   (size_t)b->sg_off + off);
}

void secmsg_mb_write(struct secmsg_msgbuf *mb, unsigned int i, u32 off,
		     const void *src, u32 len)
{
	const struct secmsg_mbuf *b = &mb->b[i];

	if (WARN_ON_ONCE(!b->write || off > b->acc || len > b->acc - off))
		return;
	if (secmsg_mb_is_user(mb))
		secmsg_pins_write(mb->pins, b->pin, b->ptr + off, src, len);
	else if (!b->sg)
		memcpy((void *)(uintptr_t)b->ptr + off, src, len);
	else
		sg_pcopy_from_buffer(b->sg, sg_nents(b->sg), src, len,
				     (size_t)b->sg_off + off);
}

/* Copy the selected DATA buffers, in order, to @dst. */
void secmsg_mb_gather(const struct secmsg_msgbuf *mb, enum secmsg_sel sel,
		      u8 *dst)
{
	unsigned int i;

	for (i = 0; i < mb->nbuf; i++) {
		const struct secmsg_mbuf *b = &mb->b[i];

		if (!secmsg_mb_selected(b, sel) || !b->acc)
			continue;
		secmsg_mb_read(mb, i, 0, dst, b->acc);
		dst += b->acc;
	}
}

/* Copy @src back to the selected DATA buffers, in order. */
void secmsg_mb_scatter(struct secmsg_msgbuf *mb, enum secmsg_sel sel,
		       const u8 *src)
{
	unsigned int i;

	for (i = 0; i < mb->nbuf; i++) {
		const struct secmsg_mbuf *b = &mb->b[i];

		if (!secmsg_mb_selected(b, sel) || !b->acc)
			continue;
		secmsg_mb_write(mb, i, 0, src, b->acc);
		src += b->acc;
	}
}

/*
 * The selected DATA buffers of a user message were written through a
 * scatterlist over their pinned pages (secmsg_mb_sg()), not through
 * secmsg_mb_write(): their pages are marked dirty when unpinned.
 */
void secmsg_mb_written(struct secmsg_msgbuf *mb, enum secmsg_sel sel)
{
	struct secmsg_pinset *ps = mb->pins;
	unsigned int i;

	if (!secmsg_mb_is_user(mb))
		return;
	for (i = 0; i < mb->nbuf; i++) {
		const struct secmsg_mbuf *b = &mb->b[i];

		if (!secmsg_mb_selected(b, sel) || !b->acc ||
		    WARN_ON_ONCE(!b->write || b->pin < 0))
			continue;
		secmsg_pins_dirty(ps, b->pin);
	}
}

/* Write back buffer @i's len. */
void secmsg_mb_set_len(struct secmsg_msgbuf *mb, unsigned int i, u32 len)
{
	if (!secmsg_mb_is_user(mb)) {
		mb->kbuf[i].len = len;
		return;
	}
	secmsg_pins_write(mb->pins, mb->ubuf_pin, (uintptr_t)&mb->ubuf[i].len,
			  &len, sizeof(len));
}

/* Point buffer @i at buffer @from's bytes from @off on (UNSEAL stream). */
void secmsg_mb_point(struct secmsg_msgbuf *mb, unsigned int i,
		     unsigned int from, u32 off)
{
	struct secmsg_kbuffer *kb;
	u64 ptr;

	if (secmsg_mb_is_user(mb)) {
		ptr = mb->b[from].ptr + off;
		secmsg_pins_write(mb->pins, mb->ubuf_pin,
				  (uintptr_t)&mb->ubuf[i].ptr, &ptr,
				  sizeof(ptr));
		return;
	}
	kb = &mb->kbuf[i];
	kb->sg = mb->kbuf[from].sg;
	kb->base = kb->sg ? NULL : mb->kbuf[from].base + off;
	kb->offset = kb->sg ? mb->kbuf[from].offset + off : 0;
}

/* The selected non-empty DATA buffers as segments; returns their number. */
unsigned int secmsg_mb_segs(const struct secmsg_msgbuf *mb,
			    enum secmsg_sel sel, struct secmsg_seg *seg)
{
	unsigned int i, n = 0;

	for (i = 0; i < mb->nbuf; i++) {
		const struct secmsg_mbuf *b = &mb->b[i];

		if (!secmsg_mb_selected(b, sel) || !b->acc)
			continue;
		seg[n].i = i;
		seg[n].off = 0;
		seg[n].len = b->acc;
		n++;
	}
	return n;
}

/* Whether secmsg_mb_sg() can describe the message's memory directly. */
bool secmsg_mb_can_sg(const struct secmsg_msgbuf *mb)
{
	/* Kernel memory (kvecs may be on a vmalloc()ed stack): bounced. */
	return secmsg_mb_is_user(mb);
}

/**
 * secmsg_mb_sg() - a scatterlist over parts of a mapped user message
 * @mb:       the message (secmsg_mb_can_sg())
 * @seg:      the parts, in order, none empty
 * @nseg:     their number
 * @sgt:      kept table to fill (grown if too small)
 * @head:     linear memory for the list's first entry
 * @head_len: its bytes
 * @tail:     linear memory for the list's last entry
 * @tail_len: its bytes
 *
 * Describes [@head | the parts' pinned pages | @tail].  The head is an
 * entry of its own, so drivers that want the AAD linear (6.1's gcm-aesni)
 * find it in the first entry.
 *
 * Return: 0 or -ENOMEM (with @sgt as it was).
 */
int secmsg_mb_sg(const struct secmsg_msgbuf *mb, const struct secmsg_seg *seg,
		 unsigned int nseg, struct secmsg_sgtab *sgt, void *head,
		 unsigned int head_len, void *tail, unsigned int tail_len)
{
	const struct secmsg_pinset *ps = mb->pins;
	struct scatterlist *sg;
	unsigned int n = 2, i;

	for (i = 0; i < nseg; i++)
		n += secmsg_range_pages(mb->b[seg[i].i].ptr + seg[i].off,
					seg[i].len);
	sg = secmsg_sgtab_get(sgt, n);
	if (!sg)
		return -ENOMEM;
	sg_set_buf(sg, head, head_len);
	for (i = 0; i < nseg; i++) {
		const struct secmsg_mbuf *b = &mb->b[seg[i].i];
		u64 addr = b->ptr + seg[i].off;
		u32 rem = seg[i].len;

		while (rem) {
			unsigned int off = offset_in_page(addr);
			unsigned int chunk = min_t(u32, PAGE_SIZE - off, rem);

			sg = sg_next(sg);
			sg_set_page(sg, secmsg_pins_page(ps, b->pin, addr),
				    chunk, off);
			addr += chunk;
			rem -= chunk;
		}
	}
	sg = sg_next(sg);
	sg_set_buf(sg, tail, tail_len);
	return 0;
}
