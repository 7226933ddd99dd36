/* SPDX-License-Identifier: GPL-2.0 */
/*
 * secmsg: cipher suites, key derivation and AEAD requests.
 */
#ifndef _SECMSG_CRYPTO_H
#define _SECMSG_CRYPTO_H

#include <linux/types.h>

#include "secmsg.h"

/*
 * The HKDF salt (uapi "Packages, roles, cipher suites"); a FRESH import
 * appends both contributions (uapi "Pre-shared keys").
 */
#define SECMSG_HKDF_SALT	"secmsg-v1"
#define SECMSG_HKDF_SALT_LEN	(sizeof(SECMSG_HKDF_SALT) - 1)

struct crypto_aead;
struct aead_request;
struct scatterlist;

/**
 * struct secmsg_suite - a cipher suite of the uapi
 * @id:      SECMSG_SUITE_*
 * @alg:     generic crypto API name; the highest-priority driver is bound
 * @key_len: AEAD key bytes
 */
struct secmsg_suite {
	u32 id;
	const char *alg;
	unsigned int key_len;
};

/**
 * struct secmsg_dir - the crypto state of one direction
 * @tfm: AEAD transform keyed with this direction's key (authsize 16)
 * @iv:  the direction's IV; nonce = iv ^ (0^32 || be64(seq))
 * @in_place: once the driver started writing an encryption's output, it
 *       finishes it (secmsg_dir_alloc()): SEAL may encrypt the caller's
 *       pages in place (proto_v1.c)
 * @sg_text: the driver reads and writes scattered text without allocating:
 *       SEAL and UNSEAL may read large data from the pages (proto_v1.c)
 * @sg_aad: the driver reads AAD from many scatterlist entries without
 *       allocating: SIGN and VERIFY may read large data from the pages
 *       (proto_v1.c)
 * @completes_inline: an operation from a task is done when the call
 *       returns (secmsg_crypto_is_inline()); io_uring runs it in the
 *       submitter
 */
struct secmsg_dir {
	struct crypto_aead *tfm;
	u8 iv[SECMSG_IV_SIZE];
	bool in_place;
	bool sg_text;
	bool sg_aad;
	bool completes_inline;
};

const struct secmsg_suite *secmsg_suite_get(u32 id);
int secmsg_crypto_alloc(struct secmsg_dir *tx, struct secmsg_dir *rx,
			const struct secmsg_suite *suite);
int secmsg_crypto_setkeys(struct secmsg_dir *tx, struct secmsg_dir *rx,
			  const struct secmsg_suite *suite, u32 role,
			  const u8 *key, unsigned int key_len,
			  const u8 *salt, unsigned int salt_len);
int secmsg_crypto_init(struct secmsg_dir *tx, struct secmsg_dir *rx,
		       const struct secmsg_suite *suite, u32 role,
		       const u8 *key, unsigned int key_len);
void secmsg_crypto_free(struct secmsg_dir *dir);
bool secmsg_crypto_is_async(struct crypto_aead *tfm);
void secmsg_crypto_nonce(u8 *nonce, const struct secmsg_dir *dir, u64 seq);
int secmsg_crypto_run(struct aead_request *req, struct scatterlist *src,
		      struct scatterlist *dst, bool encrypt, unsigned int assoclen,
		      unsigned int cryptlen, u8 *nonce);

#endif /* _SECMSG_CRYPTO_H */
