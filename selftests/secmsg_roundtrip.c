// SPDX-License-Identifier: GPL-2.0
/*
 * Round trips for every cipher suite and buffer layout, both directions:
 * SIGN/VERIFY, SEAL/UNSEAL token form, stream form and sign-only wrap.
 */
#include "secmsg_test.h"

#define INI_SEND 100
#define ACC_SEND 200

FIXTURE(rt) {
	int dev, ini, acc;
};

FIXTURE_VARIANT(rt) {
	uint32_t suite;
};

FIXTURE_VARIANT_ADD(rt, aes128_gcm) { .suite = SECMSG_SUITE_AES128_GCM };
FIXTURE_VARIANT_ADD(rt, aes256_gcm) { .suite = SECMSG_SUITE_AES256_GCM };
FIXTURE_VARIANT_ADD(rt, chacha20_poly1305) {
	.suite = SECMSG_SUITE_CHACHA20_POLY1305
};

FIXTURE_SETUP(rt)
{
	self->ini = self->acc = -1;
	SM_OPEN_DEV_OR_SKIP(self->dev);
	self->ini = ts_import_simple(self->dev, SECMSG_ROLE_INITIATOR,
				     variant->suite, SM_FLAGS_DEFAULT,
				     INI_SEND, ACC_SEND);
	ASSERT_LE(0, self->ini) TH_LOG("import initiator: %s",
				       strerror(-self->ini));
	self->acc = ts_import_simple(self->dev, SECMSG_ROLE_ACCEPTOR,
				     variant->suite, SM_FLAGS_DEFAULT,
				     ACC_SEND, INI_SEND);
	ASSERT_LE(0, self->acc) TH_LOG("import acceptor: %s",
				       strerror(-self->acc));
}

FIXTURE_TEARDOWN(rt)
{
	if (self->acc >= 0)
		close(self->acc);
	if (self->ini >= 0)
		close(self->ini);
	if (self->dev >= 0)
		close(self->dev);
}

/* One direction of a test: sender, receiver, and what the token must say. */
struct dir {
	int tx, rx;
	uint8_t tok_flags;	/* SENT_BY_ACCEPTOR or 0 */
	uint64_t seq;		/* the sender's next number */
};

static void both_dirs(struct _test_data_rt *self, struct dir d[2])
{
	d[0] = (struct dir){ self->ini, self->acc, 0, INI_SEND };
	d[1] = (struct dir){ self->acc, self->ini,
			     SECMSG_TOK_FLAG_SENT_BY_ACCEPTOR, ACC_SEND };
}

static void check_token(struct __test_metadata *_metadata, const uint8_t *tok,
			uint16_t id, uint8_t flags, uint32_t suite,
			uint64_t seq)
{
	ASSERT_EQ(id, ts_be16(tok));
	ASSERT_EQ(flags, tok[2]);
	ASSERT_EQ(suite, tok[3]);
	ASSERT_EQ(0, tok[4] | tok[5] | tok[6] | tok[7]);
	ASSERT_EQ(seq, ts_be64(tok + 8));
}

/* (The first test of the first program: the first use of each suite's
 * algorithm since boot instantiates it, ~10 s on a loaded debug kernel.) */
TEST_F_TIMEOUT(rt, sign_verify_one_data, 120)
{
	struct dir d[2];
	int i;

	both_dirs(self, d);
	for (i = 0; i < 2; i++) {
		uint8_t tok[32], data[100], orig[100];
		struct secmsg_message m;

		ts_fill(data, sizeof(data), i);
		memcpy(orig, data, sizeof(data));
		ASSERT_OK_MSG(ts_sign1(d[i].tx, tok, data, sizeof(data), &m), m);
		ASSERT_EQ(d[i].seq, m.seq);
		ASSERT_EQ(SM_NO_INDEX, m.index);
		check_token(_metadata, tok, SECMSG_TOK_SIGN, d[i].tok_flags,
			    variant->suite, d[i].seq);
		ASSERT_EQ(0, memcmp(orig, data, sizeof(data)));
		ASSERT_OK_MSG(ts_verify1(d[i].rx, tok, data, sizeof(data), &m), m);
		ASSERT_EQ(d[i].seq, m.seq);
		ASSERT_EQ((__u32)SECMSG_QOP_DEFAULT, m.qop);
		ASSERT_EQ(0, memcmp(orig, data, sizeof(data)));
	}
}

TEST_F(rt, sign_verify_many_data)
{
	struct dir d[2];
	int i;

	both_dirs(self, d);
	for (i = 0; i < 2; i++) {
		uint8_t tok[32], a[7], b[1000], c[1];
		struct secmsg_buffer buf[5];
		struct secmsg_message m;

		ts_fill(a, sizeof(a), 1);
		ts_fill(b, sizeof(b), 2);
		c[0] = 0x42;
		ts_buf(&buf[0], SECMSG_BUF_DATA, 0, a, sizeof(a));
		ts_buf(&buf[1], SECMSG_BUF_EMPTY, 0, NULL, 0);
		ts_buf(&buf[2], SECMSG_BUF_DATA, 0, b, sizeof(b));
		ts_buf(&buf[3], SECMSG_BUF_TOKEN, 0, tok, sizeof(tok));
		ts_buf(&buf[4], SECMSG_BUF_DATA, 0, c, sizeof(c));
		ASSERT_OK_MSG(ts_call(d[i].tx, SECMSG_IOC_SIGN, &m, buf, 5, 0), m);
		ASSERT_EQ(32u, buf[3].len);
		ASSERT_OK_MSG(ts_call(d[i].rx, SECMSG_IOC_VERIFY, &m, buf, 5, 0), m);
		ASSERT_EQ(d[i].seq, m.seq);
		/* the data order is part of the signature */
		ts_buf(&buf[0], SECMSG_BUF_DATA, 0, c, sizeof(c));
		ts_buf(&buf[4], SECMSG_BUF_DATA, 0, a, sizeof(a));
		ASSERT_VERDICT(ts_call(d[i].rx, SECMSG_IOC_VERIFY, &m, buf, 5, 0),
			       m, EBADMSG, SECMSG_VERDICT_ALTERED);
	}
}

TEST_F(rt, sign_verify_readonly)
{
	struct dir d[2];
	int i;

	both_dirs(self, d);
	for (i = 0; i < 2; i++) {
		uint8_t tok[32], a[64], ro[64], ro2[64];
		struct secmsg_buffer buf[3];
		struct secmsg_message m;

		ts_fill(a, sizeof(a), 3);
		ts_fill(ro, sizeof(ro), 4);
		memcpy(ro2, ro, sizeof(ro));
		ts_buf(&buf[0], SECMSG_BUF_TOKEN, 0, tok, sizeof(tok));
		ts_buf(&buf[1], SECMSG_BUF_DATA, 0, a, sizeof(a));
		ts_buf(&buf[2], SECMSG_BUF_DATA, SECMSG_BUF_READONLY, ro, sizeof(ro));
		ASSERT_OK_MSG(ts_call(d[i].tx, SECMSG_IOC_SIGN, &m, buf, 3, 0), m);
		ASSERT_EQ(0, memcmp(ro, ro2, sizeof(ro)));
		ASSERT_OK_MSG(ts_call(d[i].rx, SECMSG_IOC_VERIFY, &m, buf, 3, 0), m);
		ASSERT_EQ(0, memcmp(ro, ro2, sizeof(ro)));
	}
}

TEST_F(rt, sign_verify_readonly_with_checksum)
{
	struct dir d[2];
	int i;

	both_dirs(self, d);
	for (i = 0; i < 2; i++) {
		uint8_t tok[32], a[64], rwc[32], rwc2[32];
		struct secmsg_buffer buf[3];
		struct secmsg_message m;

		ts_fill(a, sizeof(a), 5);
		ts_fill(rwc, sizeof(rwc), 6);
		memcpy(rwc2, rwc, sizeof(rwc));
		ts_buf(&buf[0], SECMSG_BUF_DATA, SECMSG_BUF_READONLY_WITH_CHECKSUM,
		       rwc, sizeof(rwc));
		ts_buf(&buf[1], SECMSG_BUF_TOKEN, 0, tok, sizeof(tok));
		ts_buf(&buf[2], SECMSG_BUF_DATA, 0, a, sizeof(a));
		ASSERT_OK_MSG(ts_call(d[i].tx, SECMSG_IOC_SIGN, &m, buf, 3, 0), m);
		ASSERT_OK_MSG(ts_call(d[i].rx, SECMSG_IOC_VERIFY, &m, buf, 3, 0), m);
		ASSERT_EQ(0, memcmp(rwc, rwc2, sizeof(rwc)));
	}
}

TEST_F(rt, seal_unseal_one_data)
{
	struct dir d[2];
	int i;

	both_dirs(self, d);
	for (i = 0; i < 2; i++) {
		uint8_t tok[32], data[333], orig[333];
		struct secmsg_message m;

		ts_fill(data, sizeof(data), 7 + i);
		memcpy(orig, data, sizeof(data));
		ASSERT_OK_MSG(ts_seal1(d[i].tx, tok, data, sizeof(data), 0, &m), m);
		ASSERT_EQ(d[i].seq, m.seq);
		ASSERT_EQ(SM_NO_INDEX, m.index);
		check_token(_metadata, tok, SECMSG_TOK_WRAP,
			    d[i].tok_flags | SECMSG_TOK_FLAG_SEALED,
			    variant->suite, d[i].seq);
		ASSERT_NE(0, memcmp(orig, data, sizeof(data)));
		ASSERT_OK_MSG(ts_unseal1(d[i].rx, tok, data, sizeof(data), &m), m);
		ASSERT_EQ(d[i].seq, m.seq);
		ASSERT_EQ((__u32)SECMSG_QOP_DEFAULT, m.qop);
		ASSERT_EQ(0, memcmp(orig, data, sizeof(data)));
	}
}

TEST_F(rt, seal_unseal_many_data)
{
	struct dir d[2];
	int i;

	both_dirs(self, d);
	for (i = 0; i < 2; i++) {
		uint8_t tok[32], a[13], b[4096], c[3], oa[13], ob[4096], oc[3];
		struct secmsg_buffer buf[4];
		struct secmsg_message m;

		ts_fill(a, sizeof(a), 11);
		ts_fill(b, sizeof(b), 12);
		ts_fill(c, sizeof(c), 13);
		memcpy(oa, a, sizeof(a));
		memcpy(ob, b, sizeof(b));
		memcpy(oc, c, sizeof(c));
		ts_buf(&buf[0], SECMSG_BUF_DATA, 0, a, sizeof(a));
		ts_buf(&buf[1], SECMSG_BUF_DATA, 0, b, sizeof(b));
		ts_buf(&buf[2], SECMSG_BUF_TOKEN, 0, tok, sizeof(tok));
		ts_buf(&buf[3], SECMSG_BUF_DATA, 0, c, sizeof(c));
		ASSERT_OK_MSG(ts_call(d[i].tx, SECMSG_IOC_SEAL, &m, buf, 4, 0), m);
		ASSERT_NE(0, memcmp(ob, b, sizeof(b)));
		ASSERT_OK_MSG(ts_call(d[i].rx, SECMSG_IOC_UNSEAL, &m, buf, 4, 0), m);
		ASSERT_EQ(0, memcmp(oa, a, sizeof(a)));
		ASSERT_EQ(0, memcmp(ob, b, sizeof(b)));
		ASSERT_EQ(0, memcmp(oc, c, sizeof(c)));
	}
}

TEST_F(rt, seal_unseal_padding)
{
	struct dir d[2];
	int i;

	both_dirs(self, d);
	for (i = 0; i < 2; i++) {
		uint8_t tok[32], data[17], orig[17], pad[16];
		struct secmsg_buffer buf[3];
		struct secmsg_message m;

		ts_fill(data, sizeof(data), 14);
		memcpy(orig, data, sizeof(data));
		memset(pad, 0xee, sizeof(pad));
		ts_buf(&buf[0], SECMSG_BUF_TOKEN, 0, tok, sizeof(tok));
		ts_buf(&buf[1], SECMSG_BUF_DATA, 0, data, sizeof(data));
		ts_buf(&buf[2], SECMSG_BUF_PADDING, 0, pad, sizeof(pad));
		ASSERT_OK_MSG(ts_call(d[i].tx, SECMSG_IOC_SEAL, &m, buf, 3, 0), m);
		ASSERT_EQ(0u, buf[2].len);
		ASSERT_OK_MSG(ts_call(d[i].rx, SECMSG_IOC_UNSEAL, &m, buf, 3, 0), m);
		ASSERT_EQ(0, memcmp(orig, data, sizeof(data)));
	}
}

TEST_F(rt, seal_unseal_empty_buffers)
{
	struct dir d[2];
	int i;

	both_dirs(self, d);
	for (i = 0; i < 2; i++) {
		uint8_t tok[32], data[50], orig[50];
		struct secmsg_buffer buf[5];
		struct secmsg_message m;

		ts_fill(data, sizeof(data), 15);
		memcpy(orig, data, sizeof(data));
		ts_buf(&buf[0], SECMSG_BUF_EMPTY, 0, NULL, 0);
		ts_buf(&buf[1], SECMSG_BUF_TOKEN, 0, tok, sizeof(tok));
		ts_buf(&buf[2], SECMSG_BUF_EMPTY, 0, NULL, 0);
		ts_buf(&buf[3], SECMSG_BUF_DATA, 0, data, sizeof(data));
		ts_buf(&buf[4], SECMSG_BUF_EMPTY, 0, NULL, 0);
		ASSERT_OK_MSG(ts_call(d[i].tx, SECMSG_IOC_SEAL, &m, buf, 5, 0), m);
		/* the receiver's layout need not repeat the EMPTY slots */
		ASSERT_OK_MSG(ts_call(d[i].rx, SECMSG_IOC_UNSEAL, &m, &buf[1], 3, 0), m);
		ASSERT_EQ(0, memcmp(orig, data, sizeof(data)));
	}
}

TEST_F(rt, seal_unseal_readonly_with_checksum)
{
	struct dir d[2];
	int i;

	both_dirs(self, d);
	for (i = 0; i < 2; i++) {
		uint8_t tok[32], hdr[20], ohdr[20], data[60], orig[60], ro[8], oro[8];
		struct secmsg_buffer buf[4];
		struct secmsg_message m;

		ts_fill(hdr, sizeof(hdr), 16);
		ts_fill(data, sizeof(data), 17);
		ts_fill(ro, sizeof(ro), 18);
		memcpy(ohdr, hdr, sizeof(hdr));
		memcpy(orig, data, sizeof(data));
		memcpy(oro, ro, sizeof(ro));
		ts_buf(&buf[0], SECMSG_BUF_DATA, SECMSG_BUF_READONLY_WITH_CHECKSUM,
		       hdr, sizeof(hdr));
		ts_buf(&buf[1], SECMSG_BUF_DATA, 0, data, sizeof(data));
		ts_buf(&buf[2], SECMSG_BUF_DATA, SECMSG_BUF_READONLY, ro, sizeof(ro));
		ts_buf(&buf[3], SECMSG_BUF_TOKEN, 0, tok, sizeof(tok));
		ASSERT_OK_MSG(ts_call(d[i].tx, SECMSG_IOC_SEAL, &m, buf, 4, 0), m);
		ASSERT_EQ(0, memcmp(ohdr, hdr, sizeof(hdr)));
		ASSERT_EQ(0, memcmp(oro, ro, sizeof(ro)));
		ASSERT_NE(0, memcmp(orig, data, sizeof(data)));
		ASSERT_OK_MSG(ts_call(d[i].rx, SECMSG_IOC_UNSEAL, &m, buf, 4, 0), m);
		ASSERT_EQ(0, memcmp(ohdr, hdr, sizeof(hdr)));
		ASSERT_EQ(0, memcmp(orig, data, sizeof(data)));
		ASSERT_EQ(0, memcmp(oro, ro, sizeof(ro)));
	}
}

TEST_F(rt, seal_unseal_stream)
{
	struct dir d[2];
	int i;

	both_dirs(self, d);
	for (i = 0; i < 2; i++) {
		uint8_t stream[16 + 500 + 16], orig[500];
		uint8_t *data = stream + 16;
		struct secmsg_buffer buf[3];
		struct secmsg_message m;

		ts_fill(data, 500, 19);
		memcpy(orig, data, 500);
		/* lens above the minimum: the kernel sets them to 16 */
		ts_buf(&buf[0], SECMSG_BUF_STREAM_HEADER, 0, stream, 16);
		ts_buf(&buf[1], SECMSG_BUF_DATA, 0, data, 500);
		ts_buf(&buf[2], SECMSG_BUF_STREAM_TRAILER, 0, data + 500, 16);
		ASSERT_OK_MSG(ts_call(d[i].tx, SECMSG_IOC_SEAL, &m, buf, 3, 0), m);
		ASSERT_EQ(16u, buf[0].len);
		ASSERT_EQ(16u, buf[2].len);
		ASSERT_EQ(d[i].seq, m.seq);
		check_token(_metadata, stream, SECMSG_TOK_WRAP,
			    d[i].tok_flags | SECMSG_TOK_FLAG_SEALED,
			    variant->suite, d[i].seq);
		ASSERT_NE(0, memcmp(orig, data, 500));

		ts_buf(&buf[0], SECMSG_BUF_STREAM, 0, stream, sizeof(stream));
		ts_buf(&buf[1], SECMSG_BUF_DATA, 0, (void *)(uintptr_t)0x1234, 7);
		ASSERT_OK_MSG(ts_call(d[i].rx, SECMSG_IOC_UNSEAL, &m, buf, 2, 0), m);
		ASSERT_EQ(SM_PTR(stream + 16), buf[1].ptr);
		ASSERT_EQ(500u, buf[1].len);
		ASSERT_EQ(d[i].seq, m.seq);
		ASSERT_EQ(0, memcmp(orig, data, 500));
	}
}

TEST_F(rt, seal_stream_larger_header_trailer)
{
	struct dir d[2];
	int i;

	both_dirs(self, d);
	for (i = 0; i < 2; i++) {
		/* header and trailer buffers bigger than needed, laid out
		 * so that the 16 bytes used form the stream */
		uint8_t mem[16 + 64 + 40], orig[64];
		uint8_t *data = mem + 16;
		struct secmsg_buffer buf[4];
		struct secmsg_message m;

		ts_fill(data, 64, 20);
		memcpy(orig, data, 64);
		ts_buf(&buf[0], SECMSG_BUF_EMPTY, 0, NULL, 0);
		ts_buf(&buf[1], SECMSG_BUF_STREAM_HEADER, 0, mem, 16);
		ts_buf(&buf[2], SECMSG_BUF_DATA, 0, data, 64);
		ts_buf(&buf[3], SECMSG_BUF_STREAM_TRAILER, 0, data + 64, 40);
		ASSERT_OK_MSG(ts_call(d[i].tx, SECMSG_IOC_SEAL, &m, buf, 4, 0), m);
		ASSERT_EQ(16u, buf[1].len);
		ASSERT_EQ(16u, buf[3].len);
		ts_buf(&buf[0], SECMSG_BUF_DATA, 0, NULL, 0);
		ts_buf(&buf[1], SECMSG_BUF_STREAM, 0, mem, 16 + 64 + 16);
		ASSERT_OK_MSG(ts_call(d[i].rx, SECMSG_IOC_UNSEAL, &m, buf, 2, 0), m);
		ASSERT_EQ(SM_PTR(data), buf[0].ptr);
		ASSERT_EQ(64u, buf[0].len);
		ASSERT_EQ(0, memcmp(orig, data, 64));
	}
}

TEST_F(rt, seal_stream_many_data_unseal_as_one)
{
	struct dir d[2];
	int i;

	both_dirs(self, d);
	for (i = 0; i < 2; i++) {
		uint8_t stream[16 + 30 + 70 + 16], orig[100];
		struct secmsg_buffer buf[4];
		struct secmsg_message m;

		ts_fill(stream + 16, 100, 21);
		memcpy(orig, stream + 16, 100);
		ts_buf(&buf[0], SECMSG_BUF_STREAM_HEADER, 0, stream, 16);
		ts_buf(&buf[1], SECMSG_BUF_DATA, 0, stream + 16, 30);
		ts_buf(&buf[2], SECMSG_BUF_DATA, 0, stream + 46, 70);
		ts_buf(&buf[3], SECMSG_BUF_STREAM_TRAILER, 0, stream + 116, 16);
		ASSERT_OK_MSG(ts_call(d[i].tx, SECMSG_IOC_SEAL, &m, buf, 4, 0), m);
		ts_buf(&buf[0], SECMSG_BUF_STREAM, 0, stream, sizeof(stream));
		ts_buf(&buf[1], SECMSG_BUF_DATA, 0, NULL, 0);
		ASSERT_OK_MSG(ts_call(d[i].rx, SECMSG_IOC_UNSEAL, &m, buf, 2, 0), m);
		ASSERT_EQ(SM_PTR(stream + 16), buf[1].ptr);
		ASSERT_EQ(100u, buf[1].len);
		ASSERT_EQ(0, memcmp(orig, stream + 16, 100));
	}
}

TEST_F(rt, wrap_no_encrypt)
{
	struct dir d[2];
	int i;

	both_dirs(self, d);
	for (i = 0; i < 2; i++) {
		uint8_t tok[32], data[80], orig[80];
		struct secmsg_message m;

		ts_fill(data, sizeof(data), 22);
		memcpy(orig, data, sizeof(data));
		ASSERT_OK_MSG(ts_seal1(d[i].tx, tok, data, sizeof(data),
				       SECMSG_QOP_WRAP_NO_ENCRYPT, &m), m);
		check_token(_metadata, tok, SECMSG_TOK_WRAP, d[i].tok_flags,
			    variant->suite, d[i].seq);
		/* sign-only: the data is still readable */
		ASSERT_EQ(0, memcmp(orig, data, sizeof(data)));
		ASSERT_OK_MSG(ts_unseal1(d[i].rx, tok, data, sizeof(data), &m), m);
		ASSERT_EQ((__u32)SECMSG_QOP_WRAP_NO_ENCRYPT, m.qop);
		ASSERT_EQ(d[i].seq, m.seq);
		ASSERT_EQ(0, memcmp(orig, data, sizeof(data)));
	}
}

TEST_F(rt, wrap_no_encrypt_without_confidentiality)
{
	uint8_t tok[32], data[10] = "0123456789";
	struct secmsg_message m;
	int a, b;

	a = ts_import_simple(self->dev, SECMSG_ROLE_INITIATOR, variant->suite,
			     SECMSG_CTX_INTEGRITY, 0, 0);
	ASSERT_LE(0, a);
	b = ts_import_simple(self->dev, SECMSG_ROLE_ACCEPTOR, variant->suite,
			     SECMSG_CTX_INTEGRITY, 0, 0);
	ASSERT_LE(0, b);
	/* sealing needs CONFIDENTIALITY ... */
	ASSERT_VERDICT(ts_seal1(a, tok, data, sizeof(data), 0, &m), m,
		       EOPNOTSUPP, SECMSG_VERDICT_QOP_NOT_SUPPORTED);
	ASSERT_EQ(0, memcmp(data, "0123456789", 10));
	/* ... a sign-only wrap does not */
	ASSERT_OK_MSG(ts_seal1(a, tok, data, sizeof(data),
			       SECMSG_QOP_WRAP_NO_ENCRYPT, &m), m);
	ASSERT_EQ(0ull, m.seq);
	ASSERT_OK_MSG(ts_unseal1(b, tok, data, sizeof(data), &m), m);
	ASSERT_EQ((__u32)SECMSG_QOP_WRAP_NO_ENCRYPT, m.qop);
	close(a);
	close(b);
}

TEST_F(rt, own_output_is_altered)
{
	int fds[2] = { self->ini, self->acc };
	int i;

	for (i = 0; i < 2; i++) {
		uint8_t tok[32], data[48], copy[48];
		struct secmsg_message m;

		ts_fill(data, sizeof(data), 23);
		ASSERT_EQ(0, ts_sign1(fds[i], tok, data, sizeof(data), &m));
		ASSERT_VERDICT(ts_verify1(fds[i], tok, data, sizeof(data), &m),
			       m, EBADMSG, SECMSG_VERDICT_ALTERED);
		ASSERT_EQ(0, ts_seal1(fds[i], tok, data, sizeof(data), 0, &m));
		memcpy(copy, data, sizeof(data));
		ASSERT_VERDICT(ts_unseal1(fds[i], tok, data, sizeof(data), &m),
			       m, EBADMSG, SECMSG_VERDICT_ALTERED);
		ASSERT_EQ(0, memcmp(copy, data, sizeof(data)));
	}
}

TEST_F(rt, token_len_set_to_32)
{
	struct dir d[2];
	int i;

	both_dirs(self, d);
	for (i = 0; i < 2; i++) {
		uint8_t tok[64], data[5] = "hello";
		struct secmsg_buffer buf[2];
		struct secmsg_message m;

		memset(tok, 0xcc, sizeof(tok));
		ts_buf(&buf[0], SECMSG_BUF_TOKEN, 0, tok, sizeof(tok));
		ts_buf(&buf[1], SECMSG_BUF_DATA, 0, data, sizeof(data));
		ASSERT_OK_MSG(ts_call(d[i].tx, SECMSG_IOC_SIGN, &m, buf, 2, 0), m);
		ASSERT_EQ(32u, buf[0].len);
		/* bytes past the token are not written */
		ASSERT_EQ(0xcc, tok[32]);
		ASSERT_EQ(0xcc, tok[63]);
		/* VERIFY reads the first 32 bytes of a longer TOKEN */
		buf[0].len = sizeof(tok);
		ASSERT_OK_MSG(ts_call(d[i].rx, SECMSG_IOC_VERIFY, &m, buf, 2, 0), m);

		ts_buf(&buf[0], SECMSG_BUF_TOKEN, 0, tok, 40);
		ASSERT_OK_MSG(ts_call(d[i].tx, SECMSG_IOC_SEAL, &m, buf, 2, 0), m);
		ASSERT_EQ(32u, buf[0].len);
		ASSERT_EQ(0xcc, tok[32]);
	}
}

TEST_F(rt, empty_data)
{
	struct dir d[2];
	int i;

	both_dirs(self, d);
	for (i = 0; i < 2; i++) {
		uint8_t tok[32];
		struct secmsg_buffer buf[2];
		struct secmsg_message m;

		/* a zero-length DATA may have a null pointer */
		ts_buf(&buf[0], SECMSG_BUF_TOKEN, 0, tok, sizeof(tok));
		ts_buf(&buf[1], SECMSG_BUF_DATA, 0, NULL, 0);
		ASSERT_OK_MSG(ts_call(d[i].tx, SECMSG_IOC_SIGN, &m, buf, 2, 0), m);
		ASSERT_OK_MSG(ts_call(d[i].rx, SECMSG_IOC_VERIFY, &m, buf, 2, 0), m);
		ASSERT_OK_MSG(ts_call(d[i].tx, SECMSG_IOC_SEAL, &m, buf, 2, 0), m);
		ASSERT_OK_MSG(ts_call(d[i].rx, SECMSG_IOC_UNSEAL, &m, buf, 2, 0), m);
		/* and a message of only a TOKEN */
		ASSERT_OK_MSG(ts_call(d[i].tx, SECMSG_IOC_SIGN, &m, buf, 1, 0), m);
		ASSERT_OK_MSG(ts_call(d[i].rx, SECMSG_IOC_VERIFY, &m, buf, 1, 0), m);
	}
}

TEST_F(rt, large_message)
{
	size_t len = 1 << 20;
	uint8_t *data = malloc(len), *orig = malloc(len), tok[32];
	struct secmsg_message m;

	ASSERT_TRUE(data != NULL);
	ASSERT_TRUE(orig != NULL);
	ts_fill(data, len, 24);
	memcpy(orig, data, len);
	ASSERT_OK_MSG(ts_seal1(self->ini, tok, data, len, 0, &m), m);
	ASSERT_NE(0, memcmp(orig, data, len));
	ASSERT_OK_MSG(ts_unseal1(self->acc, tok, data, len, &m), m);
	ASSERT_EQ(0, memcmp(orig, data, len));
	ASSERT_OK_MSG(ts_sign1(self->acc, tok, data, len, &m), m);
	ASSERT_OK_MSG(ts_verify1(self->ini, tok, data, len, &m), m);
	free(data);
	free(orig);
}

/*
 * A large sealed message (the kernel decrypts from the user's pinned
 * pages) with one bit flipped in the middle of its ciphertext: UNSEAL
 * fails as ALTERED and leaves the user's buffers exactly as they were,
 * in token and stream form; the window did not move, so the intact
 * message is accepted afterwards.
 */
TEST_F(rt, large_tampered_unseal_changes_nothing)
{
	static const size_t lens[] = { 64 << 10, (1 << 20) + 13 };
	unsigned int s;

	for (s = 0; s < SM_ARRAY_SIZE(lens); s++) {
		size_t len = lens[s], mid = len / 2 + 3;
		uint8_t *mem = malloc(len + 32 + 7), *orig = malloc(len);
		uint8_t *ct = malloc(len + 32), *data = mem + 7;
		uint8_t tok[32], tok2[32];
		struct secmsg_buffer buf[3];
		struct secmsg_message m;

		ASSERT_TRUE(mem && orig && ct);
		ts_fill(orig, len, 25 + s);

		/* token form */
		memcpy(data, orig, len);
		ASSERT_OK_MSG(ts_seal1(self->ini, tok, data, len, 0, &m), m);
		data[mid] ^= 0x10;
		memcpy(ct, data, len);
		memcpy(tok2, tok, 32);
		ASSERT_VERDICT(ts_unseal1(self->acc, tok, data, len, &m), m,
			       EBADMSG, SECMSG_VERDICT_ALTERED);
		ASSERT_EQ(0, memcmp(ct, data, len)) TH_LOG("token form, %zu", len);
		ASSERT_EQ(0, memcmp(tok2, tok, 32));
		/* a flipped tag bit: the same */
		data[mid] ^= 0x10;
		tok[16 + 7] ^= 1;
		ASSERT_VERDICT(ts_unseal1(self->acc, tok, data, len, &m), m,
			       EBADMSG, SECMSG_VERDICT_ALTERED);
		ct[mid] ^= 0x10;
		ASSERT_EQ(0, memcmp(ct, data, len));
		tok[16 + 7] ^= 1;
		ASSERT_OK_MSG(ts_unseal1(self->acc, tok, data, len, &m), m);
		ASSERT_EQ(0, memcmp(orig, data, len));

		/* stream form, contiguous at an unaligned address */
		memcpy(mem + 16, orig, len);
		ts_buf(&buf[0], SECMSG_BUF_STREAM_HEADER, 0, mem, 16);
		ts_buf(&buf[1], SECMSG_BUF_DATA, 0, mem + 16, len);
		ts_buf(&buf[2], SECMSG_BUF_STREAM_TRAILER, 0, mem + 16 + len, 16);
		ASSERT_OK_MSG(ts_call(self->ini, SECMSG_IOC_SEAL, &m, buf, 3, 0), m);
		mem[16 + mid] ^= 0x80;
		memcpy(ct, mem, len + 32);
		ts_buf(&buf[0], SECMSG_BUF_STREAM, 0, mem, len + 32);
		ts_buf(&buf[1], SECMSG_BUF_DATA, 0, NULL, 0);
		ASSERT_VERDICT(ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, buf, 2, 0),
			       m, EBADMSG, SECMSG_VERDICT_ALTERED);
		ASSERT_EQ(0, memcmp(ct, mem, len + 32)) TH_LOG("stream, %zu", len);
		/* the DATA buffer's out fields are not written either */
		ASSERT_EQ(0ull, buf[1].ptr);
		ASSERT_EQ(0u, buf[1].len);
		mem[16 + mid] ^= 0x80;
		ASSERT_OK_MSG(ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, buf, 2, 0), m);
		ASSERT_EQ(SM_PTR(mem + 16), buf[1].ptr);
		ASSERT_EQ(0, memcmp(orig, mem + 16, len));
		free(mem);
		free(orig);
		free(ct);
	}
}

TEST_F(rt, sign_and_seal_share_the_counter)
{
	uint8_t tok[32], data[16] = { 0 };
	struct secmsg_message m;

	ASSERT_EQ((uint64_t)INI_SEND, ts_send_seq(self->ini));
	ASSERT_EQ(0, ts_sign1(self->ini, tok, data, sizeof(data), &m));
	ASSERT_EQ((uint64_t)INI_SEND, m.seq);
	ASSERT_EQ(0, ts_seal1(self->ini, tok, data, sizeof(data), 0, &m));
	ASSERT_EQ((uint64_t)INI_SEND + 1, m.seq);
	ASSERT_EQ(0, ts_seal1(self->ini, tok, data, sizeof(data),
			      SECMSG_QOP_WRAP_NO_ENCRYPT, &m));
	ASSERT_EQ((uint64_t)INI_SEND + 2, m.seq);
	ASSERT_EQ(0, ts_sign1(self->ini, tok, data, sizeof(data), &m));
	ASSERT_EQ((uint64_t)INI_SEND + 3, m.seq);
	ASSERT_EQ((uint64_t)INI_SEND + 4, ts_send_seq(self->ini));
	/* the acceptor's own send counter did not move */
	ASSERT_EQ((uint64_t)ACC_SEND, ts_send_seq(self->acc));
}

TEST_F(rt, sign_token_not_accepted_by_unseal)
{
	uint8_t tok[32], data[16] = { 1 };
	struct secmsg_message m;

	/* a SIGN token is no sign-only wrap: the token id is authenticated */
	ASSERT_EQ(0, ts_sign1(self->ini, tok, data, sizeof(data), &m));
	ASSERT_VERDICT(ts_unseal1(self->acc, tok, data, sizeof(data), &m), m,
		       EBADMSG, SECMSG_VERDICT_ALTERED);
	ASSERT_EQ(0, ts_seal1(self->ini, tok, data, sizeof(data),
			      SECMSG_QOP_WRAP_NO_ENCRYPT, &m));
	ASSERT_VERDICT(ts_verify1(self->acc, tok, data, sizeof(data), &m), m,
		       EBADMSG, SECMSG_VERDICT_ALTERED);
}

TEST_HARNESS_MAIN
