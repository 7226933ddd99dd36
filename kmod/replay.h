/* SPDX-License-Identifier: GPL-2.0 */
/*
 * secmsg: receive-side replay and sequence window.
 */
#ifndef _SECMSG_REPLAY_H
#define _SECMSG_REPLAY_H

#include <linux/bitops.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "secmsg.h"

/**
 * enum secmsg_replay_mode - which sequence checks a context asked for
 * @SECMSG_REPLAY_NONE: numbers are not checked (only the highest is kept)
 * @SECMSG_REPLAY_DETECT: SECMSG_CTX_REPLAY_DETECT
 * @SECMSG_REPLAY_SEQUENCE: SECMSG_CTX_SEQUENCE_DETECT, strict order
 */
enum secmsg_replay_mode {
	SECMSG_REPLAY_NONE,
	SECMSG_REPLAY_DETECT,
	SECMSG_REPLAY_SEQUENCE,
};

/**
 * struct secmsg_replay - receive window of one context
 * @lock:    protects everything below; taken only around the check
 * @mode:    enum secmsg_replay_mode, fixed at import
 * @any:     a number has been accepted, so @top is valid
 * @initial: the initial receive number; anything below is TOO_OLD
 * @top:     highest accepted number (H)
 * @size:    the window, W: a power of two, SECMSG_REPLAY_WINDOW_MIN to
 *           _MAX, fixed at creation
 * @map:     ring of @size bits; bit n % W is set when n (one of
 *           top - W + 1 .. top) was accepted.  In the context's own
 *           allocation, sized for @size (secmsg_replay_setup()): the
 *           largest window would otherwise double a context's size
 */
struct secmsg_replay {
	spinlock_t lock;	/* protects the fields below */
	enum secmsg_replay_mode mode;
	bool any;
	u64 initial;
	u64 top;
	u32 size;
	unsigned long *map;
};

/* Bytes of the map of a window of @size bits. */
static inline size_t secmsg_replay_map_size(u32 size)
{
	return BITS_TO_LONGS(size) * sizeof(unsigned long);
}

/* Give a window its map and its size, once, before secmsg_replay_init(). */
static inline void secmsg_replay_setup(struct secmsg_replay *r,
				       unsigned long *map, u32 size)
{
	r->map = map;
	r->size = size;
}

void secmsg_replay_init(struct secmsg_replay *r, enum secmsg_replay_mode mode,
			u64 initial);
bool secmsg_replay_size_valid(u32 size);
u32 secmsg_replay_check(struct secmsg_replay *r, u64 seq);
u64 secmsg_replay_next(struct secmsg_replay *r);

#endif /* _SECMSG_REPLAY_H */
