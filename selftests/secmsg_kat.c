// SPDX-License-Identifier: GPL-2.0
/*
 * Known answers: the kernel's tokens and ciphertexts must equal what
 * OpenSSL computes from the rules of uapi/linux/secmsg.h (HKDF-SHA256 key
 * derivation, nonce = iv XOR (0^4 || be64 seq), AAD = header || ...), for
 * SIGN, SEAL token and stream form, sign-only wrap, both roles and all
 * suites; and the kernel must accept what OpenSSL produces.  One token is
 * pinned as a hex string, so that the format cannot drift on both sides.
 * Every test runs on plain imports and on SECMSG_IMPORT_FRESH pairs (uapi
 * "Pre-shared keys": the salt is "secmsg-v1" || C_I || C_A), whose
 * derivation is pinned too.
 */
#include "secmsg_test.h"

#include <openssl/evp.h>
#include <openssl/kdf.h>

/* ---- the reference, in user space ------------------------------------ */

struct ref_keys {
	uint8_t key[32];
	uint8_t iv[12];
	uint32_t key_len;
};

/* What a context's keys come from: the session key and the HKDF salt. */
struct ref_sess {
	const uint8_t *key;
	size_t len;
	const uint8_t *salt;
	size_t salt_len;
};

#define SALT_PLAIN	((const uint8_t *)"secmsg-v1")
#define SALT_PLAIN_LEN	9
#define SALT_FRESH_LEN	(SALT_PLAIN_LEN + 2 * SECMSG_CONTRIB_SIZE)

/* The salt of a FRESH pair: "secmsg-v1" || C_I || C_A. */
static void fresh_salt(uint8_t salt[SALT_FRESH_LEN], const uint8_t *ci,
		       const uint8_t *ca)
{
	memcpy(salt, SALT_PLAIN, SALT_PLAIN_LEN);
	memcpy(salt + SALT_PLAIN_LEN, ci, SECMSG_CONTRIB_SIZE);
	memcpy(salt + SALT_PLAIN_LEN + SECMSG_CONTRIB_SIZE, ca,
	       SECMSG_CONTRIB_SIZE);
}

static int hkdf_sha256(const uint8_t *salt, size_t salt_len,
		       const uint8_t *ikm, size_t ikm_len,
		       const uint8_t *info, size_t info_len,
		       uint8_t *out, size_t out_len)
{
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
	int ok;

	ok = pc && EVP_PKEY_derive_init(pc) > 0 &&
	     EVP_PKEY_CTX_set_hkdf_md(pc, EVP_sha256()) > 0 &&
	     EVP_PKEY_CTX_set1_hkdf_salt(pc, salt, (int)salt_len) > 0 &&
	     EVP_PKEY_CTX_set1_hkdf_key(pc, ikm, (int)ikm_len) > 0 &&
	     EVP_PKEY_CTX_add1_hkdf_info(pc, info, (int)info_len) > 0 &&
	     EVP_PKEY_derive(pc, out, &out_len) > 0;
	EVP_PKEY_CTX_free(pc);
	return ok ? 0 : -1;
}

/* The keys a sender of @role uses for @suite. */
static int ref_derive(const struct ref_sess *s, uint32_t role, uint32_t suite,
		      struct ref_keys *k)
{
	const char *label = role == SECMSG_ROLE_INITIATOR ?
		"secmsg-v1 initiator" : "secmsg-v1 acceptor";
	uint8_t info[32], okm[44];
	size_t n = strlen(label);

	memcpy(info, label, n);
	info[n++] = (uint8_t)suite;
	k->key_len = ts_suite_keylen(suite);
	if (hkdf_sha256(s->salt, s->salt_len, s->key, s->len, info, n, okm,
			k->key_len + 12))
		return -1;
	memcpy(k->key, okm, k->key_len);
	memcpy(k->iv, okm + k->key_len, 12);
	return 0;
}

static const EVP_CIPHER *ref_cipher(uint32_t suite)
{
	switch (suite) {
	case SECMSG_SUITE_AES128_GCM: return EVP_aes_128_gcm();
	case SECMSG_SUITE_AES256_GCM: return EVP_aes_256_gcm();
	default: return EVP_chacha20_poly1305();
	}
}

struct span {
	const uint8_t *p;
	size_t len;
};

/*
 * One AEAD encryption: AAD = the @naad spans in order, plaintext = the
 * @npt spans concatenated, ciphertext written to @ct (same total length).
 */
static int ref_aead(uint32_t suite, const struct ref_keys *k, uint64_t seq,
		    const struct span *aad, int naad,
		    const struct span *pt, int npt, uint8_t *ct, uint8_t tag[16])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t nonce[12];
	int i, outl, ok;
	size_t off = 0;

	memcpy(nonce, k->iv, 12);
	for (i = 0; i < 8; i++)
		nonce[4 + i] ^= (uint8_t)(seq >> (56 - 8 * i));
	ok = c && EVP_EncryptInit_ex(c, ref_cipher(suite), NULL, NULL, NULL) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) &&
	     EVP_EncryptInit_ex(c, NULL, NULL, k->key, nonce);
	for (i = 0; ok && i < naad; i++)
		if (aad[i].len)
			ok = EVP_EncryptUpdate(c, NULL, &outl, aad[i].p,
					       (int)aad[i].len);
	for (i = 0; ok && i < npt; i++) {
		if (!pt[i].len)
			continue;
		ok = EVP_EncryptUpdate(c, ct + off, &outl, pt[i].p,
				       (int)pt[i].len);
		off += (size_t)outl;
	}
	ok = ok && EVP_EncryptFinal_ex(c, ct + off, &outl) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, tag);
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

static void ref_header(uint8_t h[16], uint16_t id, uint8_t flags,
		       uint32_t suite, uint64_t seq)
{
	memset(h, 0, 16);
	h[0] = (uint8_t)(id >> 8);
	h[1] = (uint8_t)id;
	h[2] = flags;
	h[3] = (uint8_t)suite;
	ts_put_be64(h + 8, seq);
}

static uint8_t dir_flag(uint32_t role)
{
	return role == SECMSG_ROLE_ACCEPTOR ? SECMSG_TOK_FLAG_SENT_BY_ACCEPTOR : 0;
}

/* SIGN token over @data spans. */
static int ref_sign(const struct ref_sess *s, uint32_t role, uint32_t suite,
		    uint64_t seq, const struct span *data, int n,
		    uint8_t tok[32])
{
	struct span aad[8];
	struct ref_keys k;
	int i;

	if (ref_derive(s, role, suite, &k))
		return -1;
	ref_header(tok, SECMSG_TOK_SIGN, dir_flag(role), suite, seq);
	aad[0] = (struct span){ tok, 16 };
	for (i = 0; i < n; i++)
		aad[i + 1] = data[i];
	return ref_aead(suite, &k, seq, aad, n + 1, NULL, 0, NULL, tok + 16);
}

/* Sealed WRAP: AAD = header || @rwc, plaintext = @pt, ct out. */
static int ref_seal(const struct ref_sess *s, uint32_t role, uint32_t suite,
		    uint64_t seq, const struct span *rwc, int nrwc,
		    const struct span *pt, int npt, uint8_t *ct,
		    uint8_t tok[32])
{
	struct span aad[8];
	struct ref_keys k;
	int i;

	if (ref_derive(s, role, suite, &k))
		return -1;
	ref_header(tok, SECMSG_TOK_WRAP, dir_flag(role) | SECMSG_TOK_FLAG_SEALED,
		   suite, seq);
	aad[0] = (struct span){ tok, 16 };
	for (i = 0; i < nrwc; i++)
		aad[i + 1] = rwc[i];
	return ref_aead(suite, &k, seq, aad, nrwc + 1, pt, npt, ct, tok + 16);
}

/* Sign-only WRAP. */
static int ref_wrap_plain(const struct ref_sess *s, uint32_t role,
			  uint32_t suite, uint64_t seq,
			  const struct span *data, int n, uint8_t tok[32])
{
	struct span aad[8];
	struct ref_keys k;
	int i;

	if (ref_derive(s, role, suite, &k))
		return -1;
	ref_header(tok, SECMSG_TOK_WRAP, dir_flag(role), suite, seq);
	aad[0] = (struct span){ tok, 16 };
	for (i = 0; i < n; i++)
		aad[i + 1] = data[i];
	return ref_aead(suite, &k, seq, aad, n + 1, NULL, 0, NULL, tok + 16);
}

static void hex(char *out, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

/*
 * Pinned: AES-128-GCM SIGN of "abc", session key 16 x 0x01, seq 0, sent by
 * the initiator.  Computed once with the reference above, and checked
 * against an independent Python (hmac + cryptography) computation.
 */
static const char pinned_sign_abc[] =
	"53010001000000000000000000000000c25bc21b972f1d8c7d8a9ba24d8ccab0";

/*
 * The same with SECMSG_IMPORT_FRESH contributions C_I = 32 x 0x11 and
 * C_A = 32 x 0x22 (salt "secmsg-v1" || C_I || C_A), computed with Python's
 * hmac and cryptography's AESGCM from the header's text alone.
 */
static const char pinned_fresh_sign_abc[] =
	"53010001000000000000000000000000ff3d229a99f9e5f860faaa811f97d6a4";

/* ---- reference self-checks (no kernel needed) -------------------------- */

FIXTURE(ref) {
	int unused;
};

FIXTURE_SETUP(ref)
{
}

FIXTURE_TEARDOWN(ref)
{
}

TEST_F(ref, hkdf_rfc5869_case1)
{
	/* RFC 5869, A.1 */
	uint8_t ikm[22], salt[13], info[10], okm[42];
	static const char want[] =
		"3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
		"34007208d5b887185865";
	char got[85];
	int i;

	memset(ikm, 0x0b, sizeof(ikm));
	for (i = 0; i < 13; i++)
		salt[i] = (uint8_t)i;
	for (i = 0; i < 10; i++)
		info[i] = (uint8_t)(0xf0 + i);
	ASSERT_EQ(0, hkdf_sha256(salt, 13, ikm, 22, info, 10, okm, 42));
	hex(got, okm, 42);
	ASSERT_STREQ(want, got);
}

TEST_F(ref, reference_matches_pinned_token)
{
	uint8_t key[16], tok[32];
	struct ref_sess ks = { key, 16, SALT_PLAIN, SALT_PLAIN_LEN };
	struct span d = { (const uint8_t *)"abc", 3 };
	char got[65];

	memset(key, 1, sizeof(key));
	ASSERT_EQ(0, ref_sign(&ks, SECMSG_ROLE_INITIATOR,
			      SECMSG_SUITE_AES128_GCM, 0, &d, 1, tok));
	hex(got, tok, 32);
	ASSERT_STREQ(pinned_sign_abc, got);
}

TEST_F(ref, reference_matches_pinned_fresh_token)
{
	uint8_t key[16], ci[32], ca[32], salt[SALT_FRESH_LEN], tok[32];
	struct ref_sess ks = { key, 16, salt, sizeof(salt) };
	struct span d = { (const uint8_t *)"abc", 3 };
	char got[65];

	memset(key, 1, sizeof(key));
	memset(ci, 0x11, sizeof(ci));
	memset(ca, 0x22, sizeof(ca));
	fresh_salt(salt, ci, ca);
	ASSERT_EQ(0, ref_sign(&ks, SECMSG_ROLE_INITIATOR,
			      SECMSG_SUITE_AES128_GCM, 0, &d, 1, tok));
	hex(got, tok, 32);
	ASSERT_STREQ(pinned_fresh_sign_abc, got);
}

/* ---- the kernel against the reference ---------------------------------- */

#define SEQ0 0x0102030405060708ull

FIXTURE(kat) {
	int dev;
	int ctx[2][2];		/* [role - 1][0 = sender, 1 = receiver] */
	uint8_t session[32];
	/* what the pair of a @role sender derives from: SESS(role) */
	uint8_t salt[2][SALT_FRESH_LEN];
	struct ref_sess sess[2];
};

FIXTURE_VARIANT(kat) {
	uint32_t suite;
	int fresh;		/* SECMSG_IMPORT_FRESH pairs */
};

FIXTURE_VARIANT_ADD(kat, aes128_gcm) { .suite = SECMSG_SUITE_AES128_GCM };
FIXTURE_VARIANT_ADD(kat, aes256_gcm) { .suite = SECMSG_SUITE_AES256_GCM };
FIXTURE_VARIANT_ADD(kat, chacha20_poly1305) {
	.suite = SECMSG_SUITE_CHACHA20_POLY1305
};
FIXTURE_VARIANT_ADD(kat, aes128_gcm_fresh) {
	.suite = SECMSG_SUITE_AES128_GCM, .fresh = 1
};
FIXTURE_VARIANT_ADD(kat, aes256_gcm_fresh) {
	.suite = SECMSG_SUITE_AES256_GCM, .fresh = 1
};
FIXTURE_VARIANT_ADD(kat, chacha20_poly1305_fresh) {
	.suite = SECMSG_SUITE_CHACHA20_POLY1305, .fresh = 1
};

/* The reference's inputs for the pair whose sender has @role. */
#define SESS(role) (&self->sess[(role) - 1])

FIXTURE_SETUP(kat)
{
	int r;

	memset(self->ctx, 0xff, sizeof(self->ctx));
	SM_OPEN_DEV_OR_SKIP(self->dev);
	ts_fill(self->session, sizeof(self->session), 0xc0ffee);
	for (r = 0; r < 2; r++) {
		struct ts_ctx_opts o = {
			.role = (uint32_t)r + 1, .suite = variant->suite,
			.ctx_flags = SM_FLAGS_DEFAULT, .key = self->session,
			.key_len = 32, .send_seq = SEQ0, .recv_seq = SEQ0,
		};

		uint8_t c[2][SECMSG_CONTRIB_SIZE];

		self->sess[r] = (struct ref_sess){ self->session, 32,
						   SALT_PLAIN, SALT_PLAIN_LEN };
		if (variant->fresh) {
			/* sender and its peer complete each other */
			ASSERT_EQ(0, ts_fresh_pair(self->dev, &o,
						   &self->ctx[r][0],
						   &self->ctx[r][1], c[0], c[1]));
			/* C_I first: the sender's when it is the initiator */
			fresh_salt(self->salt[r], c[r], c[1 - r]);
			self->sess[r].salt = self->salt[r];
			self->sess[r].salt_len = SALT_FRESH_LEN;
			continue;
		}
		self->ctx[r][0] = ts_import(self->dev, &o);
		ASSERT_LE(0, self->ctx[r][0]);
		/* its peer, to check the kernel accepts reference output */
		o.role = 2 - (uint32_t)r;
		self->ctx[r][1] = ts_import(self->dev, &o);
		ASSERT_LE(0, self->ctx[r][1]);
	}
}

FIXTURE_TEARDOWN(kat)
{
	int r, i;

	for (r = 0; r < 2; r++)
		for (i = 0; i < 2; i++)
			if (self->ctx[r][i] >= 0)
				close(self->ctx[r][i]);
	if (self->dev >= 0)
		close(self->dev);
}

static char hexbuf[2][1024];

static const char *hexs(int slot, const uint8_t *p, size_t n)
{
	hex(hexbuf[slot], p, n < 500 ? n : 500);
	return hexbuf[slot];
}

/* One comparison of two hex strings: readable diffs, TH_LOG may follow. */
#define ASSERT_BYTES(want, got, n) \
	ASSERT_STREQ(hexs(0, (want), (n)), hexs(1, (got), (n)))

TEST_F(kat, sign)
{
	uint32_t role;

	for (role = 1; role <= 2; role++) {
		int tx = self->ctx[role - 1][0];
		uint8_t a[5] = "hello", b[300], ro[8] = "ignored", tok[32], want[32];
		struct secmsg_buffer buf[4];
		struct secmsg_message m;
		struct span d[2] = { { a, 5 }, { b, sizeof(b) } };

		ts_fill(b, sizeof(b), role);
		ts_buf(&buf[0], SECMSG_BUF_DATA, 0, a, 5);
		ts_buf(&buf[1], SECMSG_BUF_DATA, SECMSG_BUF_READONLY, ro, 8);
		ts_buf(&buf[2], SECMSG_BUF_TOKEN, 0, tok, 32);
		ts_buf(&buf[3], SECMSG_BUF_DATA, SECMSG_BUF_READONLY_WITH_CHECKSUM,
		       b, sizeof(b));
		ASSERT_OK_MSG(ts_call(tx, SECMSG_IOC_SIGN, &m, buf, 4, 0), m);
		ASSERT_EQ(0, ref_sign(SESS(role), role, variant->suite,
				      SEQ0, d, 2, want));
		ASSERT_BYTES(want, tok, 32);
	}
}

TEST_F(kat, seal_token_form)
{
	uint32_t role;

	for (role = 1; role <= 2; role++) {
		int tx = self->ctx[role - 1][0];
		uint8_t hdr[11] = "rwc-header", a[33], b[7], ro[4] = "xyz";
		uint8_t pa[33], pb[7], ohdr[11], tok[32], want[32], ct[40];
		struct secmsg_buffer buf[6];
		struct secmsg_message m;
		struct span rwc = { ohdr, sizeof(ohdr) };
		struct span pt[2] = { { pa, sizeof(pa) }, { pb, sizeof(pb) } };

		ts_fill(a, sizeof(a), 10 + role);
		ts_fill(b, sizeof(b), 20 + role);
		memcpy(pa, a, sizeof(a));
		memcpy(pb, b, sizeof(b));
		memcpy(ohdr, hdr, sizeof(hdr));
		ts_buf(&buf[0], SECMSG_BUF_DATA, SECMSG_BUF_READONLY_WITH_CHECKSUM,
		       hdr, sizeof(hdr));
		ts_buf(&buf[1], SECMSG_BUF_DATA, 0, a, sizeof(a));
		ts_buf(&buf[2], SECMSG_BUF_DATA, SECMSG_BUF_READONLY, ro, 4);
		ts_buf(&buf[3], SECMSG_BUF_TOKEN, 0, tok, 32);
		ts_buf(&buf[4], SECMSG_BUF_DATA, 0, b, sizeof(b));
		ts_buf(&buf[5], SECMSG_BUF_PADDING, 0, NULL, 0);
		ASSERT_OK_MSG(ts_call(tx, SECMSG_IOC_SEAL, &m, buf, 6, 0), m);
		ASSERT_EQ(0, ref_seal(SESS(role), role, variant->suite,
				      SEQ0, &rwc, 1, pt, 2, ct, want));
		ASSERT_BYTES(want, tok, 32);
		ASSERT_BYTES(ct, a, sizeof(a));
		ASSERT_BYTES(ct + sizeof(a), b, sizeof(b));
		ASSERT_BYTES(ohdr, hdr, sizeof(hdr));
	}
}

TEST_F(kat, seal_stream_form)
{
	uint32_t role;

	for (role = 1; role <= 2; role++) {
		int tx = self->ctx[role - 1][0];
		uint8_t st[16 + 50 + 16], want[16 + 50 + 16], pt[50], tok[32];
		struct secmsg_buffer buf[3];
		struct secmsg_message m;
		struct span p = { pt, sizeof(pt) };

		ts_fill(pt, sizeof(pt), 30 + role);
		memcpy(st + 16, pt, sizeof(pt));
		ts_buf(&buf[0], SECMSG_BUF_STREAM_HEADER, 0, st, 16);
		ts_buf(&buf[1], SECMSG_BUF_DATA, 0, st + 16, 50);
		ts_buf(&buf[2], SECMSG_BUF_STREAM_TRAILER, 0, st + 66, 16);
		ASSERT_OK_MSG(ts_call(tx, SECMSG_IOC_SEAL, &m, buf, 3, 0), m);
		ASSERT_EQ(0, ref_seal(SESS(role), role, variant->suite,
				      SEQ0, NULL, 0, &p, 1, want + 16, tok));
		/* header || ciphertext || tag */
		memcpy(want, tok, 16);
		memcpy(want + 66, tok + 16, 16);
		ASSERT_BYTES(want, st, sizeof(st));
	}
}

TEST_F(kat, wrap_no_encrypt)
{
	uint32_t role;

	for (role = 1; role <= 2; role++) {
		int tx = self->ctx[role - 1][0];
		uint8_t a[20], b[9], tok[32], want[32];
		struct secmsg_buffer buf[3];
		struct secmsg_message m;
		struct span d[2] = { { a, sizeof(a) }, { b, sizeof(b) } };

		ts_fill(a, sizeof(a), 40 + role);
		ts_fill(b, sizeof(b), 50 + role);
		ts_buf(&buf[0], SECMSG_BUF_TOKEN, 0, tok, 32);
		ts_buf(&buf[1], SECMSG_BUF_DATA, 0, a, sizeof(a));
		ts_buf(&buf[2], SECMSG_BUF_DATA, SECMSG_BUF_READONLY_WITH_CHECKSUM,
		       b, sizeof(b));
		ASSERT_OK_MSG(ts_call(tx, SECMSG_IOC_SEAL, &m, buf, 3,
				      SECMSG_QOP_WRAP_NO_ENCRYPT), m);
		ASSERT_EQ(0, ref_wrap_plain(SESS(role), role, variant->suite,
					    SEQ0, d, 2, want));
		ASSERT_BYTES(want, tok, 32);
	}
}

TEST_F(kat, sequence_number_in_nonce)
{
	/* the second message uses seq + 1: nonce and header both change */
	int tx = self->ctx[0][0];
	uint8_t data[16] = "same plaintext!", tok[32], want[32];
	struct span d = { data, sizeof(data) };
	struct secmsg_message m;

	ASSERT_EQ(0, ts_sign1(tx, tok, data, sizeof(data), &m));
	ASSERT_EQ(0, ts_sign1(tx, tok, data, sizeof(data), &m));
	ASSERT_EQ(SEQ0 + 1, m.seq);
	ASSERT_EQ(0, ref_sign(SESS(SECMSG_ROLE_INITIATOR),
			      SECMSG_ROLE_INITIATOR, variant->suite, SEQ0 + 1,
			      &d, 1, want));
	ASSERT_BYTES(want, tok, 32);
}

TEST_F(kat, kernel_accepts_reference)
{
	uint32_t role;

	for (role = 1; role <= 2; role++) {
		int rx = self->ctx[role - 1][1];	/* peer of a @role sender */
		uint8_t data[24], pt[24], tok[32];
		struct span d = { data, sizeof(data) };
		struct span p = { pt, sizeof(pt) };
		struct secmsg_message m;

		ts_fill(data, sizeof(data), 60 + role);
		memcpy(pt, data, sizeof(data));
		ASSERT_EQ(0, ref_sign(SESS(role), role, variant->suite,
				      SEQ0, &d, 1, tok));
		ASSERT_OK_MSG(ts_verify1(rx, tok, data, sizeof(data), &m), m);
		ASSERT_EQ(SEQ0, m.seq);
		ASSERT_EQ(0, ref_seal(SESS(role), role, variant->suite,
				      SEQ0 + 1, NULL, 0, &p, 1, data, tok));
		ASSERT_OK_MSG(ts_unseal1(rx, tok, data, sizeof(data), &m), m);
		ASSERT_EQ(SEQ0 + 1, m.seq);
		ASSERT_BYTES(pt, data, sizeof(data));
		ASSERT_EQ(0, ref_wrap_plain(SESS(role), role, variant->suite,
					    SEQ0 + 2, &d, 1, tok));
		ASSERT_OK_MSG(ts_unseal1(rx, tok, data, sizeof(data), &m), m);
		ASSERT_EQ((__u32)SECMSG_QOP_WRAP_NO_ENCRYPT, m.qop);
	}
}

TEST_F(kat, key_lengths)
{
	/* a 16- and a 64-byte session key go through HKDF the same way */
	static const uint32_t lens[] = { SECMSG_KEY_MIN, 47, SECMSG_KEY_MAX };
	uint8_t key[SECMSG_KEY_MAX], tok[32], want[32], data[3] = "kat";
	struct span d = { data, 3 };
	struct secmsg_message m;
	unsigned int i;

	ts_fill(key, sizeof(key), 77);
	for (i = 0; i < SM_ARRAY_SIZE(lens); i++) {
		struct ts_ctx_opts o = {
			.role = SECMSG_ROLE_ACCEPTOR, .suite = variant->suite,
			.key = key, .key_len = lens[i], .send_seq = 5,
		};
		uint8_t ci[32], ca[32], salt[SALT_FRESH_LEN];
		struct ref_sess ks = { key, lens[i], SALT_PLAIN,
				       SALT_PLAIN_LEN };
		int fd;

		if (variant->fresh) {
			/* the initiator's contribution is any 32 bytes */
			ts_fill(ci, sizeof(ci), 78 + i);
			fd = ts_import_fresh(self->dev, &o, ca);
			ASSERT_LE(0, fd);
			ASSERT_EQ(0, ts_complete_fresh(fd, ci, sizeof(ci)));
			fresh_salt(salt, ci, ca);
			ks.salt = salt;
			ks.salt_len = sizeof(salt);
		} else {
			fd = ts_import(self->dev, &o);
			ASSERT_LE(0, fd);
		}
		ASSERT_EQ(0, ts_sign1(fd, tok, data, 3, &m));
		close(fd);
		ASSERT_EQ(0, ref_sign(&ks, SECMSG_ROLE_ACCEPTOR,
				      variant->suite, 5, &d, 1, want));
		ASSERT_BYTES(want, tok, 32) TH_LOG("key_len %u", lens[i]);
	}
}

/*
 * Large messages: sizes at which the kernel encrypts the user's pinned
 * pages in place (SEAL) or decrypts from them (UNSEAL) instead of bouncing
 * them, with the data split over three DATA buffers at unaligned offsets
 * that share pages with each other and with the token.
 */
static const size_t large_sizes[] = { 64 << 10, (1 << 20) + 13 };

struct large_msg {
	uint8_t *mem;		/* everything below lives in here */
	uint8_t *d[3];		/* the DATA buffers */
	size_t len[3];
	uint8_t *pt;		/* the plaintext, contiguous */
	uint8_t *ct;		/* the reference ciphertext */
	size_t total;
};

static int large_msg_init(struct large_msg *lm, size_t total, uint32_t seed)
{
	size_t off = 5;
	int i;

	lm->total = total;
	lm->len[0] = total / 3 + 1;
	lm->len[1] = total / 3 - 7;
	lm->len[2] = total - lm->len[0] - lm->len[1];
	lm->mem = malloc(total + 3 * 64 + 64);
	lm->pt = malloc(total);
	lm->ct = malloc(total);
	if (!lm->mem || !lm->pt || !lm->ct)
		return -1;
	ts_fill(lm->pt, total, seed);
	for (i = 0; i < 3; i++) {
		lm->d[i] = lm->mem + off;
		memcpy(lm->d[i], lm->pt + (i ? lm->len[0] : 0) +
		       (i == 2 ? lm->len[1] : 0), lm->len[i]);
		off += lm->len[i] + 11 + (size_t)i * 6;
	}
	return 0;
}

static void large_msg_free(struct large_msg *lm)
{
	free(lm->mem);
	free(lm->pt);
	free(lm->ct);
}

/* Whether the three DATA buffers hold @want (total bytes) in order. */
static int large_msg_cmp(const struct large_msg *lm, const uint8_t *want)
{
	return memcmp(lm->d[0], want, lm->len[0]) ||
	       memcmp(lm->d[1], want + lm->len[0], lm->len[1]) ||
	       memcmp(lm->d[2], want + lm->len[0] + lm->len[1], lm->len[2]);
}

TEST_F_TIMEOUT(kat, seal_large_token_form, 120)
{
	uint64_t seq[2] = { SEQ0, SEQ0 };
	unsigned int s;
	uint32_t role;

	for (s = 0; s < SM_ARRAY_SIZE(large_sizes); s++) {
		for (role = 1; role <= 2; role++) {
			int tx = self->ctx[role - 1][0];
			uint8_t tok[32], want[32];
			struct secmsg_buffer buf[6];
			struct secmsg_message m;
			struct large_msg lm;
			struct span pt;

			ASSERT_EQ(0, large_msg_init(&lm, large_sizes[s],
						    100 * s + role));
			pt = (struct span){ lm.pt, lm.total };
			ts_buf(&buf[0], SECMSG_BUF_DATA, 0, lm.d[0], lm.len[0]);
			ts_buf(&buf[1], SECMSG_BUF_TOKEN, 0, tok, 32);
			ts_buf(&buf[2], SECMSG_BUF_DATA, 0, lm.d[1], lm.len[1]);
			ts_buf(&buf[3], SECMSG_BUF_EMPTY, 0, NULL, 0);
			ts_buf(&buf[4], SECMSG_BUF_DATA, 0, lm.d[2], lm.len[2]);
			ts_buf(&buf[5], SECMSG_BUF_PADDING, 0, NULL, 0);
			ASSERT_OK_MSG(ts_call(tx, SECMSG_IOC_SEAL, &m, buf, 6, 0),
				      m);
			ASSERT_EQ(seq[role - 1], m.seq);
			ASSERT_EQ(32u, buf[1].len);
			ASSERT_EQ(0u, buf[5].len);
			ASSERT_EQ(0, ref_seal(SESS(role), role, variant->suite,
					      seq[role - 1], NULL, 0, &pt, 1,
					      lm.ct, want));
			seq[role - 1]++;
			ASSERT_BYTES(want, tok, 32)
				TH_LOG("size %zu role %u", lm.total, role);
			ASSERT_BYTES(lm.ct, lm.d[0], 64);
			ASSERT_EQ(0, large_msg_cmp(&lm, lm.ct))
				TH_LOG("size %zu role %u: ciphertext differs",
				       lm.total, role);
			large_msg_free(&lm);
		}
	}
}

TEST_F_TIMEOUT(kat, seal_large_stream_form, 120)
{
	uint64_t seq[2] = { SEQ0, SEQ0 };
	unsigned int s;
	uint32_t role;

	for (s = 0; s < SM_ARRAY_SIZE(large_sizes); s++) {
		for (role = 1; role <= 2; role++) {
			int tx = self->ctx[role - 1][0];
			uint8_t hdr[16 + 3], trl[16 + 5], want[32];
			struct secmsg_buffer buf[5];
			struct secmsg_message m;
			struct large_msg lm;
			struct span pt;

			ASSERT_EQ(0, large_msg_init(&lm, large_sizes[s],
						    200 * s + role));
			pt = (struct span){ lm.pt, lm.total };
			/* header and trailer apart from the data */
			ts_buf(&buf[0], SECMSG_BUF_STREAM_HEADER, 0, hdr + 3, 16);
			ts_buf(&buf[1], SECMSG_BUF_DATA, 0, lm.d[0], lm.len[0]);
			ts_buf(&buf[2], SECMSG_BUF_DATA, 0, lm.d[1], lm.len[1]);
			ts_buf(&buf[3], SECMSG_BUF_DATA, 0, lm.d[2], lm.len[2]);
			ts_buf(&buf[4], SECMSG_BUF_STREAM_TRAILER, 0, trl + 5, 16);
			ASSERT_OK_MSG(ts_call(tx, SECMSG_IOC_SEAL, &m, buf, 5, 0),
				      m);
			ASSERT_EQ(seq[role - 1], m.seq);
			ASSERT_EQ(16u, buf[0].len);
			ASSERT_EQ(16u, buf[4].len);
			ASSERT_EQ(0, ref_seal(SESS(role), role, variant->suite,
					      seq[role - 1], NULL, 0, &pt, 1,
					      lm.ct, want));
			seq[role - 1]++;
			ASSERT_BYTES(want, hdr + 3, 16)
				TH_LOG("size %zu role %u", lm.total, role);
			ASSERT_BYTES(want + 16, trl + 5, 16)
				TH_LOG("size %zu role %u", lm.total, role);
			ASSERT_EQ(0, large_msg_cmp(&lm, lm.ct))
				TH_LOG("size %zu role %u: ciphertext differs",
				       lm.total, role);

			/* the same, laid out contiguously as one stream */
			{
				uint8_t *st = malloc(lm.total + 32 + 7);
				uint8_t *p = st + 7;

				ASSERT_TRUE(st != NULL);
				memcpy(p + 16, lm.pt, lm.total);
				ts_buf(&buf[0], SECMSG_BUF_STREAM_HEADER, 0, p, 16);
				ts_buf(&buf[1], SECMSG_BUF_DATA, 0, p + 16,
				       lm.total);
				ts_buf(&buf[2], SECMSG_BUF_STREAM_TRAILER, 0,
				       p + 16 + lm.total, 16);
				ASSERT_OK_MSG(ts_call(tx, SECMSG_IOC_SEAL, &m,
						      buf, 3, 0), m);
				ASSERT_EQ(0, ref_seal(SESS(role), role, variant->suite,
						      seq[role - 1], NULL, 0,
						      &pt, 1, lm.ct, want));
				seq[role - 1]++;
				ASSERT_BYTES(want, p, 16);
				ASSERT_BYTES(want + 16, p + 16 + lm.total, 16);
				ASSERT_EQ(0, memcmp(lm.ct, p + 16, lm.total));
				free(st);
			}
			large_msg_free(&lm);
		}
	}
}

TEST_F_TIMEOUT(kat, kernel_unseals_large_reference, 120)
{
	uint64_t seq = SEQ0;
	unsigned int s;
	uint32_t role;

	for (s = 0; s < SM_ARRAY_SIZE(large_sizes); s++) {
		for (role = 1; role <= 2; role++) {
			int rx = self->ctx[role - 1][1];
			uint8_t tok[32], *st, *p;
			struct secmsg_buffer buf[4];
			struct secmsg_message m;
			struct large_msg lm;
			struct span pt;

			ASSERT_EQ(0, large_msg_init(&lm, large_sizes[s],
						    300 * s + role));
			pt = (struct span){ lm.pt, lm.total };
			/* token form, three DATA buffers */
			ASSERT_EQ(0, ref_seal(SESS(role), role, variant->suite,
					      seq + 2 * s, NULL, 0, &pt, 1,
					      lm.ct, tok));
			memcpy(lm.d[0], lm.ct, lm.len[0]);
			memcpy(lm.d[1], lm.ct + lm.len[0], lm.len[1]);
			memcpy(lm.d[2], lm.ct + lm.len[0] + lm.len[1],
			       lm.len[2]);
			ts_buf(&buf[0], SECMSG_BUF_DATA, 0, lm.d[0], lm.len[0]);
			ts_buf(&buf[1], SECMSG_BUF_DATA, 0, lm.d[1], lm.len[1]);
			ts_buf(&buf[2], SECMSG_BUF_TOKEN, 0, tok, 32);
			ts_buf(&buf[3], SECMSG_BUF_DATA, 0, lm.d[2], lm.len[2]);
			ASSERT_OK_MSG(ts_call(rx, SECMSG_IOC_UNSEAL, &m, buf, 4,
					      0), m);
			ASSERT_EQ(seq + 2 * s, m.seq);
			ASSERT_EQ(0, large_msg_cmp(&lm, lm.pt))
				TH_LOG("size %zu role %u: plaintext differs",
				       lm.total, role);

			/* stream form, at an unaligned address */
			st = malloc(lm.total + 32 + 9);
			ASSERT_TRUE(st != NULL);
			p = st + 9;
			ASSERT_EQ(0, ref_seal(SESS(role), role, variant->suite,
					      seq + 2 * s + 1, NULL, 0, &pt, 1,
					      p + 16, tok));
			memcpy(p, tok, 16);
			memcpy(p + 16 + lm.total, tok + 16, 16);
			ts_buf(&buf[0], SECMSG_BUF_STREAM, 0, p, lm.total + 32);
			ts_buf(&buf[1], SECMSG_BUF_DATA, 0, NULL, 0);
			ASSERT_OK_MSG(ts_call(rx, SECMSG_IOC_UNSEAL, &m, buf, 2,
					      0), m);
			ASSERT_EQ(seq + 2 * s + 1, m.seq);
			ASSERT_EQ(SM_PTR(p + 16), buf[1].ptr);
			ASSERT_EQ(lm.total, buf[1].len);
			ASSERT_EQ(0, memcmp(lm.pt, p + 16, lm.total));
			free(st);
			large_msg_free(&lm);
		}
	}
}

/*
 * SIGN and VERIFY of large data, which the kernel may read from the
 * user's pinned pages instead of copying (drivers that hash a scattered
 * AAD): from the threshold up, data in three DATA buffers (one of them
 * READONLY_WITH_CHECKSUM) around the token.  The token is the reference's,
 * the reference's verifies, one flipped bit in the middle does not and
 * moves nothing, and a replay is refused.
 */
TEST_F_TIMEOUT(kat, sign_verify_large, 120)
{
	static const size_t sizes[] = { 8 << 10, 64 << 10, SECMSG_MAX_SIGNED };
	uint64_t seq[2] = { SEQ0, SEQ0 };
	unsigned int s;
	uint32_t role;

	for (s = 0; s < SM_ARRAY_SIZE(sizes); s++) {
		for (role = 1; role <= 2; role++) {
			int tx = self->ctx[role - 1][0];
			int rx = self->ctx[role - 1][1];
			uint8_t tok[32], want[32], *mid;
			struct secmsg_buffer buf[5];
			struct secmsg_message m;
			struct large_msg lm;
			struct span pt;

			ASSERT_EQ(0, large_msg_init(&lm, sizes[s],
						    500 * s + role));
			pt = (struct span){ lm.pt, lm.total };
			ts_buf(&buf[0], SECMSG_BUF_DATA, 0, lm.d[0], lm.len[0]);
			ts_buf(&buf[1], SECMSG_BUF_TOKEN, 0, tok, 32);
			ts_buf(&buf[2], SECMSG_BUF_DATA,
			       SECMSG_BUF_READONLY_WITH_CHECKSUM, lm.d[1],
			       lm.len[1]);
			ts_buf(&buf[3], SECMSG_BUF_EMPTY, 0, NULL, 0);
			ts_buf(&buf[4], SECMSG_BUF_DATA, 0, lm.d[2], lm.len[2]);
			ASSERT_OK_MSG(ts_call(tx, SECMSG_IOC_SIGN, &m, buf, 5, 0),
				      m);
			ASSERT_EQ(seq[role - 1], m.seq);
			ASSERT_EQ(0, ref_sign(SESS(role), role, variant->suite,
					      seq[role - 1], &pt, 1, want));
			ASSERT_BYTES(want, tok, 32)
				TH_LOG("size %zu role %u", lm.total, role);
			ASSERT_EQ(0, large_msg_cmp(&lm, lm.pt));

			mid = lm.d[1] + lm.len[1] / 2;
			*mid ^= 0x08;
			ASSERT_VERDICT(ts_call(rx, SECMSG_IOC_VERIFY, &m, buf, 5,
					       0), m, EBADMSG,
				       SECMSG_VERDICT_ALTERED);
			*mid ^= 0x08;
			ASSERT_OK_MSG(ts_call(rx, SECMSG_IOC_VERIFY, &m, buf, 5,
					      0), m);
			ASSERT_EQ(seq[role - 1], m.seq);
			ASSERT_VERDICT(ts_call(rx, SECMSG_IOC_VERIFY, &m, buf, 5,
					       0), m, EALREADY,
				       SECMSG_VERDICT_REPLAYED);
			seq[role - 1]++;
			large_msg_free(&lm);
		}
	}
}

TEST_F(ref, kernel_matches_pinned_token)
{
	struct ts_ctx_opts o = {
		.role = SECMSG_ROLE_INITIATOR, .suite = SECMSG_SUITE_AES128_GCM,
		.ctx_flags = SM_FLAGS_DEFAULT, .key_len = 16,
	};
	uint8_t key[16], tok[32];
	struct secmsg_message m;
	char got[65];
	int dev, fd;

	memset(key, 1, sizeof(key));
	o.key = key;
	dev = ts_open_dev();
	if (dev < 0 && errno == ENOENT)
		SKIP(return, "%s missing: secmsg.ko not loaded",
		     SECMSG_DEVICE_PATH);
	ASSERT_LE(0, dev);
	fd = ts_import(dev, &o);
	ASSERT_LE(0, fd);
	ASSERT_OK_MSG(ts_sign1(fd, tok, "abc", 3, &m), m);
	hex(got, tok, 32);
	ASSERT_STREQ(pinned_sign_abc, got);
	close(fd);
	close(dev);
}

TEST_HARNESS_MAIN
