// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg: a Kerberos client's delegated credentials, kept by the kernel.
 *
 * What IMPORT_KRB5 receives (struct secmsg_krb5_import VER1) is laid out
 * as MIT krb5's KEYRING ccache type reads a collection (uapi "Kerberos
 * contexts", Delegation): keyrings and user keys that belong to the
 * context, linked into no process's keyrings.  IMPERSONATE links the
 * collection into the impersonation's thread keyring (impersonate.c) and
 * REVERT unlinks it; the context's release and revocation revoke the
 * keys.  The payloads are opaque here: only MIT parses them.
 */
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/key.h>
#include <linux/key-type.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <keys/user-type.h>

#include "krb5_deleg.h"

/* The collection's names (MIT: "_krb_" + collection; the primary key). */
#define DELEG_COLLECTION	"_krb_secmsg"
#define DELEG_CACHE		"secmsg"
#define DELEG_PRIMARY		"krb_ccache:primary"
#define DELEG_PRINC		"__krb5_princ__"
#define DELEG_RESERVED		"__krb5"	/* the cache's own keys */

/* Possessor only: the impersonating thread reaches them, nobody else. */
#define DELEG_PERM_RO	(KEY_POS_VIEW | KEY_POS_READ | KEY_POS_SEARCH)
#define DELEG_PERM_CACHE (DELEG_PERM_RO | KEY_POS_WRITE)

/* The keys created: 2 keyrings, the primary, the principal, the creds. */
#define DELEG_NKEYS	(4 + SECMSG_KRB5_DELEG_MAX)

/**
 * struct secmsg_deleg - delegated credentials of one context
 * @coll:  the collection keyring, which IMPERSONATE links
 * @cache: the cache keyring in it
 * @keys:  every key created (references), revoked at the end
 * @nkeys: entries in @keys
 */
struct secmsg_deleg {
	struct key *coll;
	struct key *cache;
	struct key *keys[DELEG_NKEYS];
	unsigned int nkeys;
};

/**
 * secmsg_deleg_check() - the delegation fields' rules, before anything is
 * read (uapi struct secmsg_krb5_import)
 * @imp: the import
 *
 * Return: 0, or -EINVAL.
 */
int secmsg_deleg_check(const struct secmsg_krb5_import *imp)
{
	if (!imp->deleg_ncreds)
		return imp->deleg_princ || imp->deleg_princ_len ||
		       imp->deleg_creds ? -EINVAL : 0;
	if (imp->role != SECMSG_ROLE_ACCEPTOR ||
	    imp->imp_level != SECMSG_IMP_DELEGATE ||
	    !(imp->ctx_flags & SECMSG_CTX_DELEGATE) ||
	    imp->peer_uid == SECMSG_NO_ID)
		return -EINVAL;
	if (imp->deleg_ncreds > SECMSG_KRB5_DELEG_MAX || !imp->deleg_creds ||
	    !imp->deleg_princ || !imp->deleg_princ_len ||
	    imp->deleg_princ_len > SECMSG_KRB5_DELEG_DATA_MAX)
		return -EINVAL;
	return 0;
}

#ifdef CONFIG_KEYS

static struct key *deleg_track(struct secmsg_deleg *d, struct key *key)
{
	if (!IS_ERR(key))
		d->keys[d->nkeys++] = key;
	return key;
}

/* A user key in @keyring with @len bytes of @data (copied). */
static int deleg_user_key(struct secmsg_deleg *d, struct key *keyring,
			  const char *desc, const void *data, size_t len,
			  u32 lifetime)
{
	const struct cred *cred = current_cred();
	struct key *key;
	int err;

	key = deleg_track(d, key_alloc(&key_type_user, desc, cred->fsuid,
				       cred->fsgid, cred, DELEG_PERM_RO,
				       KEY_ALLOC_NOT_IN_QUOTA, NULL));
	if (IS_ERR(key))
		return PTR_ERR(key);
	key_set_timeout(key, lifetime);
	err = key_instantiate_and_link(key, data, len, keyring, NULL);
	return err;
}

static struct key *deleg_keyring(struct secmsg_deleg *d, const char *desc,
				 key_perm_t perm, struct key *dest,
				 u32 lifetime)
{
	const struct cred *cred = current_cred();
	struct key *k;

	k = deleg_track(d, keyring_alloc(desc, cred->fsuid, cred->fsgid, cred,
					 perm, KEY_ALLOC_NOT_IN_QUOTA, NULL,
					 dest));
	if (!IS_ERR(k))
		key_set_timeout(k, lifetime);
	return k;
}

/* A user buffer into a kernel one, wiped on every path by the caller. */
static void *deleg_copy(u64 uptr, u32 len)
{
	void *buf = kvmalloc(len, GFP_KERNEL);

	if (!buf)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(buf, u64_to_user_ptr(uptr), len)) {
		kvfree_sensitive(buf, len);
		return ERR_PTR(-EFAULT);
	}
	return buf;
}

/*
 * The credentials' descriptions, checked: NUL-terminated copies in
 * @descs[], or an errno with those read so far in @descs[] to free.
 */
static int deleg_descs(const struct secmsg_krb5_cred *cr, unsigned int n,
		       char **descs)
{
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		if (!cr[i].desc || !cr[i].desc_len ||
		    cr[i].desc_len > SECMSG_KRB5_DELEG_DESC_MAX ||
		    !cr[i].data || !cr[i].data_len ||
		    cr[i].data_len > SECMSG_KRB5_DELEG_DATA_MAX)
			return -EINVAL;
		descs[i] = memdup_user_nul(u64_to_user_ptr(cr[i].desc),
					   cr[i].desc_len);
		if (IS_ERR(descs[i])) {
			int err = PTR_ERR(descs[i]);

			descs[i] = NULL;
			return err;
		}
		if (strlen(descs[i]) != cr[i].desc_len ||
		    !strncmp(descs[i], DELEG_RESERVED, strlen(DELEG_RESERVED)))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (!strcmp(descs[i], descs[j]))
				return -EINVAL;
	}
	return 0;
}

static int deleg_build(struct secmsg_deleg *d,
		       const struct secmsg_krb5_import *imp,
		       const struct secmsg_krb5_cred *cr, char **descs,
		       u32 lifetime)
{
	static const u8 primary[] = {
		0, 0, 0, 1, 0, 0, 0, sizeof(DELEG_CACHE) - 1,
		's', 'e', 'c', 'm', 's', 'g'
	};
	unsigned int i;
	void *buf;
	int err;

	static_assert(sizeof(primary) == 8 + sizeof(DELEG_CACHE) - 1);
	d->coll = deleg_keyring(d, DELEG_COLLECTION, DELEG_PERM_RO, NULL,
				lifetime);
	if (IS_ERR(d->coll))
		return PTR_ERR(d->coll);
	err = deleg_user_key(d, d->coll, DELEG_PRIMARY, primary,
			     sizeof(primary), lifetime);
	if (err)
		return err;
	d->cache = deleg_keyring(d, DELEG_CACHE, DELEG_PERM_CACHE, d->coll,
				 lifetime);
	if (IS_ERR(d->cache))
		return PTR_ERR(d->cache);

	buf = deleg_copy(imp->deleg_princ, imp->deleg_princ_len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	err = deleg_user_key(d, d->cache, DELEG_PRINC, buf,
			     imp->deleg_princ_len, lifetime);
	kvfree_sensitive(buf, imp->deleg_princ_len);
	for (i = 0; !err && i < imp->deleg_ncreds; i++) {
		buf = deleg_copy(cr[i].data, cr[i].data_len);
		if (IS_ERR(buf))
			return PTR_ERR(buf);
		err = deleg_user_key(d, d->cache, descs[i], buf,
				     cr[i].data_len, lifetime);
		kvfree_sensitive(buf, cr[i].data_len);
	}
	return err;
}

/**
 * secmsg_deleg_import() - keep an import's delegated credentials
 * @imp:      the import, checked by secmsg_deleg_check()
 * @lifetime: the context's lifetime in seconds: the keys' timeout
 *
 * Keys are created with the importer's credentials (owner, LSM) and not
 * charged to its key quota (the context limit bounds them).
 *
 * Return: the credentials, NULL when the import delegates none, or an
 * ERR_PTR with nothing kept.
 */
struct secmsg_deleg *secmsg_deleg_import(const struct secmsg_krb5_import *imp,
					 u32 lifetime)
{
	struct secmsg_krb5_cred cr[SECMSG_KRB5_DELEG_MAX];
	char *descs[SECMSG_KRB5_DELEG_MAX] = { };
	struct secmsg_deleg *d = NULL;
	unsigned int i, n = imp->deleg_ncreds;
	int err;

	if (!n)
		return NULL;
	if (copy_from_user(cr, u64_to_user_ptr(imp->deleg_creds),
			   n * sizeof(cr[0])))
		return ERR_PTR(-EFAULT);
	err = deleg_descs(cr, n, descs);
	if (err)
		goto out;

	err = -ENOMEM;
	d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d)
		goto out;
	err = deleg_build(d, imp, cr, descs, lifetime);
	if (err) {
		secmsg_deleg_free(d);
		goto out;
	}
out:
	for (i = 0; i < n; i++)
		kfree(descs[i]);
	return err ? ERR_PTR(err) : d;
}

/**
 * secmsg_deleg_revoke() - take the credentials away from every thread
 * @d: the credentials, or NULL
 *
 * Revoked keys are unusable at once and their payloads freed (wiped);
 * the cleared keyrings let go of what a thread added.  Idempotent.
 * May sleep.
 */
void secmsg_deleg_revoke(struct secmsg_deleg *d)
{
	unsigned int i;

	if (!d)
		return;
	for (i = 0; i < d->nkeys; i++)
		key_revoke(d->keys[i]);
	if (!IS_ERR_OR_NULL(d->cache))
		keyring_clear(d->cache);
	if (!IS_ERR_OR_NULL(d->coll))
		keyring_clear(d->coll);
}

/**
 * secmsg_deleg_free() - revoke and drop the credentials
 * @d: the credentials, or NULL
 *
 * May sleep.
 */
void secmsg_deleg_free(struct secmsg_deleg *d)
{
	unsigned int i;

	if (!d)
		return;
	secmsg_deleg_revoke(d);
	for (i = 0; i < d->nkeys; i++)
		key_put(d->keys[i]);
	kfree(d);
}

/**
 * secmsg_deleg_collection() - the keyring IMPERSONATE links
 * @d: the credentials, or NULL
 *
 * Return: a new reference to the collection, or NULL.
 */
struct key *secmsg_deleg_collection(struct secmsg_deleg *d)
{
	return d ? key_get(d->coll) : NULL;
}

#else /* !CONFIG_KEYS */

struct secmsg_deleg *secmsg_deleg_import(const struct secmsg_krb5_import *imp,
					 u32 lifetime)
{
	return imp->deleg_ncreds ? ERR_PTR(-EOPNOTSUPP) : NULL;
}

void secmsg_deleg_revoke(struct secmsg_deleg *d)
{
}

void secmsg_deleg_free(struct secmsg_deleg *d)
{
}

struct key *secmsg_deleg_collection(struct secmsg_deleg *d)
{
	return NULL;
}

#endif /* CONFIG_KEYS */
