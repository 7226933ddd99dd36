/* SPDX-License-Identifier: GPL-2.0 */
/*
 * secmsg: the buffer layer of the message engine.
 *
 * A message reaches the engine as a user buffer list, or as a kernel
 * consumer's kvecs and scatterlists.  secmsg_mb_load() and secmsg_mb_map()
 * turn either into one checked descriptor, struct secmsg_msgbuf, through
 * which the protocols read and write the message.  Every fallible step
 * (a fault, an allocation) happens in those two, before a protocol runs;
 * afterwards every access is infallible.  That is the failure contract of
 * uapi/linux/secmsg.h ("Results and verdicts"): a call that fails
 * without a verdict has used no sequence number, moved no window and
 * written no byte.
 *
 * User memory is pinned (pin_user_pages_fast()), for write wherever the
 * call may write, so that a write-back after the crypto cannot fault: a
 * read-only page, an unmapped one or a racing munmap() is found before
 * anything is done.  Pinned pages are read and written through the kernel
 * map; the AEAD may also read large data from them directly
 * (secmsg_mb_data_sg()).
 */
#ifndef _SECMSG_MSGBUF_H
#define _SECMSG_MSGBUF_H

#include <linux/scatterlist.h>
#include <linux/types.h>

#include "secmsg.h"

struct page;
struct secmsg_kbuffer;

/* Which covered DATA buffers to gather, scatter or describe. */
enum secmsg_sel {
	SECMSG_SEL_ALL,		/* every covered DATA buffer */
	SECMSG_SEL_RWC,		/* READONLY_WITH_CHECKSUM: signed only */
	SECMSG_SEL_PLAIN,	/* no flags: encrypted when sealing */
};

/*
 * Runs of pinned user pages a call may hold: one per buffer, the buffer
 * array, the message struct's out fields, a batch's message array and its
 * counts.
 */
#define SECMSG_PIN_RUNS		(SECMSG_MAX_BUFFERS + 4)
/* Pages kept in the pin set itself; more are kvmalloc()ed (and kept). */
#define SECMSG_PIN_INLINE	16
/* Single pages a BATCH keeps pinned from one message to the next. */
#define SECMSG_PIN_HELD		8

/**
 * struct secmsg_pinrun - pinned user pages covering one user range
 * @start:  the range's first byte (user address)
 * @len:    its length
 * @first:  index of its first page in the set's page array
 * @npages: pages pinned for it
 * @owner:  the run that holds the pins: itself, or an earlier run on the
 *          same single page (pinned once, shared)
 * @held:   the held page the run lies on (its one page), or -1
 * @write:  pinned for write
 * @dirty:  written through (the pages are marked dirty when unpinned)
 */
struct secmsg_pinrun {
	u64 start;
	u64 len;
	unsigned int first;
	unsigned int npages;
	unsigned int owner;
	int held;
	bool write;
	bool dirty;
};

/**
 * struct secmsg_pinheld - a page pinned for the whole call (BATCH)
 * @page:  the page
 * @addr:  its user address
 * @users: runs of the running message on it
 * @write: pinned for write
 * @dirty: written through
 */
struct secmsg_pinheld {
	struct page *page;
	u64 addr;
	unsigned int users;
	bool write;
	bool dirty;
};

/**
 * struct secmsg_pinset - pinned user memory of one call
 * @run:    the runs
 * @nruns:  entries of @run
 * @pages:  every pinned page, run after run: @inline_pages or @big
 * @npages: entries of @pages in use
 * @cap:    entries @pages has room for
 * @big:    kvmalloc()ed room for large calls, kept from call to call
 *          until secmsg_pins_drop()
 * @big_cap: entries @big has room for
 * @hold:   keep single pages pinned until the call ends (secmsg_pins_hold())
 * @held:   those pages
 * @nheld:  entries of @held in use
 * @held_next: the next one to give up for another page, round robin
 * @inline_pages: room for small calls
 */
struct secmsg_pinset {
	struct secmsg_pinrun run[SECMSG_PIN_RUNS];
	unsigned int nruns;
	struct page **pages;
	unsigned int npages;
	unsigned int cap;
	struct page **big;
	unsigned int big_cap;
	bool hold;
	struct secmsg_pinheld held[SECMSG_PIN_HELD];
	unsigned int nheld;
	unsigned int held_next;
	struct page *inline_pages[SECMSG_PIN_INLINE];
};

void secmsg_pins_init(struct secmsg_pinset *ps);
int secmsg_pins_reserve(struct secmsg_pinset *ps, u64 npages);
int secmsg_pins_add(struct secmsg_pinset *ps, u64 start, u64 len,
		    bool write);
void secmsg_pins_hold(struct secmsg_pinset *ps);
void secmsg_pins_dirty(struct secmsg_pinset *ps, int run);
void secmsg_pins_write(struct secmsg_pinset *ps, int run, u64 addr,
		       const void *src, size_t len);
void secmsg_pins_read(const struct secmsg_pinset *ps, int run, u64 addr,
		      void *dst, size_t len);
struct page *secmsg_pins_page(const struct secmsg_pinset *ps, int run,
			      u64 addr);
void secmsg_pins_release(struct secmsg_pinset *ps, unsigned int from);
void secmsg_pins_free(struct secmsg_pinset *ps);
void secmsg_pins_drop(struct secmsg_pinset *ps);
u64 secmsg_range_pages(u64 start, u64 len);

/**
 * struct secmsg_sgtab - a flat scatterlist array, kept and reused
 * @sgl: the entries, kvmalloc()ed, or NULL
 * @cap: entries @sgl has room for
 */
struct secmsg_sgtab {
	struct scatterlist *sgl;
	unsigned int cap;
};

struct scatterlist *secmsg_sgtab_get(struct secmsg_sgtab *t, unsigned int n);
void secmsg_sgtab_free(struct secmsg_sgtab *t);

/**
 * struct secmsg_mbuf - one buffer of a message, checked
 * @type:   SECMSG_BUF_*
 * @flags:  SECMSG_BUF_READONLY*, or 0
 * @len:    bytes of the buffer, as given
 * @ptr:    user address (user message), kernel address (kvec), or 0
 *          (scatterlist)
 * @sg:     kernel message, scatterlist form: the list, else NULL
 * @sg_off: bytes of @sg before the buffer
 * @acc:    bytes the call may read or write, from the buffer's start
 * @write:  the call may write them
 * @pin:    user message: the pin run covering the @acc bytes, or -1
 */
struct secmsg_mbuf {
	u32 type;
	u32 flags;
	u32 len;
	u64 ptr;
	struct scatterlist *sg;
	u32 sg_off;
	u32 acc;
	bool write;
	int pin;
};

/**
 * struct secmsg_sizes - what a protocol's tokens take (per context)
 * @token:   bytes of a SIGN token and of a token-form WRAP token; SIGN and
 *           SEAL need a TOKEN buffer at least this long (BUFFER_TOO_SMALL)
 * @header:  stream form: bytes before the data (STREAM_HEADER)
 * @trailer: stream form: bytes after the data (STREAM_TRAILER)
 */
struct secmsg_sizes {
	u32 token;
	u32 header;
	u32 trailer;
};

/**
 * struct secmsg_msgbuf - a message's buffers: the buffer layer's descriptor
 * @op:        SECMSG_OP_*
 * @nbuf:      entries of @b
 * @b:         the buffers
 * @token:     index of the TOKEN buffer, or -1
 * @header:    index of the STREAM_HEADER buffer, or -1
 * @trailer:   index of the STREAM_TRAILER buffer, or -1
 * @padding:   index of the PADDING buffer, or -1
 * @stream:    index of the STREAM buffer, or -1
 * @data:      index of the (last) DATA buffer, or -1
 * @rwc_len:   covered bytes in DATA buffers flagged READONLY_WITH_CHECKSUM
 * @plain_len: covered bytes in DATA buffers without flags
 * @ubuf:      user message: the user's buffer array (lens and the stream
 *             DATA's ptr are written back there), else NULL
 * @ubuf_pin:  its pin run, or -1 when the call writes nothing there
 * @kbuf:      kernel message: the consumer's buffers, else NULL
 * @pins:      the call's pinned user memory, shared with the adapter
 *             (which pins the message struct's out fields first)
 * @pin_mark:  runs of @pins before this message's own
 * @start:     scratch for the overlap check (off the stack)
 * @end:       likewise
 */
struct secmsg_msgbuf {
	unsigned int op;
	unsigned int nbuf;
	struct secmsg_mbuf b[SECMSG_MAX_BUFFERS];
	int token;
	int header;
	int trailer;
	int padding;
	int stream;
	int data;
	u32 rwc_len;
	u32 plain_len;
	struct secmsg_buffer __user *ubuf;
	int ubuf_pin;
	struct secmsg_kbuffer *kbuf;
	struct secmsg_pinset *pins;
	unsigned int pin_mark;
	u64 start[SECMSG_MAX_BUFFERS];
	u64 end[SECMSG_MAX_BUFFERS];
};

static inline bool secmsg_mb_is_user(const struct secmsg_msgbuf *mb)
{
	return !mb->kbuf;
}

bool secmsg_mb_selected(const struct secmsg_mbuf *b, enum secmsg_sel sel);
int secmsg_mb_load(struct secmsg_msgbuf *mb, struct secmsg_pinset *pins,
		   unsigned int op, u32 qop,
		   const struct secmsg_sizes *sz, u32 nbuf, u64 ubuffers,
		   struct secmsg_kbuffer *kbuf);
int secmsg_mb_map(struct secmsg_msgbuf *mb);
void secmsg_mb_release(struct secmsg_msgbuf *mb);

/* After secmsg_mb_map(): infallible access to the message. */
void secmsg_mb_read(const struct secmsg_msgbuf *mb, unsigned int i, u32 off,
		    void *dst, u32 len);
void secmsg_mb_write(struct secmsg_msgbuf *mb, unsigned int i,
		     u32 off, const void *src, u32 len);
void secmsg_mb_gather(const struct secmsg_msgbuf *mb, enum secmsg_sel sel,
		      u8 *dst);
void secmsg_mb_scatter(struct secmsg_msgbuf *mb, enum secmsg_sel sel,
		       const u8 *src);
void secmsg_mb_set_len(struct secmsg_msgbuf *mb, unsigned int i, u32 len);
void secmsg_mb_written(struct secmsg_msgbuf *mb, enum secmsg_sel sel);
void secmsg_mb_point(struct secmsg_msgbuf *mb, unsigned int i,
		     unsigned int from, u32 off);

/**
 * struct secmsg_seg - a part of one buffer of a message
 * @i:   the buffer
 * @off: bytes of it before the part
 * @len: bytes of the part
 */
struct secmsg_seg {
	unsigned int i;
	u32 off;
	u32 len;
};

unsigned int secmsg_mb_segs(const struct secmsg_msgbuf *mb,
			    enum secmsg_sel sel, struct secmsg_seg *seg);
bool secmsg_mb_can_sg(const struct secmsg_msgbuf *mb);
int secmsg_mb_sg(const struct secmsg_msgbuf *mb, const struct secmsg_seg *seg,
		 unsigned int nseg, struct secmsg_sgtab *sgt, void *head,
		 unsigned int head_len, void *tail, unsigned int tail_len);

#endif /* _SECMSG_MSGBUF_H */
