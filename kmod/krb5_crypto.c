// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg: Kerberos V5 encryption types (RFC 3961, 3962, 8009, 6803).
 *
 * The four AES enctypes and the two Camellia ones.  Keys per usage are
 * derived here from the context's base key: RFC 3961 DK(base, usage ||
 * kind) for the sha1 types, RFC 8009 KDF-HMAC-SHA2 for the sha2 ones, RFC
 * 6803 KDF-FEEDBACK-CMAC for Camellia.  The crypto itself is the crypto
 * API's, requested by generic name ("cts(cbc(aes))", "hmac(sha1)",
 * "hmac(sha256)", "hmac(sha384)", "cts(cbc(camellia))",
 * "cmac(camellia)"), on scatterlists, so the
 * highest-priority driver serves it, asynchronous ones included: every
 * request is waited for (crypto_wait_req()), with backlogging allowed.
 *
 * Encryption (RFC 3961 5.3, RFC 8009 5, RFC 6803 4), with a 16-byte
 * confounder the caller puts in front of the plaintext and a zero cipher
 * state:
 *
 *   sha1 types:     C = AES-CTS(Ke, conf || P), H = HMAC-SHA1(Ki, conf || P)
 *   sha2 types:     C = AES-CTS(Ke, conf || P), H = HMAC(Ki, 0^128 || C)
 *   Camellia types: C = Camellia-CTS(Ke, conf || P),
 *                   H = CMAC-Camellia(Ki, conf || P)
 *
 * H truncated to the type's checksum length (CMAC's 16 bytes are not
 * truncated).  Checksums (MIC tokens and sign-only wraps): the MAC under
 * Kc of the data, truncated likewise.  Tags are compared with
 * crypto_memneq(); derived keys and digests are wiped wherever they were
 * held.
 */
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <crypto/skcipher.h>
#include <linux/crypto.h>
#include <linux/kernel.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "compat.h"
#include "krb5_crypto.h"

static const struct secmsg_krb5_type secmsg_krb5_types[] = {
	{ SECMSG_KRB5_AES128_CTS_HMAC_SHA1_96, "aes128-cts-hmac-sha1-96",
	  "cts(cbc(aes))", "hmac(sha1)", 16, 16, 12, false },
	{ SECMSG_KRB5_AES256_CTS_HMAC_SHA1_96, "aes256-cts-hmac-sha1-96",
	  "cts(cbc(aes))", "hmac(sha1)", 32, 32, 12, false },
	{ SECMSG_KRB5_AES128_CTS_HMAC_SHA256_128,
	  "aes128-cts-hmac-sha256-128", "cts(cbc(aes))", "hmac(sha256)",
	  16, 16, 16, true },
	{ SECMSG_KRB5_AES256_CTS_HMAC_SHA384_192,
	  "aes256-cts-hmac-sha384-192", "cts(cbc(aes))", "hmac(sha384)",
	  32, 24, 24, true },
	{ SECMSG_KRB5_CAMELLIA128_CTS_CMAC, "camellia128-cts-cmac",
	  "cts(cbc(camellia))", "cmac(camellia)", 16, 16, 16, false, true },
	{ SECMSG_KRB5_CAMELLIA256_CTS_CMAC, "camellia256-cts-cmac",
	  "cts(cbc(camellia))", "cmac(camellia)", 32, 32, 16, false, true },
};

/**
 * struct secmsg_krb5_req - the head of a call's request area
 * @iv:   the cipher state a request starts from (zero), which the driver
 *        updates
 * @zero: RFC 8009's IV as HMAC input: 16 zero bytes
 * @mac:  an HMAC's full output
 * @sg:   @zero chained in front of the caller's scatterlist
 *
 * The skcipher or ahash request follows, CRYPTO_MINALIGN aligned.  The
 * area must be linear kernel memory (kmalloc()): a driver may DMA to it.
 */
struct secmsg_krb5_req {
	u8 iv[SECMSG_KRB5_BLOCK];
	u8 zero[SECMSG_KRB5_BLOCK];
	u8 mac[SECMSG_KRB5_MAC_MAX];
	struct scatterlist sg[2];
};

#define SECMSG_KRB5_REQ_OFF	ALIGN(sizeof(struct secmsg_krb5_req), \
				      CRYPTO_MINALIGN)

/**
 * secmsg_krb5_type_get() - look up an encryption type
 * @etype: RFC 3961 number
 *
 * Return: the type, or NULL if it is not one of the six.
 */
const struct secmsg_krb5_type *secmsg_krb5_type_get(u32 etype)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(secmsg_krb5_types); i++)
		if (secmsg_krb5_types[i].etype == etype)
			return &secmsg_krb5_types[i];
	return NULL;
}

/* Bit @i of @in, most significant bit of in[0] first. */
static unsigned int nfold_bit(const u8 *in, unsigned int i)
{
	return (in[i / 8] >> (7 - i % 8)) & 1;
}

/**
 * secmsg_krb5_nfold() - RFC 3961 5.1 n-fold
 * @in:      input, @in_len bytes (at least 1)
 * @in_len:  its length
 * @out:     output, @out_len bytes
 * @out_len: its length
 *
 * The input is repeated until the length is a multiple of both lengths,
 * each copy rotated 13 bits further right than the one before; the
 * result is cut into @out_len-byte pieces that are added in one's
 * complement (end-around carry).  Done bit by bit: it only ever folds
 * short labels, at import.
 */
void secmsg_krb5_nfold(const u8 *in, unsigned int in_len, u8 *out,
		       unsigned int out_len)
{
	unsigned int bits = in_len * 8, a = in_len, b = out_len, lcm, p, k;
	unsigned int carry;
	int j;

	while (b) {
		unsigned int r = a % b;

		a = b;
		b = r;
	}
	lcm = in_len / a * out_len;
	memset(out, 0, out_len);

	for (p = 0; p < lcm; p += out_len) {
		/* Add bytes p .. p + out_len - 1 of the stream to @out. */
		carry = 0;
		for (j = out_len - 1; j >= 0; j--) {
			unsigned int pos = p + j, copy = pos / in_len;
			unsigned int byte = 0;

			for (k = 0; k < 8; k++) {
				/* A right rotation by r reads bit i - r. */
				unsigned int src = ((pos % in_len) * 8 + k +
						    bits - (13 * copy) % bits) %
						   bits;

				byte = byte << 1 | nfold_bit(in, src);
			}
			carry += out[j] + byte;
			out[j] = carry & 0xff;
			carry >>= 8;
		}
		/* End-around carry, until none is left. */
		while (carry) {
			for (j = out_len - 1; j >= 0 && carry; j--) {
				carry += out[j];
				out[j] = carry & 0xff;
				carry >>= 8;
			}
		}
	}
}

/* DR of RFC 3961 5.1 for AES: E(base, n-fold(constant)), chained. */
static int krb5_dk(const struct secmsg_krb5_type *t, const u8 *base,
		   const u8 *constant, unsigned int clen, u8 *out,
		   unsigned int out_len)
{
	struct crypto_skcipher *tfm;
	struct skcipher_request *req;
	struct scatterlist sg;
	DECLARE_CRYPTO_WAIT(wait);
	unsigned int done;
	u8 *buf;
	int err;

	tfm = crypto_alloc_skcipher(t->enc, 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	err = -ENOMEM;
	/* block, then the cipher state: linear memory for the driver */
	buf = kzalloc(2 * SECMSG_KRB5_BLOCK, GFP_KERNEL);
	req = skcipher_request_alloc(tfm, GFP_KERNEL);
	if (!buf || !req)
		goto out;
	err = crypto_skcipher_setkey(tfm, base, t->key_len);
	if (err)
		goto out;

	secmsg_krb5_nfold(constant, clen, buf, SECMSG_KRB5_BLOCK);
	sg_init_one(&sg, buf, SECMSG_KRB5_BLOCK);
	for (done = 0; done < out_len; done += SECMSG_KRB5_BLOCK) {
		/* One block: CTS is plain CBC, with a zero state ECB. */
		memset(buf + SECMSG_KRB5_BLOCK, 0, SECMSG_KRB5_BLOCK);
		skcipher_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG |
					      CRYPTO_TFM_REQ_MAY_SLEEP,
					      crypto_req_done, &wait);
		skcipher_request_set_crypt(req, &sg, &sg, SECMSG_KRB5_BLOCK,
					   buf + SECMSG_KRB5_BLOCK);
		err = crypto_wait_req(crypto_skcipher_encrypt(req), &wait);
		if (err)
			goto out;
		memcpy(out + done, buf,
		       min_t(unsigned int, SECMSG_KRB5_BLOCK, out_len - done));
	}
out:
	skcipher_request_free(req);
	kfree_sensitive(buf);
	/* Frees the key schedule with kfree_sensitive(). */
	crypto_free_skcipher(tfm);
	return err;
}

/* RFC 8009 3: KDF-HMAC-SHA2(base, label, k) with one HMAC block. */
static int krb5_kdf_sha2(const struct secmsg_krb5_type *t, const u8 *base,
			 const u8 *label, unsigned int llen, u8 *out,
			 unsigned int out_len)
{
	u8 in[4 + 5 + 1 + 4], mac[SECMSG_KRB5_MAC_MAX];
	struct crypto_shash *tfm;
	int err;

	tfm = crypto_alloc_shash(t->hmac, 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	err = -EINVAL;
	if (llen != 5 || out_len > crypto_shash_digestsize(tfm))
		goto out;
	err = crypto_shash_setkey(tfm, base, t->key_len);
	if (err)
		goto out;
	/* i = 1 || label || 0x00 || k, k in bits */
	put_unaligned_be32(1, in);
	memcpy(in + 4, label, llen);
	in[4 + llen] = 0;
	put_unaligned_be32(out_len * 8, in + 4 + llen + 1);
	err = crypto_shash_tfm_digest(tfm, in, sizeof(in), mac);
	if (!err)
		memcpy(out, mac, out_len);
out:
	memzero_explicit(mac, sizeof(mac));
	crypto_free_shash(tfm);
	return err;
}

/**
 * krb5_kdf_cmac() - RFC 6803 3: KDF-FEEDBACK-CMAC
 * @t:       the encryption type (a Camellia one: @t->hmac is its CMAC)
 * @base:    the base key, @t->key_len bytes
 * @label:   the constant, usage || kind
 * @llen:    its length (5)
 * @out:     the derived key
 * @out_len: its length, k / 8
 *
 * NIST SP 800-108 in feedback mode with CMAC as the PRF: K(0) = 0^128,
 * K(i) = CMAC(base, K(i-1) || i || label || 0x00 || k), i and k (the
 * output length in bits) as 32-bit big-endian numbers; the key is K(1) ||
 * K(2) ... cut to @out_len bytes.  Random-to-key is the identity.
 *
 * Return: 0 or a negative errno (-ENOENT: no cmac(camellia)).
 */
static int krb5_kdf_cmac(const struct secmsg_krb5_type *t, const u8 *base,
			 const u8 *label, unsigned int llen, u8 *out,
			 unsigned int out_len)
{
	u8 in[SECMSG_KRB5_BLOCK + 4 + 5 + 1 + 4], k[SECMSG_KRB5_BLOCK];
	struct crypto_shash *tfm;
	unsigned int done, i;
	int err;

	tfm = crypto_alloc_shash(t->hmac, 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	err = -EINVAL;
	if (llen != 5 || crypto_shash_digestsize(tfm) != SECMSG_KRB5_BLOCK)
		goto out;
	err = crypto_shash_setkey(tfm, base, t->key_len);
	if (err)
		goto out;
	memset(in, 0, SECMSG_KRB5_BLOCK);		/* K(0) */
	memcpy(in + SECMSG_KRB5_BLOCK + 4, label, llen);
	in[SECMSG_KRB5_BLOCK + 4 + llen] = 0;
	put_unaligned_be32(out_len * 8, in + SECMSG_KRB5_BLOCK + 4 + llen + 1);
	for (done = 0, i = 1; done < out_len;
	     done += SECMSG_KRB5_BLOCK, i++) {
		put_unaligned_be32(i, in + SECMSG_KRB5_BLOCK);
		err = crypto_shash_tfm_digest(tfm, in, sizeof(in), k);
		if (err)
			goto out;
		memcpy(out + done, k,
		       min_t(unsigned int, SECMSG_KRB5_BLOCK, out_len - done));
		memcpy(in, k, SECMSG_KRB5_BLOCK);	/* K(i) feeds K(i+1) */
	}
out:
	memzero_explicit(in, sizeof(in));
	memzero_explicit(k, sizeof(k));
	/* Frees the key schedule with kfree_sensitive(). */
	crypto_free_shash(tfm);
	return err;
}

/**
 * secmsg_krb5_derive() - a key of one usage
 * @t:       the encryption type
 * @base:    the base key, @t->key_len bytes
 * @usage:   the key usage number
 * @kind:    SECMSG_KRB5_KC, _KE or _KI
 * @out:     the key
 * @out_len: its length: @t->key_len for Ke, @t->kc_len for Kc and Ki
 *
 * Return: 0 or a negative errno (-ENOENT: the crypto API lacks the
 * algorithm).  May sleep.
 */
int secmsg_krb5_derive(const struct secmsg_krb5_type *t, const u8 *base,
		       u32 usage, u8 kind, u8 *out, unsigned int out_len)
{
	u8 label[5];

	put_unaligned_be32(usage, label);
	label[4] = kind;
	if (t->sha2)
		return krb5_kdf_sha2(t, base, label, sizeof(label), out,
				     out_len);
	if (t->cmac)
		return krb5_kdf_cmac(t, base, label, sizeof(label), out,
				     out_len);
	return krb5_dk(t, base, label, sizeof(label), out, out_len);
}

/**
 * secmsg_krb5_dir_alloc() - allocate a direction's transforms
 * @d: the direction, zeroed
 * @t: the encryption type
 *
 * Return: 0 or a negative errno; on error nothing is left allocated.
 */
int secmsg_krb5_dir_alloc(struct secmsg_krb5_dir *d,
			  const struct secmsg_krb5_type *t)
{
	struct crypto_skcipher *ke;
	int err;

	d->type = t;
	ke = crypto_alloc_skcipher(t->enc, 0, 0);
	if (IS_ERR(ke))
		return PTR_ERR(ke);
	d->ke = ke;
	err = -EINVAL;
	if (crypto_skcipher_ivsize(ke) != SECMSG_KRB5_BLOCK)
		goto err;
	d->ki = crypto_alloc_ahash(t->hmac, 0, 0);
	if (IS_ERR(d->ki)) {
		err = PTR_ERR(d->ki);
		d->ki = NULL;
		goto err;
	}
	d->kc = crypto_alloc_ahash(t->hmac, 0, 0);
	if (IS_ERR(d->kc)) {
		err = PTR_ERR(d->kc);
		d->kc = NULL;
		goto err;
	}
	d->kcw = crypto_alloc_ahash(t->hmac, 0, 0);
	if (IS_ERR(d->kcw)) {
		err = PTR_ERR(d->kcw);
		d->kcw = NULL;
		goto err;
	}
	err = -EINVAL;
	if (crypto_ahash_digestsize(d->ki) > SECMSG_KRB5_MAC_MAX ||
	    crypto_ahash_digestsize(d->ki) < t->cksum_len)
		goto err;
	return 0;
err:
	secmsg_krb5_dir_free(d);
	return err;
}

/**
 * secmsg_krb5_dir_setkeys() - key a direction with its derived keys
 * @d:  the direction, allocated
 * @ke: Ke, @d->type->key_len bytes
 * @ki: Ki, @d->type->kc_len bytes
 * @kc: Kc of the sign usage, likewise
 * @kcw: Kc of the seal usage, likewise
 *
 * Return: 0 or a negative errno.
 */
int secmsg_krb5_dir_setkeys(struct secmsg_krb5_dir *d, const u8 *ke,
			    const u8 *ki, const u8 *kc, const u8 *kcw)
{
	const struct secmsg_krb5_type *t = d->type;
	int err;

	err = crypto_skcipher_setkey(d->ke, ke, t->key_len);
	if (!err)
		err = crypto_ahash_setkey(d->ki, ki, t->kc_len);
	if (!err)
		err = crypto_ahash_setkey(d->kc, kc, t->kc_len);
	if (!err)
		err = crypto_ahash_setkey(d->kcw, kcw, t->kc_len);
	return err;
}

/**
 * secmsg_krb5_dir_init() - allocate and key one direction
 * @d:          the direction, zeroed
 * @t:          the encryption type
 * @base:       the base key (the context key or the acceptor subkey)
 * @seal_usage: usage of the direction's Wrap tokens (Ke, Ki; Kc of
 *              sign-only wraps)
 * @sign_usage: usage of its MIC tokens and sign-only wraps (Kc)
 *
 * Return: 0 or a negative errno; on error nothing is left allocated.  The
 * derived keys are wiped before returning; the transforms hold them.
 */
int secmsg_krb5_dir_init(struct secmsg_krb5_dir *d,
			 const struct secmsg_krb5_type *t, const u8 *base,
			 u32 seal_usage, u32 sign_usage)
{
	u8 *keys;
	int err;

	keys = kmalloc(4 * SECMSG_KRB5_KEY_MAX, GFP_KERNEL);
	if (!keys)
		return -ENOMEM;
	err = secmsg_krb5_dir_alloc(d, t);
	if (err)
		goto out;
	err = secmsg_krb5_derive(t, base, seal_usage, SECMSG_KRB5_KE, keys,
				 t->key_len);
	if (!err)
		err = secmsg_krb5_derive(t, base, seal_usage, SECMSG_KRB5_KI,
					 keys + SECMSG_KRB5_KEY_MAX, t->kc_len);
	if (!err)
		err = secmsg_krb5_derive(t, base, sign_usage, SECMSG_KRB5_KC,
					 keys + 2 * SECMSG_KRB5_KEY_MAX,
					 t->kc_len);
	if (!err)
		err = secmsg_krb5_derive(t, base, seal_usage, SECMSG_KRB5_KC,
					 keys + 3 * SECMSG_KRB5_KEY_MAX,
					 t->kc_len);
	if (!err)
		err = secmsg_krb5_dir_setkeys(d, keys,
					      keys + SECMSG_KRB5_KEY_MAX,
					      keys + 2 * SECMSG_KRB5_KEY_MAX,
					      keys + 3 * SECMSG_KRB5_KEY_MAX);
	if (err)
		secmsg_krb5_dir_free(d);
out:
	kfree_sensitive(keys);
	return err;
}

/**
 * secmsg_krb5_dir_free() - free a direction
 * @d: the direction; may be partly or not at all allocated
 *
 * Freeing a transform wipes its key schedule (kfree_sensitive()).
 */
void secmsg_krb5_dir_free(struct secmsg_krb5_dir *d)
{
	crypto_free_skcipher(d->ke);
	crypto_free_ahash(d->ki);
	crypto_free_ahash(d->kc);
	crypto_free_ahash(d->kcw);
	d->ke = NULL;
	d->ki = NULL;
	d->kc = NULL;
	d->kcw = NULL;
}

/**
 * secmsg_krb5_dir_async() - whether a driver of the direction is async
 * @d: the direction
 *
 * Return: true if any of its transforms is CRYPTO_ALG_ASYNC.
 */
bool secmsg_krb5_dir_async(const struct secmsg_krb5_dir *d)
{
	return (crypto_skcipher_tfm(d->ke)->__crt_alg->cra_flags |
		crypto_ahash_tfm(d->ki)->__crt_alg->cra_flags |
		crypto_ahash_tfm(d->kc)->__crt_alg->cra_flags |
		crypto_ahash_tfm(d->kcw)->__crt_alg->cra_flags) &
	       CRYPTO_ALG_ASYNC;
}

/**
 * secmsg_krb5_req_size() - bytes of a call's request area
 * @d: the direction
 *
 * Return: the size of the area the operations below take as @req.
 */
size_t secmsg_krb5_req_size(const struct secmsg_krb5_dir *d)
{
	size_t sk = sizeof(struct skcipher_request) +
		    crypto_skcipher_reqsize(d->ke);
	size_t ah = sizeof(struct ahash_request) +
		    max3(crypto_ahash_reqsize(d->ki),
			 crypto_ahash_reqsize(d->kc),
			 crypto_ahash_reqsize(d->kcw));

	return SECMSG_KRB5_REQ_OFF + max(sk, ah);
}

/* One cipher pass over @len bytes of @sg, in place, from a zero state. */
static int krb5_cipher(const struct secmsg_krb5_dir *d, void *area,
		       struct scatterlist *sg, unsigned int len, bool encrypt)
{
	struct skcipher_request *req = area + SECMSG_KRB5_REQ_OFF;
	struct secmsg_krb5_req *r = area;
	DECLARE_CRYPTO_WAIT(wait);
	int err;

	memset(r->iv, 0, sizeof(r->iv));
	skcipher_request_set_tfm(req, d->ke);
	skcipher_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG |
				      CRYPTO_TFM_REQ_MAY_SLEEP,
				      crypto_req_done, &wait);
	skcipher_request_set_crypt(req, sg, sg, len, r->iv);
	err = encrypt ? crypto_skcipher_encrypt(req) :
			crypto_skcipher_decrypt(req);
	err = crypto_wait_req(err, &wait);
	/* The driver's state may hold key stream or plaintext. */
	skcipher_request_zero(req);
	memzero_explicit(r->iv, sizeof(r->iv));
	return err;
}

/* HMAC of @len bytes of @sg under @tfm, into @area's mac. */
static int krb5_hmac(struct crypto_ahash *tfm, void *area,
		     struct scatterlist *sg, unsigned int len)
{
	struct ahash_request *req = area + SECMSG_KRB5_REQ_OFF;
	struct secmsg_krb5_req *r = area;
	DECLARE_CRYPTO_WAIT(wait);
	int err;

	ahash_request_set_tfm(req, tfm);
	ahash_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG |
				   CRYPTO_TFM_REQ_MAY_SLEEP,
				   crypto_req_done, &wait);
	ahash_request_set_crypt(req, sg, r->mac, len);
	err = crypto_wait_req(crypto_ahash_digest(req), &wait);
	ahash_request_zero(req);
	return err;
}

/* RFC 8009: the HMAC over the zero IV and the ciphertext. */
static int krb5_hmac_ivc(const struct secmsg_krb5_dir *d, void *area,
			 struct scatterlist *sg, unsigned int len)
{
	struct secmsg_krb5_req *r = area;

	memset(r->zero, 0, sizeof(r->zero));
	sg_init_table(r->sg, 2);
	sg_set_buf(&r->sg[0], r->zero, sizeof(r->zero));
	sg_chain(r->sg, 2, sg);
	return krb5_hmac(d->ki, area, r->sg, sizeof(r->zero) + len);
}

/**
 * secmsg_krb5_encrypt_iov() - encrypt, with signed-only data in the tag
 * @d:    the direction
 * @req:  request area, secmsg_krb5_req_size() bytes of kmalloc()ed memory
 * @csg:  what is encrypted, in place: confounder (16 bytes) || the rest
 * @clen: its length, at least SECMSG_KRB5_BLOCK
 * @hsg:  what the tag covers, in order: @csg's bytes and signed-only
 *        ones between them (MIT's SIGN_ONLY iovs); @csg itself when
 *        there are none
 * @hlen: its length
 * @tag:  out: the integrity tag, @d->type->cksum_len bytes
 *
 * The sha1 and Camellia types tag @hsg before encrypting (the
 * plaintext), the sha2 types after (the ciphertext, behind the zero IV).
 * @hsg and @csg describe the same memory where they overlap.
 *
 * Return: 0 or a negative errno (then the buffers hold garbage).  May
 * sleep.
 */
int secmsg_krb5_encrypt_iov(const struct secmsg_krb5_dir *d, void *req,
			    struct scatterlist *csg, unsigned int clen,
			    struct scatterlist *hsg, unsigned int hlen, u8 *tag)
{
	struct secmsg_krb5_req *r = req;
	int err;

	if (clen < SECMSG_KRB5_BLOCK)
		return -EINVAL;
	if (d->type->sha2) {
		err = krb5_cipher(d, req, csg, clen, true);
		if (!err)
			err = krb5_hmac_ivc(d, req, hsg, hlen);
	} else {
		err = krb5_hmac(d->ki, req, hsg, hlen);
		if (!err)
			err = krb5_cipher(d, req, csg, clen, true);
	}
	if (!err)
		memcpy(tag, r->mac, d->type->cksum_len);
	memzero_explicit(r->mac, sizeof(r->mac));
	return err;
}

/**
 * secmsg_krb5_encrypt() - encrypt with the direction's Ke and Ki
 * @d:   the direction
 * @req: request area, secmsg_krb5_req_size() bytes of kmalloc()ed memory
 * @sg:  confounder (16 bytes) || plaintext, @len bytes in all; encrypted
 *       in place
 * @len: at least SECMSG_KRB5_BLOCK
 * @tag: out: the integrity tag, @d->type->cksum_len bytes
 *
 * Return: 0 or a negative errno (then @sg and @tag hold garbage).  May
 * sleep.
 */
int secmsg_krb5_encrypt(const struct secmsg_krb5_dir *d, void *req,
			struct scatterlist *sg, unsigned int len, u8 *tag)
{
	return secmsg_krb5_encrypt_iov(d, req, sg, len, sg, len, tag);
}

/**
 * secmsg_krb5_decrypt_iov() - check and decrypt, signed-only data too
 * @d:    the direction
 * @req:  request area, as for secmsg_krb5_encrypt()
 * @csg:  the ciphertext, decrypted in place
 * @clen: its length, at least SECMSG_KRB5_BLOCK
 * @hsg:  what the tag covers, as for secmsg_krb5_encrypt_iov()
 * @hlen: its length
 * @tag:  the received tag, @d->type->cksum_len bytes
 *
 * The sha2 types check the tag before decrypting; the sha1 and Camellia
 * types can only check it afterwards.  On any error @csg may hold
 * plaintext that did not verify: the caller wipes it and releases
 * nothing.
 *
 * Return: 0, -EBADMSG if the tag does not match (compared in constant
 * time), or another negative errno.  May sleep.
 */
int secmsg_krb5_decrypt_iov(const struct secmsg_krb5_dir *d, void *req,
			    struct scatterlist *csg, unsigned int clen,
			    struct scatterlist *hsg, unsigned int hlen,
			    const u8 *tag)
{
	struct secmsg_krb5_req *r = req;
	int err;

	if (clen < SECMSG_KRB5_BLOCK)
		return -EBADMSG;
	if (d->type->sha2) {
		err = krb5_hmac_ivc(d, req, hsg, hlen);
		if (!err && crypto_memneq(r->mac, tag, d->type->cksum_len))
			err = -EBADMSG;
		if (!err)
			err = krb5_cipher(d, req, csg, clen, false);
	} else {
		err = krb5_cipher(d, req, csg, clen, false);
		if (!err)
			err = krb5_hmac(d->ki, req, hsg, hlen);
		if (!err && crypto_memneq(r->mac, tag, d->type->cksum_len))
			err = -EBADMSG;
	}
	memzero_explicit(r->mac, sizeof(r->mac));
	return err;
}

/**
 * secmsg_krb5_decrypt() - check and decrypt with the direction's keys
 * @d:   the direction
 * @req: request area, as for secmsg_krb5_encrypt()
 * @sg:  the ciphertext, @len bytes; decrypted in place
 * @len: at least SECMSG_KRB5_BLOCK
 * @tag: the received tag, @d->type->cksum_len bytes
 *
 * As secmsg_krb5_decrypt_iov() without signed-only data.
 *
 * Return: 0, -EBADMSG if the tag does not match, or another negative
 * errno.  May sleep.
 */
int secmsg_krb5_decrypt(const struct secmsg_krb5_dir *d, void *req,
			struct scatterlist *sg, unsigned int len,
			const u8 *tag)
{
	return secmsg_krb5_decrypt_iov(d, req, sg, len, sg, len, tag);
}

/**
 * secmsg_krb5_checksum() - the direction's checksum (Kc) of some bytes
 * @d:    the direction
 * @req:  request area, as for secmsg_krb5_encrypt()
 * @wrap: Kc of the seal usage (a sign-only Wrap token), else of the sign
 *        usage (a MIC token)
 * @sg:  the data, @len bytes
 * @len: bytes
 * @out: the checksum, @d->type->cksum_len bytes
 *
 * Return: 0 or a negative errno.  May sleep.
 */
int secmsg_krb5_checksum(const struct secmsg_krb5_dir *d, void *req,
			 bool wrap, struct scatterlist *sg, unsigned int len,
			 u8 *out)
{
	struct secmsg_krb5_req *r = req;
	int err;

	err = krb5_hmac(wrap ? d->kcw : d->kc, req, sg, len);
	if (!err)
		memcpy(out, r->mac, d->type->cksum_len);
	memzero_explicit(r->mac, sizeof(r->mac));
	return err;
}
