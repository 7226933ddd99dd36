/* SPDX-License-Identifier: GPL-2.0 */
/*
 * secmsg: the security context object.
 */
#ifndef _SECMSG_CONTEXT_H
#define _SECMSG_CONTEXT_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>

#include "crypto.h"
#include "secmsg.h"
#include "replay.h"

struct cred;
struct file;
struct pid;
struct secmsg_fresh;
struct secmsg_krb5_ctx;
struct secmsg_proto;
struct secmsg_local;
struct secmsg_work;

/* Indexes of struct secmsg_ctx.counters, in struct secmsg_counters order. */
enum secmsg_counter {
	SECMSG_CNT_SIGNED,
	SECMSG_CNT_VERIFIED,
	SECMSG_CNT_SEALED,
	SECMSG_CNT_UNSEALED,
	SECMSG_CNT_ALTERED,
	SECMSG_CNT_REPLAYED,
	SECMSG_CNT_TOO_OLD,
	SECMSG_CNT_OUT_OF_SEQUENCE,
	SECMSG_CNT_EXPIRED,
	SECMSG_CNT_BAD_TOKEN,
	SECMSG_CNT_OTHER,
	SECMSG_CNT_REVOKED,	/* not in struct secmsg_counters (netlink) */
	SECMSG_CNT_NR
};

/* Bits of struct secmsg_ctx.state */
enum {
	SECMSG_CTX_ENDED,	/* send sequence space exhausted */
	SECMSG_CTX_REVOKED,	/* revoked (netlink CTX_REVOKE) */
};

/* Bits of struct secmsg_ctx.nl_events: events sent once */
enum {
	SECMSG_CTX_EV_EXPIRED,
};

/* The failures a peer can cause that are events, coalesced (netlink.c) */
#define SECMSG_NL_EV_FIRST	SECMSG_CNT_ALTERED
#define SECMSG_NL_EV_NR		(SECMSG_CNT_TOO_OLD - SECMSG_CNT_ALTERED + 1)

/**
 * struct secmsg_nl_ev - one kind of failure event of a context (netlink.c)
 * @pending: failures counted while someone listened, not reported yet
 * @armed:   bit 0: @flush is queued, running or waiting out an interval;
 *           while it is set, a failure is only counted
 * @flush:   reports @pending in one event, then waits an interval
 * @ctx:     the context
 * @counter: SECMSG_CNT_ALTERED, _REPLAYED or _TOO_OLD
 */
struct secmsg_nl_ev {
	atomic64_t pending;
	unsigned long armed;
	struct delayed_work flush;
	struct secmsg_ctx *ctx;
	enum secmsg_counter counter;
};

/**
 * struct secmsg_ctx - a security context, shared by all its descriptors
 * @ref:       references: one per open file, plus any held by other kernel
 *             code; the last put frees the context and wipes its keys
 * @node:      entry on the global context list (secmsg_ctx_lock)
 * @id:        unique id, never reused while the module is loaded
 * @owner:     effective uid of the creator; charged for the context
 * @pid:       creating thread
 * @tgid:      creating process
 * @charged:   @owner's per-user count includes this context
 * @package:   SECMSG_PKG_*
 * @role:      SECMSG_ROLE_*
 * @proto:     the protocol of its messages: secmsg-v1 (raw, local) or
 *             RFC 4121 (kerberos, negotiate)
 * @suite:     the cipher suite (Kerberos: the enctype, as one)
 * @flags:     SECMSG_CTX_* granted
 * @lifetime:  granted lifetime, seconds
 * @created:   CLOCK_REALTIME seconds at creation
 * @expires:   @created + @lifetime
 * @deadline:  CLOCK_BOOTTIME ns at which the context expires; suspend
 *             counts, clock changes do not
 * @state:     SECMSG_CTX_ENDED, SECMSG_CTX_REVOKED bits; once set, never
 *             cleared, so calls already past the check finish normally
 *             with keys that stay valid until the last reference goes
 * @send_seq:  next number to send (u64 kept in an atomic64_t)
 * @tx:        send direction
 * @rx:        receive direction
 * @replay:    receive window
 * @counters:  enum secmsg_counter
 * @spare_work: a message call's work area kept for the next call (xchg),
 *             with the buffers hanging off it; see message.c
 * @kept:      bytes of @spare_work and what hangs off it (QUERY's kept)
 * @msg_busy:  a message ran since message.c's idle pass last looked
 * @imp_level: SECMSG_IMP_* the client granted (local), else 0
 * @max_token: SIZES.cbMaxToken: the largest establishment token of the
 *             context's package (local tokens, a FRESH import's
 *             contribution), 0 when it has none
 * @complete:  keys are set: message calls may run.  Raw and acceptor
 *             contexts are complete when published; a local initiator
 *             becomes complete at COMPLETE, which sets @tx, @rx, @peer_cred
 *             and @peer_tgid first (smp_store_release / smp_load_acquire);
 *             so does a FRESH raw import, whose COMPLETE keys @tx and @rx
 * @local_cred: this side's credentials at INIT or ACCEPT (local), or NULL
 * @peer_cred: the other side's, or NULL (raw; initiator before COMPLETE)
 * @peer_tgid: the other side's process, or NULL
 * @local_lsm: this side's LSM context at INIT or ACCEPT (local), or NULL
 *             when no LSM gives one
 * @peer_lsm:  the other side's, likewise (initiator: from COMPLETE)
 * @local:     initiator: the pending establishment until COMPLETE (owned;
 *             secmsg_local_lock)
 * @fresh:     a raw context imported with SECMSG_IMPORT_FRESH: its
 *             contribution and session key until COMPLETE (owned; raw.c)
 * @krb5:      a Kerberos context's keys, names and asserted identity
 *             (owned; krb5.c), else NULL
 * @net:       the creator's network namespace (referenced): the control
 *             plane's scope
 * @nl_events: SECMSG_CTX_EV_* bits: once-only events already sent
 * @nl_ev:     coalesced failure events, by counter - SECMSG_NL_EV_FIRST
 *             (netlink.c; set up by secmsg_ctx_new(), flushed at release)
 * @replay_map: @replay's bits, as many as the window the context was
 *             created with
 *
 * Everything but @state, @send_seq, @replay, @counters, @spare_work,
 * @kept, @msg_busy and @nl_ev is set before the context is published and immutable afterwards,
 * so message calls run without a context-wide lock; the one exception is
 * what COMPLETE sets once (@tx, @rx, @peer_cred, @peer_tgid, @peer_lsm;
 * a FRESH import's @tx and @rx keys), before @complete, on a context that
 * no message call may use until then.
 */
struct secmsg_ctx {
	struct kref ref;
	struct list_head node;
	u64 id;
	kuid_t owner;
	struct pid *pid;
	struct pid *tgid;
	bool charged;
	u32 package;
	u32 role;
	const struct secmsg_proto *proto;
	const struct secmsg_suite *suite;
	u32 flags;
	u32 lifetime;
	time64_t created;
	time64_t expires;
	u64 deadline;
	unsigned long state;
	atomic64_t send_seq;
	struct secmsg_dir tx;
	struct secmsg_dir rx;
	struct secmsg_replay replay;
	atomic64_t counters[SECMSG_CNT_NR];
	struct secmsg_work *spare_work;
	atomic_long_t kept;
	bool msg_busy;
	u32 imp_level;
	u32 max_token;
	bool complete;
	const struct cred *local_cred;
	const struct cred *peer_cred;
	struct pid *peer_tgid;
	char *local_lsm;
	char *peer_lsm;
	struct secmsg_local *local;
	struct secmsg_fresh *fresh;
	struct secmsg_krb5_ctx *krb5;
	struct net *net;
	unsigned long nl_events;
	struct secmsg_nl_ev nl_ev[SECMSG_NL_EV_NR];
	unsigned long replay_map[];
};

/* Every context (netlink.c walks it); see context.c */
extern struct list_head secmsg_ctx_list;
extern struct mutex secmsg_ctx_lock;

/* Per-CPU sums of every context's counters since load (STATS_GET) */
DECLARE_PER_CPU(u64 [SECMSG_CNT_NR], secmsg_cnt_total);
void secmsg_nl_counted(struct secmsg_ctx *ctx, enum secmsg_counter c);
void secmsg_nl_ctx_init(struct secmsg_ctx *ctx);
void secmsg_nl_ctx_release(struct secmsg_ctx *ctx);

int secmsg_ctx_import(struct secmsg_import __user *uimp);
int secmsg_lsm_current(char **out);
struct secmsg_ctx *secmsg_ctx_new(void);
void secmsg_ctx_set_lifetime(struct secmsg_ctx *ctx, u32 lifetime);
enum secmsg_replay_mode secmsg_replay_mode_of(u32 flags);
int secmsg_ctx_file(struct secmsg_ctx *ctx, struct file **filep);
void secmsg_ctx_unfile(int fd, struct file *file);
void secmsg_ctx_publish(struct secmsg_ctx *ctx, int fd, struct file *file);
void secmsg_ctx_get(struct secmsg_ctx *ctx);
void secmsg_ctx_put(struct secmsg_ctx *ctx);
bool secmsg_ctx_expired(struct secmsg_ctx *ctx);
bool secmsg_ctx_take_seq(struct secmsg_ctx *ctx, u64 *seq);
void secmsg_ctx_untake_seq(struct secmsg_ctx *ctx, u64 seq);
void secmsg_ctx_exit(void);
u32 secmsg_ctx_state(struct secmsg_ctx *ctx);
const char *secmsg_ctx_driver(struct secmsg_ctx *ctx);
bool secmsg_ctx_async(struct secmsg_ctx *ctx);
bool secmsg_ctx_inline(struct secmsg_ctx *ctx);

/* Whether message calls may use the keys. */
static inline bool secmsg_ctx_is_complete(struct secmsg_ctx *ctx)
{
	/* Pairs with COMPLETE's smp_store_release(): keys set before. */
	return smp_load_acquire(&ctx->complete);
}

static inline bool secmsg_ctx_revoked(struct secmsg_ctx *ctx)
{
	return test_bit(SECMSG_CTX_REVOKED, &ctx->state);
}

/* The verdict of a call on a context secmsg_ctx_expired() refuses. */
static inline u32 secmsg_ctx_end_verdict(struct secmsg_ctx *ctx)
{
	return secmsg_ctx_revoked(ctx) ? SECMSG_VERDICT_REVOKED :
					 SECMSG_VERDICT_EXPIRED;
}

/*
 * Count a message or a failure; failures that are events are handed to
 * the control plane here (counted there for a coalesced event: nothing is
 * allocated or locked on this path).
 */
static inline void secmsg_ctx_count(struct secmsg_ctx *ctx,
				    enum secmsg_counter c)
{
	atomic64_inc(&ctx->counters[c]);
	this_cpu_inc(secmsg_cnt_total[c]);
	if ((c >= SECMSG_CNT_ALTERED && c <= SECMSG_CNT_TOO_OLD) ||
	    c == SECMSG_CNT_EXPIRED)
		secmsg_nl_counted(ctx, c);
}

#endif /* _SECMSG_CONTEXT_H */
