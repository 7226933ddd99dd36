// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg: cipher suites, key derivation and AEAD requests.
 */
#include <crypto/aead.h>
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <crypto/sha2.h>
#include <linux/crypto.h>
#include <linux/kernel.h>
#include <linux/scatterlist.h>
#include <linux/string.h>

#include "compat.h"
#include "crypto.h"

static const struct secmsg_suite secmsg_suites[] = {
	{ SECMSG_SUITE_AES128_GCM, "gcm(aes)", 16 },
	{ SECMSG_SUITE_AES256_GCM, "gcm(aes)", 32 },
	{ SECMSG_SUITE_CHACHA20_POLY1305, "rfc7539(chacha20,poly1305)", 32 },
};

#define SECMSG_INFO_INITIATOR	"secmsg-v1 initiator"
#define SECMSG_INFO_ACCEPTOR	"secmsg-v1 acceptor"
#define SECMSG_OKM_MAX		(32 + SECMSG_IV_SIZE)
/* Longest info: the initiator label and the suite byte, no NUL. */
#define SECMSG_INFO_MAX		(sizeof(SECMSG_INFO_INITIATOR) - 1 + 1)

/**
 * secmsg_suite_get() - look up a cipher suite
 * @id: SECMSG_SUITE_*
 *
 * Return: the suite, or NULL if @id is not one.
 */
const struct secmsg_suite *secmsg_suite_get(u32 id)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(secmsg_suites); i++)
		if (secmsg_suites[i].id == id)
			return &secmsg_suites[i];
	return NULL;
}

/*
 * HKDF-Expand (RFC 5869 2.3) with the PRK already set as @hmac's key.
 * T(i) = HMAC(PRK, T(i-1) || info || i), OKM = T(1) || T(2) ...
 */
static int secmsg_hkdf_expand(struct crypto_shash *hmac, const u8 *info,
			      unsigned int info_len, u8 *okm,
			      unsigned int okm_len)
{
	SHASH_DESC_ON_STACK(desc, hmac);
	u8 t[SHA256_DIGEST_SIZE];
	unsigned int done, n;
	u8 counter = 1;
	int err = 0;

	desc->tfm = hmac;
	for (done = 0; done < okm_len; done += n, counter++) {
		err = crypto_shash_init(desc);
		if (!err && done)
			err = crypto_shash_update(desc, t, sizeof(t));
		if (!err)
			err = crypto_shash_update(desc, info, info_len);
		if (!err)
			err = crypto_shash_finup(desc, &counter, 1, t);
		if (err)
			break;
		n = min_t(unsigned int, okm_len - done, sizeof(t));
		memcpy(okm + done, t, n);
	}
	memzero_explicit(t, sizeof(t));
	shash_desc_zero(desc);
	return err;
}

/* Key and IV of the direction whose SENDER has @sender_role. */
static int secmsg_derive(struct crypto_shash *hmac, const u8 *prk,
			 const struct secmsg_suite *suite, u32 sender_role,
			 u8 *okm)
{
	const char *label = sender_role == SECMSG_ROLE_INITIATOR ?
			    SECMSG_INFO_INITIATOR : SECMSG_INFO_ACCEPTOR;
	size_t label_len = strlen(label);
	u8 info[SECMSG_INFO_MAX];
	int err;

	memcpy(info, label, label_len);
	info[label_len] = suite->id;

	err = crypto_shash_setkey(hmac, prk, SHA256_DIGEST_SIZE);
	if (err)
		return err;
	return secmsg_hkdf_expand(hmac, info, label_len + 1, okm,
				  suite->key_len + SECMSG_IV_SIZE);
}

/*
 * Drivers known by name, with what the crypto API cannot tell of them:
 *
 * SECMSG_DRV_FINISHES: once an encryption has started writing its output,
 * the driver always finishes it, so that SEAL may encrypt the caller's
 * pages in place.  Being synchronous is not enough: a software driver
 * that walks its scatterlists with skcipher_walk (chacha20-simd under
 * rfc7539, ctr under gcm_base) allocates a bounce block where a chunk
 * ends short of its stride, halfway through, and fails with ENOMEM there
 * (secmsg_faults' seal_token_large_pinned on ChaCha20-Poly1305 shows
 * it); a hardware driver may fail after a DMA.
 *
 * SECMSG_DRV_SIMD_SYNC: flagged CRYPTO_ALG_ASYNC, but a SIMD wrapper
 * (crypto/simd.c) of a synchronous driver: where the FPU is usable, which
 * it is in a task (the only place a message runs), it calls its inner
 * driver at once, and defers to cryptd only in interrupt context.
 *
 * SECMSG_DRV_SG_TEXT: reads and writes text spread over many scatterlist
 * entries at any offsets without allocating, so that SEAL and UNSEAL may
 * have it read large data from the caller's pages.  Drivers that walk
 * with skcipher_walk (ChaCha20 under rfc7539, CTR under gcm_base) do not:
 * a cipher block split over two entries makes them kmalloc() a bounce
 * block, on every call (secmsg_msgmem's noalloc on ChaCha20-Poly1305).
 *
 * SECMSG_DRV_SG_AAD: synchronous, and hashes AAD spread over many
 * scatterlist entries as it walks them, allocating nothing, so that SIGN
 * and VERIFY may have it read large data from the caller's pages.  6.1's
 * gcm-aesni does not: it kmalloc()s a linear copy of such AAD.
 */
#define SECMSG_DRV_FINISHES	BIT(0)
#define SECMSG_DRV_SIMD_SYNC	BIT(1)
#define SECMSG_DRV_SG_AAD	BIT(2)
#define SECMSG_DRV_SG_TEXT	BIT(3)

static const struct {
	const char *name;
	unsigned int props;
} secmsg_known_drivers[] = {
	/*
	 * 6.1 x86: the SIMD wrapper of __generic-gcm-aesni, whose
	 * gcmaes_crypt_by_sg() walks its pages with scatterwalk only (no
	 * allocation once the AAD is linear); run at once or from cryptd's
	 * queue, whose queue and backlog fail, if at all, before it ran.
	 */
	{ "generic-gcm-aesni",
	  SECMSG_DRV_FINISHES | SECMSG_DRV_SIMD_SYNC | SECMSG_DRV_SG_TEXT },
	/*
	 * The rfc7539 template over the kernel's own ChaCha20 and Poly1305
	 * (x86 SIMD or generic): the AAD goes to the Poly1305 shash through
	 * crypto_hash_walk, page by page; ChaCha20 runs over no data then.
	 */
	{ "rfc7539(chacha20-simd,poly1305-simd)", SECMSG_DRV_SG_AAD },
	{ "rfc7539(chacha20-generic,poly1305-generic)", SECMSG_DRV_SG_AAD },
};

/* What secmsg_known_drivers says of the driver of @tfm (0: unknown). */
static unsigned int secmsg_driver_props(struct crypto_aead *tfm)
{
	const char *drv = crypto_tfm_alg_driver_name(crypto_aead_tfm(tfm));
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(secmsg_known_drivers); i++)
		if (!strcmp(drv, secmsg_known_drivers[i].name))
			return secmsg_known_drivers[i].props;
	return 0;
}

/*
 * Whether an operation on @tfm, from a task, is done when the call
 * returns: synchronous drivers do that, and so do the SIMD wrappers of
 * synchronous drivers known by name (SECMSG_DRV_SIMD_SYNC); any other
 * asynchronous driver (hardware, cryptd, pcrypt) may complete later.
 */
static bool secmsg_crypto_is_inline(struct crypto_aead *tfm)
{
	return !secmsg_crypto_is_async(tfm) ||
	       (secmsg_driver_props(tfm) & SECMSG_DRV_SIMD_SYNC);
}

/* Allocate one direction's transform, not keyed yet. */
static int secmsg_dir_alloc(struct secmsg_dir *dir,
			    const struct secmsg_suite *suite)
{
	struct crypto_aead *tfm;
	unsigned int props;
	int err;

	tfm = crypto_alloc_aead(suite->alg, 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);

	/* Every suite has a 12-byte nonce; refuse a driver that differs. */
	err = -EINVAL;
	if (crypto_aead_ivsize(tfm) != SECMSG_IV_SIZE)
		goto err_free;
	err = crypto_aead_setauthsize(tfm, SECMSG_TAG_SIZE);
	if (err)
		goto err_free;
	dir->tfm = tfm;
	props = secmsg_driver_props(tfm);
	dir->in_place = props & SECMSG_DRV_FINISHES;
	dir->sg_text = props & SECMSG_DRV_SG_TEXT;
	dir->sg_aad = (props & SECMSG_DRV_SG_AAD) &&
		      !secmsg_crypto_is_async(tfm);
	dir->completes_inline = secmsg_crypto_is_inline(tfm);
	return 0;

err_free:
	crypto_free_aead(tfm);
	return err;
}

/* Key one direction's transform and set its IV from its OKM. */
static int secmsg_dir_setkey(struct secmsg_dir *dir,
			     const struct secmsg_suite *suite, const u8 *okm)
{
	int err = crypto_aead_setkey(dir->tfm, okm, suite->key_len);

	if (!err)
		memcpy(dir->iv, okm + suite->key_len, SECMSG_IV_SIZE);
	return err;
}

/**
 * secmsg_crypto_alloc() - allocate both directions' transforms
 * @tx:    filled with the send direction's transform
 * @rx:    filled with the receive direction's
 * @suite: the cipher suite
 *
 * The transforms have their tag size set but no key: secmsg_crypto_setkeys()
 * keys them.  Each direction gets its own transform so that no call ever
 * rekeys a shared one.
 *
 * Return: 0, or a negative errno (-ENOENT: no such algorithm).  On error
 * nothing is left allocated.
 */
int secmsg_crypto_alloc(struct secmsg_dir *tx, struct secmsg_dir *rx,
			const struct secmsg_suite *suite)
{
	int err = secmsg_dir_alloc(tx, suite);

	if (err)
		return err;
	err = secmsg_dir_alloc(rx, suite);
	if (err)
		secmsg_crypto_free(tx);
	return err;
}

/**
 * secmsg_crypto_setkeys() - derive and set both directions' keys and IVs
 * @tx:       the send direction, from secmsg_crypto_alloc()
 * @rx:       the receive direction, likewise
 * @suite:    the cipher suite
 * @role:     our role; @tx uses our role's label, @rx the peer's
 * @key:      the session key (IKM)
 * @key_len:  its length
 * @salt:     the HKDF salt: "secmsg-v1", or for a FRESH import
 *            "secmsg-v1" || C_I || C_A (uapi "Pre-shared keys")
 * @salt_len: its length
 *
 * HKDF-SHA256 as the uapi header specifies: PRK = HMAC(salt, key), then
 * per direction OKM = HKDF-Expand(PRK, label || suite, keylen + 12).
 * Every intermediate secret is wiped before returning.  On error the
 * transforms may hold a partial key: the caller must not use them (a
 * later call may key them again).
 *
 * Return: 0, or a negative errno.
 */
int secmsg_crypto_setkeys(struct secmsg_dir *tx, struct secmsg_dir *rx,
			  const struct secmsg_suite *suite, u32 role,
			  const u8 *key, unsigned int key_len,
			  const u8 *salt, unsigned int salt_len)
{
	u32 peer = role == SECMSG_ROLE_INITIATOR ? SECMSG_ROLE_ACCEPTOR :
						   SECMSG_ROLE_INITIATOR;
	u8 prk[SHA256_DIGEST_SIZE];
	u8 okm[SECMSG_OKM_MAX];
	struct crypto_shash *hmac;
	int err;

	hmac = crypto_alloc_shash("hmac(sha256)", 0, 0);
	if (IS_ERR(hmac))
		return PTR_ERR(hmac);

	/*
	 * HKDF-Extract: the salt is the HMAC key, the session key the data.
	 * A salt longer than SHA-256's block (the FRESH one is 73 bytes) is
	 * hashed first, as RFC 2104 says for any HMAC key.
	 */
	err = crypto_shash_setkey(hmac, salt, salt_len);
	if (err)
		goto out;
	err = crypto_shash_tfm_digest(hmac, key, key_len, prk);
	if (err)
		goto out;

	err = secmsg_derive(hmac, prk, suite, role, okm);
	if (!err)
		err = secmsg_dir_setkey(tx, suite, okm);
	if (!err)
		err = secmsg_derive(hmac, prk, suite, peer, okm);
	if (!err)
		err = secmsg_dir_setkey(rx, suite, okm);
out:
	memzero_explicit(okm, sizeof(okm));
	memzero_explicit(prk, sizeof(prk));
	/* Frees the HMAC key (the PRK) with kfree_sensitive. */
	crypto_free_shash(hmac);
	return err;
}

/**
 * secmsg_crypto_init() - allocate and key both directions
 * @tx:      filled with the send direction
 * @rx:      filled with the receive direction
 * @suite:   the cipher suite
 * @role:    our role; @tx uses our role's label, @rx the peer's
 * @key:     the session key (IKM)
 * @key_len: its length
 *
 * secmsg_crypto_alloc(), then secmsg_crypto_setkeys() with the salt
 * "secmsg-v1".
 *
 * Return: 0, or a negative errno (-ENOENT: no such algorithm).  On error
 * nothing is left allocated.
 */
int secmsg_crypto_init(struct secmsg_dir *tx, struct secmsg_dir *rx,
		       const struct secmsg_suite *suite, u32 role,
		       const u8 *key, unsigned int key_len)
{
	int err = secmsg_crypto_alloc(tx, rx, suite);

	if (err)
		return err;
	err = secmsg_crypto_setkeys(tx, rx, suite, role, key, key_len,
				    (const u8 *)SECMSG_HKDF_SALT,
				    SECMSG_HKDF_SALT_LEN);
	if (err) {
		secmsg_crypto_free(rx);
		secmsg_crypto_free(tx);
	}
	return err;
}

/**
 * secmsg_crypto_free() - free one direction
 * @dir: the direction; may be unset
 *
 * crypto_free_aead() wipes the key schedule as it frees the transform.
 */
void secmsg_crypto_free(struct secmsg_dir *dir)
{
	crypto_free_aead(dir->tfm);
	dir->tfm = NULL;
	memzero_explicit(dir->iv, sizeof(dir->iv));
}

/**
 * secmsg_crypto_is_async() - whether the bound driver may complete later
 * @tfm: the transform
 *
 * Return: true if the algorithm is flagged CRYPTO_ALG_ASYNC.
 */
bool secmsg_crypto_is_async(struct crypto_aead *tfm)
{
	return crypto_aead_alg(tfm)->base.cra_flags & CRYPTO_ALG_ASYNC;
}

/**
 * secmsg_crypto_nonce() - the nonce of a sequence number
 * @nonce: SECMSG_IV_SIZE bytes out
 * @dir:   the direction
 * @seq:   the sequence number
 */
void secmsg_crypto_nonce(u8 *nonce, const struct secmsg_dir *dir, u64 seq)
{
	u8 be[8];

	put_unaligned_be64(seq, be);
	memcpy(nonce, dir->iv, SECMSG_IV_SIZE);
	crypto_xor(nonce + SECMSG_IV_SIZE - sizeof(be), be, sizeof(be));
}

/**
 * secmsg_crypto_run() - one AEAD operation, waiting for it
 * @req:      request with its transform set; reused between calls
 * @src:      the input: AAD, then text, then the tag when decrypting
 * @dst:      the output, laid out as @src (@src itself for in place); the
 *            AEAD skips its first @assoclen bytes, leaving them as they are
 * @encrypt:  encrypt (tag appended) or decrypt (tag checked)
 * @assoclen: bytes of AAD
 * @cryptlen: bytes of text, plus the tag when decrypting
 * @nonce:    SECMSG_IV_SIZE bytes, in memory that outlives the call
 *
 * Asynchronous drivers return -EINPROGRESS, or -EBUSY when the request was
 * queued to their backlog; crypto_wait_req() sleeps until the completion
 * callback in both cases, so the request, buffers (and pinned pages) and
 * nonce stay valid as long as the driver uses them.  May sleep.
 *
 * Return: 0, -EBADMSG if the tag did not verify (compared in constant time
 * by the crypto API), or another negative errno.
 */
int secmsg_crypto_run(struct aead_request *req, struct scatterlist *src,
		      struct scatterlist *dst, bool encrypt, unsigned int assoclen,
		      unsigned int cryptlen, u8 *nonce)
{
	DECLARE_CRYPTO_WAIT(wait);
	int err;

	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG |
				       CRYPTO_TFM_REQ_MAY_SLEEP,
				  crypto_req_done, &wait);
	aead_request_set_ad(req, assoclen);
	aead_request_set_crypt(req, src, dst, cryptlen, nonce);
	err = encrypt ? crypto_aead_encrypt(req) : crypto_aead_decrypt(req);
	return crypto_wait_req(err, &wait);
}
