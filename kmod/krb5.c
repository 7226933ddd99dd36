// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg: Kerberos contexts: IMPORT_KRB5 and what the context keeps.
 *
 * A Kerberos context is established by MIT GSSAPI in user space and
 * imported here from its lucid export (uapi "Kerberos contexts").  The
 * kernel derives the per-usage keys of both directions from the one key
 * it is given and keeps only the keyed transforms; its messages are RFC
 * 4121 tokens (proto_krb5.c).
 */
#include <linux/cred.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <crypto/hash.h>
#include <crypto/skcipher.h>

#include "context.h"
#include "engine.h"
#include "krb5.h"
#include "krb5_deleg.h"

#define SECMSG_KRB5_CTX_FLAGS	(SECMSG_CTX_DELEGATE | \
				 SECMSG_CTX_MUTUAL_AUTH | \
				 SECMSG_CTX_REPLAY_DETECT | \
				 SECMSG_CTX_SEQUENCE_DETECT | \
				 SECMSG_CTX_CONFIDENTIALITY | \
				 SECMSG_CTX_INTEGRITY | \
				 SECMSG_CTX_IDENTIFY)

static_assert(sizeof(struct secmsg_krb5_import) ==
	      SECMSG_KRB5_IMPORT_SIZE_VER1);
static_assert(sizeof(struct secmsg_krb5_cred) == 24);

static void krb5_ctx_free(struct secmsg_krb5_ctx *k)
{
	if (!k)
		return;
	secmsg_deleg_free(k->deleg);
	secmsg_krb5_dir_free(&k->tx);
	secmsg_krb5_dir_free(&k->rx);
	kfree(k->local_name);
	kfree(k->peer_name);
	if (k->peer_groups)
		put_group_info(k->peer_groups);
	kfree_sensitive(k);
}

/* A name's pointer and length: 0 and 0, or both set and short enough. */
static bool krb5_name_ok(u64 ptr, u32 len)
{
	return len ? ptr && len < SECMSG_PRINCIPAL_MAX : !ptr;
}

/* The fields' rules, before anything is read or allocated: EINVAL. */
static int krb5_import_check(const struct secmsg_krb5_import *imp)
{
	bool acceptor = imp->role == SECMSG_ROLE_ACCEPTOR;

	if ((imp->flags & ~SECMSG_KRB5_ACCEPTOR_SUBKEY) || imp->reserved)
		return -EINVAL;
	if (imp->package != SECMSG_PKG_KERBEROS &&
	    imp->package != SECMSG_PKG_NEGOTIATE)
		return -EINVAL;
	if (!acceptor && imp->role != SECMSG_ROLE_INITIATOR)
		return -EINVAL;
	if (imp->ctx_flags & ~SECMSG_KRB5_CTX_FLAGS)
		return -EINVAL;
	/* An acceptor's level is the client's grant; an initiator has none. */
	if (acceptor && (imp->imp_level < SECMSG_IMP_ANONYMOUS ||
			 imp->imp_level > SECMSG_IMP_DELEGATE))
		return -EINVAL;
	if (!acceptor && imp->imp_level)
		return -EINVAL;
	if (!imp->key)
		return -EINVAL;
	if (!krb5_name_ok(imp->local_name, imp->local_name_len) ||
	    !krb5_name_ok(imp->peer_name, imp->peer_name_len))
		return -EINVAL;
	/* Only an acceptor's client maps to an account; groups need one. */
	if (!acceptor && (imp->peer_uid != SECMSG_NO_ID ||
			  imp->peer_gid != SECMSG_NO_ID))
		return -EINVAL;
	if (imp->peer_uid == SECMSG_NO_ID &&
	    (imp->peer_gid != SECMSG_NO_ID || imp->peer_ngroups))
		return -EINVAL;
	if (imp->peer_ngroups > NGROUPS_MAX ||
	    !imp->peer_ngroups != !imp->peer_groups)
		return -EINVAL;
	if (!secmsg_krb5_type_get(imp->enctype))
		return -EPROTONOSUPPORT;
	if (imp->key_len != secmsg_krb5_type_get(imp->enctype)->key_len)
		return -EINVAL;
	return secmsg_deleg_check(imp);
}

/* A principal name from user space: no NUL inside; NULL for none. */
static int krb5_name_get(char **out, u64 uptr, u32 len)
{
	char *name;

	*out = NULL;
	if (!len)
		return 0;
	name = kmalloc(len + 1, GFP_KERNEL_ACCOUNT);
	if (!name)
		return -ENOMEM;
	if (copy_from_user(name, u64_to_user_ptr(uptr), len)) {
		kfree(name);
		return -EFAULT;
	}
	if (memchr(name, 0, len)) {
		kfree(name);
		return -EINVAL;
	}
	name[len] = 0;
	*out = name;
	return 0;
}

/* The asserted account: ids in the importer's user namespace. */
static int krb5_ids_get(struct secmsg_krb5_ctx *k,
			const struct secmsg_krb5_import *imp)
{
	struct user_namespace *ns = current_user_ns();
	struct group_info *gi;
	u32 __user *ug = u64_to_user_ptr(imp->peer_groups);
	unsigned int i;
	u32 id;

	k->peer_uid = INVALID_UID;
	k->peer_gid = INVALID_GID;
	if (imp->peer_uid == SECMSG_NO_ID)
		return 0;
	k->peer_uid = make_kuid(ns, imp->peer_uid);
	if (!uid_valid(k->peer_uid))
		return -EINVAL;
	if (imp->peer_gid != SECMSG_NO_ID) {
		k->peer_gid = make_kgid(ns, imp->peer_gid);
		if (!gid_valid(k->peer_gid))
			return -EINVAL;
	}
	if (!imp->peer_ngroups)
		return 0;
	gi = groups_alloc(imp->peer_ngroups);
	if (!gi)
		return -ENOMEM;
	k->peer_groups = gi;
	for (i = 0; i < imp->peer_ngroups; i++) {
		if (get_user(id, ug + i))
			return -EFAULT;
		gi->gid[i] = make_kgid(ns, id);
		if (!gid_valid(gi->gid[i]))
			return -EINVAL;
	}
	groups_sort(gi);
	return 0;
}

/*
 * The asserted account as credentials IMPERSONATE can take the client's
 * identity from (impersonate.c reads ids and groups only): the
 * importer's, with the account's uids, gids and groups, and no
 * capability (a remote client has none here).  A gid not asserted is
 * the overflow gid.  Only for an account in the importer's namespace.
 */
static int krb5_client_cred(struct secmsg_ctx *ctx)
{
	const struct secmsg_krb5_ctx *k = ctx->krb5;
	kgid_t gid = gid_valid(k->peer_gid) ? k->peer_gid :
			make_kgid(current_user_ns(), overflowgid);
	struct group_info *none = NULL;
	struct cred *c;

	if (ctx->role != SECMSG_ROLE_ACCEPTOR || !uid_valid(k->peer_uid))
		return 0;
	if (!gid_valid(gid))
		return 0;
	c = prepare_creds();
	if (!c)
		return -ENOMEM;
	c->uid = k->peer_uid;
	c->euid = k->peer_uid;
	c->suid = k->peer_uid;
	c->fsuid = k->peer_uid;
	c->gid = gid;
	c->egid = gid;
	c->sgid = gid;
	c->fsgid = gid;
	if (!k->peer_groups) {
		none = groups_alloc(0);
		if (!none) {
			abort_creds(c);
			return -ENOMEM;
		}
	}
	set_groups(c, k->peer_groups ?: none);
	if (none)
		put_group_info(none);
	c->cap_effective = CAP_EMPTY_SET;
	c->cap_permitted = CAP_EMPTY_SET;
	c->cap_inheritable = CAP_EMPTY_SET;
	c->cap_ambient = CAP_EMPTY_SET;
	c->cap_bset = CAP_EMPTY_SET;
	ctx->peer_cred = c;
	return 0;
}

/* Both directions' keys: ours send with our usages, the peer's with its. */
static int krb5_keys(struct secmsg_krb5_ctx *k, u32 role, const u8 *key)
{
	bool init = role == SECMSG_ROLE_INITIATOR;
	int err;

	err = secmsg_krb5_dir_init(&k->tx, k->type, key,
				   init ? SECMSG_KRB5_KU_INITIATOR_SEAL :
					  SECMSG_KRB5_KU_ACCEPTOR_SEAL,
				   init ? SECMSG_KRB5_KU_INITIATOR_SIGN :
					  SECMSG_KRB5_KU_ACCEPTOR_SIGN);
	if (err)
		return err;
	err = secmsg_krb5_dir_init(&k->rx, k->type, key,
				   init ? SECMSG_KRB5_KU_ACCEPTOR_SEAL :
					  SECMSG_KRB5_KU_INITIATOR_SEAL,
				   init ? SECMSG_KRB5_KU_ACCEPTOR_SIGN :
					  SECMSG_KRB5_KU_INITIATOR_SIGN);
	if (err)
		return err;
	snprintf(k->driver, sizeof(k->driver), "%s %s",
		 crypto_skcipher_driver_name(k->tx.ke),
		 crypto_ahash_driver_name(k->tx.ki));
	k->async = secmsg_krb5_dir_async(&k->tx) ||
		   secmsg_krb5_dir_async(&k->rx);
	return 0;
}

/**
 * secmsg_krb5_import() - SECMSG_IOC_IMPORT_KRB5
 * @uimp: the user's struct secmsg_krb5_import
 *
 * Every field is checked before anything is allocated; the key is copied
 * into a kernel buffer only for the derivation and wiped right after.
 * The fd is installed last.
 *
 * Return: the new context fd (O_CLOEXEC), or a negative errno with
 * nothing created.
 */
int secmsg_krb5_import(const void __user *uimp)
{
	struct secmsg_krb5_import imp;
	struct secmsg_krb5_ctx *k;
	struct secmsg_ctx *ctx;
	struct file *file;
	time64_t now;
	u8 *key = NULL;
	int fd, err;

	err = secmsg_copy_struct(&imp, sizeof(imp), uimp,
				 SECMSG_KRB5_IMPORT_SIZE_VER0, NULL);
	if (err)
		return err;
	err = krb5_import_check(&imp);
	if (err)
		return err;

	k = kzalloc(sizeof(*k), GFP_KERNEL_ACCOUNT);
	if (!k)
		return -ENOMEM;
	k->type = secmsg_krb5_type_get(imp.enctype);
	k->subkey = imp.flags & SECMSG_KRB5_ACCEPTOR_SUBKEY;
	snprintf(k->alg, sizeof(k->alg), "%s %s", k->type->enc,
		 k->type->hmac);
	k->suite.id = k->type->etype;
	k->suite.alg = k->alg;
	k->suite.key_len = k->type->key_len;

	err = krb5_name_get(&k->local_name, imp.local_name,
			    imp.local_name_len);
	if (!err)
		err = krb5_name_get(&k->peer_name, imp.peer_name,
				    imp.peer_name_len);
	if (!err)
		err = krb5_ids_get(k, &imp);
	if (err)
		goto err_k;
	now = ktime_get_real_seconds();
	if (imp.endtime <= now) {
		err = -EKEYEXPIRED;
		goto err_k;
	}

	/* Not memdup_user(): a partly copied key must be wiped as well. */
	key = kmalloc(imp.key_len, GFP_KERNEL);
	err = -ENOMEM;
	if (!key)
		goto err_k;
	err = -EFAULT;
	if (copy_from_user(key, u64_to_user_ptr(imp.key), imp.key_len))
		goto err_k;

	/* From here on, secmsg_ctx_put() undoes whatever was set up. */
	ctx = secmsg_ctx_new();
	if (IS_ERR(ctx)) {
		err = PTR_ERR(ctx);
		goto err_k;
	}
	ctx->krb5 = k;
	ctx->package = imp.package;
	ctx->role = imp.role;
	ctx->proto = &secmsg_proto_krb5;
	ctx->suite = &k->suite;
	ctx->flags = imp.ctx_flags | SECMSG_CTX_INTEGRITY;
	ctx->imp_level = imp.imp_level;
	/* The importer is the context's creator: QUERY's local identity. */
	ctx->local_cred = get_current_cred();
	secmsg_ctx_set_lifetime(ctx, min_t(time64_t, imp.endtime - now,
					   U32_MAX));
	atomic64_set(&ctx->send_seq, imp.send_seq);
	secmsg_replay_init(&ctx->replay, secmsg_replay_mode_of(ctx->flags),
			   imp.recv_seq);

	err = krb5_keys(k, ctx->role, key);
	kfree_sensitive(key);
	key = NULL;
	if (!err)
		err = krb5_client_cred(ctx);
	if (!err) {
		k->deleg = secmsg_deleg_import(&imp, ctx->lifetime);
		if (IS_ERR(k->deleg)) {
			err = PTR_ERR(k->deleg);
			k->deleg = NULL;
		}
	}
	if (err)
		goto err_ctx;
	ctx->complete = true;

	fd = secmsg_ctx_file(ctx, &file);
	if (fd < 0) {
		err = fd;
		goto err_ctx;
	}
	secmsg_ctx_publish(ctx, fd, file);
	return fd;

err_ctx:
	secmsg_ctx_put(ctx);
	return err;
err_k:
	kfree_sensitive(key);
	krb5_ctx_free(k);
	return err;
}

/**
 * secmsg_krb5_fill_query() - what QUERY reports of a Kerberos context
 * @ctx: the context
 * @q:   the query, with the common fields filled in
 *
 * The sizes of "Kerberos tokens", the principal names, and the asserted
 * account of an acceptor's client (ids as the querying task sees them).
 */
void secmsg_krb5_fill_query(struct secmsg_ctx *ctx, struct secmsg_query *q)
{
	struct user_namespace *ns = current_user_ns();
	const struct secmsg_krb5_ctx *k = ctx->krb5;
	struct secmsg_identity *id = &q->peer;
	u32 h = k->type->cksum_len;
	bool unmapped;
	unsigned int i;

	q->max_signature = SECMSG_KRB5_HDR_SIZE + h;
	q->security_trailer = SECMSG_KRB5_HDR_SIZE + SECMSG_KRB5_HDR_SIZE + h +
			      SECMSG_KRB5_BLOCK;
	q->stream_header = SECMSG_KRB5_HDR_SIZE + SECMSG_KRB5_BLOCK;
	q->stream_trailer = SECMSG_KRB5_HDR_SIZE + h;
	if (k->local_name)
		strscpy(q->local_principal, k->local_name,
			sizeof(q->local_principal));
	if (k->peer_name)
		strscpy(q->peer_principal, k->peer_name,
			sizeof(q->peer_principal));

	memset(id, 0, sizeof(*id));
	if (ctx->role != SECMSG_ROLE_ACCEPTOR || !uid_valid(k->peer_uid))
		return;
	if (ctx->imp_level == SECMSG_IMP_ANONYMOUS) {
		id->flags = SECMSG_ID_ANONYMOUS;
		return;
	}
	unmapped = !kuid_has_mapping(ns, k->peer_uid) ||
		   (gid_valid(k->peer_gid) && !kgid_has_mapping(ns, k->peer_gid));
	id->uid = from_kuid_munged(ns, k->peer_uid);
	id->ruid = id->uid;
	id->gid = gid_valid(k->peer_gid) ? from_kgid_munged(ns, k->peer_gid) :
					   SECMSG_NO_ID;
	id->userns = ctx->local_cred->user_ns->ns.inum;
	if (k->peer_groups) {
		id->ngroups = k->peer_groups->ngroups;
		for (i = 0; i < min_t(unsigned int, id->ngroups,
				      SECMSG_ID_GROUPS); i++) {
			id->groups[i] = from_kgid_munged(ns,
							 k->peer_groups->gid[i]);
			unmapped |= !kgid_has_mapping(ns,
						      k->peer_groups->gid[i]);
		}
	}
	id->flags = SECMSG_ID_VALID | SECMSG_ID_ASSERTED |
		    (unmapped ? SECMSG_ID_UNMAPPED : 0);
}

/**
 * secmsg_krb5_deleg() - the delegated credentials IMPERSONATE gives
 * @ctx: a context
 *
 * Return: a reference to the keyring to link into the impersonation's
 * thread keyring, or NULL when @ctx holds none.
 */
struct key *secmsg_krb5_deleg(struct secmsg_ctx *ctx)
{
	return ctx->krb5 ? secmsg_deleg_collection(ctx->krb5->deleg) : NULL;
}

/**
 * secmsg_krb5_revoke() - the context was revoked: so are its delegated
 * credentials, in every thread that has them now.  May sleep.
 * @ctx: a context
 */
void secmsg_krb5_revoke(struct secmsg_ctx *ctx)
{
	if (ctx->krb5)
		secmsg_deleg_revoke(ctx->krb5->deleg);
}

/**
 * secmsg_krb5_ctx_release() - free a context's Kerberos state
 * @ctx: the context, being released; may have none
 *
 * Freeing the transforms wipes the derived keys' schedules; delegated
 * credentials are revoked, which wipes them.
 */
void secmsg_krb5_ctx_release(struct secmsg_ctx *ctx)
{
	krb5_ctx_free(ctx->krb5);
	ctx->krb5 = NULL;
}
