// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg: the security context object, its file descriptor, QUERY and the
 * per-user limit.
 */
#include <linux/anon_inodes.h>
#include <linux/cred.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nsproxy.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <linux/secmsg_kernel.h>
#include <crypto/aead.h>
#include <net/net_namespace.h>

#include "context.h"
#include "engine.h"
#include "impersonate.h"
#include "krb5.h"
#include "local.h"
#include "message.h"
#include "netlink.h"
#include "raw.h"
#include "uring.h"

/*
 * All contexts, in id order, for the netlink control plane.  A context
 * whose last reference is gone stays listed until its release takes this
 * mutex: a walker either holds the mutex while it reads a context (and
 * skips those whose count is zero) or takes a reference with
 * kref_get_unless_zero().
 */
LIST_HEAD(secmsg_ctx_list);
DEFINE_MUTEX(secmsg_ctx_lock);	/* secmsg_ctx_list, secmsg_ctx_next_id */
static u64 secmsg_ctx_next_id = 1;

DEFINE_PER_CPU(u64 [SECMSG_CNT_NR], secmsg_cnt_total);

/* Per-user context counts, as inotify's max_user_instances. */
struct secmsg_user {
	struct hlist_node node;
	kuid_t uid;
	unsigned int count;
};

#define SECMSG_USER_HASH_BITS	6
static DEFINE_HASHTABLE(secmsg_users, SECMSG_USER_HASH_BITS);
static DEFINE_MUTEX(secmsg_users_lock);

static struct secmsg_user *secmsg_user_find(kuid_t uid)
{
	struct secmsg_user *u;

	hash_for_each_possible(secmsg_users, u, node, __kuid_val(uid))
		if (uid_eq(u->uid, uid))
			return u;
	return NULL;
}

/* Count one more context for @uid, or -EMFILE at max_contexts_per_user. */
static int secmsg_user_charge(kuid_t uid)
{
	unsigned int limit = READ_ONCE(secmsg_max_contexts_per_user);
	struct secmsg_user *u;
	int err = 0;

	mutex_lock(&secmsg_users_lock);
	u = secmsg_user_find(uid);
	if (!u) {
		if (!limit) {
			err = -EMFILE;
			goto out;
		}
		u = kzalloc(sizeof(*u), GFP_KERNEL);
		if (!u) {
			err = -ENOMEM;
			goto out;
		}
		u->uid = uid;
		hash_add(secmsg_users, &u->node, __kuid_val(uid));
	}
	if (u->count >= limit)
		err = -EMFILE;
	else
		u->count++;
out:
	mutex_unlock(&secmsg_users_lock);
	return err;
}

static void secmsg_user_uncharge(kuid_t uid)
{
	struct secmsg_user *u;

	mutex_lock(&secmsg_users_lock);
	u = secmsg_user_find(uid);
	if (!WARN_ON_ONCE(!u || !u->count) && !--u->count) {
		hash_del(&u->node);
		kfree(u);
	}
	mutex_unlock(&secmsg_users_lock);
}

/*
 * The last reference is gone: nobody can reach the context any more, so
 * tear it down in full.  Copes with a partly built context (import's error
 * path).  May sleep (mutexes, freeing transforms).
 */
static void secmsg_ctx_release(struct kref *ref)
{
	struct secmsg_ctx *ctx = container_of(ref, struct secmsg_ctx, ref);

	if (!list_empty(&ctx->node)) {
		mutex_lock(&secmsg_ctx_lock);
		list_del(&ctx->node);
		mutex_unlock(&secmsg_ctx_lock);
	}
	/* The last coalesced events, while everything they show is here. */
	secmsg_nl_ctx_release(ctx);
	secmsg_local_ctx_release(ctx);
	secmsg_raw_ctx_release(ctx);
	secmsg_msg_ctx_free(ctx);
	secmsg_krb5_ctx_release(ctx);
	secmsg_crypto_free(&ctx->rx);
	secmsg_crypto_free(&ctx->tx);
	if (ctx->charged)
		secmsg_user_uncharge(ctx->owner);
	if (ctx->peer_cred)
		put_cred(ctx->peer_cred);
	if (ctx->local_cred)
		put_cred(ctx->local_cred);
	kfree(ctx->local_lsm);
	kfree(ctx->peer_lsm);
	put_pid(ctx->peer_tgid);
	put_pid(ctx->tgid);
	put_pid(ctx->pid);
	if (ctx->net)
		put_net(ctx->net);
	kfree_sensitive(ctx);
}

/**
 * secmsg_ctx_get() - take a reference to a context
 * @ctx: the context, on which the caller already holds a reference
 */
void secmsg_ctx_get(struct secmsg_ctx *ctx)
{
	kref_get(&ctx->ref);
}

/**
 * secmsg_ctx_put() - drop a reference to a context
 * @ctx: the context
 *
 * The last put frees the transforms, wipes the keys and releases the
 * owner's count.  May sleep.
 */
void secmsg_ctx_put(struct secmsg_ctx *ctx)
{
	might_sleep();
	kref_put(&ctx->ref, secmsg_ctx_release);
}

/**
 * secmsg_ctx_expired() - whether a context may no longer be used
 * @ctx: the context
 *
 * Checked on every message call: lifetime over, send numbers exhausted
 * or (later) revoked.
 *
 * Return: true if every call must fail with SECMSG_VERDICT_EXPIRED.
 */
bool secmsg_ctx_expired(struct secmsg_ctx *ctx)
{
	if (READ_ONCE(ctx->state))
		return true;
	if ((u64)atomic64_read(&ctx->send_seq) == U64_MAX)
		return true;
	/* Coarse: second-granular lifetimes need no clocksource read. */
	return ktime_get_coarse_boottime_ns() >= ctx->deadline;
}

/**
 * secmsg_ctx_take_seq() - take the next send sequence number
 * @ctx: the context
 * @seq: the number taken
 *
 * Lock-free and unique under any number of concurrent senders.  2^64 - 1
 * is never sent: when it is next, the context is ended for good.
 *
 * Return: false if the context is ended (SECMSG_VERDICT_EXPIRED).
 */
bool secmsg_ctx_take_seq(struct secmsg_ctx *ctx, u64 *seq)
{
	s64 old = atomic64_read(&ctx->send_seq);

	do {
		if ((u64)old == U64_MAX) {
			set_bit(SECMSG_CTX_ENDED, &ctx->state);
			return false;
		}
	} while (!atomic64_try_cmpxchg(&ctx->send_seq, &old,
				       (s64)((u64)old + 1)));
	*seq = old;
	return true;
}

/**
 * secmsg_ctx_untake_seq() - give back a number whose message failed
 * @ctx: the context
 * @seq: the number secmsg_ctx_take_seq() gave, for a message whose AEAD
 *       operation failed (a driver error) before any of its output left
 *       the kernel
 *
 * Done only while no later number was taken, so numbers stay unique and
 * in order; otherwise @seq is simply never sent.  Reusing the nonce is safe
 * here because nothing computed with it was released.
 */
void secmsg_ctx_untake_seq(struct secmsg_ctx *ctx, u64 seq)
{
	s64 next = (s64)(seq + 1);

	atomic64_try_cmpxchg(&ctx->send_seq, &next, (s64)seq);
}

/* SECMSG_STATE_* of a context (QUERY, netlink). */
u32 secmsg_ctx_state(struct secmsg_ctx *ctx)
{
	if (secmsg_ctx_revoked(ctx))
		return SECMSG_STATE_REVOKED;
	if (secmsg_ctx_expired(ctx))
		return SECMSG_STATE_EXPIRED;
	return secmsg_ctx_is_complete(ctx) ? SECMSG_STATE_ACTIVE :
					     SECMSG_STATE_INCOMPLETE;
}

/**
 * secmsg_lsm_current() - the calling task's LSM context, as a string
 * @out: set to a kmalloc'ed NUL-terminated copy, or NULL when no LSM
 *       gives the task a context
 *
 * Return: 0, or -ENOMEM (then *@out is NULL).
 */
int secmsg_lsm_current(char **out)
{
	u32 secid = 0, len;
	char *secctx;

	*out = NULL;
	security_current_getsecid_subj(&secid);
	if (!secid || security_secid_to_secctx(secid, &secctx, &len))
		return 0;
	*out = kmemdup_nul(secctx, len, GFP_KERNEL_ACCOUNT);
	security_release_secctx(secctx, len);
	return *out ? 0 : -ENOMEM;
}

/* An LSM context into a query's fixed field; truncation is flagged. */
static void secmsg_lsm_fill(char *dst, const char *lsm,
			    struct secmsg_identity *id)
{
	if (lsm && strscpy(dst, lsm, SECMSG_LSM_MAX) < 0)
		id->flags |= SECMSG_ID_LSM_TRUNCATED;
}

/* One side's credentials as the querying task sees them. */
static void secmsg_identity_fill(struct secmsg_identity *id,
				 const struct cred *cred, struct pid *tgid)
{
	struct user_namespace *ns = current_user_ns();
	const struct group_info *gi = cred->group_info;
	unsigned int i, n;
	bool unmapped;

	unmapped = !kuid_has_mapping(ns, cred->euid) ||
		   !kgid_has_mapping(ns, cred->egid) ||
		   !kuid_has_mapping(ns, cred->uid);
	id->uid = from_kuid_munged(ns, cred->euid);
	id->gid = from_kgid_munged(ns, cred->egid);
	id->ruid = from_kuid_munged(ns, cred->uid);
	id->pid = tgid ? pid_vnr(tgid) : 0;
	id->ngroups = gi->ngroups;
	id->userns = cred->user_ns->ns.inum;
	n = min_t(unsigned int, gi->ngroups, SECMSG_ID_GROUPS);
	for (i = 0; i < n; i++) {
		id->groups[i] = from_kgid_munged(ns, gi->gid[i]);
		unmapped |= !kgid_has_mapping(ns, gi->gid[i]);
	}
	id->flags = SECMSG_ID_VALID | (unmapped ? SECMSG_ID_UNMAPPED : 0);
	/* A set-user-ID or set-group-ID program, or one between seteuid()s */
	if (!uid_eq(cred->uid, cred->euid) || !uid_eq(cred->suid, cred->euid) ||
	    !gid_eq(cred->gid, cred->egid) || !gid_eq(cred->sgid, cred->egid))
		id->flags |= SECMSG_ID_SETID;
}

/**
 * secmsg_ctx_driver() - the crypto driver(s) a context is bound to
 * @ctx: the context
 *
 * Return: the driver name (Kerberos: cipher and HMAC, space-separated),
 * or NULL before the context is complete.
 */
const char *secmsg_ctx_driver(struct secmsg_ctx *ctx)
{
	if (!secmsg_ctx_is_complete(ctx))
		return NULL;
	if (ctx->krb5)
		return ctx->krb5->driver;
	return crypto_aead_driver_name(ctx->tx.tfm);
}

/**
 * secmsg_ctx_async() - whether a complete context's driver is async
 * @ctx: the context, complete
 *
 * Return: true if a transform of it is CRYPTO_ALG_ASYNC.
 */
bool secmsg_ctx_async(struct secmsg_ctx *ctx)
{
	if (ctx->krb5)
		return ctx->krb5->async;
	return secmsg_crypto_is_async(ctx->tx.tfm);
}

/**
 * secmsg_ctx_inline() - whether a complete context's calls finish in the
 * calling task
 * @ctx: the context, complete
 *
 * Return: true if every transform of it completes in the caller
 * (secmsg_crypto_is_inline(), learnt when it was allocated); a Kerberos
 * context's, if none is async.
 */
bool secmsg_ctx_inline(struct secmsg_ctx *ctx)
{
	if (ctx->krb5)
		return !ctx->krb5->async;
	return ctx->tx.completes_inline && ctx->rx.completes_inline;
}

/*
 * What QUERY reports, for the ioctl and the kernel API: everything of @q
 * but its size is set (flags zero).  Identities are as the calling task
 * sees them.
 */
static void secmsg_ctx_fill_query(struct secmsg_ctx *ctx,
				  struct secmsg_query *q)
{
	bool complete = secmsg_ctx_is_complete(ctx);
	const char *driver = secmsg_ctx_driver(ctx);
	struct secmsg_counters *c;
	u32 size = q->size;

	memset(q, 0, sizeof(*q));
	q->size = size;
	q->package = ctx->package;
	q->role = ctx->role;
	q->suite = ctx->suite->id;
	q->ctx_flags = ctx->flags;
	q->state = secmsg_ctx_state(ctx);
	q->max_token = ctx->max_token;
	q->max_signature = SECMSG_TOKEN_SIZE;
	q->block_size = SECMSG_BLOCK_SIZE;
	q->security_trailer = SECMSG_TOKEN_SIZE;
	q->stream_header = SECMSG_STREAM_HEADER_SIZE;
	q->stream_trailer = SECMSG_STREAM_TRAILER_SIZE;
	q->max_message = SECMSG_MAX_MESSAGE;
	q->max_buffers = SECMSG_MAX_BUFFERS;
	if (ctx->replay.mode != SECMSG_REPLAY_NONE)
		q->replay_window = ctx->replay.size;
	if (driver && secmsg_ctx_async(ctx))
		q->driver_flags |= SECMSG_DRIVER_ASYNC;
	if (driver && secmsg_ctx_inline(ctx))
		q->driver_flags |= SECMSG_DRIVER_INLINE;
	q->lifetime = ctx->lifetime;
	strscpy(q->algorithm, ctx->suite->alg, sizeof(q->algorithm));
	if (driver)
		strscpy(q->driver, driver, sizeof(q->driver));
	q->created = ctx->created;
	q->expires = ctx->expires;
	q->send_seq = atomic64_read(&ctx->send_seq);
	q->recv_seq = secmsg_replay_next(&ctx->replay);

	c = &q->counters;
	c->signed_msgs = atomic64_read(&ctx->counters[SECMSG_CNT_SIGNED]);
	c->verified = atomic64_read(&ctx->counters[SECMSG_CNT_VERIFIED]);
	c->sealed = atomic64_read(&ctx->counters[SECMSG_CNT_SEALED]);
	c->unsealed = atomic64_read(&ctx->counters[SECMSG_CNT_UNSEALED]);
	c->altered = atomic64_read(&ctx->counters[SECMSG_CNT_ALTERED]);
	c->replayed = atomic64_read(&ctx->counters[SECMSG_CNT_REPLAYED]);
	c->too_old = atomic64_read(&ctx->counters[SECMSG_CNT_TOO_OLD]);
	c->out_of_sequence =
		atomic64_read(&ctx->counters[SECMSG_CNT_OUT_OF_SEQUENCE]);
	c->expired = atomic64_read(&ctx->counters[SECMSG_CNT_EXPIRED]);
	c->bad_token = atomic64_read(&ctx->counters[SECMSG_CNT_BAD_TOKEN]);
	c->other_failures = atomic64_read(&ctx->counters[SECMSG_CNT_OTHER]);
	q->kept = secmsg_msg_kept(ctx);

	q->imp_level = ctx->imp_level;
	if (ctx->local_cred) {
		secmsg_identity_fill(&q->local, ctx->local_cred, ctx->tgid);
		secmsg_lsm_fill(q->local_lsm, ctx->local_lsm, &q->local);
	}
	if (complete && ctx->peer_cred) {
		/* At level ANONYMOUS the server is not told who the client is. */
		if (ctx->role == SECMSG_ROLE_ACCEPTOR &&
		    ctx->imp_level == SECMSG_IMP_ANONYMOUS) {
			q->peer.flags = SECMSG_ID_ANONYMOUS;
		} else {
			secmsg_identity_fill(&q->peer, ctx->peer_cred,
					     ctx->peer_tgid);
			secmsg_lsm_fill(q->peer_lsm, ctx->peer_lsm, &q->peer);
		}
	}
	if (ctx->krb5)
		secmsg_krb5_fill_query(ctx, q);
}

static int secmsg_ctx_query(struct secmsg_ctx *ctx,
			    struct secmsg_query __user *uq)
{
	struct secmsg_query q;
	u32 usize;
	int err;

	err = secmsg_copy_struct(&q, sizeof(q), uq, SECMSG_QUERY_SIZE_VER0,
				 &usize);
	if (err)
		return err;
	if (q.flags)
		return -EINVAL;

	q.size = min_t(u32, usize, sizeof(q));
	secmsg_ctx_fill_query(ctx, &q);
	if (copy_to_user(uq, &q, q.size))
		return -EFAULT;
	return 0;
}

/*
 * COMPLETE: a local initiator's, or a FRESH raw import's; refused once
 * revoked; an event when it succeeds.
 */
static long secmsg_ctx_complete(struct secmsg_ctx *ctx,
				struct secmsg_complete __user *ucmp)
{
	long err;

	if (secmsg_ctx_revoked(ctx))
		return -EKEYREVOKED;
	if (ctx->package == SECMSG_PKG_RAW)
		err = secmsg_raw_complete(ctx, ucmp);
	else
		err = secmsg_local_complete(ctx, ucmp);
	if (!err)
		secmsg_nl_event(ctx, SECMSG_EVENT_COMPLETED, 0);
	return err;
}

static long secmsg_ctx_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	struct secmsg_ctx *ctx = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (SECMSG_IOC_KEY(cmd)) {
	case SECMSG_IOC_KEY(SECMSG_IOC_SIGN):
		return secmsg_msg_ioctl(ctx, SECMSG_OP_SIGN, uarg);
	case SECMSG_IOC_KEY(SECMSG_IOC_VERIFY):
		return secmsg_msg_ioctl(ctx, SECMSG_OP_VERIFY, uarg);
	case SECMSG_IOC_KEY(SECMSG_IOC_SEAL):
		return secmsg_msg_ioctl(ctx, SECMSG_OP_SEAL, uarg);
	case SECMSG_IOC_KEY(SECMSG_IOC_UNSEAL):
		return secmsg_msg_ioctl(ctx, SECMSG_OP_UNSEAL, uarg);
	case SECMSG_IOC_KEY(SECMSG_IOC_BATCH):
		return secmsg_batch_ioctl(ctx, uarg);
	case SECMSG_IOC_KEY(SECMSG_IOC_QUERY):
		return secmsg_ctx_query(ctx, uarg);
	case SECMSG_IOC_KEY(SECMSG_IOC_COMPLETE):
		return secmsg_ctx_complete(ctx, uarg);
	case SECMSG_IOC_KEY(SECMSG_IOC_IMPERSONATE):
		return secmsg_impersonate(ctx, uarg);
	case SECMSG_IOC_KEY(SECMSG_IOC_REVERT):
		return secmsg_revert(uarg);
	}
	return -ENOTTY;
}

/**
 * secmsg_kquery() - everything about a context (QueryContextAttributes)
 * @ctx: a context reference from secmsg_kctx_from_fd()
 * @q:   out: as SECMSG_IOC_QUERY fills it (the whole struct; @q->size is
 *       set to its size); uids, gids and pids as the calling task's
 *       namespaces see them
 *
 * Context: process.
 *
 * Return: 0.
 */
int secmsg_kquery(struct secmsg_ctx *ctx, struct secmsg_query *q)
{
	q->size = sizeof(*q);
	secmsg_ctx_fill_query(ctx, q);
	return 0;
}
EXPORT_SYMBOL_GPL(secmsg_kquery);

static int secmsg_ctx_file_release(struct inode *inode, struct file *file)
{
	struct secmsg_ctx *ctx = file->private_data;

	/*
	 * A pending establishment goes with the last descriptor, not with
	 * the last reference: only COMPLETE on a descriptor can finish it,
	 * and the uapi promises EALREADY to a later ACCEPT of its token even
	 * while a kernel consumer still holds the context.
	 */
	secmsg_local_ctx_release(ctx);
	secmsg_ctx_put(ctx);
	return 0;
}

static const char *const secmsg_role_names[] = {
	[SECMSG_ROLE_INITIATOR] = "initiator",
	[SECMSG_ROLE_ACCEPTOR] = "acceptor",
};

static void secmsg_ctx_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct secmsg_ctx *ctx = file->private_data;
	bool complete = secmsg_ctx_is_complete(ctx);
	const char *driver = secmsg_ctx_driver(ctx);

	seq_printf(m, "secmsg-id:\t%llu\n", ctx->id);
	seq_printf(m, "secmsg-role:\t%s\n", secmsg_role_names[ctx->role]);
	seq_printf(m, "secmsg-suite:\t%u\n", ctx->suite->id);
	seq_printf(m, "secmsg-driver:\t%s\n", driver ?: "");
	seq_printf(m, "secmsg-flags:\t%#x\n", ctx->flags);
	seq_printf(m, "secmsg-state:\t%s\n",
		   secmsg_ctx_revoked(ctx) ? "revoked" :
		   secmsg_ctx_expired(ctx) ? "expired" :
		   complete ? "active" : "incomplete");
}

static const struct file_operations secmsg_ctx_fops = {
	.owner = THIS_MODULE,
	.release = secmsg_ctx_file_release,
	.unlocked_ioctl = secmsg_ctx_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.uring_cmd = secmsg_uring_cmd,
	.show_fdinfo = secmsg_ctx_show_fdinfo,
	.llseek = noop_llseek,
};

/**
 * secmsg_kctx_from_fd() - a kernel reference to the context behind an fd
 * @fd: a context descriptor of the calling task (one that IMPORT, INIT or
 *      ACCEPT returned, or a copy of it)
 *
 * The reference keeps the context (keys, transforms, sequence numbers,
 * replay window, counters) and the secmsg module alive however the fd
 * and its copies are closed, until secmsg_kctx_put().  Messages through
 * it and through the fd share everything.  An expired or revoked context
 * is returned all the same: its message calls give the verdict.  Not so
 * a local initiator's establishment: only COMPLETE on an fd can finish
 * it, so it ends with the last fd (a later ACCEPT of its token gets
 * EALREADY), and the reference then holds a context incomplete for good.
 *
 * Context: process (the calling task's descriptor table).
 *
 * Return: the context, or ERR_PTR(-EBADF) if @fd is not an open
 * descriptor, ERR_PTR(-EINVAL) if it is not a secmsg context (including
 * /dev/secmsg itself).
 */
struct secmsg_ctx *secmsg_kctx_from_fd(int fd)
{
	struct secmsg_ctx *ctx;
	struct fd f = fdget(fd);

	if (!f.file)
		return ERR_PTR(-EBADF);
	if (f.file->f_op != &secmsg_ctx_fops) {
		fdput(f);
		return ERR_PTR(-EINVAL);
	}
	ctx = f.file->private_data;
	/* The open file pins the module already: this cannot fail. */
	__module_get(THIS_MODULE);
	secmsg_ctx_get(ctx);
	fdput(f);
	return ctx;
}
EXPORT_SYMBOL_GPL(secmsg_kctx_from_fd);

/**
 * secmsg_kctx_put() - drop a reference from secmsg_kctx_from_fd()
 * @ctx: the context
 *
 * The last reference (fd or kernel) wipes the keys and frees the context.
 * The module stays pinned until every kernel reference is dropped.
 *
 * Context: process; may sleep.
 */
void secmsg_kctx_put(struct secmsg_ctx *ctx)
{
	secmsg_ctx_put(ctx);
	/* Our caller's module depends on ours: we cannot go away here. */
	module_put(THIS_MODULE);
}
EXPORT_SYMBOL_GPL(secmsg_kctx_put);

#define SECMSG_IMPORT_CTX_FLAGS	(SECMSG_CTX_REPLAY_DETECT | \
				 SECMSG_CTX_SEQUENCE_DETECT | \
				 SECMSG_CTX_CONFIDENTIALITY | \
				 SECMSG_CTX_INTEGRITY)

static int secmsg_import_check(const struct secmsg_import *imp)
{
	if ((imp->flags & ~SECMSG_IMPORT_FRESH) || imp->reserved)
		return -EINVAL;
	/* The contribution's buffer: with FRESH only, and large enough. */
	if (imp->flags & SECMSG_IMPORT_FRESH ?
	    imp->contrib_len < SECMSG_CONTRIB_SIZE :
	    imp->contrib || imp->contrib_len)
		return -EINVAL;
	if (imp->package != SECMSG_PKG_RAW)
		return -EINVAL;
	if (imp->role != SECMSG_ROLE_INITIATOR &&
	    imp->role != SECMSG_ROLE_ACCEPTOR)
		return -EINVAL;
	if (!secmsg_suite_get(imp->suite))
		return -EINVAL;
	if (imp->ctx_flags & ~SECMSG_IMPORT_CTX_FLAGS)
		return -EINVAL;
	if (imp->key_len < SECMSG_KEY_MIN || imp->key_len > SECMSG_KEY_MAX)
		return -EINVAL;
	return 0;
}

/* Set the granted lifetime and the clocks from the caller's request. */
void secmsg_ctx_set_lifetime(struct secmsg_ctx *ctx, u32 lifetime)
{
	u32 max = READ_ONCE(secmsg_max_lifetime);

	if (!lifetime)
		lifetime = READ_ONCE(secmsg_default_lifetime);
	ctx->lifetime = min(lifetime, max);
	ctx->created = ktime_get_real_seconds();
	ctx->expires = ctx->created + ctx->lifetime;
	ctx->deadline = ktime_get_coarse_boottime_ns() +
			(u64)ctx->lifetime * NSEC_PER_SEC;
}

enum secmsg_replay_mode secmsg_replay_mode_of(u32 flags)
{
	/* SEQUENCE_DETECT needs the window too, whether REPLAY was asked. */
	if (flags & SECMSG_CTX_SEQUENCE_DETECT)
		return SECMSG_REPLAY_SEQUENCE;
	if (flags & SECMSG_CTX_REPLAY_DETECT)
		return SECMSG_REPLAY_DETECT;
	return SECMSG_REPLAY_NONE;
}

/**
 * secmsg_ctx_new() - a blank context charged to the caller
 *
 * Owned by the caller's reference; secmsg_ctx_put() undoes whatever was
 * set up since, at any point.
 *
 * Return: the context, or an ERR_PTR (-ENOMEM, -EMFILE at the caller's
 * per-user limit).
 */
struct secmsg_ctx *secmsg_ctx_new(void)
{
	u32 window = READ_ONCE(secmsg_replay_window);
	struct secmsg_ctx *ctx;
	int err;

	/* The replay window's bits at the end, as many as it needs. */
	ctx = kzalloc(sizeof(*ctx) + secmsg_replay_map_size(window),
		      GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return ERR_PTR(-ENOMEM);
	secmsg_replay_setup(&ctx->replay, ctx->replay_map, window);
	kref_init(&ctx->ref);
	INIT_LIST_HEAD(&ctx->node);
	secmsg_nl_ctx_init(ctx);
	ctx->owner = current_euid();
	ctx->pid = get_task_pid(current, PIDTYPE_PID);
	ctx->tgid = get_task_pid(current, PIDTYPE_TGID);
	ctx->net = get_net(current->nsproxy->net_ns);
	ctx->proto = &secmsg_proto_v1;

	err = secmsg_user_charge(ctx->owner);
	if (err) {
		secmsg_ctx_put(ctx);
		return ERR_PTR(err);
	}
	ctx->charged = true;
	return ctx;
}

/**
 * secmsg_ctx_file() - reserve an fd and make the file of a context
 * @ctx:   the context; on success the file owns the caller's reference
 * @filep: out: the file
 *
 * Nothing is visible to user space until secmsg_ctx_publish(); undo with
 * secmsg_ctx_unfile().
 *
 * Return: the reserved fd, or a negative errno (the caller keeps its
 * reference): -EPERM if the configuration does not allow @ctx's suite.
 */
int secmsg_ctx_file(struct secmsg_ctx *ctx, struct file **filep)
{
	struct file *file;
	int fd;

	/*
	 * The configuration's allowed suites, for every way to create one;
	 * Kerberos enctypes are not suites the configuration names.
	 */
	if (!ctx->krb5 && !secmsg_nl_suite_allowed(ctx->suite->id))
		return -EPERM;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	/* The file takes over our reference and pins the module. */
	file = anon_inode_getfile("[secmsg]", &secmsg_ctx_fops, ctx,
				  O_RDWR | O_CLOEXEC);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	*filep = file;
	return fd;
}

/**
 * secmsg_ctx_unfile() - undo secmsg_ctx_file(): the context goes with it
 * @fd:   the reserved fd
 * @file: the file, whose release drops the context's reference
 */
void secmsg_ctx_unfile(int fd, struct file *file)
{
	put_unused_fd(fd);
	fput(file);
}

/**
 * secmsg_ctx_publish() - list the context and install its fd
 * @ctx:  the context
 * @fd:   from secmsg_ctx_file()
 * @file: likewise
 *
 * Cannot fail: call it once nothing else can.
 */
void secmsg_ctx_publish(struct secmsg_ctx *ctx, int fd, struct file *file)
{
	mutex_lock(&secmsg_ctx_lock);
	ctx->id = secmsg_ctx_next_id++;
	list_add_tail(&ctx->node, &secmsg_ctx_list);
	mutex_unlock(&secmsg_ctx_lock);

	/* Before fd_install(): once installed, a close may free @ctx. */
	secmsg_nl_created(ctx);
	fd_install(fd, file);
}

/**
 * secmsg_ctx_import() - SECMSG_IOC_IMPORT: create a context and its fd
 * @uimp: the user's struct secmsg_import
 *
 * The fd is installed last, after everything that can fail, so an error
 * never leaves a descriptor behind.  The session key is copied to a
 * kernel buffer only for the derivation and wiped right after; a FRESH
 * import keeps it (raw.c) until COMPLETE, and writes its contribution to
 * user space before the fd exists.
 *
 * Return: the new fd (O_CLOEXEC), or a negative errno.
 */
int secmsg_ctx_import(struct secmsg_import __user *uimp)
{
	u8 own[SECMSG_CONTRIB_SIZE];
	struct secmsg_import imp;
	struct secmsg_ctx *ctx;
	struct file *file;
	bool fresh;
	u8 *key;
	int fd, err;

	err = secmsg_copy_struct(&imp, sizeof(imp), uimp,
				 SECMSG_IMPORT_SIZE_VER0, NULL);
	if (err)
		return err;
	err = secmsg_import_check(&imp);
	if (err)
		return err;
	fresh = imp.flags & SECMSG_IMPORT_FRESH;

	/* Not memdup_user(): a partly copied key must be wiped as well. */
	key = kmalloc(imp.key_len, GFP_KERNEL);
	if (!key)
		return -ENOMEM;
	if (copy_from_user(key, u64_to_user_ptr(imp.key), imp.key_len)) {
		err = -EFAULT;
		goto err_key;
	}

	/* From here on, secmsg_ctx_put() undoes whatever was set up. */
	ctx = secmsg_ctx_new();
	if (IS_ERR(ctx)) {
		err = PTR_ERR(ctx);
		goto err_key;
	}

	ctx->package = imp.package;
	ctx->max_token = fresh ? SECMSG_CONTRIB_SIZE : 0;
	ctx->role = imp.role;
	ctx->suite = secmsg_suite_get(imp.suite);
	ctx->flags = imp.ctx_flags | SECMSG_CTX_INTEGRITY;
	secmsg_ctx_set_lifetime(ctx, imp.lifetime);
	atomic64_set(&ctx->send_seq, imp.send_seq);
	secmsg_replay_init(&ctx->replay, secmsg_replay_mode_of(ctx->flags),
			   imp.recv_seq);

	if (fresh)
		err = secmsg_raw_fresh(ctx, key, imp.key_len, own);
	else
		err = secmsg_crypto_init(&ctx->tx, &ctx->rx, ctx->suite,
					 ctx->role, key, imp.key_len);
	if (err)
		goto err_ctx;
	kfree_sensitive(key);
	key = NULL;
	ctx->complete = !fresh;

	fd = secmsg_ctx_file(ctx, &file);
	if (fd < 0) {
		err = fd;
		goto err_ctx;
	}
	if (fresh && copy_to_user(u64_to_user_ptr(imp.contrib), own,
				  sizeof(own))) {
		secmsg_ctx_unfile(fd, file);
		err = -EFAULT;
		goto err_key;
	}
	memzero_explicit(own, sizeof(own));
	secmsg_ctx_publish(ctx, fd, file);
	return fd;

err_ctx:
	secmsg_ctx_put(ctx);
err_key:
	kfree_sensitive(key);
	memzero_explicit(own, sizeof(own));
	return err;
}

/**
 * secmsg_ctx_exit() - module exit check
 *
 * Every context holds a module reference through its file, so none can
 * be left here; complain loudly if one is.
 */
void secmsg_ctx_exit(void)
{
	WARN_ON(!list_empty(&secmsg_ctx_list));
}
