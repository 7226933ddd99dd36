// SPDX-License-Identifier: GPL-2.0
/*
 * Every invalid input to every ioctl gets its exact errno, nothing is
 * written back, and the context still works afterwards.  Also the verdicts
 * for buffers that are too small and truncated tokens or streams, and the
 * module as the uapi names it: its release, device number and aliases.
 */
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <linux/major.h>
#include <linux/netlink.h>

#include "secmsg_test.h"

#define POISON 0x5a5a5a5au

FIXTURE(uapi) {
	int dev, ini, acc;
	uint8_t tok[32], data[64];
	void *none;	/* PROT_NONE page */
	void *ro;	/* read-only page */
	uint8_t *guard;	/* a read-write page followed by a PROT_NONE one */
	uint8_t *edge;	/* guard + 4096: the first unreadable byte */
};

FIXTURE_SETUP(uapi)
{
	ts_pair_setup(_metadata, &self->dev, &self->ini, &self->acc,
		      SECMSG_SUITE_AES128_GCM, SM_FLAGS_DEFAULT, 0, 0);
	self->none = ts_unmapped_page();
	self->ro = ts_readonly_page();
	ASSERT_TRUE(self->none && self->ro);
	self->guard = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(self->guard != MAP_FAILED);
	self->edge = self->guard + 4096;
	ASSERT_EQ(0, mprotect(self->edge, 4096, PROT_NONE));
	ts_fill(self->data, sizeof(self->data), 9);
}

FIXTURE_TEARDOWN(uapi)
{
	if (self->none)
		munmap(self->none, 4096);
	if (self->ro)
		munmap(self->ro, 4096);
	if (self->guard && self->guard != MAP_FAILED)
		munmap(self->guard, 8192);
	ts_pair_teardown(self->dev, self->ini, self->acc);
}

/* The call was refused: errno @err, no out field written. */
#define ASSERT_REFUSED(ret, m, err) do { \
	ASSERT_EQ(-(err), (ret)); \
	ASSERT_EQ(POISON, (m).verdict); \
	ASSERT_EQ((int32_t)POISON, (m).error); \
} while (0)

#define STILL_WORKS() ts_assert_pair_works(_metadata, self->ini, self->acc)

static int import_with(int dev, void (*tweak)(struct secmsg_import *))
{
	struct ts_ctx_opts o = {
		.role = SECMSG_ROLE_INITIATOR, .suite = SECMSG_SUITE_AES128_GCM,
		.ctx_flags = SM_FLAGS_DEFAULT, .key = ts_test_key, .key_len = 16,
	};
	struct secmsg_import imp;

	ts_import_init(&imp, &o);
	if (tweak)
		tweak(&imp);
	return ts_import_raw(dev, &imp);
}

#define IMPORT_FAILS(err, stmt) do { \
	struct ts_ctx_opts __o = { \
		.role = SECMSG_ROLE_INITIATOR, \
		.suite = SECMSG_SUITE_AES128_GCM, \
		.ctx_flags = SM_FLAGS_DEFAULT, .key = ts_test_key, \
		.key_len = 16, \
	}; \
	struct secmsg_import imp; \
	int __fd; \
	ts_import_init(&imp, &__o); \
	stmt; \
	__fd = ts_import_raw(self->dev, &imp); \
	if (__fd >= 0) \
		close(__fd); \
	ASSERT_EQ(-(err), __fd) TH_LOG("%s", #stmt); \
} while (0)

/* ---- IMPORT ------------------------------------------------------------ */

TEST_F(uapi, import_valid)
{
	int fd = import_with(self->dev, NULL);

	ASSERT_LE(0, fd);
	close(fd);
}

TEST_F(uapi, import_size_below_ver0)
{
	IMPORT_FAILS(EINVAL, imp.size = SECMSG_IMPORT_SIZE_VER0 - 1);
	IMPORT_FAILS(EINVAL, imp.size = 0);
	IMPORT_FAILS(EINVAL, imp.size = 4);
	STILL_WORKS();
}

TEST_F(uapi, import_size_larger_nonzero_tail)
{
	struct {
		struct secmsg_import imp;
		uint64_t tail[2];
	} big;
	struct ts_ctx_opts o = {
		.role = SECMSG_ROLE_INITIATOR, .suite = SECMSG_SUITE_AES128_GCM,
		.ctx_flags = SM_FLAGS_DEFAULT, .key = ts_test_key, .key_len = 16,
	};

	ts_import_init(&big.imp, &o);
	big.imp.size = sizeof(big);
	big.tail[0] = 0;
	big.tail[1] = 1ull << 63;
	ASSERT_EQ(-E2BIG, ts_import_raw(self->dev, &big));
	STILL_WORKS();
}

TEST_F(uapi, import_size_larger_zero_tail)
{
	struct {
		struct secmsg_import imp;
		uint8_t tail[40];
	} big;
	struct ts_ctx_opts o = {
		.role = SECMSG_ROLE_ACCEPTOR, .suite = SECMSG_SUITE_AES128_GCM,
		.ctx_flags = SM_FLAGS_DEFAULT, .key = ts_test_key, .key_len = 32,
	};
	int fd;

	/* the same session key as the fixture's initiator */
	ts_import_init(&big.imp, &o);
	big.imp.size = sizeof(big);
	memset(big.tail, 0, sizeof(big.tail));
	fd = ts_import_raw(self->dev, &big);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	ts_assert_pair_works(_metadata, self->ini, fd);
	close(fd);
}

TEST_F(uapi, import_flags_nonzero)
{
	uint8_t contrib[SECMSG_CONTRIB_SIZE];

	/* flags other than SECMSG_IMPORT_FRESH (secmsg_psk tests that one) */
	IMPORT_FAILS(EINVAL, imp.flags = 2);
	IMPORT_FAILS(EINVAL, imp.flags = 0x80000000u);
	IMPORT_FAILS(EINVAL, imp.flags = SECMSG_IMPORT_FRESH | 2;
		     imp.contrib = SM_PTR(contrib);
		     imp.contrib_len = sizeof(contrib));
}

TEST_F(uapi, import_reserved_nonzero)
{
	uint8_t contrib[SECMSG_CONTRIB_SIZE];

	IMPORT_FAILS(EINVAL, imp.reserved = 1);
	IMPORT_FAILS(EINVAL, imp.reserved = 1u << 31);
	/* a contribution's buffer without SECMSG_IMPORT_FRESH */
	IMPORT_FAILS(EINVAL, imp.contrib = SM_PTR(contrib));
	IMPORT_FAILS(EINVAL, imp.contrib_len = sizeof(contrib));
}

TEST_F(uapi, import_bad_package)
{
	IMPORT_FAILS(EINVAL, imp.package = 0);
	IMPORT_FAILS(EINVAL, imp.package = SECMSG_PKG_LOCAL);
	IMPORT_FAILS(EINVAL, imp.package = SECMSG_PKG_KERBEROS);
	IMPORT_FAILS(EINVAL, imp.package = 4);
	IMPORT_FAILS(EINVAL, imp.package = 0xffffffffu);
}

TEST_F(uapi, import_bad_role)
{
	IMPORT_FAILS(EINVAL, imp.role = 0);
	IMPORT_FAILS(EINVAL, imp.role = 3);
	IMPORT_FAILS(EINVAL, imp.role = SECMSG_ROLE_INITIATOR | SECMSG_ROLE_ACCEPTOR | 4);
}

TEST_F(uapi, import_bad_suite)
{
	IMPORT_FAILS(EINVAL, imp.suite = 0);
	IMPORT_FAILS(EINVAL, imp.suite = 4);
	IMPORT_FAILS(EINVAL, imp.suite = 0x101);
}

TEST_F(uapi, import_unknown_ctx_flags)
{
	IMPORT_FAILS(EINVAL, imp.ctx_flags |= 0x00000100u);
	IMPORT_FAILS(EINVAL, imp.ctx_flags |= 0x00040000u);
	IMPORT_FAILS(EINVAL, imp.ctx_flags |= 0x80000000u);
}

TEST_F(uapi, import_bad_key_len)
{
	IMPORT_FAILS(EINVAL, imp.key_len = 0);
	IMPORT_FAILS(EINVAL, imp.key_len = SECMSG_KEY_MIN - 1);
	IMPORT_FAILS(EINVAL, imp.key_len = SECMSG_KEY_MAX + 1);
	IMPORT_FAILS(EINVAL, imp.key_len = 0xffffffffu);
}

TEST_F(uapi, import_key_len_limits)
{
	uint8_t key[SECMSG_KEY_MAX];
	struct ts_ctx_opts o = {
		.role = SECMSG_ROLE_INITIATOR, .suite = SECMSG_SUITE_AES256_GCM,
		.ctx_flags = SM_FLAGS_DEFAULT, .key = key,
	};
	int fd;

	memset(key, 7, sizeof(key));
	o.key_len = SECMSG_KEY_MIN;
	fd = ts_import(self->dev, &o);
	ASSERT_LE(0, fd);
	close(fd);
	o.key_len = SECMSG_KEY_MAX;
	fd = ts_import(self->dev, &o);
	ASSERT_LE(0, fd);
	close(fd);
}

TEST_F(uapi, import_key_fault)
{
	IMPORT_FAILS(EFAULT, imp.key = 0);
	IMPORT_FAILS(EFAULT, imp.key = SM_PTR(self->none));
	/* the key runs into an unmapped page */
	IMPORT_FAILS(EFAULT, imp.key = SM_PTR(self->edge - 8));
}

TEST_F(uapi, import_arg_fault)
{
	struct ts_ctx_opts o = {
		.role = SECMSG_ROLE_INITIATOR, .suite = SECMSG_SUITE_AES128_GCM,
		.ctx_flags = SM_FLAGS_DEFAULT, .key = ts_test_key, .key_len = 16,
	};
	struct secmsg_import imp;

	ASSERT_EQ(-EFAULT, ts_import_raw(self->dev, NULL));
	ASSERT_EQ(-EFAULT, ts_import_raw(self->dev, self->none));
	/* the struct runs into a PROT_NONE page (a valid size first) */
	ts_import_init(&imp, &o);
	memcpy(self->edge - 40, &imp, 40);
	ASSERT_EQ(-EFAULT, ts_import_raw(self->dev, self->edge - 40));
}

/* ---- message structs ---------------------------------------------------- */

static void sign_msg(struct _test_data_uapi *self, struct secmsg_buffer b[2],
		     struct secmsg_message *m)
{
	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, self->tok, 32);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, self->data, sizeof(self->data));
	ts_msg_init(m, b, 2, 0);
}

TEST_F(uapi, msg_size_below_ver0)
{
	struct secmsg_buffer b[2];
	struct secmsg_message m;

	sign_msg(self, b, &m);
	m.size = SECMSG_MESSAGE_SIZE_VER0 - 1;
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SIGN, &m), m, EINVAL);
	m.size = 0;
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SIGN, &m), m, EINVAL);
	ASSERT_EQ(0ull, ts_send_seq(self->ini));
	STILL_WORKS();
}

TEST_F(uapi, msg_size_larger_nonzero_tail)
{
	struct secmsg_buffer b[2];
	struct {
		struct secmsg_message m;
		uint32_t tail[4];
	} big = { .tail = { 0, 0, 0, 1 } };

	sign_msg(self, b, &big.m);
	big.m.size = sizeof(big);
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SIGN, &big), big.m, E2BIG);
	STILL_WORKS();
}

TEST_F(uapi, msg_size_larger_zero_tail)
{
	struct secmsg_buffer b[2];
	struct {
		struct secmsg_message m;
		uint32_t tail[4];
	} big = { .tail = { 0 } };

	sign_msg(self, b, &big.m);
	big.m.size = sizeof(big);
	ASSERT_OK_MSG(ts_ioctl(self->ini, SECMSG_IOC_SIGN, &big), big.m);
	ASSERT_EQ(0ull, big.m.seq);
	/* the kernel wrote none of the bytes it does not know */
	ASSERT_EQ(0u, big.tail[0] | big.tail[1] | big.tail[2] | big.tail[3]);
	ts_msg_init(&big.m, b, 2, 0);
	big.m.size = sizeof(big);
	ASSERT_OK_MSG(ts_ioctl(self->acc, SECMSG_IOC_VERIFY, &big), big.m);
}

TEST_F(uapi, msg_flags_nonzero)
{
	struct secmsg_buffer b[2];
	struct secmsg_message m;

	sign_msg(self, b, &m);
	m.flags = 1;
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SIGN, &m), m, EINVAL);
	m.flags = 0x80000000u;
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SEAL, &m), m, EINVAL);
	STILL_WORKS();
}

TEST_F(uapi, msg_nbuffers_zero)
{
	struct secmsg_buffer b[2];
	struct secmsg_message m;

	sign_msg(self, b, &m);
	m.nbuffers = 0;
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SIGN, &m), m, EINVAL);
	ASSERT_REFUSED(ts_ioctl(self->acc, SECMSG_IOC_UNSEAL, &m), m, EINVAL);
	STILL_WORKS();
}

TEST_F(uapi, msg_nbuffers_above_max)
{
	struct secmsg_buffer b[SECMSG_MAX_BUFFERS + 1];
	struct secmsg_message m;
	unsigned int i;

	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, self->tok, 32);
	for (i = 1; i <= SECMSG_MAX_BUFFERS; i++)
		ts_buf(&b[i], SECMSG_BUF_DATA, 0, self->data + i, 1);
	ASSERT_REFUSED(ts_call(self->ini, SECMSG_IOC_SIGN, &m, b,
			       SECMSG_MAX_BUFFERS + 1, 0), m, EINVAL);
	ASSERT_REFUSED(ts_call(self->ini, SECMSG_IOC_SIGN, &m, b,
			       0xffffffffu, 0), m, EINVAL);
	/* exactly SECMSG_MAX_BUFFERS is fine */
	ASSERT_OK_MSG(ts_call(self->ini, SECMSG_IOC_SIGN, &m, b,
			      SECMSG_MAX_BUFFERS, 0), m);
	ASSERT_OK_MSG(ts_call(self->acc, SECMSG_IOC_VERIFY, &m, b,
			      SECMSG_MAX_BUFFERS, 0), m);
}

TEST_F(uapi, msg_buffers_fault)
{
	struct secmsg_message m;

	ASSERT_REFUSED(ts_call(self->ini, SECMSG_IOC_SIGN, &m, NULL, 2, 0),
		       m, EFAULT);
	ASSERT_REFUSED(ts_call(self->ini, SECMSG_IOC_SEAL, &m, self->none, 2, 0),
		       m, EFAULT);
	ASSERT_EQ(0ull, ts_send_seq(self->ini));
	STILL_WORKS();
}

TEST_F(uapi, msg_arg_fault)
{
	ASSERT_EQ(-EFAULT, ts_ioctl(self->ini, SECMSG_IOC_SIGN, NULL));
	ASSERT_EQ(-EFAULT, ts_ioctl(self->ini, SECMSG_IOC_UNSEAL, self->none));
	STILL_WORKS();
}

/* ---- buffers -------------------------------------------------------------- */

TEST_F(uapi, buffer_reserved_nonzero)
{
	struct secmsg_buffer b[2];
	struct secmsg_message m;

	sign_msg(self, b, &m);
	b[1].reserved = 1;
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SIGN, &m), m, EINVAL);
	b[1].reserved = 0;
	b[0].reserved = 0x80000000u;
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SEAL, &m), m, EINVAL);
	STILL_WORKS();
}

/*
 * The whole buffer array is read before any entry is checked (uapi
 * "Results and verdicts", step 1): a reserved field anywhere gives
 * EINVAL, but an array whose tail cannot be read gives EFAULT even when an
 * earlier entry is bad.  Six entries: more than one read of the kernel's.
 */
TEST_F(uapi, buffer_array_read_before_checked)
{
	struct secmsg_buffer *b = (struct secmsg_buffer *)self->edge - 6;
	struct secmsg_message m;
	unsigned int i;

	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, self->tok, 32);
	for (i = 1; i < 6; i++)
		ts_buf(&b[i], SECMSG_BUF_DATA, SECMSG_BUF_READONLY,
		       self->data + 8 * i, 8);
	ts_msg_init(&m, b, 6, 0);
	b[5].reserved = 1;
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SIGN, &m), m, EINVAL);
	b[5].reserved = 0;
	/* moved one entry on: its sixth entry is past the edge */
	memmove(b + 1, b, 5 * sizeof(*b));
	m.buffers = SM_PTR(b + 1);
	b[1].reserved = 1;
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SIGN, &m), m, EFAULT);
	b[1].reserved = 0;
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SIGN, &m), m, EFAULT);
	ASSERT_EQ(0ull, ts_send_seq(self->ini));
	/* back in place, all readable: it signs */
	memmove(b, b + 1, 5 * sizeof(*b));
	ts_buf(&b[5], SECMSG_BUF_DATA, SECMSG_BUF_READONLY, self->data + 40,
	       8);
	ts_msg_init(&m, b, 6, 0);
	ASSERT_EQ(0, ts_ioctl(self->ini, SECMSG_IOC_SIGN, &m));
	ASSERT_EQ(1ull, ts_send_seq(self->ini));
	STILL_WORKS();
}

TEST_F(uapi, buffer_unknown_type)
{
	static const uint32_t types[] = { 3, 4, 5, 8, 11, 0x100, 0xffffffffu };
	struct secmsg_buffer b[3];
	struct secmsg_message m;
	unsigned int i;

	for (i = 0; i < SM_ARRAY_SIZE(types); i++) {
		sign_msg(self, b, &m);
		ts_buf(&b[2], types[i], 0, self->data, 4);
		m.nbuffers = 3;
		ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SIGN, &m), m,
			       EINVAL);
		ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SEAL, &m), m,
			       EINVAL);
	}
	STILL_WORKS();
}

TEST_F(uapi, buffer_unknown_flag)
{
	static const uint32_t flags[] = { 1, 0x20000000u, 0x40000000u,
					  0x10000001u };
	struct secmsg_buffer b[2];
	struct secmsg_message m;
	unsigned int i;

	for (i = 0; i < SM_ARRAY_SIZE(flags); i++) {
		sign_msg(self, b, &m);
		b[1].flags = flags[i];
		ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SIGN, &m), m,
			       EINVAL);
	}
	STILL_WORKS();
}

TEST_F(uapi, readonly_flags_on_non_data)
{
	uint8_t stream[64];
	struct secmsg_buffer b[3];
	struct secmsg_message m;

	sign_msg(self, b, &m);
	b[0].flags = SECMSG_BUF_READONLY;
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SIGN, &m), m, EINVAL);
	b[0].flags = SECMSG_BUF_READONLY_WITH_CHECKSUM;
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SEAL, &m), m, EINVAL);

	sign_msg(self, b, &m);
	ts_buf(&b[2], SECMSG_BUF_PADDING, SECMSG_BUF_READONLY, stream, 16);
	m.nbuffers = 3;
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SEAL, &m), m, EINVAL);
	ts_buf(&b[2], SECMSG_BUF_EMPTY, SECMSG_BUF_READONLY_WITH_CHECKSUM,
	       NULL, 0);
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SEAL, &m), m, EINVAL);

	ts_buf(&b[0], SECMSG_BUF_STREAM_HEADER, SECMSG_BUF_READONLY, stream, 16);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, stream + 16, 32);
	ts_buf(&b[2], SECMSG_BUF_STREAM_TRAILER, 0, stream + 48, 16);
	ASSERT_REFUSED(ts_call(self->ini, SECMSG_IOC_SEAL, &m, b, 3, 0), m,
		       EINVAL);
	ts_buf(&b[0], SECMSG_BUF_STREAM, SECMSG_BUF_READONLY, stream, 64);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, NULL, 0);
	ASSERT_REFUSED(ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, b, 2, 0), m,
		       EINVAL);
	ASSERT_EQ(0ull, ts_send_seq(self->ini));
	STILL_WORKS();
}

TEST_F(uapi, two_tokens)
{
	uint8_t tok2[32];
	struct secmsg_buffer b[3];
	struct secmsg_message m;

	sign_msg(self, b, &m);
	ts_buf(&b[2], SECMSG_BUF_TOKEN, 0, tok2, 32);
	m.nbuffers = 3;
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SIGN, &m), m, EINVAL);
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SEAL, &m), m, EINVAL);
	ASSERT_REFUSED(ts_ioctl(self->acc, SECMSG_IOC_VERIFY, &m), m, EINVAL);
	ASSERT_REFUSED(ts_ioctl(self->acc, SECMSG_IOC_UNSEAL, &m), m, EINVAL);
	STILL_WORKS();
}

TEST_F(uapi, no_token)
{
	struct secmsg_buffer b[2];
	struct secmsg_message m;

	sign_msg(self, b, &m);
	b[0].type = SECMSG_BUF_EMPTY;
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SIGN, &m), m, EINVAL);
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SEAL, &m), m, EINVAL);
	ASSERT_REFUSED(ts_ioctl(self->acc, SECMSG_IOC_VERIFY, &m), m, EINVAL);
	ASSERT_REFUSED(ts_ioctl(self->acc, SECMSG_IOC_UNSEAL, &m), m, EINVAL);
	STILL_WORKS();
}

TEST_F(uapi, token_and_stream_header_mixed)
{
	uint8_t stream[16 + 8 + 16];
	struct secmsg_buffer b[4];
	struct secmsg_message m;

	ts_buf(&b[0], SECMSG_BUF_STREAM_HEADER, 0, stream, 16);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, stream + 16, 8);
	ts_buf(&b[2], SECMSG_BUF_STREAM_TRAILER, 0, stream + 24, 16);
	ts_buf(&b[3], SECMSG_BUF_TOKEN, 0, self->tok, 32);
	ASSERT_REFUSED(ts_call(self->ini, SECMSG_IOC_SEAL, &m, b, 4, 0), m,
		       EINVAL);
	/* a header without a trailer, a trailer without a header */
	ASSERT_REFUSED(ts_call(self->ini, SECMSG_IOC_SEAL, &m, b, 2, 0), m,
		       EINVAL);
	ASSERT_REFUSED(ts_call(self->ini, SECMSG_IOC_SEAL, &m, &b[1], 2, 0), m,
		       EINVAL);
	ASSERT_EQ(0ull, ts_send_seq(self->ini));
	STILL_WORKS();
}

TEST_F(uapi, stream_seal_flagged_data)
{
	uint8_t stream[16 + 8 + 8 + 16];
	struct secmsg_buffer b[4];
	struct secmsg_message m;

	/* the receiver sees one stream: every DATA in it is sealed alike */
	ts_buf(&b[0], SECMSG_BUF_STREAM_HEADER, 0, stream, 16);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, stream + 16, 8);
	ts_buf(&b[2], SECMSG_BUF_DATA, SECMSG_BUF_READONLY_WITH_CHECKSUM,
	       stream + 24, 8);
	ts_buf(&b[3], SECMSG_BUF_STREAM_TRAILER, 0, stream + 32, 16);
	ASSERT_REFUSED(ts_call(self->ini, SECMSG_IOC_SEAL, &m, b, 4, 0), m,
		       EINVAL);
	b[2].flags = SECMSG_BUF_READONLY;
	ASSERT_REFUSED(ts_call(self->ini, SECMSG_IOC_SEAL, &m, b, 4, 0), m,
		       EINVAL);
	ASSERT_REFUSED(ts_call(self->ini, SECMSG_IOC_SEAL, &m, b, 4,
			       SECMSG_QOP_WRAP_NO_ENCRYPT), m, EINVAL);
	ASSERT_EQ(0ull, ts_send_seq(self->ini));
	STILL_WORKS();
}

TEST_F(uapi, struct_size_above_page)
{
	size_t len = 2 * 4096;
	uint8_t *big = mmap(NULL, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct secmsg_buffer b[2];
	struct secmsg_message *m = (void *)big;
	struct secmsg_query *q = (void *)big;
	struct secmsg_batch *bt = (void *)big;

	ASSERT_TRUE(big != MAP_FAILED);
	/* all-zero tails, so only the size itself is refused */
	sign_msg(self, b, m);
	m->size = 4096 + 8;
	ASSERT_EQ(-E2BIG, ts_ioctl(self->ini, SECMSG_IOC_SIGN, m));
	memset(big, 0, len);
	q->size = 4096 + 8;
	ASSERT_EQ(-E2BIG, ts_ioctl(self->ini, SECMSG_IOC_QUERY, q));
	memset(big, 0, len);
	bt->size = 4096 + 8;
	bt->op = SECMSG_OP_SIGN;
	bt->count = 1;
	bt->msgs = (uintptr_t)(big + 4096);
	bt->msg_size = sizeof(struct secmsg_message);
	ASSERT_EQ(-E2BIG, ts_ioctl(self->ini, SECMSG_IOC_BATCH, bt));
	bt->size = sizeof(*bt);
	bt->msg_size = 4096 + 8;
	ASSERT_EQ(-E2BIG, ts_ioctl(self->ini, SECMSG_IOC_BATCH, bt));
	ASSERT_EQ(0ull, ts_send_seq(self->ini));
	munmap(big, len);
	STILL_WORKS();
}

TEST_F(uapi, stream_buffers_where_not_taken)
{
	uint8_t stream[64];
	struct secmsg_buffer b[3];
	struct secmsg_message m;

	/* STREAM_HEADER / STREAM_TRAILER in SIGN and VERIFY */
	sign_msg(self, b, &m);
	ts_buf(&b[2], SECMSG_BUF_STREAM_HEADER, 0, stream, 16);
	m.nbuffers = 3;
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SIGN, &m), m, EINVAL);
	b[2].type = SECMSG_BUF_STREAM_TRAILER;
	ASSERT_REFUSED(ts_ioctl(self->acc, SECMSG_IOC_VERIFY, &m), m, EINVAL);
	/* STREAM in SIGN, VERIFY and SEAL */
	b[2].type = SECMSG_BUF_STREAM;
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SIGN, &m), m, EINVAL);
	ASSERT_REFUSED(ts_ioctl(self->acc, SECMSG_IOC_VERIFY, &m), m, EINVAL);
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SEAL, &m), m, EINVAL);
	/* STREAM_HEADER in UNSEAL */
	ts_buf(&b[0], SECMSG_BUF_STREAM_HEADER, 0, stream, 16);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, stream + 16, 32);
	ts_buf(&b[2], SECMSG_BUF_STREAM_TRAILER, 0, stream + 48, 16);
	ASSERT_REFUSED(ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, b, 3, 0), m,
		       EINVAL);
	ASSERT_EQ(0ull, ts_send_seq(self->ini));
	STILL_WORKS();
}

TEST_F(uapi, padding_layouts)
{
	uint8_t pad[2][8];
	struct secmsg_buffer b[4];
	struct secmsg_message m;

	/* PADDING is for SEAL/UNSEAL only */
	sign_msg(self, b, &m);
	ts_buf(&b[2], SECMSG_BUF_PADDING, 0, pad[0], 8);
	m.nbuffers = 3;
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SIGN, &m), m, EINVAL);
	/* at most one */
	ts_buf(&b[3], SECMSG_BUF_PADDING, 0, pad[1], 8);
	m.nbuffers = 4;
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SEAL, &m), m, EINVAL);
	ASSERT_EQ(0ull, ts_send_seq(self->ini));
	STILL_WORKS();
}

TEST_F(uapi, stream_unseal_layouts)
{
	uint8_t stream[16 + 8 + 16];
	struct secmsg_buffer b[4];
	struct secmsg_message m;

	ts_buf(&b[0], SECMSG_BUF_STREAM_HEADER, 0, stream, 16);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, stream + 16, 8);
	ts_buf(&b[2], SECMSG_BUF_STREAM_TRAILER, 0, stream + 24, 16);
	ASSERT_EQ(0, ts_call(self->ini, SECMSG_IOC_SEAL, &m, b, 3, 0));

	/* STREAM without a DATA */
	ts_buf(&b[0], SECMSG_BUF_STREAM, 0, stream, sizeof(stream));
	ASSERT_REFUSED(ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, b, 1, 0), m,
		       EINVAL);
	/* two DATA */
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, NULL, 0);
	ts_buf(&b[2], SECMSG_BUF_DATA, 0, NULL, 0);
	ASSERT_REFUSED(ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, b, 3, 0), m,
		       EINVAL);
	/* two STREAMs */
	ts_buf(&b[2], SECMSG_BUF_STREAM, 0, self->data, 40);
	ASSERT_REFUSED(ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, b, 3, 0), m,
		       EINVAL);
	/* STREAM with a TOKEN */
	ts_buf(&b[2], SECMSG_BUF_TOKEN, 0, self->tok, 32);
	ASSERT_REFUSED(ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, b, 3, 0), m,
		       EINVAL);
	/* the stream was not consumed: it still unseals */
	ASSERT_OK_MSG(ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, b, 2, 0), m);
	ASSERT_EQ(8u, b[1].len);
}

TEST_F(uapi, overlapping_buffers)
{
	uint8_t mem[128];
	struct secmsg_buffer b[3];
	struct secmsg_message m;

	/* two DATA sharing one byte */
	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, mem, 32);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, mem + 32, 40);
	ts_buf(&b[2], SECMSG_BUF_DATA, 0, mem + 71, 10);
	ASSERT_REFUSED(ts_call(self->ini, SECMSG_IOC_SEAL, &m, b, 3, 0), m,
		       EINVAL);
	ASSERT_REFUSED(ts_call(self->ini, SECMSG_IOC_SIGN, &m, b, 3, 0), m,
		       EINVAL);
	/* the TOKEN inside a DATA */
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, mem + 16, 64);
	ASSERT_REFUSED(ts_call(self->ini, SECMSG_IOC_SEAL, &m, b, 2, 0), m,
		       EINVAL);
	/* the same buffer twice */
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, mem + 32, 40);
	ts_buf(&b[2], SECMSG_BUF_DATA, 0, mem + 32, 40);
	ASSERT_REFUSED(ts_call(self->ini, SECMSG_IOC_SEAL, &m, b, 3, 0), m,
		       EINVAL);
	ASSERT_EQ(0ull, ts_send_seq(self->ini));
	/* adjacent is not overlapping */
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, mem + 32, 40);
	ts_buf(&b[2], SECMSG_BUF_DATA, 0, mem + 72, 10);
	ASSERT_OK_MSG(ts_call(self->ini, SECMSG_IOC_SEAL, &m, b, 3, 0), m);
	ASSERT_OK_MSG(ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, b, 3, 0), m);
}

TEST_F(uapi, data_pointer_fault)
{
	struct secmsg_buffer b[2];
	struct secmsg_message m;
	uint8_t tok[32], sealed[64];

	sign_msg(self, b, &m);
	b[1].ptr = 0;
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SIGN, &m), m, EFAULT);
	b[1].ptr = SM_PTR(self->none);
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SIGN, &m), m, EFAULT);
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SEAL, &m), m, EFAULT);
	/* a DATA running from a readable page into a PROT_NONE one */
	b[1].ptr = SM_PTR(self->edge - 16);
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SIGN, &m), m, EFAULT);

	/* VERIFY and UNSEAL of real messages with unreadable data */
	ASSERT_EQ(0, ts_sign1(self->ini, tok, self->data, 64, &m));
	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, tok, 32);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, self->none, 64);
	ASSERT_REFUSED(ts_call(self->acc, SECMSG_IOC_VERIFY, &m, b, 2, 0), m,
		       EFAULT);
	/* not consumed by the failed VERIFY */
	ASSERT_OK_MSG(ts_verify1(self->acc, tok, self->data, 64, &m), m);
	memcpy(sealed, self->data, 64);
	ASSERT_EQ(0, ts_seal1(self->ini, tok, sealed, 64, 0, &m));
	ASSERT_REFUSED(ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, b, 2, 0), m,
		       EFAULT);
	ASSERT_OK_MSG(ts_unseal1(self->acc, tok, sealed, 64, &m), m);
	ASSERT_EQ(0, memcmp(self->data, sealed, 64));
	STILL_WORKS();
}

TEST_F(uapi, token_pointer_fault)
{
	struct secmsg_buffer b[2];
	struct secmsg_message m;

	sign_msg(self, b, &m);
	b[0].ptr = SM_PTR(self->none);
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SIGN, &m), m, EFAULT);
	ASSERT_REFUSED(ts_ioctl(self->acc, SECMSG_IOC_VERIFY, &m), m, EFAULT);
	b[0].ptr = 0;
	ASSERT_REFUSED(ts_ioctl(self->ini, SECMSG_IOC_SEAL, &m), m, EFAULT);
	ASSERT_REFUSED(ts_ioctl(self->acc, SECMSG_IOC_UNSEAL, &m), m, EFAULT);
	STILL_WORKS();
}

TEST_F(uapi, output_to_readonly_memory)
{
	struct secmsg_buffer b[2];
	struct secmsg_message m;

	/* the TOKEN cannot be written */
	sign_msg(self, b, &m);
	b[0].ptr = SM_PTR(self->ro);
	ASSERT_EQ(-EFAULT, ts_ioctl(self->ini, SECMSG_IOC_SIGN, &m));
	/* the DATA cannot be encrypted in place */
	sign_msg(self, b, &m);
	b[1].ptr = SM_PTR(self->ro);
	ASSERT_EQ(-EFAULT, ts_ioctl(self->ini, SECMSG_IOC_SEAL, &m));
	/* the buffer array itself is read-only: lens cannot be written back */
	STILL_WORKS();
}

TEST_F(uapi, message_too_big)
{
	size_t len = SECMSG_MAX_MESSAGE + 2 * 4096;
	struct secmsg_buffer b[3];
	struct secmsg_message m;
	uint8_t *big;

	big = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_TRUE(big != MAP_FAILED);
	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, self->tok, 32);
	/* one buffer one byte over */
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, big, SECMSG_MAX_MESSAGE + 1);
	ASSERT_REFUSED(ts_call(self->ini, SECMSG_IOC_SIGN, &m, b, 2, 0), m,
		       EMSGSIZE);
	ASSERT_REFUSED(ts_call(self->ini, SECMSG_IOC_SEAL, &m, b, 2, 0), m,
		       EMSGSIZE);
	ASSERT_REFUSED(ts_call(self->acc, SECMSG_IOC_VERIFY, &m, b, 2, 0), m,
		       EMSGSIZE);
	/* two that sum past the limit */
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, big, SECMSG_MAX_MESSAGE / 2);
	ts_buf(&b[2], SECMSG_BUF_DATA, SECMSG_BUF_READONLY_WITH_CHECKSUM,
	       big + SECMSG_MAX_MESSAGE / 2, SECMSG_MAX_MESSAGE / 2 + 1);
	ASSERT_REFUSED(ts_call(self->ini, SECMSG_IOC_SEAL, &m, b, 3, 0), m,
		       EMSGSIZE);
	ASSERT_EQ(0ull, ts_send_seq(self->ini));
	munmap(big, len);
	STILL_WORKS();
}

TEST_F(uapi, message_lens_wrap_32_bits)
{
#if UINTPTR_MAX > 0xffffffffu
	const size_t len = (size_t)1 << 33;
	struct secmsg_buffer b[3];
	struct secmsg_message m;
	uint8_t *space;

	/* reserved address space only; no page is touched */
	space = mmap(NULL, len, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_TRUE(space != MAP_FAILED);
	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, self->tok, 32);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, space, 0xfffffff0u);
	ts_buf(&b[2], SECMSG_BUF_DATA, 0, space + 0x100000000ull, 0x20);
	/* 0xfffffff0 + 0x20 wraps to 0x10 in 32 bits */
	ASSERT_REFUSED(ts_call(self->ini, SECMSG_IOC_SIGN, &m, b, 3, 0), m,
		       EMSGSIZE);
	munmap(space, len);
	STILL_WORKS();
#else
	SKIP(return, "needs a 64-bit address space");
#endif
}

TEST_F(uapi, unknown_qop)
{
	uint8_t data[8] = "payload", tok[32];
	struct secmsg_message m;

	ASSERT_VERDICT(ts_seal1(self->ini, tok, data, 8, 1, &m), m,
		       EOPNOTSUPP, SECMSG_VERDICT_QOP_NOT_SUPPORTED);
	ASSERT_VERDICT(ts_seal1(self->ini, tok, data, 8, 0x80000002u, &m), m,
		       EOPNOTSUPP, SECMSG_VERDICT_QOP_NOT_SUPPORTED);
	ASSERT_EQ(0, memcmp(data, "payload", 8));
	ASSERT_EQ(0ull, ts_send_seq(self->ini));
	STILL_WORKS();
}

/* ---- verdicts for short buffers ------------------------------------------- */

TEST_F(uapi, sign_token_too_small)
{
	struct secmsg_buffer b[3];
	struct secmsg_message m;
	uint8_t tok[32];

	memset(tok, 0xab, sizeof(tok));
	ts_buf(&b[0], SECMSG_BUF_DATA, 0, self->data, 16);
	ts_buf(&b[1], SECMSG_BUF_EMPTY, 0, NULL, 0);
	ts_buf(&b[2], SECMSG_BUF_TOKEN, 0, tok, 31);
	ASSERT_VERDICT(ts_call(self->ini, SECMSG_IOC_SIGN, &m, b, 3, 0), m,
		       ENOBUFS, SECMSG_VERDICT_BUFFER_TOO_SMALL);
	ASSERT_EQ(32u, m.needed);
	ASSERT_EQ(2u, m.index);
	ASSERT_EQ(31u, b[2].len);	/* buffers are not written back */
	ASSERT_EQ(0xab, tok[0]);
	/* nothing consumed */
	ASSERT_EQ(0ull, ts_send_seq(self->ini));
	ts_buf(&b[2], SECMSG_BUF_TOKEN, 0, NULL, 0);
	ASSERT_VERDICT(ts_call(self->ini, SECMSG_IOC_SIGN, &m, b, 3, 0), m,
		       ENOBUFS, SECMSG_VERDICT_BUFFER_TOO_SMALL);
	ASSERT_EQ(32u, m.needed);
	ASSERT_EQ(0ull, ts_send_seq(self->ini));
	STILL_WORKS();
}

TEST_F(uapi, seal_token_too_small)
{
	uint8_t data[16], orig[16], tok[32];
	struct secmsg_buffer b[2];
	struct secmsg_message m;

	ts_fill(data, 16, 3);
	memcpy(orig, data, 16);
	ts_buf(&b[0], SECMSG_BUF_DATA, 0, data, 16);
	ts_buf(&b[1], SECMSG_BUF_TOKEN, 0, tok, 31);
	ASSERT_VERDICT(ts_call(self->ini, SECMSG_IOC_SEAL, &m, b, 2, 0), m,
		       ENOBUFS, SECMSG_VERDICT_BUFFER_TOO_SMALL);
	ASSERT_EQ(32u, m.needed);
	ASSERT_EQ(1u, m.index);
	ASSERT_EQ(0, memcmp(orig, data, 16));	/* not encrypted */
	ASSERT_EQ(0ull, ts_send_seq(self->ini));
	STILL_WORKS();
}

TEST_F(uapi, seal_stream_header_too_small)
{
	uint8_t stream[15 + 16 + 16], orig[16];
	struct secmsg_buffer b[3];
	struct secmsg_message m;

	ts_fill(stream + 15, 16, 4);
	memcpy(orig, stream + 15, 16);
	ts_buf(&b[0], SECMSG_BUF_STREAM_HEADER, 0, stream, 15);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, stream + 15, 16);
	ts_buf(&b[2], SECMSG_BUF_STREAM_TRAILER, 0, stream + 31, 16);
	ASSERT_VERDICT(ts_call(self->ini, SECMSG_IOC_SEAL, &m, b, 3, 0), m,
		       ENOBUFS, SECMSG_VERDICT_BUFFER_TOO_SMALL);
	ASSERT_EQ(16u, m.needed);
	ASSERT_EQ(0u, m.index);
	ASSERT_EQ(0, memcmp(orig, stream + 15, 16));
	ASSERT_EQ(0ull, ts_send_seq(self->ini));
	STILL_WORKS();
}

TEST_F(uapi, seal_stream_trailer_too_small)
{
	uint8_t stream[16 + 16 + 15];
	struct secmsg_buffer b[4];
	struct secmsg_message m;

	ts_buf(&b[0], SECMSG_BUF_EMPTY, 0, NULL, 0);
	ts_buf(&b[1], SECMSG_BUF_STREAM_HEADER, 0, stream, 16);
	ts_buf(&b[2], SECMSG_BUF_DATA, 0, stream + 16, 16);
	ts_buf(&b[3], SECMSG_BUF_STREAM_TRAILER, 0, stream + 32, 15);
	ASSERT_VERDICT(ts_call(self->ini, SECMSG_IOC_SEAL, &m, b, 4, 0), m,
		       ENOBUFS, SECMSG_VERDICT_BUFFER_TOO_SMALL);
	ASSERT_EQ(16u, m.needed);
	ASSERT_EQ(3u, m.index);
	ASSERT_EQ(0ull, ts_send_seq(self->ini));
	STILL_WORKS();
}

TEST_F(uapi, verify_token_too_short)
{
	struct secmsg_buffer b[2];
	struct secmsg_message m;
	uint8_t tok[32];

	ASSERT_EQ(0, ts_sign1(self->ini, tok, self->data, 64, &m));
	ts_buf(&b[0], SECMSG_BUF_DATA, 0, self->data, 64);
	ts_buf(&b[1], SECMSG_BUF_TOKEN, 0, tok, 31);
	ASSERT_VERDICT(ts_call(self->acc, SECMSG_IOC_VERIFY, &m, b, 2, 0), m,
		       EPROTO, SECMSG_VERDICT_BAD_TOKEN);
	b[1].len = 0;
	ASSERT_VERDICT(ts_call(self->acc, SECMSG_IOC_VERIFY, &m, b, 2, 0), m,
		       EPROTO, SECMSG_VERDICT_BAD_TOKEN);
	/* the full token still verifies: nothing was consumed */
	b[1].len = 32;
	ASSERT_OK_MSG(ts_call(self->acc, SECMSG_IOC_VERIFY, &m, b, 2, 0), m);
}

TEST_F(uapi, unseal_token_too_short)
{
	uint8_t data[16], sealed[16], tok[32];
	struct secmsg_buffer b[2];
	struct secmsg_message m;

	ts_fill(data, 16, 5);
	ASSERT_EQ(0, ts_seal1(self->ini, tok, data, 16, 0, &m));
	memcpy(sealed, data, 16);
	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, tok, 31);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, data, 16);
	ASSERT_VERDICT(ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, b, 2, 0), m,
		       EPROTO, SECMSG_VERDICT_BAD_TOKEN);
	ASSERT_EQ(0, memcmp(sealed, data, 16));
	b[0].len = 32;
	ASSERT_OK_MSG(ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, b, 2, 0), m);
}

TEST_F(uapi, unseal_stream_incomplete)
{
	uint8_t stream[16 + 16 + 16], copy[sizeof(stream)];
	struct secmsg_buffer b[3];
	struct secmsg_message m;

	ts_buf(&b[0], SECMSG_BUF_STREAM_HEADER, 0, stream, 16);
	ts_buf(&b[1], SECMSG_BUF_DATA, 0, stream + 16, 16);
	ts_buf(&b[2], SECMSG_BUF_STREAM_TRAILER, 0, stream + 32, 16);
	ASSERT_EQ(0, ts_call(self->ini, SECMSG_IOC_SEAL, &m, b, 3, 0));
	memcpy(copy, stream, sizeof(stream));

	ts_buf(&b[0], SECMSG_BUF_DATA, 0, NULL, 0);
	ts_buf(&b[1], SECMSG_BUF_STREAM, 0, stream, 31);
	ASSERT_VERDICT(ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, b, 2, 0), m,
		       ENODATA, SECMSG_VERDICT_INCOMPLETE_MESSAGE);
	ASSERT_EQ(32u, m.needed);
	ASSERT_EQ(1u, m.index);
	b[1].len = 0;
	ASSERT_VERDICT(ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, b, 2, 0), m,
		       ENODATA, SECMSG_VERDICT_INCOMPLETE_MESSAGE);
	ASSERT_EQ(0, memcmp(copy, stream, sizeof(stream)));
	/* a stream cut inside its data is altered, not incomplete */
	b[1].len = sizeof(stream) - 1;
	ASSERT_VERDICT(ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, b, 2, 0), m,
		       EBADMSG, SECMSG_VERDICT_ALTERED);
	b[1].len = sizeof(stream);
	ASSERT_OK_MSG(ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, b, 2, 0), m);
	ASSERT_EQ(16u, b[0].len);
}

/* ---- ioctl numbers -------------------------------------------------------- */

TEST_F(uapi, unknown_ioctl_on_device)
{
	char arg[512] = { 0 };

	ASSERT_EQ(-ENOTTY, ts_ioctl(self->dev, _IOWR(SECMSG_IOC_MAGIC, 0x7f,
						     struct secmsg_message), arg));
	ASSERT_EQ(-ENOTTY, ts_ioctl(self->dev, _IO(SECMSG_IOC_MAGIC, 0x02), arg));
	ASSERT_EQ(-ENOTTY, ts_ioctl(self->dev, _IOW('x', 0x01,
						     struct secmsg_import), arg));
	ASSERT_EQ(-ENOTTY, ts_ioctl(self->dev, 0, arg));
}

TEST_F(uapi, unknown_ioctl_on_context)
{
	char arg[512] = { 0 };

	ASSERT_EQ(-ENOTTY, ts_ioctl(self->ini, _IOWR(SECMSG_IOC_MAGIC, 0x16,
						     struct secmsg_message), arg));
	ASSERT_EQ(-ENOTTY, ts_ioctl(self->ini, _IOWR(SECMSG_IOC_MAGIC, 0x0f,
						     struct secmsg_message), arg));
	ASSERT_EQ(-ENOTTY, ts_ioctl(self->ini, _IOWR('y', 0x10,
						     struct secmsg_message), arg));
	ASSERT_EQ(-ENOTTY, ts_ioctl(self->ini, 0, arg));
	STILL_WORKS();
}

TEST_F(uapi, context_ioctl_on_device)
{
	struct secmsg_buffer b[2];
	struct secmsg_message m;
	struct secmsg_query q;

	sign_msg(self, b, &m);
	ASSERT_EQ(-ENOTTY, ts_ioctl(self->dev, SECMSG_IOC_SIGN, &m));
	ASSERT_EQ(-ENOTTY, ts_ioctl(self->dev, SECMSG_IOC_SEAL, &m));
	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	ASSERT_EQ(-ENOTTY, ts_ioctl(self->dev, SECMSG_IOC_QUERY, &q));
}

TEST_F(uapi, import_on_context)
{
	struct ts_ctx_opts o = {
		.role = SECMSG_ROLE_INITIATOR, .suite = SECMSG_SUITE_AES128_GCM,
		.ctx_flags = SM_FLAGS_DEFAULT, .key = ts_test_key, .key_len = 16,
	};
	struct secmsg_import imp;

	ts_import_init(&imp, &o);
	ASSERT_EQ(-ENOTTY, ts_import_raw(self->ini, &imp));
	STILL_WORKS();
}

TEST_F(uapi, ioctl_size_bits_ignored)
{
	struct secmsg_buffer b[2];
	struct secmsg_message m;
	struct ts_ctx_opts o = {
		.role = SECMSG_ROLE_INITIATOR, .suite = SECMSG_SUITE_AES128_GCM,
		.ctx_flags = SM_FLAGS_DEFAULT, .key = ts_test_key, .key_len = 16,
	};
	struct secmsg_import imp;
	int fd;

	sign_msg(self, b, &m);
	ASSERT_OK_MSG(ts_ioctl(self->ini, _IOC(_IOC_READ | _IOC_WRITE,
					       SECMSG_IOC_MAGIC, 0x10, 100), &m), m);
	sign_msg(self, b, &m);
	ASSERT_OK_MSG(ts_ioctl(self->acc, _IOC(_IOC_READ | _IOC_WRITE,
					       SECMSG_IOC_MAGIC, 0x11, 8), &m), m);
	ts_import_init(&imp, &o);
	fd = ioctl(self->dev, _IOC(_IOC_WRITE, SECMSG_IOC_MAGIC, 0x01, 200), &imp);
	ASSERT_LE(0, fd) TH_LOG("IMPORT with other size bits: %s",
				strerror(errno));
	close(fd);
}

/* ---- QUERY ------------------------------------------------------------- */

TEST_F(uapi, query_size_below_ver0)
{
	struct secmsg_query q;

	memset(&q, 0, sizeof(q));
	q.size = SECMSG_QUERY_SIZE_VER0 - 8;
	ASSERT_EQ(-EINVAL, ts_ioctl(self->ini, SECMSG_IOC_QUERY, &q));
	ASSERT_EQ(0u, q.package);
	q.size = 0;
	ASSERT_EQ(-EINVAL, ts_ioctl(self->ini, SECMSG_IOC_QUERY, &q));
}

TEST_F(uapi, query_size_larger)
{
	struct {
		struct secmsg_query q;
		uint64_t tail[3];
	} big;

	memset(&big, 0, sizeof(big));
	big.q.size = sizeof(big);
	big.tail[2] = 1;
	ASSERT_EQ(-E2BIG, ts_ioctl(self->ini, SECMSG_IOC_QUERY, &big));
	big.tail[2] = 0;
	ASSERT_EQ(0, ts_ioctl(self->ini, SECMSG_IOC_QUERY, &big));
	/* out: the bytes the kernel wrote, which is its own struct */
	ASSERT_EQ((__u32)SECMSG_QUERY_SIZE_VER4, big.q.size);
	ASSERT_EQ((__u32)SECMSG_PKG_RAW, big.q.package);
	ASSERT_EQ(0ull, big.tail[0] | big.tail[1] | big.tail[2]);
}

TEST_F(uapi, query_flags_nonzero)
{
	struct secmsg_query q;

	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.flags = 1;
	ASSERT_EQ(-EINVAL, ts_ioctl(self->ini, SECMSG_IOC_QUERY, &q));
	ASSERT_EQ(-EFAULT, ts_ioctl(self->ini, SECMSG_IOC_QUERY, NULL));
	ASSERT_EQ(-EFAULT, ts_ioctl(self->ini, SECMSG_IOC_QUERY, self->none));
}

/* ---- BATCH ------------------------------------------------------------- */

static void batch_init(struct _test_data_uapi *self, struct secmsg_batch *bt,
		       struct secmsg_message *m, struct secmsg_buffer *b)
{
	sign_msg(self, b, m);
	memset(bt, 0, sizeof(*bt));
	bt->size = sizeof(*bt);
	bt->op = SECMSG_OP_SIGN;
	bt->count = 1;
	bt->msgs = SM_PTR(m);
	bt->msg_size = sizeof(*m);
}

#define BATCH_FAILS(err, stmt) do { \
	struct secmsg_batch bt; \
	struct secmsg_message bm[2]; \
	struct secmsg_buffer bb[2]; \
	batch_init(self, &bt, bm, bb); \
	bm[1] = bm[0]; \
	stmt; \
	ASSERT_EQ(-(err), ts_ioctl(self->ini, SECMSG_IOC_BATCH, &bt)) \
		TH_LOG("%s", #stmt); \
	ASSERT_EQ(POISON, bm[0].verdict) TH_LOG("%s: processed", #stmt); \
	ASSERT_EQ(0u, bt.completed + bt.failed); \
} while (0)

TEST_F(uapi, batch_valid)
{
	struct secmsg_batch bt;
	struct secmsg_message m;
	struct secmsg_buffer b[2];

	batch_init(self, &bt, &m, b);
	ASSERT_EQ(0, ts_ioctl(self->ini, SECMSG_IOC_BATCH, &bt));
	ASSERT_EQ(1u, bt.completed);
	ASSERT_EQ(0u, bt.failed);
	ASSERT_OK_MSG(0, m);
	ASSERT_EQ(0ull, m.seq);
}

TEST_F(uapi, batch_size_below_ver0)
{
	BATCH_FAILS(EINVAL, bt.size = SECMSG_BATCH_SIZE_VER0 - 1);
	BATCH_FAILS(EINVAL, bt.size = 0);
	ASSERT_EQ(0ull, ts_send_seq(self->ini));
}

TEST_F(uapi, batch_size_larger)
{
	struct {
		struct secmsg_batch bt;
		uint64_t tail;
	} big;
	struct secmsg_message m;
	struct secmsg_buffer b[2];

	batch_init(self, &big.bt, &m, b);
	big.bt.size = sizeof(big);
	big.tail = 0x100;
	ASSERT_EQ(-E2BIG, ts_ioctl(self->ini, SECMSG_IOC_BATCH, &big));
	ASSERT_EQ(POISON, m.verdict);
	big.tail = 0;
	ASSERT_EQ(0, ts_ioctl(self->ini, SECMSG_IOC_BATCH, &big));
	ASSERT_EQ(1u, big.bt.completed);
}

TEST_F(uapi, batch_count)
{
	BATCH_FAILS(EINVAL, bt.count = 0);
	BATCH_FAILS(EINVAL, bt.count = SECMSG_MAX_BATCH + 1);
	BATCH_FAILS(EINVAL, bt.count = 0xffffffffu);
	ASSERT_EQ(0ull, ts_send_seq(self->ini));
	STILL_WORKS();
}

TEST_F(uapi, batch_bad_op_flags_reserved)
{
	BATCH_FAILS(EINVAL, bt.op = 0);
	BATCH_FAILS(EINVAL, bt.op = SECMSG_OP_UNSEAL + 1);
	BATCH_FAILS(EINVAL, bt.flags = 1);
	BATCH_FAILS(EINVAL, bt.reserved = 1);
	STILL_WORKS();
}

TEST_F(uapi, batch_msg_size_mismatch)
{
	/* msg_size below VER0 */
	BATCH_FAILS(EINVAL, bt.msg_size = SECMSG_MESSAGE_SIZE_VER0 - 4);
	/* a message whose size differs from msg_size */
	BATCH_FAILS(EINVAL, (bt.count = 2, bm[1].size = SECMSG_MESSAGE_SIZE_VER0 + 8));
	/* the second one is malformed: the whole call fails, nothing ran */
	BATCH_FAILS(EINVAL, (bt.count = 2, bm[1].flags = 1));
	BATCH_FAILS(EINVAL, (bt.count = 2, bm[1].nbuffers = 0));
	ASSERT_EQ(0ull, ts_send_seq(self->ini));
	STILL_WORKS();
}

TEST_F(uapi, batch_msgs_fault)
{
	BATCH_FAILS(EFAULT, bt.msgs = 0);
	BATCH_FAILS(EFAULT, bt.msgs = SM_PTR(self->none));
	/* the array runs into a PROT_NONE page */
	BATCH_FAILS(EFAULT, (memcpy(self->edge - sizeof(bm[0]), &bm[0],
				    sizeof(bm[0])),
			     bt.msgs = SM_PTR(self->edge - sizeof(bm[0])),
			     bt.count = 2));
	ASSERT_EQ(-EFAULT, ts_ioctl(self->ini, SECMSG_IOC_BATCH, NULL));
	ASSERT_EQ(0ull, ts_send_seq(self->ini));
	STILL_WORKS();
}

TEST_F(uapi, batch_on_device)
{
	struct secmsg_batch bt;
	struct secmsg_message m;
	struct secmsg_buffer b[2];

	batch_init(self, &bt, &m, b);
	ASSERT_EQ(-ENOTTY, ts_ioctl(self->dev, SECMSG_IOC_BATCH, &bt));
}

/* The module itself: nothing to set up (TEST_F, not TEST, for -Wextra). */
FIXTURE(module) {};
FIXTURE_SETUP(module) {}
FIXTURE_TEARDOWN(module) {}

/* The first line of @path, without its newline; false if there is none. */
static bool read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, size, f);
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

/*
 * The module file that run_tests.sh loaded: $SECMSG_KO, by default
 * kmod/secmsg.ko (run_tests.sh runs from the repo root, as do we).
 */
static const char *module_file(void)
{
	const char *ko = getenv("SECMSG_KO");

	return ko && *ko ? ko : "kmod/secmsg.ko";
}

/* modinfo -F @field of the module file, first line, in @buf. */
static bool modinfo_field(const char *field, char *buf, size_t size)
{
	char cmd[4096 + 64];
	FILE *p;
	bool ok;

	snprintf(cmd, sizeof(cmd), "modinfo -F %s '%s'", field, module_file());
	p = popen(cmd, "re");
	if (!p)
		return false;
	ok = fgets(buf, size, p);
	if (pclose(p))
		return false;
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

/*
 * The loaded module's version (modinfo's version:, MODULE_VERSION) is the
 * release the VERSION file names: $SECMSG_VERSION_FILE, by default
 * ./VERSION (the repo root).
 */
TEST_F(module, version)
{
	const char *path = getenv("SECMSG_VERSION_FILE");
	char want[64], got[64];

	if (!path || !*path)
		path = "VERSION";
	ASSERT_TRUE(read_line(path, want, sizeof(want)))
		TH_LOG("%s: %s (set SECMSG_VERSION_FILE)", path,
		       strerror(errno));
	ASSERT_TRUE(read_line("/sys/module/secmsg/version", got, sizeof(got)))
		TH_LOG("/sys/module/secmsg/version: %s (no MODULE_VERSION?)",
		       strerror(errno));
	ASSERT_STREQ(want, got);
}

/* The node is char 10:SECMSG_MISC_MINOR, mode 0666, as registered. */
TEST_F(module, device_number)
{
	char want[32], got[32];
	struct stat st;

	ASSERT_EQ(0, stat(SECMSG_DEVICE_PATH, &st))
		TH_LOG("%s: %s", SECMSG_DEVICE_PATH, strerror(errno));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(MISC_MAJOR, (int)major(st.st_rdev));
	EXPECT_EQ(SECMSG_MISC_MINOR, (int)minor(st.st_rdev));
	ASSERT_TRUE(makedev(MISC_MAJOR, SECMSG_MISC_MINOR) == st.st_rdev);
	EXPECT_EQ(0666u, st.st_mode & 07777);
	/* What the kernel registered, whoever made the node. */
	snprintf(want, sizeof(want), "%d:%d", MISC_MAJOR, SECMSG_MISC_MINOR);
	ASSERT_TRUE(read_line("/sys/class/misc/secmsg/dev", got, sizeof(got)));
	ASSERT_STREQ(want, got);
}

/*
 * The module file carries the three aliases that load it (aliases are not
 * in sysfs, so the file is read, and checked to be the loaded module):
 * opening the node, udev's static node (modules.devname), and resolving
 * the generic netlink family.
 */
TEST_F(module, aliases)
{
	char want[3][96], line[256], cmd[4096 + 64];
	char file_src[64], loaded_src[64];
	bool found[3] = { false };
	FILE *p;
	int i;

	ASSERT_EQ(0, access(module_file(), R_OK))
		TH_LOG("%s: %s (set SECMSG_KO)", module_file(),
		       strerror(errno));
	ASSERT_TRUE(modinfo_field("srcversion", file_src, sizeof(file_src)));
	ASSERT_TRUE(read_line("/sys/module/secmsg/srcversion", loaded_src,
			      sizeof(loaded_src)));
	ASSERT_STREQ(loaded_src, file_src)
		TH_LOG("%s is not the loaded module", module_file());

	snprintf(want[0], sizeof(want[0]), "char-major-%d-%d", MISC_MAJOR,
		 SECMSG_MISC_MINOR);
	snprintf(want[1], sizeof(want[1]), "devname:%s",
		 strrchr(SECMSG_DEVICE_PATH, '/') + 1);
	snprintf(want[2], sizeof(want[2]), "net-pf-%d-proto-%d-family-%s",
		 PF_NETLINK, NETLINK_GENERIC, SECMSG_GENL_NAME);
	snprintf(cmd, sizeof(cmd), "modinfo -F alias '%s'", module_file());
	p = popen(cmd, "re");
	ASSERT_TRUE(!!p);
	while (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = '\0';
		for (i = 0; i < 3; i++)
			found[i] |= !strcmp(line, want[i]);
	}
	ASSERT_EQ(0, pclose(p));
	for (i = 0; i < 3; i++) {
		EXPECT_TRUE(found[i])
			TH_LOG("alias %s missing from %s", want[i],
			       module_file());
	}
}

TEST_HARNESS_MAIN
