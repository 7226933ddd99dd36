// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg: receive-side replay and sequence window.
 *
 * A ring of W bits (the context's window, a power of two) indexed by
 * n % W, in the manner of RFC 6479, but cleared bit by bit rather than
 * word by word when the top advances, so that exactly the W numbers
 * top - W + 1 .. top are tracked, as the uapi promises.  Only called after the tag verified: a
 * forged number never moves the window.
 */
#include <linux/bitmap.h>
#include <linux/log2.h>
#include <linux/spinlock.h>

#include "replay.h"

#include "secmsg.h"

static_assert(!(SECMSG_REPLAY_WINDOW_MIN & (SECMSG_REPLAY_WINDOW_MIN - 1)));
static_assert(!(SECMSG_REPLAY_WINDOW_MAX & (SECMSG_REPLAY_WINDOW_MAX - 1)));
static_assert(!(SECMSG_REPLAY_WINDOW & (SECMSG_REPLAY_WINDOW - 1)));
static_assert(SECMSG_REPLAY_WINDOW_MIN <= SECMSG_REPLAY_WINDOW);
static_assert(SECMSG_REPLAY_WINDOW <= SECMSG_REPLAY_WINDOW_MAX);

/* A window size the module accepts (configuration, module parameter). */
bool secmsg_replay_size_valid(u32 size)
{
	return size >= SECMSG_REPLAY_WINDOW_MIN &&
	       size <= SECMSG_REPLAY_WINDOW_MAX && is_power_of_2(size);
}

/**
 * secmsg_replay_init() - set up an empty window
 * @r:       the window
 * @mode:    the checks the context was granted
 * @initial: the first number expected from the peer
 *
 * The window's size and map are the context's, set when it was created
 * (secmsg_replay_setup(): the module's replay_window then).
 */
void secmsg_replay_init(struct secmsg_replay *r, enum secmsg_replay_mode mode,
			u64 initial)
{
	spin_lock_init(&r->lock);
	r->mode = mode;
	r->any = false;
	r->initial = initial;
	r->top = 0;
	bitmap_zero(r->map, r->size);
}

/* Move the top to @seq (> top): forget the numbers that fall out. */
static void secmsg_replay_advance(struct secmsg_replay *r, u64 seq)
{
	u64 diff = seq - r->top;
	unsigned int start, first;

	if (!r->any || diff >= r->size) {
		bitmap_zero(r->map, r->size);
	} else {
		/* Clear the slots of top + 1 .. seq, which may wrap. */
		start = (r->top + 1) & (r->size - 1);
		first = min_t(u64, diff, r->size - start);
		bitmap_clear(r->map, start, first);
		if (diff > first)
			bitmap_clear(r->map, 0, diff - first);
	}
	r->top = seq;
	r->any = true;
}

/**
 * secmsg_replay_check() - check a verified sequence number, and accept it
 * @r:   the window
 * @seq: the number, from a token whose tag has been verified
 *
 * Check and update are one step under the lock, so two receivers of the
 * same number cannot both be told it is fresh.  Only an accepted number
 * changes the window.
 *
 * Return: SECMSG_VERDICT_OK (accepted), _REPLAYED, _TOO_OLD or
 * _OUT_OF_SEQUENCE.
 */
u32 secmsg_replay_check(struct secmsg_replay *r, u64 seq)
{
	u32 verdict = SECMSG_VERDICT_OK;
	bool strict = r->mode == SECMSG_REPLAY_SEQUENCE;

	spin_lock(&r->lock);
	if (r->mode == SECMSG_REPLAY_NONE) {
		/* Unchecked; keep the highest number for QUERY only. */
		if (!r->any || seq > r->top) {
			r->top = seq;
			r->any = true;
		}
		goto out;
	}

	if (seq < r->initial) {
		verdict = SECMSG_VERDICT_TOO_OLD;
	} else if (!r->any) {
		if (strict && seq != r->initial)
			verdict = SECMSG_VERDICT_OUT_OF_SEQUENCE;
		else
			secmsg_replay_advance(r, seq);
	} else if (seq > r->top) {
		/* seq > top, so top + 1 cannot wrap */
		if (strict && seq != r->top + 1)
			verdict = SECMSG_VERDICT_OUT_OF_SEQUENCE;
		else
			secmsg_replay_advance(r, seq);
	} else if (r->top - seq >= r->size) {
		verdict = SECMSG_VERDICT_TOO_OLD;
	} else if (test_bit(seq & (r->size - 1), r->map)) {
		verdict = SECMSG_VERDICT_REPLAYED;
	} else if (strict) {
		/* Late: cannot happen in strict order, but never accept it. */
		verdict = SECMSG_VERDICT_OUT_OF_SEQUENCE;
	}
	if (verdict == SECMSG_VERDICT_OK)
		__set_bit(seq & (r->size - 1), r->map);
out:
	spin_unlock(&r->lock);
	return verdict;
}

/**
 * secmsg_replay_next() - the number QUERY reports as recv_seq
 * @r: the window
 *
 * Return: highest accepted + 1, or the initial number before any; wraps to
 * 0 once 2^64 - 1 was accepted.
 */
u64 secmsg_replay_next(struct secmsg_replay *r)
{
	u64 next;

	spin_lock(&r->lock);
	next = r->any ? r->top + 1 : r->initial;
	spin_unlock(&r->lock);
	return next;
}
