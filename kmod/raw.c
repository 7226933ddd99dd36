// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg: raw contexts imported with SECMSG_IMPORT_FRESH (uapi "Pre-shared
 * keys").  IMPORT draws this side's contribution and keeps the session key;
 * COMPLETE takes the peer's contribution and derives the keys with both
 * mixed into the HKDF salt, so that a key imported again never brings back
 * a (key, nonce) pair it had before.
 *
 * This is the shape of IKEv2's SKEYSEED = prf(Ni | Nr, ...) (RFC 7296
 * 2.14): each side's fresh nonce is part of the salt, so neither side can
 * make the other's keys repeat.
 */
#include <crypto/algapi.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "context.h"
#include "raw.h"

#define SECMSG_FRESH_SALT_LEN	(SECMSG_HKDF_SALT_LEN + 2 * SECMSG_CONTRIB_SIZE)

/**
 * struct secmsg_fresh - a FRESH import's state until COMPLETE
 * @lock:    serializes COMPLETE on the context
 * @own:     this side's contribution
 * @key_len: bytes of @key; 0 once COMPLETE used and wiped it
 * @key:     the session key, kept only until COMPLETE
 *
 * Freed with its context (kfree_sensitive); the key and the contribution
 * are wiped as soon as COMPLETE succeeds.
 */
struct secmsg_fresh {
	struct mutex lock;	/* COMPLETE, one at a time */
	u8 own[SECMSG_CONTRIB_SIZE];
	u32 key_len;
	u8 key[SECMSG_KEY_MAX];
};

/**
 * secmsg_raw_fresh() - set up a FRESH import: its contribution, its key
 * @ctx:     the new raw context, not published; suite and role are set
 * @key:     the session key
 * @key_len: its length, SECMSG_KEY_MIN..SECMSG_KEY_MAX
 * @own:     out: SECMSG_CONTRIB_SIZE bytes, this side's contribution, for
 *           the caller to hand to user space (and wipe)
 *
 * Allocates the transforms now, so that a missing algorithm is IMPORT's
 * ENOENT, and keys them at COMPLETE.  The context stays incomplete.  On
 * error secmsg_ctx_put() undoes what was set up.
 *
 * Return: 0, or a negative errno.
 */
int secmsg_raw_fresh(struct secmsg_ctx *ctx, const u8 *key, u32 key_len,
		     u8 *own)
{
	struct secmsg_fresh *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	ctx->fresh = f;
	get_random_bytes(f->own, sizeof(f->own));
	memcpy(f->key, key, key_len);
	f->key_len = key_len;
	memcpy(own, f->own, sizeof(f->own));
	return secmsg_crypto_alloc(&ctx->tx, &ctx->rx, ctx->suite);
}

/* The salt of uapi "Pre-shared keys": "secmsg-v1" || C_I || C_A. */
static void secmsg_fresh_salt(u8 *salt, u32 role, const u8 *own,
			      const u8 *peer)
{
	u8 *p = salt + SECMSG_HKDF_SALT_LEN;

	memcpy(salt, SECMSG_HKDF_SALT, SECMSG_HKDF_SALT_LEN);
	if (role == SECMSG_ROLE_INITIATOR) {
		memcpy(p, own, SECMSG_CONTRIB_SIZE);
		memcpy(p + SECMSG_CONTRIB_SIZE, peer, SECMSG_CONTRIB_SIZE);
	} else {
		memcpy(p, peer, SECMSG_CONTRIB_SIZE);
		memcpy(p + SECMSG_CONTRIB_SIZE, own, SECMSG_CONTRIB_SIZE);
	}
}

/**
 * secmsg_raw_complete() - SECMSG_IOC_COMPLETE on a raw context
 * @ctx:  the context (not revoked when the caller checked)
 * @ucmp: the user's struct secmsg_complete; @in_token is the peer's
 *        contribution
 *
 * Derives the keys with both contributions, writes the out fields, and
 * only then marks the context complete; the session key and the
 * contributions are wiped.  Any failure changes nothing: the same call
 * can be made again.
 *
 * Return: 0, or a negative errno (uapi "Pre-shared keys").
 */
long secmsg_raw_complete(struct secmsg_ctx *ctx,
			 struct secmsg_complete __user *ucmp)
{
	u8 peer[SECMSG_CONTRIB_SIZE], salt[SECMSG_FRESH_SALT_LEN];
	struct secmsg_fresh *f = ctx->fresh;
	struct secmsg_complete cmp;
	long err;

	err = secmsg_copy_struct(&cmp, sizeof(cmp), ucmp,
				 SECMSG_COMPLETE_SIZE_VER0, NULL);
	if (err)
		return err;
	/* status, ctx_flags and imp_level are out fields: ignored on input. */
	if (cmp.flags || cmp.reserved[0] || cmp.reserved[1] || !f)
		return -EINVAL;

	mutex_lock(&f->lock);
	err = -EISCONN;
	if (secmsg_ctx_is_complete(ctx))
		goto out;
	err = -EMSGSIZE;
	if (cmp.in_len != SECMSG_CONTRIB_SIZE)
		goto out;
	err = -EFAULT;
	if (copy_from_user(peer, u64_to_user_ptr(cmp.in_token), sizeof(peer)))
		goto out;
	/*
	 * Our own contribution back.  No peer draws the same 32 random
	 * bytes, so it comes from a mistake (the caller passed its own) or
	 * an attacker reflecting it.  It would do no harm: our contribution
	 * is in the salt either way, so our keys are still new, and the role
	 * labels keep the two directions' keys apart, so our own messages
	 * reflected back still fail.  Refusing it costs nothing and tells a
	 * confused caller at once, rather than with every message ALTERED.
	 */
	err = -EBADMSG;
	if (!crypto_memneq(peer, f->own, sizeof(peer)))
		goto out;
	err = -EKEYEXPIRED;
	if (secmsg_ctx_expired(ctx))
		goto out;

	secmsg_fresh_salt(salt, ctx->role, f->own, peer);
	err = secmsg_crypto_setkeys(&ctx->tx, &ctx->rx, ctx->suite, ctx->role,
				    f->key, f->key_len, salt, sizeof(salt));
	if (err)
		goto out;
	if (put_user((u32)SECMSG_STATUS_OK, &ucmp->status) ||
	    put_user(ctx->flags, &ucmp->ctx_flags) ||
	    put_user((u32)0, &ucmp->imp_level)) {
		/* Not complete: a later COMPLETE keys the transforms again. */
		err = -EFAULT;
		goto out;
	}
	memzero_explicit(f->key, sizeof(f->key));
	f->key_len = 0;
	memzero_explicit(f->own, sizeof(f->own));
	/* Publish the keys: pairs with secmsg_ctx_is_complete(). */
	smp_store_release(&ctx->complete, true);
out:
	mutex_unlock(&f->lock);
	memzero_explicit(salt, sizeof(salt));
	memzero_explicit(peer, sizeof(peer));
	return err;
}

/**
 * secmsg_raw_ctx_release() - a context goes: wipe its FRESH state
 * @ctx: the context, being released
 */
void secmsg_raw_ctx_release(struct secmsg_ctx *ctx)
{
	struct secmsg_fresh *f = ctx->fresh;

	if (!f)
		return;
	ctx->fresh = NULL;
	mutex_destroy(&f->lock);
	kfree_sensitive(f);
}
