/* SPDX-License-Identifier: GPL-2.0 */
/*
 * secmsg: Kerberos V5 encryption types for RFC 4121 tokens.
 *
 * aes128/aes256-cts-hmac-sha1-96 (RFC 3961 simplified profile, RFC 3962),
 * aes128-cts-hmac-sha256-128, aes256-cts-hmac-sha384-192 (RFC 8009) and
 * camellia128/camellia256-cts-cmac (RFC 6803): per-usage key derivation,
 * encryption with a confounder, checksums.
 * Everything runs through the crypto API by generic name, on
 * scatterlists, asynchronous drivers included (waited for).
 */
#ifndef _SECMSG_KRB5_CRYPTO_H
#define _SECMSG_KRB5_CRYPTO_H

#include <linux/types.h>

#include "secmsg.h"

struct crypto_ahash;
struct crypto_skcipher;
struct scatterlist;

#define SECMSG_KRB5_BLOCK	16	/* cipher block: confounder, cipher state */
#define SECMSG_KRB5_CKSUM_MAX	24	/* longest truncated HMAC */
#define SECMSG_KRB5_KEY_MAX	32	/* longest base or derived key */
#define SECMSG_KRB5_MAC_MAX	48	/* longest full HMAC (SHA-384) */

/* RFC 4121 2.2 key usages */
#define SECMSG_KRB5_KU_ACCEPTOR_SEAL	22
#define SECMSG_KRB5_KU_ACCEPTOR_SIGN	23
#define SECMSG_KRB5_KU_INITIATOR_SEAL	24
#define SECMSG_KRB5_KU_INITIATOR_SIGN	25

/* RFC 3961 5.3 / RFC 8009 5 / RFC 6803 3: a derivation label's last octet */
#define SECMSG_KRB5_KC		0x99	/* checksum key */
#define SECMSG_KRB5_KE		0xaa	/* encryption key */
#define SECMSG_KRB5_KI		0x55	/* integrity key */

/**
 * struct secmsg_krb5_type - an encryption type
 * @etype:     RFC 3961 number (SECMSG_KRB5_*)
 * @name:      its name, as MIT spells it
 * @enc:       crypto API name of the cipher ("cts(cbc(aes))")
 * @hmac:      crypto API name of the MAC of Ki and Kc: an HMAC, or for
 *             @cmac "cmac(camellia)"
 * @key_len:   bytes of the base key and of Ke
 * @kc_len:    bytes of Kc and Ki
 * @cksum_len: bytes of a checksum and of the integrity tag (truncated MAC)
 * @sha2:      RFC 8009: KDF-HMAC-SHA2 and the HMAC over IV || C; else
 *             the MAC over the plaintext
 * @cmac:      RFC 6803: KDF-FEEDBACK-CMAC (under @hmac); else, without
 *             @sha2, RFC 3961 DK (under @enc)
 */
struct secmsg_krb5_type {
	u32 etype;
	const char *name;
	const char *enc;
	const char *hmac;
	u8 key_len;
	u8 kc_len;
	u8 cksum_len;
	bool sha2;
	bool cmac;
};

/**
 * struct secmsg_krb5_dir - the keys of one direction (one usage pair)
 * @type: the encryption type
 * @ke:   cipher keyed with Ke of the seal usage
 * @ki:   HMAC keyed with Ki of the seal usage
 * @kc:   HMAC keyed with Kc of the sign usage (MIC tokens)
 * @kcw:  HMAC keyed with Kc of the seal usage (Wrap tokens without
 *        confidentiality: RFC 4121 4.2.4 checksums them with the Wrap
 *        token's usage, as MIT does)
 *
 * The transforms are only read once keyed, so calls share them; every
 * call brings its own request area (secmsg_krb5_req_size()).
 */
struct secmsg_krb5_dir {
	const struct secmsg_krb5_type *type;
	struct crypto_skcipher *ke;
	struct crypto_ahash *ki;
	struct crypto_ahash *kc;
	struct crypto_ahash *kcw;
};

const struct secmsg_krb5_type *secmsg_krb5_type_get(u32 etype);
void secmsg_krb5_nfold(const u8 *in, unsigned int in_len, u8 *out,
		       unsigned int out_len);
int secmsg_krb5_derive(const struct secmsg_krb5_type *t, const u8 *base,
		       u32 usage, u8 kind, u8 *out, unsigned int out_len);
int secmsg_krb5_dir_alloc(struct secmsg_krb5_dir *d,
			  const struct secmsg_krb5_type *t);
int secmsg_krb5_dir_setkeys(struct secmsg_krb5_dir *d, const u8 *ke,
			    const u8 *ki, const u8 *kc, const u8 *kcw);
int secmsg_krb5_dir_init(struct secmsg_krb5_dir *d,
			 const struct secmsg_krb5_type *t, const u8 *base,
			 u32 seal_usage, u32 sign_usage);
void secmsg_krb5_dir_free(struct secmsg_krb5_dir *d);
bool secmsg_krb5_dir_async(const struct secmsg_krb5_dir *d);
size_t secmsg_krb5_req_size(const struct secmsg_krb5_dir *d);
int secmsg_krb5_encrypt(const struct secmsg_krb5_dir *d, void *req,
			struct scatterlist *sg, unsigned int len, u8 *tag);
int secmsg_krb5_encrypt_iov(const struct secmsg_krb5_dir *d, void *req,
			    struct scatterlist *csg, unsigned int clen,
			    struct scatterlist *hsg, unsigned int hlen, u8 *tag);
int secmsg_krb5_decrypt_iov(const struct secmsg_krb5_dir *d, void *req,
			    struct scatterlist *csg, unsigned int clen,
			    struct scatterlist *hsg, unsigned int hlen,
			    const u8 *tag);
int secmsg_krb5_decrypt(const struct secmsg_krb5_dir *d, void *req,
			struct scatterlist *sg, unsigned int len,
			const u8 *tag);
int secmsg_krb5_checksum(const struct secmsg_krb5_dir *d, void *req,
			 bool wrap, struct scatterlist *sg, unsigned int len,
			 u8 *out);
int secmsg_krb5_selftest(void);

#endif /* _SECMSG_KRB5_CRYPTO_H */
