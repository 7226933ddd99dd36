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
 * 8009 A and RFC 6803 10 (key derivation, encryption with a fixed
 * confounder, checksums).  RFC 3962 gives none of the last three for the sha1
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
#define CAMELLIA128	SECMSG_KRB5_CAMELLIA128_CTS_CMAC
#define CAMELLIA256	SECMSG_KRB5_CAMELLIA256_CTS_CMAC

/* Base keys, by the vectors' names for them */
#define B8009_128	"3705d96080c17728a0e800eab6e0d23c"
#define B8009_256	"6d404d37faf79f9df0d33568d320669800eb4836472ea8a026d16b7182460c52"
#define BSHA1_128	"9062430c8cda3388922e6d6a509f5b7a"
#define BSHA1_256	"fe697b52bc0d3ce14432ba036a92e65bbb52280990a2fa27883998d72af30161"
#define B6803_128	"57d0297298ffd9d35de5a47fb4bde24b"
#define B6803_256	"b9d6828b2056b7be656d88a123b1fac68214ac2b727ecf5f69afe0c4df2a6d2c"

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
	/* RFC 6803 10 */
	{ CAMELLIA128, B6803_128, 2, SECMSG_KRB5_KC,
	  "d155775a209d05f02b38d42a389e5a56" },
	{ CAMELLIA128, B6803_128, 2, SECMSG_KRB5_KE,
	  "64df83f85a532f17577d8c37035796ab" },
	{ CAMELLIA128, B6803_128, 2, SECMSG_KRB5_KI,
	  "3e4fbdf30fb8259c425cb6c96f1f4635" },
	{ CAMELLIA256, B6803_256, 2, SECMSG_KRB5_KC,
	  "e467f9a9552bc7d3155a6220af9c19220eeed4ff78b0d1e6a1544991461a9e50" },
	{ CAMELLIA256, B6803_256, 2, SECMSG_KRB5_KE,
	  "412aefc362a7285fc3966c6a5181e7605ae675235b6d549fbfc9ab6630a4c604" },
	{ CAMELLIA256, B6803_256, 2, SECMSG_KRB5_KI,
	  "fa624fa0e523993fa388aefdc67e67ebcd8c08e8a0246b1d73b0d1dd9fc582b0" },
};

#define P0	""
#define P6	"000102030405"
#define P16	"000102030405060708090a0b0c0d0e0f"
#define P21	"000102030405060708090a0b0c0d0e0f1011121314"
#define CONF1	"b80d3251c1f6471494256ffe712d0b9a"
#define P6803_1		"31"	/* "1" */
#define P6803_9		"392062797465737373"	/* "9 bytesss" */
#define P6803_13	"31332062797465732062797465"	/* "13 bytes byte" */
#define P6803_30	"33302062797465732062797465732062" \
		"7974657320627974657320627974"	/* "30 bytes ... byt" */

/* RFC 6803 10: base keys of the encryption vectors, by usage (the
 * checksum vectors reuse them)
 */
#define K6803_128_U0	"1dc46a8d763f4f93742bcba3387576c3"
#define K6803_128_U1	"5027bc231d0f3a9d23333f1ca6fdbe7c"
#define K6803_128_U2	"a1bb61e805f9ba6dde8fdbddc05cdea0"
#define K6803_128_U3	"2ca27a5faf5532244506434e1cef6676"
#define K6803_128_U4	"7824f8c16f83ff354c6bf7515b973f43"
#define K6803_256_U0	"b61c86cc4e5d2757545ad423399fb7031ecab913cbb900bd7a3c6dd8bf92015b"
#define K6803_256_U1	"1b97fe0a190e2021eb30753e1b6e1e77b0754b1d684610355864104963463833"
#define K6803_256_U2	"32164c5b434d1d1538e4cfd9be8040fe8c4ac7acc4b93d3314d2133668147a05"
#define K6803_256_U3	"b038b132cd8e06612267fab7170066d88aeccba0b744bfc60dc89bca182d0715"
#define K6803_256_U4	"ccfcd349bf4c6677e86e4b02b8eab924a546ac731cf9bf6989b996e7d6bfbba7"

/* Encryption with a fixed confounder */
static const struct {
	u32 etype;
	const char *base;
	u32 usage;
	const char *conf;
	const char *plain;
	const char *ct[2];	/* hex, in pieces */
} enc_kat[] = {
	/* RFC 8009 A */
	{ AES128_SHA256, B8009_128, 2, "7e5895eaf2672435bad817f545a37148", P0,
	  { "ef85fb890bb8472f4dab20394dca781dad877eda39d50c870c0d5a0a8e48c718" } },
	{ AES128_SHA256, B8009_128, 2, "7bca285e2fd4130fb55b1a5c83bc5b24", P6,
	  { "84d7f30754ed987bab0bf3506beb09cfb55402cef7e6877ce99e247e52d16ed4",
	  "421dfdf8976c" } },
	{ AES128_SHA256, B8009_128, 2, "56ab21713ff62c0a1457200f6fa9948f", P16,
	  { "3517d640f50ddc8ad3628722b3569d2ae07493fa8263254080ea65c1008e8fc2",
	  "95fb4852e7d83e1e7c48c37eebe6b0d3" } },
	{ AES128_SHA256, B8009_128, 2, "a7a4e29a4728ce10664fb64e49ad3fac", P21,
	  { "720f73b18d9859cd6ccb4346115cd336c70f58edc0c4437c5573544c31c813bc",
	  "e1e6d072c186b39a413c2f92ca9b8334a287ffcbfc" } },
	{ AES256_SHA384, B8009_256, 2, "f764e9fa15c276478b2c7d0c4e5f58e4", P0,
	  { "41f53fa5bfe7026d91faf9be959195a058707273a96a40f0a01960621ac61274",
	  "8b9bbfbe7eb4ce3c" } },
	{ AES256_SHA384, B8009_256, 2, CONF1, P6,
	  { "4ed7b37c2bcac8f74f23c1cf07e62bc7b75fb3f637b9f559c7f664f69eab7b60",
	  "92237526ea0d1f61cb20d69d10f2" } },
	{ AES256_SHA384, B8009_256, 2, "53bf8a0d105265d4e276428624ce5e63", P16,
	  { "bc47ffec7998eb91e8115cf8d19dac4bbbe2e163e87dd37f49beca92027764f6",
	  "8cf51f14d798c2273f35df574d1f932e40c4ff255b36a266" } },
	{ AES256_SHA384, B8009_256, 2, "763e65367e864f02f55153c7e3b58af1", P21,
	  { "40013e2df58e8751957d2878bcd2d6fe101ccfd556cb1eae79db3c3ee86429f2",
	  "b2a602ac86fef6ecb647d6295fae077a1feb517508d2c16b4192e01f62" } },
	/* sha1 types (gen_vectors.py, MIT-checked) */
	{ AES128_SHA1, BSHA1_128, 2, CONF1, P0,
	  { "4d2f50dd032c55a40e4df96244716cda57534b01def4a6d4ce22ff29" } },
	{ AES128_SHA1, BSHA1_128, 2, CONF1, P6,
	  { "4df425220e290aef0fe364f45b117fd44d2f50dd032c9735fe3abe324f830a15",
	  "8c98" } },
	{ AES128_SHA1, BSHA1_128, 2, CONF1, P16,
	  { "830c393852a8fa5e7a53e7704782b0364d2f50dd032c55a40e4df96244716cda",
	  "6cd1b3e2b01147dc9f2fd6b5" } },
	{ AES128_SHA1, BSHA1_128, 2, CONF1, P21,
	  { "4d2f50dd032c55a40e4df96244716cda0c2d8d9aa77898bc7c2af62e04f34ea0",
	  "830c39385232d6a464d676b44375682510" } },
	{ AES256_SHA1, BSHA1_256, 2, CONF1, P0,
	  { "0f1302ff39d5a4f749e61584028d5a565b3178ee4c09f8fa2f2e8b4c" } },
	{ AES256_SHA1, BSHA1_256, 2, CONF1, P6,
	  { "ee4365a290abdc6d9a1937aa9f923f260f1302ff39d5529a48dfce813d1b85db",
	  "b5d0" } },
	{ AES256_SHA1, BSHA1_256, 2, CONF1, P16,
	  { "d6f4334dffcc7964a96cf397518590cd0f1302ff39d5a4f749e61584028d5a56",
	  "cf4aa01f8005428f9a66d23f" } },
	{ AES256_SHA1, BSHA1_256, 2, CONF1, P21,
	  { "0f1302ff39d5a4f749e61584028d5a56e8b3ba43181eede6aab0eb9ce6d1d846",
	  "d6f4334dff97a0f4b65abef7005cb304fb" } },
	/* RFC 6803 10 */
	{ CAMELLIA128, K6803_128_U0, 0, "b69822a19a6b09c0ebc8557d1f1b6c0a", P0,
	  { "c466f1871069921edb7c6fde244a52db0ba10edc197bdb8006658ca3ccce6eb8" } },
	{ CAMELLIA128, K6803_128_U1, 1, "6f2fc3c2a166fd8898967a83de9596d9", P6803_1,
	  { "842d21fd950311c0dd464a3f4be8d6da88a56d559c9b47d3f9a85067af661559",
	  "b8" } },
	{ CAMELLIA128, K6803_128_U2, 2, "a5b4a71e077aeef93c8763c18fdb1f10", P6803_9,
	  { "619ff072e36286ff0a28deb3a352ec0d0edf5c5160d663c901758ccf9d1ed33d",
	  "71db8f23aabf8348a0" } },
	{ CAMELLIA128, K6803_128_U3, 3, "19fee40d810c524b5b22f01874c693da", P6803_13,
	  { "b8eca3167ae6315512e59f98a7c500205e5f63ff3bb389af1c41a21d640d8615",
	  "c9ed3fbeb05ab6acb67689b5ea" } },
	{ CAMELLIA128, K6803_128_U4, 4, "ca7a7ab4be192dabd603506db19c39e2", P6803_30,
	  { "a26a3905a4ffd5816b7b1e27380d08090c8ec1f304496e1abdcd2bdcd1dffc66",
	  "0989e117a713ddbb57a4146c1587cba4356665591d2240282f5842b105a5" } },
	{ CAMELLIA256, K6803_256_U0, 0, "3cbbd2b45917941067f96599bb98926c", P0,
	  { "03886d03310b47a6d8f06d7b94d1dd837ecce315ef652aff620859d94a259266" } },
	{ CAMELLIA256, K6803_256_U1, 1, "def487fcebe6de6346d4da4521bba2d2", P6803_1,
	  { "2c9c1570133c99bf6a34bc1b0212002fd194338749db4135497a347cfcd9d18a",
	  "12" } },
	{ CAMELLIA256, K6803_256_U2, 2, "ad4ff904d34e555384b14100fc465f88", P6803_9,
	  { "9c6de75f812de7ed0d28b2963557a115640998275b0af5152709913ff52a2a9c",
	  "8e63b872f92e64c839" } },
	{ CAMELLIA256, K6803_256_U3, 3, "cf9bca6df1144e0c0af9b8f34c90d514", P6803_13,
	  { "eeec85a9813cdc536772ab9b42defc5706f726e975dde05a87eb5406ea324ca1",
	  "85c9986b42aabe794b84821bee" } },
	{ CAMELLIA256, K6803_256_U4, 4, "644def38da35007275878d216855e228", P6803_30,
	  { "0e44680985855f2d1f1812529ca83bfd8e349de6fd9ada0baaa048d68e265feb",
	  "f34ad1255a344999ad37146887a6c6845731ac7f46376a0504cd06571474" } },
};

/* Checksums (MIC tokens: Kc) */
static const struct {
	u32 etype;
	const char *base;
	u32 usage;
	const char *plain;
	const char *mic;
} mic_kat[] = {
	/* RFC 8009 A */
	{ AES128_SHA256, B8009_128, 2, P21,
	  "d78367186643d67b411cba9139fc1dee" },
	{ AES256_SHA384, B8009_256, 2, P21,
	  "45ee791567eefca37f4ac1e0222de80d43c3bfa06699672a" },
	/* sha1 types (gen_vectors.py, MIT-checked) */
	{ AES128_SHA1, BSHA1_128, 2, P21, "01dd84fcedf2d73efd1db76d" },
	{ AES256_SHA1, BSHA1_256, 2, P21, "bf1081ebfa68fd00bbf01c42" },
	/* RFC 6803 10 */
	{ CAMELLIA128, K6803_128_U0, 7,
	  "6162636465666768696a6b",
	  "1178e6c5c47a8c1ae0c4b9c7d4eb7b6b" },
	{ CAMELLIA128, K6803_128_U1, 8,
	  "4142434445464748494a4b4c4d4e4f505152535455565758595a",
	  "d1b34f7004a731f23a0c00bf6c3f753a" },
	{ CAMELLIA256, K6803_256_U0, 9,
	  "313233343536373839",
	  "87a12cfd2b96214810f01c826e7744b1" },
	{ CAMELLIA256, K6803_256_U2, 10,
	  "21402324255e262a282921402324255e262a282921402324255e262a2829",
	  "3fa0b42355e52b189187294aa252ab64" },
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
	unsigned long missing = 0;	/* enctypes the crypto API lacks */
	const struct secmsg_krb5_type *t;
	unsigned int i;
	int err, n;

	for (i = 0; i < ARRAY_SIZE(key_kat); i++) {
		/* Asked once: each lookup of a missing one tries a modprobe. */
		if (test_bit(key_kat[i].etype, &missing))
			continue;
		t = secmsg_krb5_type_get(key_kat[i].etype);
		kat_hex(key_kat[i].base, b->base, sizeof(b->base));
		n = kat_hex(key_kat[i].out, b->exp, sizeof(b->exp));
		err = secmsg_krb5_derive(t, b->base, key_kat[i].usage,
					 key_kat[i].kind, b->got, n);
		if (err == -ENOENT)
			__set_bit(key_kat[i].etype, &missing);
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
	u32 usage;

	for (i = 0; !err && i < ARRAY_SIZE(enc_kat) + ARRAY_SIZE(mic_kat);
	     i++) {
		bool enc = i < ARRAY_SIZE(enc_kat);
		unsigned int m = i - ARRAY_SIZE(enc_kat);
		u32 etype = enc ? enc_kat[i].etype : mic_kat[m].etype;
		const struct secmsg_krb5_type *t = secmsg_krb5_type_get(etype);

		/* Asked once: each lookup of a missing one tries a modprobe. */
		if (test_bit(etype, &missing))
			continue;
		usage = enc ? enc_kat[i].usage : mic_kat[m].usage;
		kat_hex(enc ? enc_kat[i].base : mic_kat[m].base, b->base,
			sizeof(b->base));
		err = secmsg_krb5_dir_init(&d, t, b->base, usage, usage);
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
			n = kat_hex(mic_kat[m].plain, b->in, sizeof(b->in));
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
