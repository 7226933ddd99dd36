// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg: the local package.  Two processes of this host establish a
 * context with the kernel as the only authority: INIT (client) records the
 * client's credentials and issues a token naming a pending establishment;
 * ACCEPT (server) checks the server against the client's target, records
 * the server's credentials, draws the session key and creates the acceptor
 * context; COMPLETE (client) finishes the initiator from the reply token.
 *
 * Tokens carry no secret: a random 128-bit handle of a pending object kept
 * here, its expiry, and an HMAC-SHA256 under a key drawn at module load
 * (so garbage and forgeries are refused before any lookup).  The session
 * key never leaves the kernel.
 */
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <crypto/sha2.h>
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "context.h"
#include "local.h"

#define SECMSG_LOCAL_VERSION	1
#define SECMSG_HANDLE_SIZE	16
#define SECMSG_MACED_SIZE	32	/* token bytes the MAC covers */
#define SECMSG_SESSION_KEY_SIZE	32
#define SECMSG_DEFAULT_SUITE	SECMSG_SUITE_AES256_GCM

static_assert(SECMSG_MACED_SIZE + SHA256_DIGEST_SIZE ==
	      SECMSG_LOCAL_TOKEN_SIZE);

/* Parsed establishment token. */
struct secmsg_ltok {
	u16 id;
	u8 handle[SECMSG_HANDLE_SIZE];
	u64 expiry;
};

enum secmsg_local_state {
	SECMSG_LOCAL_ISSUED,	/* init token out, waiting for ACCEPT */
	SECMSG_LOCAL_CLAIMED,	/* an ACCEPT is building the acceptor */
	SECMSG_LOCAL_ACCEPTED,	/* reply token out, waiting for COMPLETE */
	SECMSG_LOCAL_COMPLETING, /* a COMPLETE is setting up the keys */
};

/**
 * struct secmsg_local - a pending establishment
 * @ref:          the initiator context's reference, plus one per ACCEPT
 *                at work; the last put wipes the session key
 * @node:         in secmsg_pending while @hashed
 * @hashed:       ACCEPT may still find it (ISSUED or CLAIMED, initiator
 *                context alive)
 * @state:        enum secmsg_local_state
 * @handle:       the init token's handle
 * @reply_handle: the reply token's handle (ACCEPTED)
 * @target:       the uid that may accept
 * @client:       the initiator context, which owns this object (no
 *                reference: valid while @hashed, since the initiator's
 *                release unhashes first, under secmsg_local_lock).  Its
 *                terms (suite, flags, level, lifetime, the client's
 *                identity) are the establishment's: ACCEPT reads them
 *                there, under a reference it takes while @hashed
 * @server_cred:  the server's credentials at ACCEPT (ACCEPTED)
 * @server_tgid:  the server's process (ACCEPTED)
 * @server_lsm:   the server's LSM context, or NULL (ACCEPTED)
 * @key:          the session key (ACCEPTED)
 *
 * Everything is under secmsg_local_lock except what is set before the
 * object is hashed and never changes (@handle, @target, @client).  What
 * the server side hands over to COMPLETE (@reply_handle to @key) has no
 * other home until then.
 */
struct secmsg_local {
	struct kref ref;
	struct hlist_node node;
	bool hashed;
	enum secmsg_local_state state;
	u8 handle[SECMSG_HANDLE_SIZE];
	u8 reply_handle[SECMSG_HANDLE_SIZE];
	kuid_t target;
	struct secmsg_ctx *client;
	const struct cred *server_cred;
	struct pid *server_tgid;
	char *server_lsm;
	u8 key[SECMSG_SESSION_KEY_SIZE];
};

#define SECMSG_PENDING_HASH_BITS	8
static DEFINE_HASHTABLE(secmsg_pending, SECMSG_PENDING_HASH_BITS);
static DEFINE_MUTEX(secmsg_local_lock);

/* The token MAC: HMAC-SHA256 keyed at load, shared read-only. */
static struct crypto_shash *secmsg_token_hmac;

int secmsg_local_init(void)
{
	u8 key[SHA256_DIGEST_SIZE];
	int err;

	secmsg_token_hmac = crypto_alloc_shash("hmac(sha256)", 0, 0);
	if (IS_ERR(secmsg_token_hmac)) {
		err = PTR_ERR(secmsg_token_hmac);
		secmsg_token_hmac = NULL;
		return err;
	}
	get_random_bytes(key, sizeof(key));
	err = crypto_shash_setkey(secmsg_token_hmac, key, sizeof(key));
	memzero_explicit(key, sizeof(key));
	if (err)
		secmsg_local_exit();
	return err;
}

void secmsg_local_exit(void)
{
	/* Frees the key with kfree_sensitive. */
	crypto_free_shash(secmsg_token_hmac);
	secmsg_token_hmac = NULL;
}

static void secmsg_local_free(struct kref *ref)
{
	struct secmsg_local *p = container_of(ref, struct secmsg_local, ref);

	if (p->server_cred)
		put_cred(p->server_cred);
	put_pid(p->server_tgid);
	kfree(p->server_lsm);
	kfree_sensitive(p);
}

static void secmsg_local_put(struct secmsg_local *p)
{
	kref_put(&p->ref, secmsg_local_free);
}

static u32 secmsg_handle_hash(const u8 *handle)
{
	return get_unaligned_be32(handle);
}

static u64 secmsg_token_deadline(void)
{
	return ktime_get_boottime_ns() +
	       (u64)SECMSG_LOCAL_TOKEN_LIFETIME * NSEC_PER_SEC;
}

static int secmsg_token_mac(const u8 *tok, u8 *mac)
{
	return crypto_shash_tfm_digest(secmsg_token_hmac, tok,
				       SECMSG_MACED_SIZE, mac);
}

static int secmsg_token_build(u8 *tok, u16 id, const u8 *handle, u64 expiry)
{
	memset(tok, 0, SECMSG_LOCAL_TOKEN_SIZE);
	put_unaligned_be16(id, tok);
	tok[2] = SECMSG_LOCAL_VERSION;
	memcpy(tok + 8, handle, SECMSG_HANDLE_SIZE);
	put_unaligned_be64(expiry, tok + 24);
	return secmsg_token_mac(tok, tok + SECMSG_MACED_SIZE);
}

/*
 * Read and check a token from user space: its length (EMSGSIZE), its MAC
 * and then its fields (EBADMSG), its expiry (EKEYEXPIRED).
 */
static int secmsg_token_read(struct secmsg_ltok *t, u64 uptr, u32 len,
			     u16 want_id)
{
	u8 tok[SECMSG_LOCAL_TOKEN_SIZE];
	u8 mac[SHA256_DIGEST_SIZE];
	int err;

	if (len != SECMSG_LOCAL_TOKEN_SIZE)
		return -EMSGSIZE;
	if (copy_from_user(tok, u64_to_user_ptr(uptr), sizeof(tok)))
		return -EFAULT;
	err = secmsg_token_mac(tok, mac);
	if (err)
		goto out;
	err = -EBADMSG;
	if (crypto_memneq(mac, tok + SECMSG_MACED_SIZE, sizeof(mac)))
		goto out;
	if (get_unaligned_be16(tok) != want_id ||
	    tok[2] != SECMSG_LOCAL_VERSION || memchr_inv(tok + 3, 0, 5))
		goto out;
	t->id = want_id;
	memcpy(t->handle, tok + 8, SECMSG_HANDLE_SIZE);
	t->expiry = get_unaligned_be64(tok + 24);
	err = ktime_get_boottime_ns() >= t->expiry ? -EKEYEXPIRED : 0;
out:
	memzero_explicit(mac, sizeof(mac));
	return err;
}

/* Caller holds secmsg_local_lock. */
static struct secmsg_local *secmsg_pending_find(const u8 *handle)
{
	struct secmsg_local *p;

	hash_for_each_possible(secmsg_pending, p, node,
			       secmsg_handle_hash(handle))
		if (!memcmp(p->handle, handle, SECMSG_HANDLE_SIZE))
			return p;
	return NULL;
}

static u32 secmsg_granted_flags(u32 req, u32 level)
{
	u32 flags = req | SECMSG_CTX_INTEGRITY;

	if (level == SECMSG_IMP_IDENTIFY)
		flags |= SECMSG_CTX_IDENTIFY;
	else if (level == SECMSG_IMP_DELEGATE)
		flags |= SECMSG_CTX_DELEGATE;
	return flags;
}

static int secmsg_init_check(const struct secmsg_init *ini, kuid_t *target)
{
	if (ini->flags || ini->reserved || ini->reserved2[0] ||
	    ini->reserved2[1])
		return -EINVAL;
	if (ini->package != SECMSG_PKG_LOCAL ||
	    ini->target_type != SECMSG_TARGET_UID)
		return -EINVAL;
	if (ini->suite && !secmsg_suite_get(ini->suite))
		return -EINVAL;
	if (ini->ctx_flags & ~SECMSG_INIT_CTX_FLAGS)
		return -EINVAL;
	if (ini->imp_level > SECMSG_IMP_DELEGATE)
		return -EINVAL;
	*target = make_kuid(current_user_ns(), ini->target_uid);
	if (!uid_valid(*target))
		return -EINVAL;
	return 0;
}

/**
 * secmsg_local_isc() - SECMSG_IOC_INIT: the client starts
 * @uini: the user's struct secmsg_init
 *
 * Creates the incomplete initiator context and its pending establishment,
 * writes the init token, and installs the fd last.
 *
 * Return: the new fd, or a negative errno with nothing created.
 */
int secmsg_local_isc(struct secmsg_init __user *uini)
{
	u8 tok[SECMSG_LOCAL_TOKEN_SIZE];
	struct secmsg_local *p;
	struct secmsg_init ini;
	struct secmsg_ctx *ctx;
	struct file *file;
	u32 level, status = SECMSG_STATUS_CONTINUE_NEEDED;
	u32 tok_len = SECMSG_LOCAL_TOKEN_SIZE;
	kuid_t target;
	int fd, err;

	err = secmsg_copy_struct(&ini, sizeof(ini), uini,
				 SECMSG_INIT_SIZE_VER0, NULL);
	if (err)
		return err;
	err = secmsg_init_check(&ini, &target);
	if (err)
		return err;
	if (ini.token_len < SECMSG_LOCAL_TOKEN_SIZE)
		return put_user(tok_len, &uini->token_len) ? -EFAULT : -ENOBUFS;
	level = ini.imp_level ?: SECMSG_IMP_IDENTIFY;

	ctx = secmsg_ctx_new();
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	ctx->package = SECMSG_PKG_LOCAL;
	ctx->max_token = SECMSG_LOCAL_TOKEN_SIZE;
	ctx->role = SECMSG_ROLE_INITIATOR;
	ctx->suite = secmsg_suite_get(ini.suite ?: SECMSG_DEFAULT_SUITE);
	ctx->flags = secmsg_granted_flags(ini.ctx_flags, level);
	ctx->imp_level = level;
	secmsg_ctx_set_lifetime(ctx, ini.lifetime);
	secmsg_replay_init(&ctx->replay, secmsg_replay_mode_of(ctx->flags), 0);
	ctx->local_cred = get_current_cred();
	err = secmsg_lsm_current(&ctx->local_lsm);
	if (err)
		goto err_ctx;

	err = -ENOMEM;
	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		goto err_ctx;
	kref_init(&p->ref);
	ctx->local = p;
	get_random_bytes(p->handle, sizeof(p->handle));
	p->target = target;
	p->client = ctx;

	err = secmsg_token_build(tok, SECMSG_TOK_LOCAL_INIT, p->handle,
				 secmsg_token_deadline());
	if (err)
		goto err_ctx;

	fd = secmsg_ctx_file(ctx, &file);
	if (fd < 0) {
		err = fd;
		goto err_ctx;
	}
	if (copy_to_user(u64_to_user_ptr(ini.token), tok, sizeof(tok)) ||
	    put_user(tok_len, &uini->token_len) ||
	    put_user(status, &uini->status)) {
		secmsg_ctx_unfile(fd, file);
		return -EFAULT;
	}

	mutex_lock(&secmsg_local_lock);
	hash_add(secmsg_pending, &p->node, secmsg_handle_hash(p->handle));
	p->hashed = true;
	mutex_unlock(&secmsg_local_lock);

	secmsg_ctx_publish(ctx, fd, file);
	return fd;

err_ctx:
	secmsg_ctx_put(ctx);
	return err;
}

/* Give back a claim that did not make it: the token stays usable. */
static void secmsg_local_unclaim(struct secmsg_local *p,
				 struct secmsg_ctx *client)
{
	mutex_lock(&secmsg_local_lock);
	if (p->state == SECMSG_LOCAL_CLAIMED)
		p->state = SECMSG_LOCAL_ISSUED;
	mutex_unlock(&secmsg_local_lock);
	secmsg_local_put(p);
	secmsg_ctx_put(client);
}

/**
 * secmsg_local_asc() - SECMSG_IOC_ACCEPT: the server accepts
 * @uacc: the user's struct secmsg_accept
 *
 * Claims the pending establishment (a second ACCEPT of the same token now
 * gets EALREADY), builds the acceptor context with a fresh session key,
 * writes the reply token and the out fields, and only then commits: the
 * pending object leaves the table and keeps the key and the server's
 * identity for COMPLETE.  Any failure before the commit gives the claim
 * back.
 *
 * Return: the new fd, or a negative errno with nothing created.
 */
int secmsg_local_asc(struct secmsg_accept __user *uacc)
{
	u8 key[SECMSG_SESSION_KEY_SIZE];
	u8 reply_handle[SECMSG_HANDLE_SIZE];
	u8 tok[SECMSG_LOCAL_TOKEN_SIZE];
	u32 tok_len = SECMSG_LOCAL_TOKEN_SIZE;
	struct secmsg_ctx *ctx, *client;
	struct secmsg_accept acc;
	struct secmsg_local *p;
	struct secmsg_ltok t;
	struct file *file;
	char *server_lsm = NULL;
	u64 reply_expiry;
	int fd, err;

	err = secmsg_copy_struct(&acc, sizeof(acc), uacc,
				 SECMSG_ACCEPT_SIZE_VER0, NULL);
	if (err)
		return err;
	/* status, ctx_flags and imp_level are out fields: ignored on input. */
	if (acc.flags || acc.reserved[0] || acc.reserved[1] ||
	    acc.package != SECMSG_PKG_LOCAL)
		return -EINVAL;
	if (acc.out_len < SECMSG_LOCAL_TOKEN_SIZE)
		return put_user(tok_len, &uacc->out_len) ? -EFAULT : -ENOBUFS;
	err = secmsg_token_read(&t, acc.in_token, acc.in_len,
				SECMSG_TOK_LOCAL_INIT);
	if (err)
		return err;

	mutex_lock(&secmsg_local_lock);
	p = secmsg_pending_find(t.handle);
	if (!p || p->state != SECMSG_LOCAL_ISSUED) {
		mutex_unlock(&secmsg_local_lock);
		return -EALREADY;
	}
	if (!uid_eq(current_euid(), p->target)) {
		mutex_unlock(&secmsg_local_lock);
		return -EACCES;
	}
	/* The context's lifetime (from INIT) may end before the token's. */
	if (ktime_get_coarse_boottime_ns() >= p->client->deadline) {
		mutex_unlock(&secmsg_local_lock);
		return -EKEYEXPIRED;
	}
	/*
	 * Hashed, the initiator is there, though perhaps on its way out:
	 * its release unhashes this under the lock we hold, maybe only
	 * after its last reference went.
	 */
	client = p->client;
	if (!kref_get_unless_zero(&client->ref)) {
		mutex_unlock(&secmsg_local_lock);
		return -EALREADY;
	}
	p->state = SECMSG_LOCAL_CLAIMED;
	kref_get(&p->ref);
	mutex_unlock(&secmsg_local_lock);

	ctx = secmsg_ctx_new();
	if (IS_ERR(ctx)) {
		secmsg_local_unclaim(p, client);
		return PTR_ERR(ctx);
	}
	/* The initiator's terms: both contexts get the same. */
	ctx->package = SECMSG_PKG_LOCAL;
	ctx->max_token = SECMSG_LOCAL_TOKEN_SIZE;
	ctx->role = SECMSG_ROLE_ACCEPTOR;
	ctx->suite = client->suite;
	ctx->flags = client->flags;
	ctx->imp_level = client->imp_level;
	ctx->lifetime = client->lifetime;
	ctx->created = client->created;
	ctx->expires = client->expires;
	ctx->deadline = client->deadline;
	secmsg_replay_init(&ctx->replay, secmsg_replay_mode_of(ctx->flags), 0);
	ctx->local_cred = get_current_cred();
	ctx->peer_cred = get_cred(client->local_cred);
	ctx->peer_tgid = get_pid(client->tgid);
	err = secmsg_lsm_current(&ctx->local_lsm);
	if (err)
		goto err_ctx;
	err = -ENOMEM;
	if (client->local_lsm) {
		ctx->peer_lsm = kstrdup(client->local_lsm, GFP_KERNEL_ACCOUNT);
		if (!ctx->peer_lsm)
			goto err_ctx;
	}
	/* The initiator's copy, handed over at the commit. */
	if (ctx->local_lsm) {
		server_lsm = kstrdup(ctx->local_lsm, GFP_KERNEL_ACCOUNT);
		if (!server_lsm)
			goto err_ctx;
	}

	get_random_bytes(key, sizeof(key));
	err = secmsg_crypto_init(&ctx->tx, &ctx->rx, ctx->suite, ctx->role,
				 key, sizeof(key));
	if (err)
		goto err_ctx;
	ctx->complete = true;

	get_random_bytes(reply_handle, sizeof(reply_handle));
	reply_expiry = secmsg_token_deadline();
	err = secmsg_token_build(tok, SECMSG_TOK_LOCAL_REPLY, reply_handle,
				 reply_expiry);
	if (err)
		goto err_ctx;

	fd = secmsg_ctx_file(ctx, &file);
	if (fd < 0) {
		err = fd;
		goto err_ctx;
	}
	/* Every write to user space before the commit: it cannot fail. */
	if (copy_to_user(u64_to_user_ptr(acc.out_token), tok, sizeof(tok)) ||
	    put_user(tok_len, &uacc->out_len) ||
	    put_user((u32)SECMSG_STATUS_OK, &uacc->status) ||
	    put_user(ctx->flags, &uacc->ctx_flags) ||
	    put_user(ctx->imp_level, &uacc->imp_level)) {
		err = -EFAULT;
		goto err_file;
	}

	mutex_lock(&secmsg_local_lock);
	if (!p->hashed) {
		/* The initiator context was closed meanwhile. */
		mutex_unlock(&secmsg_local_lock);
		err = -EALREADY;
		goto err_file;
	}
	hash_del(&p->node);
	p->hashed = false;
	p->state = SECMSG_LOCAL_ACCEPTED;
	memcpy(p->reply_handle, reply_handle, sizeof(reply_handle));
	memcpy(p->key, key, sizeof(key));
	p->server_cred = get_cred(ctx->local_cred);
	p->server_tgid = get_pid(ctx->tgid);
	p->server_lsm = server_lsm;
	mutex_unlock(&secmsg_local_lock);
	secmsg_local_put(p);
	secmsg_ctx_put(client);
	memzero_explicit(key, sizeof(key));

	secmsg_ctx_publish(ctx, fd, file);
	return fd;

err_file:
	secmsg_ctx_unfile(fd, file);
	goto err_key;
err_ctx:
	secmsg_ctx_put(ctx);
err_key:
	memzero_explicit(key, sizeof(key));
	kfree(server_lsm);
	secmsg_local_unclaim(p, client);
	return err;
}

/**
 * secmsg_local_complete() - SECMSG_IOC_COMPLETE: the client finishes
 * @ctx:  the initiator context
 * @ucmp: the user's struct secmsg_complete
 *
 * Derives the initiator's keys from the session key ACCEPT drew, takes
 * the server's identity, and marks the context complete.  The pending
 * object and its copy of the key go.
 *
 * Return: 0, or a negative errno with nothing changed.
 */
long secmsg_local_complete(struct secmsg_ctx *ctx,
			   struct secmsg_complete __user *ucmp)
{
	struct secmsg_dir tx = {}, rx = {};
	struct secmsg_complete cmp;
	struct secmsg_local *p;
	struct secmsg_ltok t;
	int err;

	err = secmsg_copy_struct(&cmp, sizeof(cmp), ucmp,
				 SECMSG_COMPLETE_SIZE_VER0, NULL);
	if (err)
		return err;
	/* status, ctx_flags and imp_level are out fields: ignored on input. */
	if (cmp.flags || cmp.reserved[0] || cmp.reserved[1])
		return -EINVAL;
	if (ctx->package != SECMSG_PKG_LOCAL ||
	    ctx->role != SECMSG_ROLE_INITIATOR)
		return -EINVAL;
	if (secmsg_ctx_is_complete(ctx))
		return -EISCONN;
	err = secmsg_token_read(&t, cmp.in_token, cmp.in_len,
				SECMSG_TOK_LOCAL_REPLY);
	if (err)
		return err;
	if (secmsg_ctx_expired(ctx))
		return -EKEYEXPIRED;

	/*
	 * Claim the establishment (a concurrent COMPLETE on this context
	 * now gets EBUSY), set the keys up without the global lock, and
	 * commit; a failure gives the claim back, so COMPLETE can be
	 * retried with the same reply token.
	 */
	mutex_lock(&secmsg_local_lock);
	if (secmsg_ctx_is_complete(ctx)) {
		mutex_unlock(&secmsg_local_lock);
		return -EISCONN;
	}
	p = ctx->local;
	if (p && p->state == SECMSG_LOCAL_COMPLETING) {
		mutex_unlock(&secmsg_local_lock);
		return -EBUSY;
	}
	if (!p || p->state != SECMSG_LOCAL_ACCEPTED ||
	    crypto_memneq(p->reply_handle, t.handle, SECMSG_HANDLE_SIZE)) {
		mutex_unlock(&secmsg_local_lock);
		return -EALREADY;
	}
	p->state = SECMSG_LOCAL_COMPLETING;
	mutex_unlock(&secmsg_local_lock);

	/* p->key is ours while COMPLETING: ACCEPT set it and is done. */
	err = secmsg_crypto_init(&tx, &rx, ctx->suite, ctx->role, p->key,
				 sizeof(p->key));
	if (err)
		goto err_unclaim;
	if (put_user((u32)SECMSG_STATUS_OK, &ucmp->status) ||
	    put_user(ctx->flags, &ucmp->ctx_flags) ||
	    put_user(ctx->imp_level, &ucmp->imp_level)) {
		secmsg_crypto_free(&tx);
		secmsg_crypto_free(&rx);
		err = -EFAULT;
		goto err_unclaim;
	}

	mutex_lock(&secmsg_local_lock);
	ctx->tx = tx;
	ctx->rx = rx;
	ctx->peer_cred = p->server_cred;
	p->server_cred = NULL;
	ctx->peer_tgid = p->server_tgid;
	p->server_tgid = NULL;
	ctx->peer_lsm = p->server_lsm;
	p->server_lsm = NULL;
	ctx->local = NULL;
	/* Publish the keys: pairs with secmsg_ctx_is_complete(). */
	smp_store_release(&ctx->complete, true);
	mutex_unlock(&secmsg_local_lock);
	secmsg_local_put(p);
	return 0;

err_unclaim:
	mutex_lock(&secmsg_local_lock);
	p->state = SECMSG_LOCAL_ACCEPTED;
	mutex_unlock(&secmsg_local_lock);
	return err;
}

/**
 * secmsg_local_ctx_release() - drop a context's pending establishment
 * @ctx: the context: its last file is being released (no ioctl can run
 *       on it any more), or its last reference, for a context that never
 *       had a file
 *
 * An init token not accepted yet becomes unusable (EALREADY); an ACCEPT
 * at work fails at its commit; a reply token can no longer be completed.
 * A kernel consumer's reference keeps the context, incomplete for good.
 */
void secmsg_local_ctx_release(struct secmsg_ctx *ctx)
{
	struct secmsg_local *p = ctx->local;

	if (!p)
		return;
	mutex_lock(&secmsg_local_lock);
	if (p->hashed) {
		hash_del(&p->node);
		p->hashed = false;
	}
	mutex_unlock(&secmsg_local_lock);
	ctx->local = NULL;
	secmsg_local_put(p);
}
