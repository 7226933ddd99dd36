// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg: ImpersonateSecurityContext / RevertSecurityContext.
 *
 * IMPERSONATE commits, on the calling thread only, new credentials built
 * from the thread's own with the client's effective and filesystem ids,
 * groups and (at most) capabilities; the thread's previous credentials
 * are kept here, keyed by the thread, and REVERT commits them back.
 * Credentials are per thread in the kernel (commit_creds() changes
 * current only), so no other thread ever changes.
 *
 * One record per impersonating thread, in a small hash table keyed by
 * the thread's struct pid (unique while we hold a reference, so a reused
 * pid number never matches).  A record also holds the credentials it
 * installed and the thread's exec count, so that REVERT can tell whether
 * the thread changed its credentials since: it restores only if the
 * thread has not executed a program and its credentials are, field for
 * field, those IMPERSONATE installed (a call such as setreuid(-1, -1)
 * commits an identical copy; anything that changes a field is a change).
 *
 * Each record holds a reference to this module: REVERT must find its
 * record, so the module cannot go while a thread may still need it.
 * Records of threads that are gone or exiting (they can never REVERT)
 * are dropped by a sweep: amortised on IMPERSONATE, and from delayed work
 * that runs about once a second while any record exists, so that an
 * exited thread's record never keeps the module loaded for long.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/key.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>
#include <linux/workqueue.h>

#include "context.h"
#include "impersonate.h"
#include "krb5.h"

/**
 * struct secmsg_imp - one impersonating thread
 * @node:   in secmsg_imps
 * @thread:  the thread (reference)
 * @exec_id: its self_exec_id at IMPERSONATE (an execve() ends it)
 * @saved:   its credentials before IMPERSONATE, committed back by REVERT
 * @imp:     the credentials IMPERSONATE committed
 * @ctx_id:  the context impersonated (for diagnostics)
 * @deleg:   delegated credentials linked into @imp's thread keyring
 *           (a reference), or NULL
 *
 * Holds a reference to this module, dropped when the record is freed.
 */
struct secmsg_imp {
	struct hlist_node node;
	struct pid *thread;
	u64 exec_id;
	const struct cred *saved;
	const struct cred *imp;
	u64 ctx_id;
	struct key *deleg;
};

#define SECMSG_IMP_HASH_BITS	6
static DEFINE_HASHTABLE(secmsg_imps, SECMSG_IMP_HASH_BITS);
static DEFINE_SPINLOCK(secmsg_imp_lock);
static unsigned int secmsg_imp_count;	/* records in the table */
static unsigned int secmsg_imp_sweep_at = 16;	/* next sweep at this count */

static void secmsg_imp_sweep_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(secmsg_imp_sweeper, secmsg_imp_sweep_work);

/*
 * Free a record and drop its module reference.  Delegated credentials
 * leave the impersonation's thread keyring first: the thread may still
 * hold that keyring (REVERT refused with ESTALE), never them.  May sleep.
 */
static void secmsg_imp_free(struct secmsg_imp *r)
{
#ifdef CONFIG_KEYS
	if (r->deleg) {
		struct key *tid = r->imp->thread_keyring;

		/*
		 * The unlink allocates (an edit of the keyring's array): a
		 * failure must not leave the client's credentials with a
		 * thread that keeps this keyring (REVERT refused), so retry,
		 * unless the thread is dying (its keyring goes with it).
		 * -ENOENT: the thread unlinked them itself.
		 */
		while (key_unlink(tid, r->deleg) == -ENOMEM &&
		       !fatal_signal_pending(current))
			memalloc_retry_wait(GFP_KERNEL);
		key_put(r->deleg);
	}
#endif
	put_cred(r->saved);	/* NULL once REVERT committed it */
	put_cred(r->imp);
	put_pid(r->thread);
	kfree(r);
	/*
	 * Safe even as the last reference: IMPERSONATE and REVERT run in
	 * an ioctl of one of our files (which holds another), and module
	 * exit waits for the sweeper before our code goes.
	 */
	module_put(THIS_MODULE);
}

/* Caller holds secmsg_imp_lock. */
static struct secmsg_imp *secmsg_imp_find(struct pid *thread)
{
	struct secmsg_imp *r;

	hash_for_each_possible(secmsg_imps, r, node, (unsigned long)thread)
		if (r->thread == thread)
			return r;
	return NULL;
}

/* Caller holds secmsg_imp_lock. */
static void secmsg_imp_unhash(struct secmsg_imp *r)
{
	hash_del(&r->node);
	secmsg_imp_count--;
}

/*
 * The thread of a record can never call REVERT again: it is gone, or in
 * do_exit() (PF_EXITING is set by the thread itself on its way out, so
 * it is not in an ioctl of ours).  A zombie counts as gone.
 */
static bool secmsg_imp_thread_gone(struct pid *thread)
{
	struct task_struct *t;
	bool gone;

	rcu_read_lock();
	t = pid_task(thread, PIDTYPE_PID);
	gone = !t || (READ_ONCE(t->flags) & PF_EXITING);
	rcu_read_unlock();
	return gone;
}

/* Caller holds secmsg_imp_lock: sweep again later while records exist. */
static void secmsg_imp_arm_sweeper(void)
{
	if (secmsg_imp_count)
		schedule_delayed_work(&secmsg_imp_sweeper,
				      round_jiffies_relative(HZ));
}

/*
 * Drop the records of threads that are gone.  Called when the table has
 * doubled since the last sweep, so its cost is amortised over the
 * IMPERSONATE calls that grew it, and from the sweeper.
 */
static void secmsg_imp_sweep(void)
{
	struct secmsg_imp *r;
	struct hlist_node *tmp;
	HLIST_HEAD(dead);
	unsigned int bkt;

	spin_lock(&secmsg_imp_lock);
	hash_for_each_safe(secmsg_imps, bkt, tmp, r, node) {
		if (!secmsg_imp_thread_gone(r->thread))
			continue;
		secmsg_imp_unhash(r);
		hlist_add_head(&r->node, &dead);
	}
	secmsg_imp_sweep_at = max(16U, 2 * secmsg_imp_count);
	secmsg_imp_arm_sweeper();
	spin_unlock(&secmsg_imp_lock);

	hlist_for_each_entry_safe(r, tmp, &dead, node)
		secmsg_imp_free(r);
}

static void secmsg_imp_sweep_work(struct work_struct *work)
{
	secmsg_imp_sweep();
}

static bool secmsg_caps_eq(kernel_cap_t a, kernel_cap_t b)
{
	return cap_issubset(a, b) && cap_issubset(b, a);
}

static bool secmsg_groups_eq(const struct group_info *a,
			     const struct group_info *b)
{
	int i;

	if (a == b)
		return true;
	if (a->ngroups != b->ngroups)
		return false;
	for (i = 0; i < a->ngroups; i++)
		if (!gid_eq(a->gid[i], b->gid[i]))
			return false;
	return true;
}

/*
 * The LSMs' part of two credentials is the same.  The blob is opaque to
 * a module, so it is compared byte for byte over the size both were
 * allocated with (kzalloc()ed, so any slack is zero in both).  Every LSM
 * keeps in it ids or references (a label, a Landlock domain) that
 * prepare_creds() copies unchanged when nothing changes, so equal bytes
 * mean the same LSM state; a change (a new label or domain) always
 * changes the bytes.  An LSM whose copies differ anyway (Smack's rule
 * lists) only makes REVERT refuse, never restore wrongly.
 */
static bool secmsg_lsm_eq(const struct cred *a, const struct cred *b)
{
#ifdef CONFIG_SECURITY
	size_t n;

	if (a->security == b->security)
		return true;
	if (!a->security || !b->security)
		return false;
	n = min(ksize(a->security), ksize(b->security));
	return n && !memcmp(a->security, b->security, n);
#else
	return true;
#endif
}

/*
 * @a and @b give a thread the same identity and rights: every field of
 * struct cred but the reference counts.
 */
static bool secmsg_cred_eq(const struct cred *a, const struct cred *b)
{
	if (a == b)
		return true;
	if (!uid_eq(a->uid, b->uid) || !uid_eq(a->euid, b->euid) ||
	    !uid_eq(a->suid, b->suid) || !uid_eq(a->fsuid, b->fsuid) ||
	    !gid_eq(a->gid, b->gid) || !gid_eq(a->egid, b->egid) ||
	    !gid_eq(a->sgid, b->sgid) || !gid_eq(a->fsgid, b->fsgid))
		return false;
	if (a->securebits != b->securebits ||
	    !secmsg_caps_eq(a->cap_inheritable, b->cap_inheritable) ||
	    !secmsg_caps_eq(a->cap_permitted, b->cap_permitted) ||
	    !secmsg_caps_eq(a->cap_effective, b->cap_effective) ||
	    !secmsg_caps_eq(a->cap_bset, b->cap_bset) ||
	    !secmsg_caps_eq(a->cap_ambient, b->cap_ambient))
		return false;
#ifdef CONFIG_KEYS
	if (a->jit_keyring != b->jit_keyring ||
	    a->session_keyring != b->session_keyring ||
	    a->process_keyring != b->process_keyring ||
	    a->thread_keyring != b->thread_keyring ||
	    a->request_key_auth != b->request_key_auth)
		return false;
#endif
	if (a->user != b->user || a->user_ns != b->user_ns ||
	    a->ucounts != b->ucounts)
		return false;
	return secmsg_groups_eq(a->group_info, b->group_info) &&
	       secmsg_lsm_eq(a, b);
}

/*
 * The calling thread is still in the impersonation @r recorded: it has
 * not executed a program since, and its credentials are those
 * IMPERSONATE installed, or an identical copy of them.
 */
static bool secmsg_imp_in_force(const struct secmsg_imp *r)
{
	const struct cred *cur = current_cred();

	return cur == current_real_cred() &&
	       r->exec_id == READ_ONCE(current->self_exec_id) &&
	       secmsg_cred_eq(cur, r->imp);
}

/* Every group of @sub is one of @sup's (both sorted ascending). */
static bool secmsg_groups_subset(const struct group_info *sub,
				 const struct group_info *sup)
{
	int i, j = 0;

	for (i = 0; i < sub->ngroups; i++) {
		while (j < sup->ngroups && gid_lt(sup->gid[j], sub->gid[i]))
			j++;
		if (j == sup->ngroups || !gid_eq(sup->gid[j], sub->gid[i]))
			return false;
	}
	return true;
}

/* The thread may take @client's identity (see the uapi header). */
static bool secmsg_may_become(const struct cred *self,
			      const struct cred *client)
{
	/* Identity first: no capability check (and no audit record of a
	 * denied one) when none is needed.
	 */
	if (uid_eq(self->euid, client->euid) &&
	    uid_eq(self->fsuid, client->fsuid) &&
	    gid_eq(self->egid, client->egid) &&
	    gid_eq(self->fsgid, client->fsgid) &&
	    secmsg_groups_subset(client->group_info, self->group_info))
		return true;
	return ns_capable(client->user_ns, CAP_SETUID) &&
	       ns_capable(client->user_ns, CAP_SETGID);
}

/*
 * Permissions of the impersonation's thread keyring: its thread may find,
 * read and add keys (an MIT "KEYRING:thread:" ccache, keyctl's @t); it may
 * not link the keyring elsewhere (into the process keyring, where every
 * thread of the server would see it) or change its attributes.  Nobody
 * else may do anything with it.
 */
#define SECMSG_IMP_TID_PERM	(KEY_POS_VIEW | KEY_POS_READ | \
				 KEY_POS_WRITE | KEY_POS_SEARCH)

/*
 * The thread's credentials with @client's identity, or an ERR_PTR.
 * @deleg: a keyring of delegated credentials to link into the thread
 * keyring, or NULL.
 */
static struct cred *secmsg_imp_creds(const struct cred *client,
				     struct key *deleg)
{
	struct cred *new = prepare_creds();
#ifdef CONFIG_KEYS
	struct key *tid;
#endif

	if (!new)
		return ERR_PTR(-ENOMEM);
	new->euid = client->euid;
	new->fsuid = client->fsuid;
	new->egid = client->egid;
	new->fsgid = client->fsgid;
	set_groups(new, client->group_info);
	if (new->user_ns == client->user_ns) {
		new->cap_effective = cap_intersect(new->cap_effective,
						   client->cap_effective);
		new->cap_permitted = cap_intersect(new->cap_permitted,
						   client->cap_permitted);
		new->cap_inheritable = cap_intersect(new->cap_inheritable,
						     client->cap_inheritable);
		new->cap_ambient = cap_intersect(new->cap_ambient,
						 client->cap_ambient);
		new->cap_bset = cap_intersect(new->cap_bset, client->cap_bset);
	} else {
		/* The client's capabilities mean nothing in our namespace. */
		new->cap_effective = CAP_EMPTY_SET;
		new->cap_permitted = CAP_EMPTY_SET;
		new->cap_inheritable = CAP_EMPTY_SET;
		new->cap_ambient = CAP_EMPTY_SET;
		new->cap_bset = CAP_EMPTY_SET;
	}
#ifdef CONFIG_KEYS
	/*
	 * The thread keyring is the server thread's own: not while acting
	 * as the client.  The impersonation gets an empty one of its own,
	 * so that a thread that uses it (MIT's KEYRING:thread: ccaches do)
	 * adds keys there instead of having the kernel install a new thread
	 * keyring, a change of credentials that REVERT would refuse.  REVERT
	 * brings the server's back with the saved credentials, and what the
	 * thread kept in this one goes with the impersonation.
	 */
	tid = keyring_alloc("_tid", new->fsuid, new->fsgid, new,
			    SECMSG_IMP_TID_PERM, KEY_ALLOC_QUOTA_OVERRUN,
			    NULL, NULL);
	if (IS_ERR(tid)) {
		abort_creds(new);
		return ERR_CAST(tid);
	}
	key_put(new->thread_keyring);
	new->thread_keyring = tid;
	if (deleg) {
		int err = key_link(tid, deleg);

		if (err) {
			abort_creds(new);	/* puts tid, which nobody saw */
			return ERR_PTR(err);
		}
	}
#endif
	return new;
}

/* The argument of IMPERSONATE and REVERT: no flags, nothing reserved. */
static int secmsg_imp_args(struct secmsg_impersonate __user *uimp)
{
	struct secmsg_impersonate imp;
	int err;

	err = secmsg_copy_struct(&imp, sizeof(imp), uimp,
				 SECMSG_IMPERSONATE_SIZE_VER0, NULL);
	if (err)
		return err;
	return imp.flags || imp.reserved ? -EINVAL : 0;
}

/**
 * secmsg_impersonate() - SECMSG_IOC_IMPERSONATE
 * @ctx:  the context
 * @uimp: the user's struct secmsg_impersonate
 *
 * Return: 0 with the calling thread acting as the client, or a negative
 * errno with nothing changed.
 */
long secmsg_impersonate(struct secmsg_ctx *ctx,
			struct secmsg_impersonate __user *uimp)
{
	struct pid *thread = task_pid(current);
	struct secmsg_imp *r, *stale;
	const struct cred *client;
	struct cred *new;
	bool sweep;
	int err;

	err = secmsg_imp_args(uimp);
	if (err)
		return err;
	/* commit_creds() needs the thread's own credentials in force. */
	if (current_cred() != current_real_cred())
		return -EBUSY;
	/* Local acceptors, and Kerberos ones with an asserted account. */
	if ((ctx->package != SECMSG_PKG_LOCAL && !ctx->krb5) ||
	    ctx->role != SECMSG_ROLE_ACCEPTOR)
		return -EINVAL;
	if (!secmsg_ctx_is_complete(ctx))
		return -ENOTCONN;
	if (secmsg_ctx_revoked(ctx))
		return -EKEYREVOKED;
	if (secmsg_ctx_expired(ctx))
		return -EKEYEXPIRED;
	if (ctx->imp_level < SECMSG_IMP_IMPERSONATE)
		return -EACCES;
	/* A Kerberos client the importer mapped to no account: nobody. */
	client = ctx->peer_cred;
	if (!client)
		return -EACCES;
	if (!secmsg_may_become(current_cred(), client))
		return -EPERM;

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	/* A Kerberos client's delegated credentials, when it gave them. */
	r->deleg = secmsg_krb5_deleg(ctx);
	new = secmsg_imp_creds(client, r->deleg);
	if (IS_ERR(new)) {
		key_put(r->deleg);
		kfree(r);
		return PTR_ERR(new);
	}

	/*
	 * Only this thread adds or removes its own record (the sweep takes
	 * records of threads that are gone or exiting only), so what we
	 * find here stays true until we commit.
	 */
	spin_lock(&secmsg_imp_lock);
	stale = secmsg_imp_find(thread);
	if (stale && secmsg_imp_in_force(stale)) {
		spin_unlock(&secmsg_imp_lock);
		abort_creds(new);
		key_put(r->deleg);
		kfree(r);
		return -EBUSY;
	}
	if (stale)	/* credentials changed since: not impersonating */
		secmsg_imp_unhash(stale);
	r->thread = get_pid(thread);
	r->exec_id = READ_ONCE(current->self_exec_id);
	r->saved = get_current_cred();
	r->imp = get_cred(new);
	r->ctx_id = ctx->id;
	hash_add(secmsg_imps, &r->node, (unsigned long)thread);
	secmsg_imp_count++;
	/* The open file we were called through pins us: cannot fail. */
	__module_get(THIS_MODULE);
	sweep = secmsg_imp_count >= secmsg_imp_sweep_at;
	if (!sweep)
		secmsg_imp_arm_sweeper();
	spin_unlock(&secmsg_imp_lock);
	if (stale)
		secmsg_imp_free(stale);

	commit_creds(new);
	if (sweep)
		secmsg_imp_sweep();
	return 0;
}

/**
 * secmsg_revert() - SECMSG_IOC_REVERT
 * @uimp: the user's struct secmsg_impersonate
 *
 * Return: 0 with the thread's own credentials back, or -ENOENT (not
 * impersonating), -ESTALE (credentials changed, or a program executed,
 * since IMPERSONATE; kept, and the impersonation forgotten), or an
 * argument error.
 */
long secmsg_revert(struct secmsg_impersonate __user *uimp)
{
	struct secmsg_imp *r;
	int err;

	err = secmsg_imp_args(uimp);
	if (err)
		return err;

	spin_lock(&secmsg_imp_lock);
	r = secmsg_imp_find(task_pid(current));
	if (r)
		secmsg_imp_unhash(r);
	spin_unlock(&secmsg_imp_lock);
	if (!r)
		return -ENOENT;

	err = -ESTALE;
	if (secmsg_imp_in_force(r)) {
		/* commit_creds() takes the reference the record held. */
		commit_creds((struct cred *)r->saved);
		r->saved = NULL;
		err = 0;
	}
	secmsg_imp_free(r);
	return err;
}

/*
 * Module exit.  Every record holds a module reference, so none is left;
 * the sweeper may still be queued or running (it dropped the last one).
 */
void secmsg_imp_exit(void)
{
	cancel_delayed_work_sync(&secmsg_imp_sweeper);
	WARN_ON(!hash_empty(secmsg_imps));
}
