// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg: known-answer tests of the Kerberos crypto (krb5_crypto.c).
 *
 * Run at module load when the parameter krb5_selftest is set (the
 * selftests' runner sets it), as WireGuard runs its self-tests at init:
 * Debian's kernels have no KUnit, and a test that needs no user space
 * can only be run by the module itself.  A failure names the vector in
 * the kernel log and fails the load (ENOTRECOVERABLE), so no test can
 * pass on wrong crypto.
 *
 * Vectors: RFC 3961 A.1 (n-fold), RFC 3962 B (AES-CTS, zero IV), RFC
 * 8009 A (key derivation, encryption with a fixed confounder,
 * checksums).  RFC 3962 gives none of the last three for the sha1
 * types: theirs were computed with selftests/krb5/gen_vectors.py, an
 * independent implementation, and checked against MIT's libk5crypto
 * (krb5_c_make_checksum() and krb5_c_decrypt() accept them).
 */
#include <crypto/skcipher.h>
#include <linux/kernel.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "krb5_crypto.h"

#define AES128_SHA1	SECMSG_KRB5_AES128_CTS_HMAC_SHA1_96
#define AES256_SHA1	SECMSG_KRB5_AES256_CTS_HMAC_SHA1_96
#define AES128_SHA256	SECMSG_KRB5_AES128_CTS_HMAC_SHA256_128
#define AES256_SHA384	SECMSG_KRB5_AES256_CTS_HMAC_SHA384_192

/* Base keys, by the vectors' names for them */
#define B8009_128	"3705d96080c17728a0e800eab6e0d23c"
#define B8009_256	"6d404d37faf79f9df0d33568d320669800eb4836472ea8a026d16b7182460c52"
#define BSHA1_128	"9062430c8cda3388922e6d6a509f5b7a"
#define BSHA1_256	"fe697b52bc0d3ce14432ba036a92e65bbb52280990a2fa27883998d72af30161"

static const struct {
	const char *in;
	unsigned int bits;
	const char *out;
} nfold_kat[] = {
	/* RFC 3961 A.1 */
	{ "012345", 64, "be072631276b1955" },
	{ "password", 56, "78a07b6caf85fa" },
	{ "Rough Consensus, and Running Code", 64, "bb6ed30870b7f0e0" },
	{ "password", 168, "59e4a8ca7c0385c3c37b3f6d2000247cb6e6bd5b3e" },
	{ "MASSACHVSETTS INSTITVTE OF TECHNOLOGY", 192,
	  "db3b0d8f0b061e603282b308a50841229ad798fab9540c1b" },
	{ "Q", 168, "518a54a215a8452a518a54a215a8452a518a54a215" },
	{ "ba", 168, "fb25d531ae8974499f52fd92ea9857c4ba24cf297e" },
	{ "kerberos", 64, "6b65726265726f73" },
	{ "kerberos", 128, "6b65726265726f737b9b5b2b93132b93" },
	{ "kerberos", 168, "8372c236344e5f1550cd0747e15d62ca7a5a3bcea4" },
	{ "kerberos", 256,
	  "6b65726265726f737b9b5b2b93132b935c9bdcdad95c9899c4cae4dee6d6cae4" },
};

/* RFC 3962 B: key "chicken teriyaki", prefixes of this text */
#define CTS_TEXT "I would like the General Gau's Chicken, please, and wonton soup."

static const struct {
	unsigned int len;
	const char *out[2];	/* hex, in pieces */
} cts_kat[] = {
	{ 17, { "c6353568f2bf8cb4d8a580362da7ff7f97" } },
	{ 31, { "fc00783e0efdb2c1d445d4c8eff7ed2297687268d6ecccc0c07b25e25ecfe5" } },
	{ 32, { "39312523a78662d5be7fcbcc98ebf5a897687268d6ecccc0c07b25e25ecfe584" } },
	{ 47, { "97687268d6ecccc0c07b25e25ecfe584b3fffd940c16a18c1b5549d2f838029e",
	      "39312523a78662d5be7fcbcc98ebf5" } },
	{ 48, { "97687268d6ecccc0c07b25e25ecfe5849dad8bbb96c4cdc03bc103e1a194bbd8",
	      "39312523a78662d5be7fcbcc98ebf5a8" } },
	{ 64, { "97687268d6ecccc0c07b25e25ecfe58439312523a78662d5be7fcbcc98ebf5a8",
	      "4807efe836ee89a526730dbc2f7bc8409dad8bbb96c4cdc03bc103e1a194bbd8" } },
};

static const struct {
	u32 etype;
	const char *base;
	u32 usage;
	u8 kind;
	const char *out;
} key_kat[] = {
	/* RFC 8009 A */
	{ AES128_SHA256, B8009_128, 2, SECMSG_KRB5_KC,
	  "b31a018a48f54776f403e9a396325dc3" },
	{ AES128_SHA256, B8009_128, 2, SECMSG_KRB5_KE,
	  "9b197dd1e8c5609d6e67c3e37c62c72e" },
	{ AES128_SHA256, B8009_128, 2, SECMSG_KRB5_KI,
	  "9fda0e56ab2d85e1569a688696c26a6c" },
	{ AES256_SHA384, B8009_256, 2, SECMSG_KRB5_KC,
	  "ef5718be86cc84963d8bbb5031e9f5c4ba41f28faf69e73d" },
	{ AES256_SHA384, B8009_256, 2, SECMSG_KRB5_KE,
	  "56ab22bee63d82d7bc5227f6773f8ea7a5eb1c825160c38312980c442e5c7e49" },
	{ AES256_SHA384, B8009_256, 2, SECMSG_KRB5_KI,
	  "69b16514e3cd8e56b82010d5c73012b622c4d00ffc23ed1f" },
	/* RFC 3961 DK for the sha1 types (gen_vectors.py, MIT-checked) */
	{ AES128_SHA1, BSHA1_128, 2, SECMSG_KRB5_KC,
	  "124c3a4caa2b8b41cec9d402019309ab" },
	{ AES128_SHA1, BSHA1_128, 2, SECMSG_KRB5_KE,
	  "db7d4b346cd23a8bacf472170cbbc154" },
	{ AES128_SHA1, BSHA1_128, 2, SECMSG_KRB5_KI,
	  "32b40e8586e8ead9ea74be52cb0307e1" },
	{ AES128_SHA1, BSHA1_128, 25, SECMSG_KRB5_KC,
	  "c5f7e5b3798e91a39a65bbe1eb9a9f00" },
	{ AES128_SHA1, BSHA1_128, 25, SECMSG_KRB5_KE,
	  "c2a7d4af34c1f02280985be7d47987a3" },
	{ AES128_SHA1, BSHA1_128, 25, SECMSG_KRB5_KI,
	  "e009e9d4cbb7c426db9437cff05de1f0" },
	{ AES256_SHA1, BSHA1_256, 2, SECMSG_KRB5_KC,
	  "bfab388bdcb238e9f9c98d6a878304f04d30c82556375ac507a7a852790f4674" },
	{ AES256_SHA1, BSHA1_256, 2, SECMSG_KRB5_KE,
	  "c7cfd9cd75fe793a586a542d87e0d1396f1134a104bb1a9190b8c90ada3ddf37" },
	{ AES256_SHA1, BSHA1_256, 2, SECMSG_KRB5_KI,
	  "97151b4c76945063e2eb0529dc067d97d7bba90776d8126d91f34f3101aea8ba" },
	{ AES256_SHA1, BSHA1_256, 25, SECMSG_KRB5_KC,
	  "1ef52fcc565756945e0e637c6dc13441e1b77df1c2894782ad1ed10fc5a68361" },
	{ AES256_SHA1, BSHA1_256, 25, SECMSG_KRB5_KE,
	  "aa155ba625efb0567f5cad59845632dd52afb55c9e5d645188995d30db6ea6d8" },
	{ AES256_SHA1, BSHA1_256, 25, SECMSG_KRB5_KI,
	  "be6d2a885ccc871ac0fc55cf6c704c1a2e6f3e06ee3f059822c79fcba74f1533" },
};

#define P0	""
#define P6	"000102030405"
#define P16	"000102030405060708090a0b0c0d0e0f"
#define P21	"000102030405060708090a0b0c0d0e0f1011121314"
#define CONF1	"b80d3251c1f6471494256ffe712d0b9a"

/* Encryption with key usage 2, a fixed confounder */
static const struct {
	u32 etype;
	const char *base;
	const char *conf;
	const char *plain;
	const char *ct[2];	/* hex, in pieces */
} enc_kat[] = {
	/* RFC 8009 A */
	{ AES128_SHA256, B8009_128, "7e5895eaf2672435bad817f545a37148", P0,
	  { "ef85fb890bb8472f4dab20394dca781dad877eda39d50c870c0d5a0a8e48c718" } },
	{ AES128_SHA256, B8009_128, "7bca285e2fd4130fb55b1a5c83bc5b24", P6,
	  { "84d7f30754ed987bab0bf3506beb09cfb55402cef7e6877ce99e247e52d16ed4",
	  "421dfdf8976c" } },
	{ AES128_SHA256, B8009_128, "56ab21713ff62c0a1457200f6fa9948f", P16,
	  { "3517d640f50ddc8ad3628722b3569d2ae07493fa8263254080ea65c1008e8fc2",
	  "95fb4852e7d83e1e7c48c37eebe6b0d3" } },
	{ AES128_SHA256, B8009_128, "a7a4e29a4728ce10664fb64e49ad3fac", P21,
	  { "720f73b18d9859cd6ccb4346115cd336c70f58edc0c4437c5573544c31c813bc",
	  "e1e6d072c186b39a413c2f92ca9b8334a287ffcbfc" } },
	{ AES256_SHA384, B8009_256, "f764e9fa15c276478b2c7d0c4e5f58e4", P0,
	  { "41f53fa5bfe7026d91faf9be959195a058707273a96a40f0a01960621ac61274",
	  "8b9bbfbe7eb4ce3c" } },
	{ AES256_SHA384, B8009_256, CONF1, P6,
	  { "4ed7b37c2bcac8f74f23c1cf07e62bc7b75fb3f637b9f559c7f664f69eab7b60",
	  "92237526ea0d1f61cb20d69d10f2" } },
	{ AES256_SHA384, B8009_256, "53bf8a0d105265d4e276428624ce5e63", P16,
	  { "bc47ffec7998eb91e8115cf8d19dac4bbbe2e163e87dd37f49beca92027764f6",
	  "8cf51f14d798c2273f35df574d1f932e40c4ff255b36a266" } },
	{ AES256_SHA384, B8009_256, "763e65367e864f02f55153c7e3b58af1", P21,
	  { "40013e2df58e8751957d2878bcd2d6fe101ccfd556cb1eae79db3c3ee86429f2",
	  "b2a602ac86fef6ecb647d6295fae077a1feb517508d2c16b4192e01f62" } },
	/* sha1 types (gen_vectors.py, MIT-checked) */
	{ AES128_SHA1, BSHA1_128, CONF1, P0,
	  { "4d2f50dd032c55a40e4df96244716cda57534b01def4a6d4ce22ff29" } },
	{ AES128_SHA1, BSHA1_128, CONF1, P6,
	  { "4df425220e290aef0fe364f45b117fd44d2f50dd032c9735fe3abe324f830a15",
	  "8c98" } },
	{ AES128_SHA1, BSHA1_128, CONF1, P16,
	  { "830c393852a8fa5e7a53e7704782b0364d2f50dd032c55a40e4df96244716cda",
	  "6cd1b3e2b01147dc9f2fd6b5" } },
	{ AES128_SHA1, BSHA1_128, CONF1, P21,
	  { "4d2f50dd032c55a40e4df96244716cda0c2d8d9aa77898bc7c2af62e04f34ea0",
	  "830c39385232d6a464d676b44375682510" } },
	{ AES256_SHA1, BSHA1_256, CONF1, P0,
	  { "0f1302ff39d5a4f749e61584028d5a565b3178ee4c09f8fa2f2e8b4c" } },
	{ AES256_SHA1, BSHA1_256, CONF1, P6,
	  { "ee4365a290abdc6d9a1937aa9f923f260f1302ff39d5529a48dfce813d1b85db",
	  "b5d0" } },
	{ AES256_SHA1, BSHA1_256, CONF1, P16,
	  { "d6f4334dffcc7964a96cf397518590cd0f1302ff39d5a4f749e61584028d5a56",
	  "cf4aa01f8005428f9a66d23f" } },
	{ AES256_SHA1, BSHA1_256, CONF1, P21,
	  { "0f1302ff39d5a4f749e61584028d5a56e8b3ba43181eede6aab0eb9ce6d1d846",
	  "d6f4334dff97a0f4b65abef7005cb304fb" } },
};

/* Checksums with key usage 2 over P21 */
static const struct {
	u32 etype;
	const char *base;
	const char *mic;
} mic_kat[] = {
	/* RFC 8009 A */
	{ AES128_SHA256, B8009_128, "d78367186643d67b411cba9139fc1dee" },
	{ AES256_SHA384, B8009_256,
	  "45ee791567eefca37f4ac1e0222de80d43c3bfa06699672a" },
	/* sha1 types (gen_vectors.py, MIT-checked) */
	{ AES128_SHA1, BSHA1_128, "01dd84fcedf2d73efd1db76d" },
	{ AES256_SHA1, BSHA1_256, "bf1081ebfa68fd00bbf01c42" },
};

/* Scratch of one test: linear memory, as the crypto wants it */
struct kat_buf {
	u8 base[SECMSG_KRB5_KEY_MAX];
	u8 exp[128];
	u8 got[128];
	u8 in[128];
};

/* Decode @hex into @out (room for @max bytes); returns bytes or -1. */
static int kat_hex(const char *hex, u8 *out, size_t max)
{
	size_t n = strlen(hex) / 2;

	if (n > max || hex2bin(out, hex, n))
		return -1;
	return n;
}

/*
 * A vector failed.  An algorithm the crypto API lacks (-ENOENT) is no
 * failure of ours: that enctype's contexts are refused at import with
 * ENOENT, so its vectors are skipped (0), with a word in the log.
 */
/* Decode hex given in up to two pieces; returns bytes or -1. */
static int kat_hex2(const char *const *hex, u8 *out, size_t max)
{
	int a = kat_hex(hex[0], out, max), b;

	if (a < 0 || !hex[1])
		return a;
	b = kat_hex(hex[1], out + a, max - a);
	return b < 0 ? -1 : a + b;
}

static int kat_fail(const char *what, unsigned int i, int err)
{
	if (err == -ENOENT) {
		pr_warn("secmsg: krb5 self-test %s #%u skipped: algorithm missing\n",
			what, i);
		return 0;
	}
	pr_err("secmsg: krb5 self-test %s #%u failed (%d)\n", what, i, err);
	return -ENOTRECOVERABLE;
}

static int kat_nfold(struct kat_buf *b)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nfold_kat); i++) {
		const char *in = nfold_kat[i].in;
		int n = kat_hex(nfold_kat[i].out, b->exp, sizeof(b->exp));

		if (n * 8 != nfold_kat[i].bits)
			return kat_fail("n-fold", i, -EINVAL);
		secmsg_krb5_nfold(in, strlen(in), b->got, n);
		if (memcmp(b->got, b->exp, n))
			return kat_fail("n-fold", i, -EBADMSG);
	}
	return 0;
}

static int kat_cts(struct kat_buf *b)
{
	struct crypto_skcipher *tfm;
	struct skcipher_request *req;
	DECLARE_CRYPTO_WAIT(wait);
	struct scatterlist sg;
	unsigned int i;
	u8 *iv = b->base;
	int err, n;

	tfm = crypto_alloc_skcipher("cts(cbc(aes))", 0, 0);
	if (IS_ERR(tfm))
		return kat_fail("cts alloc", 0, PTR_ERR(tfm));
	req = skcipher_request_alloc(tfm, GFP_KERNEL);
	err = req ? crypto_skcipher_setkey(tfm, "chicken teriyaki", 16) :
		    -ENOMEM;
	for (i = 0; !err && i < ARRAY_SIZE(cts_kat); i++) {
		n = kat_hex2(cts_kat[i].out, b->exp, sizeof(b->exp));
		memcpy(b->got, CTS_TEXT, n);
		memset(iv, 0, SECMSG_KRB5_BLOCK);
		sg_init_one(&sg, b->got, n);
		skcipher_request_set_callback(req, CRYPTO_TFM_REQ_MAY_SLEEP |
					      CRYPTO_TFM_REQ_MAY_BACKLOG,
					      crypto_req_done, &wait);
		skcipher_request_set_crypt(req, &sg, &sg, n, iv);
		err = crypto_wait_req(crypto_skcipher_encrypt(req), &wait);
		if (!err && memcmp(b->got, b->exp, n))
			err = -EBADMSG;
		if (err)
			err = kat_fail("cts", i, err);
	}
	skcipher_request_free(req);
	crypto_free_skcipher(tfm);
	return err;
}

static int kat_keys(struct kat_buf *b)
{
	const struct secmsg_krb5_type *t;
	unsigned int i;
	int err, n;

	for (i = 0; i < ARRAY_SIZE(key_kat); i++) {
		t = secmsg_krb5_type_get(key_kat[i].etype);
		kat_hex(key_kat[i].base, b->base, sizeof(b->base));
		n = kat_hex(key_kat[i].out, b->exp, sizeof(b->exp));
		err = secmsg_krb5_derive(t, b->base, key_kat[i].usage,
					 key_kat[i].kind, b->got, n);
		if (!err && memcmp(b->got, b->exp, n))
			err = -EBADMSG;
		err = err ? kat_fail("key derivation", i, err) : 0;
		if (err)
			return err;
	}
	return 0;
}

/* Encrypt, compare, decrypt, compare; then every altered byte fails. */
static int kat_enc_one(struct kat_buf *b, struct secmsg_krb5_dir *d,
		       void *req, unsigned int i)
{
	unsigned int cl = d->type->cksum_len, len, j;
	struct scatterlist sg;
	int err, n;

	kat_hex(enc_kat[i].conf, b->in, SECMSG_KRB5_BLOCK);
	n = kat_hex(enc_kat[i].plain, b->in + SECMSG_KRB5_BLOCK,
		    sizeof(b->in) - SECMSG_KRB5_BLOCK);
	len = SECMSG_KRB5_BLOCK + n;
	if (kat_hex2(enc_kat[i].ct, b->exp, sizeof(b->exp)) != len + cl)
		return -EINVAL;

	memcpy(b->got, b->in, len);
	sg_init_one(&sg, b->got, len);
	err = secmsg_krb5_encrypt(d, req, &sg, len, b->got + len);
	if (err)
		return err;
	if (memcmp(b->got, b->exp, len + cl))
		return -EBADMSG;
	err = secmsg_krb5_decrypt(d, req, &sg, len, b->got + len);
	if (err)
		return err;
	if (memcmp(b->got, b->in, len))
		return -EBADMSG;

	for (j = 0; j < len + cl; j++) {
		memcpy(b->got, b->exp, len + cl);
		b->got[j] ^= 0x01;
		err = secmsg_krb5_decrypt(d, req, &sg, len, b->got + len);
		if (err != -EBADMSG)
			return err ?: -EINVAL;
	}
	return 0;
}

static int kat_enc_mic(struct kat_buf *b)
{
	struct secmsg_krb5_dir d = {};
	unsigned long missing = 0;	/* enctypes the crypto API lacks */
	struct scatterlist sg;
	void *req = NULL;
	unsigned int i;
	int err = 0, n;

	for (i = 0; !err && i < ARRAY_SIZE(enc_kat) + ARRAY_SIZE(mic_kat);
	     i++) {
		bool enc = i < ARRAY_SIZE(enc_kat);
		unsigned int m = i - ARRAY_SIZE(enc_kat);
		u32 etype = enc ? enc_kat[i].etype : mic_kat[m].etype;
		const struct secmsg_krb5_type *t = secmsg_krb5_type_get(etype);

		/* Asked once: each lookup of a missing one tries a modprobe. */
		if (test_bit(etype, &missing))
			continue;
		kat_hex(enc ? enc_kat[i].base : mic_kat[m].base, b->base,
			sizeof(b->base));
		err = secmsg_krb5_dir_init(&d, t, b->base, 2, 2);
		if (err) {
			if (err == -ENOENT)
				__set_bit(etype, &missing);
			err = kat_fail(enc ? "encryption" : "checksum",
				       enc ? i : m, err);
			continue;
		}
		req = kmalloc(secmsg_krb5_req_size(&d), GFP_KERNEL);
		if (!req) {
			err = -ENOMEM;
		} else if (enc) {
			err = kat_enc_one(b, &d, req, i);
		} else {
			n = kat_hex(P21, b->in, sizeof(b->in));
			sg_init_one(&sg, b->in, n);
			err = secmsg_krb5_checksum(&d, req, false, &sg, n,
						   b->got);
			kat_hex(mic_kat[m].mic, b->exp, sizeof(b->exp));
			if (!err && memcmp(b->got, b->exp, t->cksum_len))
				err = -EBADMSG;
		}
		kfree_sensitive(req);
		secmsg_krb5_dir_free(&d);
		if (err)
			err = kat_fail(enc ? "encryption" : "checksum",
				       enc ? i : m, err);
	}
	return err;
}

/**
 * secmsg_krb5_selftest() - run the known-answer tests
 *
 * Return: 0, or -ENOTRECOVERABLE (the failing vector is logged).
 */
int secmsg_krb5_selftest(void)
{
	struct kat_buf *b;
	int err;

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	err = kat_nfold(b);
	if (!err)
		err = kat_cts(b);
	if (!err)
		err = kat_keys(b);
	if (!err)
		err = kat_enc_mic(b);
	kfree_sensitive(b);
	if (!err)
		pr_info("secmsg: krb5 self-tests passed\n");
	return err;
}
