// SPDX-License-Identifier: GPL-2.0
/*
 * Integrity: any flipped bit in header, tag, signed data or ciphertext is
 * ALTERED, the buffers are left exactly as they were and the replay window
 * does not move (the genuine message still goes through afterwards).
 * READONLY_WITH_CHECKSUM data is protected but not encrypted; READONLY data
 * is neither protected nor touched.
 */
#include "secmsg_test.h"

FIXTURE(integ) {
	int dev, ini, acc;
};

FIXTURE_VARIANT(integ) {
	uint32_t suite;
};

FIXTURE_VARIANT_ADD(integ, aes128_gcm) { .suite = SECMSG_SUITE_AES128_GCM };
FIXTURE_VARIANT_ADD(integ, aes256_gcm) { .suite = SECMSG_SUITE_AES256_GCM };
FIXTURE_VARIANT_ADD(integ, chacha20_poly1305) {
	.suite = SECMSG_SUITE_CHACHA20_POLY1305
};

FIXTURE_SETUP(integ)
{
	ts_pair_setup(_metadata, &self->dev, &self->ini, &self->acc,
		      variant->suite, SM_FLAGS_DEFAULT, 10, 20);
}

FIXTURE_TEARDOWN(integ)
{
	ts_pair_teardown(self->dev, self->ini, self->acc);
}

#define DLEN 64

static void flip(uint8_t *p, unsigned int bit)
{
	p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
}

/* The genuine message is accepted once, then it is a replay. */
static void genuine_verifies_once(struct __test_metadata *_metadata, int rx,
				  const uint8_t *tok, const uint8_t *data,
				  uint64_t seq)
{
	struct secmsg_message m;

	ASSERT_OK_MSG(ts_verify1(rx, tok, data, DLEN, &m), m);
	ASSERT_EQ(seq, m.seq);
	ASSERT_VERDICT(ts_verify1(rx, tok, data, DLEN, &m), m,
		       EALREADY, SECMSG_VERDICT_REPLAYED);
}

TEST_F_TIMEOUT(integ, sign_token_every_bit, 120)
{
	uint8_t tok[32], bad[32], data[DLEN], orig[DLEN];
	struct secmsg_message m;
	unsigned int bit;

	ts_fill(data, DLEN, 1);
	memcpy(orig, data, DLEN);
	ASSERT_EQ(0, ts_sign1(self->ini, tok, data, DLEN, &m));
	for (bit = 0; bit < 256; bit++) {
		memcpy(bad, tok, 32);
		flip(bad, bit);
		ASSERT_VERDICT(ts_verify1(self->acc, bad, data, DLEN, &m), m,
			       EBADMSG, SECMSG_VERDICT_ALTERED)
			TH_LOG("bit %u of the token", bit);
		ASSERT_EQ(0, memcmp(orig, data, DLEN));
	}
	genuine_verifies_once(_metadata, self->acc, tok, data, 10);
}

TEST_F(integ, sign_data_bits)
{
	static const unsigned int bits[] = { 0, 1, 7, 8, 100, 255, 256, 511 };
	uint8_t tok[32], data[DLEN], bad[DLEN];
	struct secmsg_message m;
	unsigned int i;

	ts_fill(data, DLEN, 2);
	ASSERT_EQ(0, ts_sign1(self->ini, tok, data, DLEN, &m));
	for (i = 0; i < SM_ARRAY_SIZE(bits); i++) {
		memcpy(bad, data, DLEN);
		flip(bad, bits[i]);
		ASSERT_VERDICT(ts_verify1(self->acc, tok, bad, DLEN, &m), m,
			       EBADMSG, SECMSG_VERDICT_ALTERED)
			TH_LOG("bit %u of the data", bits[i]);
	}
	/* a shorter or longer message is altered too */
	ASSERT_VERDICT(ts_verify1(self->acc, tok, data, DLEN - 1, &m), m,
		       EBADMSG, SECMSG_VERDICT_ALTERED);
	genuine_verifies_once(_metadata, self->acc, tok, data, 10);
}

TEST_F_TIMEOUT(integ, seal_token_every_bit, 120)
{
	uint8_t tok[32], bad[32], data[DLEN], orig[DLEN], sealed[DLEN];
	struct secmsg_message m;
	unsigned int bit;

	ts_fill(data, DLEN, 3);
	memcpy(orig, data, DLEN);
	ASSERT_EQ(0, ts_seal1(self->acc, tok, data, DLEN, 0, &m));
	memcpy(sealed, data, DLEN);
	for (bit = 0; bit < 256; bit++) {
		memcpy(bad, tok, 32);
		flip(bad, bit);
		ASSERT_VERDICT(ts_unseal1(self->ini, bad, data, DLEN, &m), m,
			       EBADMSG, SECMSG_VERDICT_ALTERED)
			TH_LOG("bit %u of the token", bit);
		/* no plaintext released, nothing written */
		ASSERT_EQ(0, memcmp(sealed, data, DLEN)) TH_LOG("bit %u", bit);
	}
	ASSERT_OK_MSG(ts_unseal1(self->ini, tok, data, DLEN, &m), m);
	ASSERT_EQ(20ull, m.seq);
	ASSERT_EQ(0, memcmp(orig, data, DLEN));
}

TEST_F(integ, seal_ciphertext_bits)
{
	static const unsigned int bits[] = { 0, 3, 8, 64, 129, 300, 504, 511 };
	uint8_t tok[32], data[DLEN], orig[DLEN], sealed[DLEN];
	struct secmsg_message m;
	unsigned int i;

	ts_fill(data, DLEN, 4);
	memcpy(orig, data, DLEN);
	ASSERT_EQ(0, ts_seal1(self->ini, tok, data, DLEN, 0, &m));
	memcpy(sealed, data, DLEN);
	for (i = 0; i < SM_ARRAY_SIZE(bits); i++) {
		uint8_t bad[DLEN], badcopy[DLEN];

		memcpy(bad, sealed, DLEN);
		flip(bad, bits[i]);
		memcpy(badcopy, bad, DLEN);
		ASSERT_VERDICT(ts_unseal1(self->acc, tok, bad, DLEN, &m), m,
			       EBADMSG, SECMSG_VERDICT_ALTERED)
			TH_LOG("bit %u of the ciphertext", bits[i]);
		ASSERT_EQ(0, memcmp(badcopy, bad, DLEN));
	}
	ASSERT_VERDICT(ts_unseal1(self->acc, tok, data, DLEN - 1, &m), m,
		       EBADMSG, SECMSG_VERDICT_ALTERED);
	ASSERT_EQ(0, memcmp(sealed, data, DLEN));
	ASSERT_OK_MSG(ts_unseal1(self->acc, tok, data, DLEN, &m), m);
	ASSERT_EQ(0, memcmp(orig, data, DLEN));
}

TEST_F_TIMEOUT(integ, stream_every_header_and_trailer_bit, 120)
{
	uint8_t stream[16 + DLEN + 16], sealed[sizeof(stream)], orig[DLEN];
	struct secmsg_buffer buf[3];
	struct secmsg_message m;
	unsigned int bit;

	ts_fill(stream + 16, DLEN, 5);
	memcpy(orig, stream + 16, DLEN);
	ts_buf(&buf[0], SECMSG_BUF_STREAM_HEADER, 0, stream, 16);
	ts_buf(&buf[1], SECMSG_BUF_DATA, 0, stream + 16, DLEN);
	ts_buf(&buf[2], SECMSG_BUF_STREAM_TRAILER, 0, stream + 16 + DLEN, 16);
	ASSERT_EQ(0, ts_call(self->ini, SECMSG_IOC_SEAL, &m, buf, 3, 0));
	memcpy(sealed, stream, sizeof(stream));

	for (bit = 0; bit < sizeof(stream) * 8; bit++) {
		/* all of header and trailer, every 7th bit of the data */
		if (bit >= 128 && bit < 128 + DLEN * 8 && bit % 7)
			continue;
		memcpy(stream, sealed, sizeof(stream));
		flip(stream, bit);
		ts_buf(&buf[0], SECMSG_BUF_STREAM, 0, stream, sizeof(stream));
		ts_buf(&buf[1], SECMSG_BUF_DATA, 0, NULL, 0);
		ASSERT_VERDICT(ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, buf, 2, 0),
			       m, EBADMSG, SECMSG_VERDICT_ALTERED)
			TH_LOG("bit %u of the stream", bit);
		/* the buffers were not written back */
		ASSERT_EQ(0ull, buf[1].ptr);
		ASSERT_EQ(0u, buf[1].len);
		flip(stream, bit);
		ASSERT_EQ(0, memcmp(sealed, stream, sizeof(stream)))
			TH_LOG("bit %u: stream changed", bit);
	}
	ts_buf(&buf[0], SECMSG_BUF_STREAM, 0, stream, sizeof(stream));
	ts_buf(&buf[1], SECMSG_BUF_DATA, 0, NULL, 0);
	ASSERT_OK_MSG(ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, buf, 2, 0), m);
	ASSERT_EQ(0, memcmp(orig, stream + 16, DLEN));
}

TEST_F(integ, rwc_signed_not_encrypted)
{
	uint8_t tok[32], hdr[24], ohdr[24], data[DLEN], orig[DLEN], sealed[DLEN];
	struct secmsg_buffer buf[3];
	struct secmsg_message m;
	unsigned int bit;

	ts_fill(hdr, sizeof(hdr), 6);
	ts_fill(data, DLEN, 7);
	memcpy(ohdr, hdr, sizeof(hdr));
	memcpy(orig, data, DLEN);
	ts_buf(&buf[0], SECMSG_BUF_TOKEN, 0, tok, 32);
	ts_buf(&buf[1], SECMSG_BUF_DATA, SECMSG_BUF_READONLY_WITH_CHECKSUM,
	       hdr, sizeof(hdr));
	ts_buf(&buf[2], SECMSG_BUF_DATA, 0, data, DLEN);
	ASSERT_EQ(0, ts_call(self->ini, SECMSG_IOC_SEAL, &m, buf, 3, 0));
	/* not encrypted: the bytes are the same after SEAL */
	ASSERT_EQ(0, memcmp(ohdr, hdr, sizeof(hdr)));
	ASSERT_NE(0, memcmp(orig, data, DLEN));
	memcpy(sealed, data, DLEN);
	/* but protected */
	for (bit = 0; bit < sizeof(hdr) * 8; bit += 13) {
		flip(hdr, bit);
		ASSERT_VERDICT(ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, buf, 3, 0),
			       m, EBADMSG, SECMSG_VERDICT_ALTERED)
			TH_LOG("bit %u of the checksummed buffer", bit);
		ASSERT_EQ(0, memcmp(sealed, data, DLEN));
		flip(hdr, bit);
	}
	ASSERT_OK_MSG(ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, buf, 3, 0), m);
	ASSERT_EQ(0, memcmp(ohdr, hdr, sizeof(hdr)));
	ASSERT_EQ(0, memcmp(orig, data, DLEN));
}

TEST_F(integ, rwc_protected_in_sign)
{
	uint8_t tok[32], rwc[16], data[DLEN];
	struct secmsg_buffer buf[3];
	struct secmsg_message m;

	ts_fill(rwc, sizeof(rwc), 8);
	ts_fill(data, DLEN, 9);
	ts_buf(&buf[0], SECMSG_BUF_TOKEN, 0, tok, 32);
	ts_buf(&buf[1], SECMSG_BUF_DATA, 0, data, DLEN);
	ts_buf(&buf[2], SECMSG_BUF_DATA, SECMSG_BUF_READONLY_WITH_CHECKSUM,
	       rwc, sizeof(rwc));
	ASSERT_EQ(0, ts_call(self->ini, SECMSG_IOC_SIGN, &m, buf, 3, 0));
	rwc[5] ^= 0x20;
	ASSERT_VERDICT(ts_call(self->acc, SECMSG_IOC_VERIFY, &m, buf, 3, 0), m,
		       EBADMSG, SECMSG_VERDICT_ALTERED);
	rwc[5] ^= 0x20;
	ASSERT_OK_MSG(ts_call(self->acc, SECMSG_IOC_VERIFY, &m, buf, 3, 0), m);
}

TEST_F(integ, readonly_not_protected_in_seal)
{
	uint8_t tok[32], ro[32], oro[32], data[DLEN], orig[DLEN], sealed[DLEN];
	struct secmsg_buffer buf[3];
	struct secmsg_message m;

	ts_fill(ro, sizeof(ro), 10);
	ts_fill(data, DLEN, 11);
	memcpy(oro, ro, sizeof(ro));
	memcpy(orig, data, DLEN);
	ts_buf(&buf[0], SECMSG_BUF_DATA, SECMSG_BUF_READONLY, ro, sizeof(ro));
	ts_buf(&buf[1], SECMSG_BUF_TOKEN, 0, tok, 32);
	ts_buf(&buf[2], SECMSG_BUF_DATA, 0, data, DLEN);
	ASSERT_EQ(0, ts_call(self->ini, SECMSG_IOC_SEAL, &m, buf, 3, 0));
	ASSERT_EQ(0, memcmp(oro, ro, sizeof(ro)));
	memcpy(sealed, data, DLEN);
	/* changing READONLY data does not matter ... */
	ro[0] ^= 1;
	ro[31] ^= 0x80;
	memcpy(oro, ro, sizeof(ro));
	ASSERT_OK_MSG(ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, buf, 3, 0), m);
	ASSERT_EQ(0, memcmp(orig, data, DLEN));
	/* ... and it is left alone */
	ASSERT_EQ(0, memcmp(oro, ro, sizeof(ro)));
	/* nor does leaving it out of the receiver's message */
	memcpy(data, sealed, DLEN);
	ASSERT_VERDICT(ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, &buf[1], 2, 0),
		       m, EALREADY, SECMSG_VERDICT_REPLAYED);
}

TEST_F(integ, readonly_not_protected_in_sign)
{
	uint8_t tok[32], ro[32], data[DLEN];
	struct secmsg_buffer buf[3];
	struct secmsg_message m;

	ts_fill(ro, sizeof(ro), 12);
	ts_fill(data, DLEN, 13);
	ts_buf(&buf[0], SECMSG_BUF_TOKEN, 0, tok, 32);
	ts_buf(&buf[1], SECMSG_BUF_DATA, 0, data, DLEN);
	ts_buf(&buf[2], SECMSG_BUF_DATA, SECMSG_BUF_READONLY, ro, sizeof(ro));
	ASSERT_EQ(0, ts_call(self->ini, SECMSG_IOC_SIGN, &m, buf, 3, 0));
	memset(ro, 0, sizeof(ro));
	ASSERT_OK_MSG(ts_call(self->acc, SECMSG_IOC_VERIFY, &m, buf, 3, 0), m);
}

TEST_F(integ, readonly_buffer_is_never_read)
{
	uint8_t tok[32], data[DLEN];
	struct secmsg_buffer buf[3];
	struct secmsg_message m;
	void *none = ts_unmapped_page();

	/* READONLY is "neither read nor written": even a PROT_NONE one */
	ASSERT_TRUE(none != NULL);
	ts_fill(data, DLEN, 14);
	ts_buf(&buf[0], SECMSG_BUF_TOKEN, 0, tok, 32);
	ts_buf(&buf[1], SECMSG_BUF_DATA, 0, data, DLEN);
	ts_buf(&buf[2], SECMSG_BUF_DATA, SECMSG_BUF_READONLY, none, 4096);
	ASSERT_OK_MSG(ts_call(self->ini, SECMSG_IOC_SEAL, &m, buf, 3, 0), m);
	ASSERT_OK_MSG(ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, buf, 3, 0), m);
	munmap(none, 4096);
}

TEST_F(integ, wrap_no_encrypt_readable_and_protected)
{
	uint8_t tok[32], data[DLEN], orig[DLEN];
	struct secmsg_message m;
	unsigned int bit;

	ts_fill(data, DLEN, 15);
	memcpy(orig, data, DLEN);
	ASSERT_EQ(0, ts_seal1(self->acc, tok, data, DLEN,
			      SECMSG_QOP_WRAP_NO_ENCRYPT, &m));
	ASSERT_EQ(0, memcmp(orig, data, DLEN));
	for (bit = 0; bit < DLEN * 8; bit += 37) {
		flip(data, bit);
		ASSERT_VERDICT(ts_unseal1(self->ini, tok, data, DLEN, &m), m,
			       EBADMSG, SECMSG_VERDICT_ALTERED)
			TH_LOG("bit %u of the data", bit);
		flip(data, bit);
		ASSERT_EQ(0, memcmp(orig, data, DLEN));
	}
	/* the flag says "not sealed": claiming SEALED is an alteration */
	tok[2] ^= SECMSG_TOK_FLAG_SEALED;
	ASSERT_VERDICT(ts_unseal1(self->ini, tok, data, DLEN, &m), m,
		       EBADMSG, SECMSG_VERDICT_ALTERED);
	ASSERT_EQ(0, memcmp(orig, data, DLEN));
	tok[2] ^= SECMSG_TOK_FLAG_SEALED;
	ASSERT_OK_MSG(ts_unseal1(self->ini, tok, data, DLEN, &m), m);
	ASSERT_EQ((__u32)SECMSG_QOP_WRAP_NO_ENCRYPT, m.qop);
	ASSERT_EQ(0, memcmp(orig, data, DLEN));
}

TEST_F(integ, wrong_key_is_altered)
{
	uint8_t key2[32], tok[32], data[DLEN], sealed[DLEN];
	struct ts_ctx_opts o = {
		.role = SECMSG_ROLE_ACCEPTOR, .suite = variant->suite,
		.ctx_flags = SM_FLAGS_DEFAULT, .key = key2, .key_len = 32,
		.send_seq = 20, .recv_seq = 10,
	};
	struct secmsg_message m;
	int other;

	memcpy(key2, ts_test_key, 32);
	key2[31] ^= 1;
	other = ts_import(self->dev, &o);
	ASSERT_LE(0, other);
	ts_fill(data, DLEN, 16);
	ASSERT_EQ(0, ts_seal1(self->ini, tok, data, DLEN, 0, &m));
	memcpy(sealed, data, DLEN);
	ASSERT_VERDICT(ts_unseal1(other, tok, data, DLEN, &m), m,
		       EBADMSG, SECMSG_VERDICT_ALTERED);
	ASSERT_EQ(0, memcmp(sealed, data, DLEN));
	ASSERT_OK_MSG(ts_unseal1(self->acc, tok, data, DLEN, &m), m);
	close(other);
}

TEST_F(integ, other_suite_is_altered)
{
	uint32_t s2 = variant->suite % 3 + 1;
	uint8_t tok[32], data[DLEN];
	struct secmsg_message m;
	int other;

	other = ts_import_simple(self->dev, SECMSG_ROLE_ACCEPTOR, s2,
				 SM_FLAGS_DEFAULT, 20, 10);
	ASSERT_LE(0, other);
	ts_fill(data, DLEN, 17);
	ASSERT_EQ(0, ts_sign1(self->ini, tok, data, DLEN, &m));
	ASSERT_VERDICT(ts_verify1(other, tok, data, DLEN, &m), m,
		       EBADMSG, SECMSG_VERDICT_ALTERED);
	/* with the suite byte rewritten too */
	tok[3] = (uint8_t)s2;
	ASSERT_VERDICT(ts_verify1(other, tok, data, DLEN, &m), m,
		       EBADMSG, SECMSG_VERDICT_ALTERED);
	close(other);
}

TEST_F(integ, failures_are_counted_as_altered)
{
	uint8_t tok[32], data[DLEN];
	struct secmsg_message m;
	struct secmsg_query q;

	ts_fill(data, DLEN, 18);
	ASSERT_EQ(0, ts_sign1(self->ini, tok, data, DLEN, &m));
	tok[20] ^= 4;
	ASSERT_EQ(-EBADMSG, ts_verify1(self->acc, tok, data, DLEN, &m));
	ASSERT_EQ(-EBADMSG, ts_verify1(self->acc, tok, data, DLEN, &m));
	ASSERT_EQ(0, ts_query(self->acc, &q));
	ASSERT_EQ(2ull, q.counters.altered);
	ASSERT_EQ(0ull, q.counters.verified);
	/* the window did not move: recv_seq is still the initial number */
	ASSERT_EQ(10ull, q.recv_seq);
}

TEST_HARNESS_MAIN
