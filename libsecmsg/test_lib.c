// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Host-side tests of libsecmsg; no kernel module needed.
 *
 * The test links fake_kernel.c, whose ioctl() the shared library's calls
 * bind to (symbol interposition).  For the descriptors it registers, that
 * ioctl is a small fake of secmsg.ko that follows <linux/secmsg.h>: QUERY
 * answers, message calls write lengths and sequence numbers, and failures
 * are scripted.  Every other descriptor goes to the real ioctl system call.
 * That lets us check status mapping, write-back and batching, and count the
 * ioctls each call makes.
 *
 * Its fake_open_hook() (below), which fake_kernel.c's open() calls, sends
 * the library's open of /dev/secmsg to another path when a test sets
 * dev_path: a missing one, or a real file that the (unprivileged) caller
 * may not open.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/io_uring.h>

#include "kselftest_harness.h"
#include "fake_kernel.h"
#include "secmsg.h"

/* ------------------------------------------------------------------------
 * Status codes
 * ------------------------------------------------------------------------
 */
#define S(x) x, #x
static const struct {
	sm_status status;
	const char *name;
} statuses[] = {
	{ S(SM_E_OK) },
	{ S(SM_I_CONTINUE_NEEDED) },
	{ S(SM_E_INSUFFICIENT_MEMORY) },
	{ S(SM_E_INVALID_HANDLE) },
	{ S(SM_E_UNSUPPORTED_FUNCTION) },
	{ S(SM_E_TARGET_UNKNOWN) },
	{ S(SM_E_INTERNAL_ERROR) },
	{ S(SM_E_SECPKG_NOT_FOUND) },
	{ S(SM_E_INVALID_TOKEN) },
	{ S(SM_E_QOP_NOT_SUPPORTED) },
	{ S(SM_E_NO_IMPERSONATION) },
	{ S(SM_E_LOGON_DENIED) },
	{ S(SM_E_NO_CREDENTIALS) },
	{ S(SM_E_MESSAGE_ALTERED) },
	{ S(SM_E_OUT_OF_SEQUENCE) },
	{ S(SM_E_CONTEXT_EXPIRED) },
	{ S(SM_E_INCOMPLETE_MESSAGE) },
	{ S(SM_E_BUFFER_TOO_SMALL) },
	{ S(SM_E_ALGORITHM_MISMATCH) },
	{ S(SM_E_INVALID_PARAMETER) },
	{ S(SM_E_REPLAYED) },
	{ S(SM_E_TOO_OLD) },
	{ S(SM_E_TOO_MANY_CONTEXTS) },
	{ S(SM_E_CONTEXT_INCOMPLETE) },
	{ S(SM_E_CONTEXT_REVOKED) },
	{ S(SM_E_NOT_OWNER) },
	{ S(SM_E_ACCESS_DENIED) },
};
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]))

TEST(status_values_are_sspi)
{
	EXPECT_EQ(0u, (uint32_t)SM_E_OK);
	EXPECT_EQ(0x00090312u, (uint32_t)SM_I_CONTINUE_NEEDED);
	EXPECT_EQ(0x80090300u, (uint32_t)SM_E_INSUFFICIENT_MEMORY);
	EXPECT_EQ(0x80090301u, (uint32_t)SM_E_INVALID_HANDLE);
	EXPECT_EQ(0x80090302u, (uint32_t)SM_E_UNSUPPORTED_FUNCTION);
	EXPECT_EQ(0x80090303u, (uint32_t)SM_E_TARGET_UNKNOWN);
	EXPECT_EQ(0x80090304u, (uint32_t)SM_E_INTERNAL_ERROR);
	EXPECT_EQ(0x80090305u, (uint32_t)SM_E_SECPKG_NOT_FOUND);
	EXPECT_EQ(0x80090308u, (uint32_t)SM_E_INVALID_TOKEN);
	EXPECT_EQ(0x8009030Au, (uint32_t)SM_E_QOP_NOT_SUPPORTED);
	EXPECT_EQ(0x8009030Bu, (uint32_t)SM_E_NO_IMPERSONATION);
	EXPECT_EQ(0x8009030Cu, (uint32_t)SM_E_LOGON_DENIED);
	EXPECT_EQ(0x8009030Eu, (uint32_t)SM_E_NO_CREDENTIALS);
	EXPECT_EQ(0x8009030Fu, (uint32_t)SM_E_MESSAGE_ALTERED);
	EXPECT_EQ(0x80090310u, (uint32_t)SM_E_OUT_OF_SEQUENCE);
	EXPECT_EQ(0x80090317u, (uint32_t)SM_E_CONTEXT_EXPIRED);
	EXPECT_EQ(0x80090318u, (uint32_t)SM_E_INCOMPLETE_MESSAGE);
	EXPECT_EQ(0x80090321u, (uint32_t)SM_E_BUFFER_TOO_SMALL);
	EXPECT_EQ(0x80090331u, (uint32_t)SM_E_ALGORITHM_MISMATCH);
	EXPECT_EQ(0x8009035Du, (uint32_t)SM_E_INVALID_PARAMETER);
	EXPECT_EQ(0x80090306u, (uint32_t)SM_E_NOT_OWNER);
	/* the private range */
	EXPECT_EQ(0xA0091005u, (uint32_t)SM_E_CONTEXT_REVOKED);
	EXPECT_EQ(0xA0091006u, (uint32_t)SM_E_ACCESS_DENIED);
}

TEST(status_strings_distinct)
{
	unsigned int i, j;

	for (i = 0; i < NSTATUS; i++) {
		const char *s = sm_status_string(statuses[i].status);
		size_t n = strlen(statuses[i].name);

		ASSERT_NE(NULL, s);
		/* "NAME: meaning" */
		EXPECT_EQ(0, strncmp(s, statuses[i].name, n))
		TH_LOG("%s: \"%s\"", statuses[i].name, s);
		EXPECT_EQ(':', s[n]);
		for (j = 0; j < i; j++) {
			EXPECT_NE(statuses[i].status, statuses[j].status);
			EXPECT_NE(0, strcmp(s, sm_status_string(
						       statuses[j].status)));
		}
		EXPECT_EQ(statuses[i].status != SM_E_OK &&
				  statuses[i].status != SM_I_CONTINUE_NEEDED,
			  SM_FAILED(statuses[i].status));
	}
	EXPECT_STREQ("unknown status", sm_status_string(0x12345678));
	EXPECT_STREQ("unknown status", sm_status_string((sm_status)0xA0091FFF));
	EXPECT_STREQ("unknown status", sm_status_string(-1));
}

TEST(status_sspi_mapping)
{
	unsigned int i;

	EXPECT_EQ(SM_E_OUT_OF_SEQUENCE, sm_status_sspi(SM_E_REPLAYED));
	EXPECT_EQ(SM_E_OUT_OF_SEQUENCE, sm_status_sspi(SM_E_TOO_OLD));
	EXPECT_EQ(SM_E_INSUFFICIENT_MEMORY,
		  sm_status_sspi(SM_E_TOO_MANY_CONTEXTS));
	EXPECT_EQ(SM_E_INVALID_HANDLE, sm_status_sspi(SM_E_CONTEXT_INCOMPLETE));
	EXPECT_EQ(SM_E_CONTEXT_EXPIRED, sm_status_sspi(SM_E_CONTEXT_REVOKED));
	EXPECT_EQ(SM_E_NOT_OWNER, sm_status_sspi(SM_E_ACCESS_DENIED));
	EXPECT_EQ(SM_E_INTERNAL_ERROR, sm_status_sspi((sm_status)0xA0091FFF));
	for (i = 0; i < NSTATUS; i++) {
		sm_status s = statuses[i].status;
		sm_status m = sm_status_sspi(s);

		EXPECT_FALSE(SM_STATUS_IS_PRIVATE(m));
		EXPECT_EQ(SM_FAILED(s), SM_FAILED(m));
		if (!SM_STATUS_IS_PRIVATE(s))
			EXPECT_EQ(s, m);
	}
	EXPECT_EQ(0x12345678, sm_status_sspi(0x12345678));
}

TEST(constants_are_sspi)
{
	EXPECT_EQ(0, SM_BUF_EMPTY);
	EXPECT_EQ(1, SM_BUF_DATA);
	EXPECT_EQ(2, SM_BUF_TOKEN);
	EXPECT_EQ(6, SM_BUF_STREAM_TRAILER);
	EXPECT_EQ(7, SM_BUF_STREAM_HEADER);
	EXPECT_EQ(9, SM_BUF_PADDING);
	EXPECT_EQ(10, SM_BUF_STREAM);
	EXPECT_EQ(0x80000000u, SM_BUF_READONLY);
	EXPECT_EQ(0x10000000u, SM_BUF_READONLY_WITH_CHECKSUM);
	EXPECT_EQ(0x80000001u, SM_QOP_WRAP_NO_ENCRYPT);
	EXPECT_EQ(0x4u, SM_CTX_REPLAY_DETECT);
	EXPECT_EQ(0x8u, SM_CTX_SEQUENCE_DETECT);
	EXPECT_EQ(0x10u, SM_CTX_CONFIDENTIALITY);
	EXPECT_EQ(0x10000u, SM_CTX_INTEGRITY);
	EXPECT_EQ(0x1u, SM_CTX_DELEGATE);
	EXPECT_EQ(0x2u, SM_CTX_MUTUAL_AUTH);
	EXPECT_EQ(0x20000u, SM_CTX_IDENTIFY);
	/* SecurityAnonymous..SecurityDelegation, counted from 1 */
	EXPECT_EQ(1, SM_IMP_ANONYMOUS);
	EXPECT_EQ(4, SM_IMP_DELEGATE);
}

/*
 * sm_version(): the release, whose major.minor is the header's interface;
 * when run from libsecmsg/ (make test), exactly the text of ../VERSION.
 */
TEST(version)
{
	const char *v = sm_version();
	char want[32], file[32] = "";
	size_t n;
	FILE *f;

	ASSERT_NE(NULL, v);
	EXPECT_EQ(v, sm_version());
	n = (size_t)snprintf(want, sizeof(want), "%d.%d.",
			     LIBSECMSG_VERSION_MAJOR, LIBSECMSG_VERSION_MINOR);
	EXPECT_EQ(0, strncmp(v, want, n))
	TH_LOG("sm_version() \"%s\", header %s", v, want);
	/* the patch level: digits only */
	EXPECT_NE('\0', v[n]);
	EXPECT_EQ(strlen(v + n), strspn(v + n, "0123456789"));

	f = fopen("../VERSION", "re");
	if (!f)
		SKIP(return, "no ../VERSION here to compare with");
	ASSERT_NE(NULL, fgets(file, sizeof(file), f));
	fclose(f);
	file[strcspn(file, "\n")] = '\0';
	EXPECT_STREQ(file, v);
}

/* The two statuses of opening /dev/secmsg say what to do. */
TEST(status_strings_advise)
{
	const char *nf = sm_status_string(SM_E_SECPKG_NOT_FOUND);
	const char *ad = sm_status_string(SM_E_ACCESS_DENIED);

	EXPECT_NE(NULL, strstr(nf, "module is not loaded"));
	EXPECT_NE(NULL, strstr(nf, "\"modprobe secmsg\""));
	EXPECT_NE(NULL, strstr(nf, "as root"));
	EXPECT_NE(NULL, strstr(ad, "may not open /dev/secmsg"));
	EXPECT_NE(NULL, strstr(ad, "udev rule"));
	EXPECT_NE(NULL, strstr(ad, "administrator"));
	EXPECT_NE(NULL, strstr(ad, "group"));
	EXPECT_NE(NULL, strstr(ad, "a kind of SM_E_NOT_OWNER"));
}

/* ------------------------------------------------------------------------
 * Contexts
 * ------------------------------------------------------------------------
 */
static const unsigned char key[32] = { 1, 2, 3 };

/*
 * Where the library's open(SECMSG_DEVICE_PATH) goes: NULL for the real
 * one.  Every other open() is the system call, untouched.
 */
static const char *dev_path;

int fake_open_hook(const char *path, int flags, mode_t mode)
{
	if (dev_path && !strcmp(path, SECMSG_DEVICE_PATH))
		path = dev_path;
	return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

/* The first published struct sm_import_params (1.0: up to recv_seq) */
#define IMPORT_PARAMS_VER0 \
	(offsetof(struct sm_import_params, recv_seq) + sizeof(uint64_t))

static struct sm_import_params good_params(void)
{
	return (struct sm_import_params){
		.size = sizeof(struct sm_import_params),
		.role = SM_ROLE_INITIATOR,
		.suite = SM_SUITE_AES256_GCM,
		.ctx_flags = SM_CTX_REPLAY_DETECT | SM_CTX_CONFIDENTIALITY,
		.lifetime = 600,
		.key = key,
		.key_len = sizeof(key),
		.send_seq = 1000,
		.recv_seq = 2000,
	};
}

TEST(ctx_from_fd_rejects_pipe)
{
	sm_ctx *ctx = (sm_ctx *)1;
	int p[2];

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	EXPECT_EQ(SM_E_INVALID_HANDLE, sm_ctx_from_fd(p[0], &ctx));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(NULL, ctx);
	/* still the caller's */
	EXPECT_NE(-1, fcntl(p[0], F_GETFD));
	close(p[0]);
	close(p[1]);

	EXPECT_EQ(SM_E_INVALID_HANDLE, sm_ctx_from_fd(p[0], &ctx));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(SM_E_INVALID_HANDLE, sm_ctx_from_fd(-1, &ctx));
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_ctx_from_fd(0, NULL));
}

TEST(ctx_fd_and_close_null)
{
	errno = 0;
	EXPECT_EQ(-1, sm_ctx_fd(NULL));
	EXPECT_EQ(EINVAL, errno);
	errno = 1234;
	sm_close(NULL);
	EXPECT_EQ(1234, errno);
}

TEST(import_without_device)
{
	struct sm_import_params p = good_params();
	sm_ctx *ctx = (sm_ctx *)1;

	if (access(SECMSG_DEVICE_PATH, F_OK) == 0)
		SKIP(return, "%s exists (module loaded)", SECMSG_DEVICE_PATH);
	EXPECT_EQ(SM_E_SECPKG_NOT_FOUND, sm_import(&p, &ctx));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(NULL, ctx);
}

TEST(import_params_size)
{
	struct {
		struct sm_import_params p;
		unsigned char newer[16];
	} big = { .p = good_params() };
	struct sm_import_params p = good_params();
	sm_ctx *ctx = (sm_ctx *)1;
	unsigned int calls = kern.calls;
	int fd = eventfd(0, EFD_CLOEXEC);

	ASSERT_LE(0, fd);
	p.size = 0;
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_import(&p, &ctx));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(NULL, ctx);
	p.size = IMPORT_PARAMS_VER0 - 1;
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_import(&p, &ctx));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_import(NULL, &ctx));
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_import(&p, NULL));
	EXPECT_EQ(calls, kern.calls);

	/* A newer caller's struct: unknown bytes must be zero. */
	kern.dev_fd = fd;
	kern.import_fd = 99;
	big.p.size = sizeof(big);
	big.newer[7] = 1;
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_import_dev(fd, &big.p, &ctx));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(calls, kern.calls);
	big.newer[7] = 0;
	ASSERT_EQ(SM_E_OK, sm_import_dev(fd, &big.p, &ctx));
	EXPECT_EQ(99, sm_ctx_fd(ctx));
	free(ctx); /* fd 99 is not ours to close */
	close(fd);
}

TEST(import_translates_params)
{
	struct sm_import_params p = good_params();
	int fd = eventfd(0, EFD_CLOEXEC);
	sm_ctx *ctx = NULL;

	ASSERT_LE(0, fd);
	kern.dev_fd = fd;
	kern.import_fd = 77;
	ASSERT_EQ(SM_E_OK, sm_import_dev(fd, &p, &ctx));
	EXPECT_EQ(77, sm_ctx_fd(ctx));
	EXPECT_EQ(sizeof(struct secmsg_import), kern.import.size);
	EXPECT_EQ(0u, kern.import.flags);
	EXPECT_EQ((__u32)SECMSG_PKG_RAW, kern.import.package);
	EXPECT_EQ((__u32)SM_ROLE_INITIATOR, kern.import.role);
	EXPECT_EQ((__u32)SM_SUITE_AES256_GCM, kern.import.suite);
	EXPECT_EQ(SM_CTX_REPLAY_DETECT | SM_CTX_CONFIDENTIALITY,
		  kern.import.ctx_flags);
	EXPECT_EQ(32u, kern.import.key_len);
	EXPECT_EQ(600u, kern.import.lifetime);
	EXPECT_EQ((__u64)(uintptr_t)key, kern.import.key);
	EXPECT_EQ(1000u, kern.import.send_seq);
	EXPECT_EQ(2000u, kern.import.recv_seq);
	EXPECT_EQ(0u, kern.import.contrib | kern.import.contrib_len |
			      kern.import.reserved);
	free(ctx);
	close(fd);
}

/* SM_IMPORT_FRESH: the buffer goes to the kernel, CONTINUE_NEEDED back */
TEST(import_fresh)
{
	struct sm_import_params p = good_params();
	unsigned char contrib[SM_CONTRIB_SIZE + 4];
	int fd = eventfd(0, EFD_CLOEXEC);
	sm_ctx *ctx = NULL;
	unsigned int i;

	ASSERT_LE(0, fd);
	kern.dev_fd = fd;
	kern.import_fd = 78;
	memset(contrib, 0x5a, sizeof(contrib));
	p.flags = SM_IMPORT_FRESH;
	p.contrib = contrib;
	p.contrib_len = sizeof(contrib);
	ASSERT_EQ(SM_I_CONTINUE_NEEDED, sm_import_dev(fd, &p, &ctx));
	EXPECT_EQ(78, sm_ctx_fd(ctx));
	EXPECT_EQ((__u32)SECMSG_IMPORT_FRESH, kern.import.flags);
	EXPECT_EQ((__u64)(uintptr_t)contrib, kern.import.contrib);
	EXPECT_EQ((__u32)sizeof(contrib), kern.import.contrib_len);
	EXPECT_EQ(0u, kern.import.reserved);
	for (i = 0; i < SM_CONTRIB_SIZE; i++)
		EXPECT_EQ('C', contrib[i]);
	EXPECT_EQ(0x5a, contrib[SM_CONTRIB_SIZE]);
	free(ctx);

	/* a buffer above 4 GiB is the kernel's 32 bits' worth */
	p.contrib_len = (size_t)UINT32_MAX + 2;
	if (p.contrib_len > UINT32_MAX) {
		ASSERT_EQ(SM_I_CONTINUE_NEEDED, sm_import_dev(fd, &p, &ctx));
		EXPECT_EQ(UINT32_MAX, kern.import.contrib_len);
		free(ctx);
	}
	close(fd);
}

/* SM_IMPORT_FRESH without room for the contribution: no system call */
TEST(import_fresh_needs_a_buffer)
{
	struct sm_import_params p = good_params();
	unsigned char contrib[SM_CONTRIB_SIZE];
	int fd = eventfd(0, EFD_CLOEXEC);
	unsigned int calls = kern.calls;
	sm_ctx *ctx = (sm_ctx *)1;

	ASSERT_LE(0, fd);
	kern.dev_fd = fd;
	kern.import_fd = 79;
	p.flags = SM_IMPORT_FRESH;
	p.contrib = NULL;
	p.contrib_len = sizeof(contrib);
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_import_dev(fd, &p, &ctx));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(NULL, ctx);
	p.contrib = contrib;
	p.contrib_len = SM_CONTRIB_SIZE - 1;
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_import(&p, &ctx));
	EXPECT_EQ(EINVAL, errno);
	/* a 1.2 caller's struct has no buffer */
	p.size = IMPORT_PARAMS_VER0;
	p.contrib_len = sizeof(contrib);
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_import_dev(fd, &p, &ctx));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(calls, kern.calls);
	/* and without the flag, what it passes is all zero */
	p.flags = 0;
	ASSERT_EQ(SM_E_OK, sm_import_dev(fd, &p, &ctx));
	EXPECT_EQ(0u, kern.import.contrib | kern.import.contrib_len);
	free(ctx);
	close(fd);
}

TEST(import_errors)
{
	static const struct {
		int err;
		sm_status status;
	} map[] = {
		{ EMFILE, SM_E_TOO_MANY_CONTEXTS },
		{ ENOENT, SM_E_ALGORITHM_MISMATCH },
		{ ENOMEM, SM_E_INSUFFICIENT_MEMORY },
		{ EINVAL, SM_E_INVALID_PARAMETER },
		{ E2BIG, SM_E_INVALID_PARAMETER },
		{ EFAULT, SM_E_INVALID_PARAMETER },
		{ EPERM, SM_E_INTERNAL_ERROR },
	};
	struct sm_import_params p = good_params();
	int fd = eventfd(0, EFD_CLOEXEC), pfd[2];
	sm_ctx *ctx = (sm_ctx *)1;
	unsigned int i;

	ASSERT_LE(0, fd);
	kern.dev_fd = fd;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		kern.import_errno = map[i].err;
		EXPECT_EQ(map[i].status, sm_import_dev(fd, &p, &ctx));
		EXPECT_EQ(map[i].err, errno);
		EXPECT_EQ(NULL, ctx);
	}
	close(fd);
	kern.dev_fd = -1;

	/* Not /dev/secmsg: the real kernel says ENOTTY. */
	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	EXPECT_EQ(SM_E_INVALID_HANDLE, sm_import_dev(pfd[0], &p, &ctx));
	EXPECT_EQ(ENOTTY, errno);
	close(pfd[0]);
	close(pfd[1]);
}

/* ------------------------------------------------------------------------
 * Messages, on a context of the fake kernel
 * ------------------------------------------------------------------------
 */
FIXTURE(fake)
{
	sm_ctx *ctx;
	unsigned char token[64];
	unsigned char data[100];
};

FIXTURE_SETUP(fake)
{
	int fd = eventfd(0, EFD_CLOEXEC);

	ASSERT_LE(0, fd);
	kern.ctx_fd = fd;
	kern.next_seq = 1;
	ASSERT_EQ(SM_E_OK, sm_ctx_from_fd(fd, &self->ctx));
	ASSERT_EQ(fd, sm_ctx_fd(self->ctx));
	kern.calls = 0;
}

FIXTURE_TEARDOWN(fake)
{
	sm_close(self->ctx);
}

TEST_F(fake, invalid_arguments_make_no_syscall)
{
	struct sm_buffer b[SM_MAX_BUFFERS + 1] = {
		{ SM_BUF_TOKEN, 0, self->token, sizeof(self->token) },
		{ SM_BUF_DATA, 0, self->data, sizeof(self->data) },
	};
	struct sm_message m = { .bufs = b, .nbufs = 2 };
	struct sm_context_info info = {
		.size = offsetof(struct sm_context_info, imp_level) - 1
	};
	struct sm_sizes sizes;

	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_sign(NULL, 0, b, 2, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_sign(self->ctx, 0, NULL, 2, NULL));
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_sign(self->ctx, 0, b, 0, NULL));
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_verify(self->ctx, b, SM_MAX_BUFFERS + 1, NULL, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_seal(NULL, 0, b, 2, NULL));
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_unseal(self->ctx, NULL, 1, NULL, NULL));
	if (SIZE_MAX > UINT32_MAX) {
		b[1].len = (size_t)UINT32_MAX + 1;
		EXPECT_EQ(SM_E_INVALID_PARAMETER,
			  sm_seal(self->ctx, 0, b, 2, NULL));
		EXPECT_EQ(EMSGSIZE, errno);
		EXPECT_EQ(SM_E_INVALID_PARAMETER,
			  sm_batch(self->ctx, SM_OP_SEAL, &m, 1));
		EXPECT_EQ(EMSGSIZE, errno);
		EXPECT_EQ(SM_E_INVALID_PARAMETER, m.status);
		b[1].len = sizeof(self->data);
	}

	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_batch(NULL, SM_OP_SIGN, &m, 1));
	EXPECT_EQ(SM_E_INVALID_PARAMETER, m.status);
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_batch(self->ctx, SM_OP_SIGN, NULL, 1));
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_batch(self->ctx, SM_OP_SIGN, &m, 0));
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_batch(self->ctx, 0, &m, 1));
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_batch(self->ctx, 5, &m, 1));
	m.nbufs = SM_MAX_BUFFERS + 1;
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_batch(self->ctx, SM_OP_SIGN, &m, 1));
	m.nbufs = 0;
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_batch(self->ctx, SM_OP_SIGN, &m, 1));
	m.nbufs = 2;
	m.bufs = NULL;
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_batch(self->ctx, SM_OP_SIGN, &m, 1));
	EXPECT_EQ(EINVAL, errno);

	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_query(self->ctx, &info));
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_query(self->ctx, NULL));
	info.size = sizeof(info);
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_query(NULL, &info));
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_query_sizes(self->ctx, NULL));
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_query_sizes(NULL, &sizes));
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_query_stream_sizes(self->ctx, NULL));

	EXPECT_EQ(0u, kern.calls);
}

TEST_F(fake, sign_and_seal_write_back)
{
	unsigned char hdr[20], trl[20];
	struct sm_buffer b[3] = {
		{ SM_BUF_TOKEN, 0, self->token, sizeof(self->token) },
		{ SM_BUF_DATA, 0, self->data, sizeof(self->data) },
		{ SM_BUF_PADDING, 0, NULL, 0 },
	};
	struct sm_buffer s[3] = {
		{ SM_BUF_STREAM_HEADER, 0, hdr, sizeof(hdr) },
		{ SM_BUF_DATA, 0, self->data, sizeof(self->data) },
		{ SM_BUF_STREAM_TRAILER, 0, trl, sizeof(trl) },
	};
	uint64_t seq = 0;

	ASSERT_EQ(SM_E_OK, sm_sign(self->ctx, 0, b, 2, &seq));
	EXPECT_EQ(1u, seq);
	EXPECT_EQ((size_t)SM_TOKEN_SIZE, b[0].len);
	EXPECT_EQ((void *)self->token, b[0].data);
	EXPECT_EQ(sizeof(self->data), b[1].len);
	EXPECT_EQ((void *)self->data, b[1].data);

	b[0].len = sizeof(self->token);
	ASSERT_EQ(SM_E_OK,
		  sm_seal(self->ctx, SM_QOP_WRAP_NO_ENCRYPT, b, 3, &seq));
	EXPECT_EQ(2u, seq);
	EXPECT_EQ((size_t)SM_TOKEN_SIZE, b[0].len);
	EXPECT_EQ(0u, b[2].len);

	ASSERT_EQ(SM_E_OK, sm_seal(self->ctx, 0, s, 3, NULL));
	EXPECT_EQ(16u, s[0].len);
	EXPECT_EQ(sizeof(self->data), s[1].len);
	EXPECT_EQ(16u, s[2].len);
	EXPECT_EQ(3u, kern.calls);
	EXPECT_EQ(0u, kern.dirty);
}

TEST_F(fake, unseal_stream_points_data_inside)
{
	struct sm_buffer b[3] = {
		{ SM_BUF_STREAM, 0, self->data, sizeof(self->data) },
		{ SM_BUF_DATA, 0, NULL, 0 },
		{ SM_BUF_EMPTY, 0, NULL, 0 },
	};
	uint32_t qop = 0;
	uint64_t seq = 0;

	kern.next_seq = 41;
	kern.recv_qop = SM_QOP_WRAP_NO_ENCRYPT;
	ASSERT_EQ(SM_E_OK, sm_unseal(self->ctx, b, 3, &seq, &qop));
	EXPECT_EQ(41u, seq);
	EXPECT_EQ(SM_QOP_WRAP_NO_ENCRYPT, qop);
	EXPECT_EQ((void *)(self->data + 16), b[1].data);
	EXPECT_EQ(sizeof(self->data) - 32, b[1].len);
	EXPECT_EQ((void *)self->data, b[0].data);
	EXPECT_EQ(sizeof(self->data), b[0].len);
}

static const struct {
	uint32_t verdict;
	int err;
	sm_status status;
} verdicts[] = {
	{ SECMSG_VERDICT_ALTERED, EBADMSG, SM_E_MESSAGE_ALTERED },
	{ SECMSG_VERDICT_REPLAYED, EALREADY, SM_E_REPLAYED },
	{ SECMSG_VERDICT_TOO_OLD, ESTALE, SM_E_TOO_OLD },
	{ SECMSG_VERDICT_OUT_OF_SEQUENCE, EILSEQ, SM_E_OUT_OF_SEQUENCE },
	{ SECMSG_VERDICT_EXPIRED, EKEYEXPIRED, SM_E_CONTEXT_EXPIRED },
	{ SECMSG_VERDICT_BAD_TOKEN, EPROTO, SM_E_INVALID_TOKEN },
	{ SECMSG_VERDICT_BUFFER_TOO_SMALL, ENOBUFS, SM_E_BUFFER_TOO_SMALL },
	{ SECMSG_VERDICT_INCOMPLETE_MESSAGE, ENODATA, SM_E_INCOMPLETE_MESSAGE },
	{ SECMSG_VERDICT_QOP_NOT_SUPPORTED, EOPNOTSUPP,
	  SM_E_QOP_NOT_SUPPORTED },
	{ SECMSG_VERDICT_INCOMPLETE_CONTEXT, ENOTCONN,
	  SM_E_CONTEXT_INCOMPLETE },
	{ SECMSG_VERDICT_REVOKED, EKEYREVOKED, SM_E_CONTEXT_REVOKED },
	/* a verdict this library does not know yet: by its errno */
	{ SECMSG_VERDICT_MAX + 1, EBADMSG, SM_E_MESSAGE_ALTERED },
	{ SECMSG_VERDICT_MAX + 1, EIO, SM_E_INTERNAL_ERROR },
	/* not processed: no verdict, the errno decides */
	{ 0, EINVAL, SM_E_INVALID_PARAMETER },
	{ 0, E2BIG, SM_E_INVALID_PARAMETER },
	{ 0, EFAULT, SM_E_INVALID_PARAMETER },
	{ 0, EMSGSIZE, SM_E_INVALID_PARAMETER },
	{ 0, EBADF, SM_E_INVALID_HANDLE },
	{ 0, ENOTTY, SM_E_INVALID_HANDLE },
	{ 0, ENOMEM, SM_E_INSUFFICIENT_MEMORY },
	{ 0, EOPNOTSUPP, SM_E_UNSUPPORTED_FUNCTION },
	{ 0, ENOTCONN, SM_E_CONTEXT_INCOMPLETE },
	{ 0, EKEYREVOKED, SM_E_CONTEXT_REVOKED },
	{ 0, EIO, SM_E_INTERNAL_ERROR },
};
#define NVERDICTS (sizeof(verdicts) / sizeof(verdicts[0]))

TEST_F(fake, single_call_failures)
{
	unsigned int i;

	for (i = 0; i < NVERDICTS; i++) {
		struct sm_buffer b[2] = {
			{ SM_BUF_TOKEN, 0, self->token, 3 },
			{ SM_BUF_DATA, 0, self->data, sizeof(self->data) },
		};
		uint64_t seq = 12345;
		uint32_t qop = 678;

		kern.fail_errno = verdicts[i].err;
		kern.fail_verdict = verdicts[i].verdict;
		kern.fail_needed = 32;
		kern.fail_index = 0;
		EXPECT_EQ(verdicts[i].status,
			  sm_verify(self->ctx, b, 2, &seq, &qop))
		TH_LOG("verdict %u errno %d", verdicts[i].verdict,
		       verdicts[i].err);
		EXPECT_EQ(verdicts[i].err, errno);
		/* nothing written back on failure */
		EXPECT_EQ(12345u, seq);
		EXPECT_EQ(678u, qop);
		EXPECT_EQ(3u, b[0].len);
		EXPECT_EQ((void *)self->token, b[0].data);
	}
	EXPECT_EQ(0u, kern.dirty);
}

TEST_F(fake, batch_per_message_results)
{
	struct sm_buffer b[5][2];
	struct sm_message m[5];
	unsigned int i;

	for (i = 0; i < 5; i++) {
		b[i][0] = (struct sm_buffer){ SM_BUF_TOKEN, 0, self->token,
					      sizeof(self->token) };
		b[i][1] = (struct sm_buffer){ SM_BUF_DATA, 0, self->data,
					      sizeof(self->data) };
		m[i] = (struct sm_message){
			.bufs = b[i], .nbufs = 2, .status = 1, .index = 7
		};
	}
	/* messages with odd sequence numbers (1, 3) fail */
	kern.next_seq = 0;
	kern.fail_mod = 2;
	kern.fail_rem = 1;
	kern.fail_errno = ENOBUFS;
	kern.fail_verdict = SECMSG_VERDICT_BUFFER_TOO_SMALL;
	kern.fail_needed = 32;
	kern.fail_index = 0;
	ASSERT_EQ(SM_E_OK, sm_batch(self->ctx, SM_OP_SIGN, m, 5));
	EXPECT_EQ(1u, kern.calls);
	EXPECT_EQ(1u, kern.batch_calls);
	EXPECT_EQ(0u, kern.dirty);
	for (i = 0; i < 5; i++) {
		if (i % 2) {
			EXPECT_EQ(SM_E_BUFFER_TOO_SMALL, m[i].status);
			EXPECT_EQ(ENOBUFS, m[i].error);
			EXPECT_EQ(32u, m[i].needed);
			EXPECT_EQ(0u, m[i].index);
			EXPECT_EQ(sizeof(self->token), b[i][0].len);
		} else {
			EXPECT_EQ(SM_E_OK, m[i].status);
			EXPECT_EQ(0, m[i].error);
			EXPECT_EQ(0u, m[i].needed);
			EXPECT_EQ(SM_INDEX_NONE, m[i].index);
			EXPECT_EQ(i, m[i].seq);
			EXPECT_EQ((size_t)SM_TOKEN_SIZE, b[i][0].len);
		}
	}
}

TEST_F(fake, batch_every_verdict)
{
	struct sm_buffer b[NVERDICTS][2];
	struct sm_message m[NVERDICTS];
	unsigned int i;

	/* One message per call, so each can have its own scripted failure. */
	for (i = 0; i < NVERDICTS; i++) {
		b[i][0] = (struct sm_buffer){ SM_BUF_TOKEN, 0, self->token,
					      sizeof(self->token) };
		b[i][1] = (struct sm_buffer){ SM_BUF_DATA, 0, self->data,
					      sizeof(self->data) };
		/* as left by an earlier unseal: must not reach the kernel */
		m[i] = (struct sm_message){ .bufs = b[i],
					    .nbufs = 2,
					    .qop = SM_QOP_WRAP_NO_ENCRYPT };
		kern.fail_mod = 1;
		kern.fail_rem = 0;
		kern.fail_errno = verdicts[i].err;
		kern.fail_verdict = verdicts[i].verdict;
		ASSERT_EQ(SM_E_OK, sm_batch(self->ctx, SM_OP_VERIFY, &m[i], 1));
		EXPECT_EQ(verdicts[i].status, m[i].status);
		EXPECT_EQ(verdicts[i].err, m[i].error);
	}
	EXPECT_EQ(0u, kern.dirty);
}

TEST_F(fake, batch_large_is_chunked)
{
	const unsigned int count = 2 * SECMSG_MAX_BATCH + 100;
	struct sm_buffer(*b)[2] = calloc(count, sizeof(*b));
	struct sm_message *m = calloc(count, sizeof(*m));
	unsigned int i;

	ASSERT_NE(NULL, b);
	ASSERT_NE(NULL, m);
	for (i = 0; i < count; i++) {
		b[i][0] = (struct sm_buffer){ SM_BUF_TOKEN, 0, self->token,
					      sizeof(self->token) };
		b[i][1] = (struct sm_buffer){ SM_BUF_DATA, 0, self->data,
					      sizeof(self->data) };
		m[i] = (struct sm_message){ .bufs = b[i], .nbufs = 2 };
	}
	kern.next_seq = 500;
	ASSERT_EQ(SM_E_OK, sm_batch(self->ctx, SM_OP_SEAL, m, count));
	EXPECT_EQ(3u, kern.batch_calls);
	EXPECT_EQ(0u, kern.dirty);
	for (i = 0; i < count; i++) {
		ASSERT_EQ(SM_E_OK, m[i].status);
		ASSERT_EQ(500u + i, m[i].seq);
		ASSERT_EQ((size_t)SM_TOKEN_SIZE, b[i][0].len);
	}
	free(b);
	free(m);
}

TEST_F(fake, batch_whole_call_failure)
{
	struct sm_buffer b[2] = {
		{ SM_BUF_TOKEN, 0, self->token, sizeof(self->token) },
		{ SM_BUF_DATA, 0, self->data, sizeof(self->data) },
	};
	struct sm_message m[3] = {
		{ .bufs = b, .nbufs = 2 },
		{ .bufs = b, .nbufs = 2 },
		{ .bufs = b, .nbufs = 2 },
	};
	unsigned int i;

	kern.batch_errno = EFAULT;
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_batch(self->ctx, SM_OP_UNSEAL, m, 3));
	EXPECT_EQ(EFAULT, errno);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(SM_E_INVALID_PARAMETER, m[i].status);
		EXPECT_EQ(EFAULT, m[i].error);
		EXPECT_EQ(SM_INDEX_NONE, m[i].index);
	}
	EXPECT_EQ(sizeof(self->token), b[0].len);
}

/* ------------------------------------------------------------------------
 * io_uring: the SQE sm_uring_prep() fills, and sm_uring_result() on what
 * the fake kernel answers the same call (the ring itself runs in the
 * guest: selftests/secmsg_lib_uring.c)
 * ------------------------------------------------------------------------
 */

/* An SQE as a ring may hand it out: any bytes, the caller's user_data. */
static void sqe_dirty(struct io_uring_sqe *sqe, uint64_t user_data)
{
	memset(sqe, 0xa5, sizeof(*sqe));
	sqe->user_data = user_data;
}

/* Whether @sqe is a NOP with @user_data and every other byte zero. */
static int sqe_is_nop(const struct io_uring_sqe *sqe, uint64_t user_data)
{
	struct io_uring_sqe want;

	memset(&want, 0, sizeof(want));
	want.opcode = IORING_OP_NOP;
	want.user_data = user_data;
	return !memcmp(sqe, &want, sizeof(want));
}

/* The request's command area. */
static struct secmsg_uring_cmd sqe_cmd(const struct io_uring_sqe *sqe)
{
	struct secmsg_uring_cmd c;

	memcpy(&c, sqe->cmd, sizeof(c));
	return c;
}

/* Run @sqe's request as the fake kernel: the CQE's res. */
static int32_t fake_ring_run(const struct io_uring_sqe *sqe)
{
	struct secmsg_uring_cmd c = sqe_cmd(sqe);

	if (sqe->opcode != IORING_OP_URING_CMD)
		return 0;
	if (ioctl(sqe->fd, sqe->cmd_op, (void *)(uintptr_t)c.arg) < 0)
		return -errno;
	return 0;
}

TEST_F(fake, uring_invalid_arguments)
{
	struct sm_buffer b[2] = {
		{ SM_BUF_TOKEN, 0, self->token, sizeof(self->token) },
		{ SM_BUF_DATA, 0, self->data, sizeof(self->data) },
	};
	struct sm_message m = { .bufs = b, .nbufs = 2 };
	size_t slot_align = alignof(struct sm_uring_slot);
	struct sm_uring_slot slot;
	struct io_uring_sqe sqe;
	struct {
		int op;
		unsigned int nbufs;
		int null_bufs;
		int err;
	} bad[] = {
		{ 0, 2, 0, EINVAL },
		{ SM_OP_UNSEAL + 1, 2, 0, EINVAL },
		{ SM_OP_SEAL, 0, 0, EINVAL },
		{ SM_OP_SEAL, SM_MAX_BUFFERS + 1, 0, EINVAL },
		{ SM_OP_SEAL, 2, 1, EINVAL },
	};
	unsigned int i;

	EXPECT_EQ(SM_URING_SLOT_SIZE, sizeof(slot));
	EXPECT_EQ(0u, slot_align % 8);
	memset(&slot, 0, sizeof(slot));

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		sqe_dirty(&sqe, 1000 + i);
		m = (struct sm_message){ .bufs = bad[i].null_bufs ? NULL : b,
					 .nbufs = bad[i].nbufs, .seq = 9 };
		EXPECT_EQ(SM_E_INVALID_PARAMETER,
			  sm_uring_prep(&sqe, self->ctx, bad[i].op, &m, &slot))
		TH_LOG("case %u", i);
		EXPECT_EQ(bad[i].err, errno);
		EXPECT_EQ(SM_E_INVALID_PARAMETER, m.status);
		EXPECT_EQ(bad[i].err, m.error);
		EXPECT_EQ(0u, m.seq);
		EXPECT_EQ(SM_INDEX_NONE, m.index);
		EXPECT_TRUE(sqe_is_nop(&sqe, 1000 + i));
		/* the NOP's CQE: the slot holds no request */
		EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_uring_result(&slot, 0));
		EXPECT_EQ(EINVAL, errno);
	}
	if (SIZE_MAX > UINT32_MAX) {
		b[1].len = (size_t)UINT32_MAX + 1;
		m = (struct sm_message){ .bufs = b, .nbufs = 2 };
		EXPECT_EQ(SM_E_INVALID_PARAMETER,
			  sm_uring_prep(&sqe, self->ctx, SM_OP_SEAL, &m, &slot));
		EXPECT_EQ(EMSGSIZE, errno);
		EXPECT_EQ(EMSGSIZE, m.error);
		b[1].len = sizeof(self->data);
	}

	/* NULL arguments: the others still made safe */
	m = (struct sm_message){ .bufs = b, .nbufs = 2 };
	sqe_dirty(&sqe, 7);
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_uring_prep(&sqe, NULL, SM_OP_SIGN, &m, &slot));
	EXPECT_TRUE(sqe_is_nop(&sqe, 7));
	sqe_dirty(&sqe, 7);
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_uring_prep(&sqe, self->ctx, SM_OP_SIGN, NULL, &slot));
	EXPECT_TRUE(sqe_is_nop(&sqe, 7));
	sqe_dirty(&sqe, 7);
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_uring_prep(&sqe, self->ctx, SM_OP_SIGN, &m, NULL));
	EXPECT_TRUE(sqe_is_nop(&sqe, 7));
	m.status = 1;
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_uring_prep(NULL, self->ctx, SM_OP_SIGN, &m, &slot));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(SM_E_INVALID_PARAMETER, m.status);
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_uring_result(&slot, 0));
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_uring_result(NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0u, kern.calls);
}

TEST_F(fake, uring_prep_fills_sqe)
{
	static const struct {
		int op;
		unsigned long ioc;
		uint32_t qop_sent;
	} ops[] = {
		{ SM_OP_SIGN, SECMSG_IOC_SIGN, 5 },
		{ SM_OP_VERIFY, SECMSG_IOC_VERIFY, 0 },
		{ SM_OP_SEAL, SECMSG_IOC_SEAL, 5 },
		{ SM_OP_UNSEAL, SECMSG_IOC_UNSEAL, 0 },
	};
	struct sm_buffer b[3] = {
		{ SM_BUF_TOKEN, 0, self->token, sizeof(self->token) },
		{ SM_BUF_DATA, SM_BUF_READONLY_WITH_CHECKSUM, self->data, 10 },
		{ SM_BUF_DATA, 0, self->data + 10, 90 },
	};
	struct sm_uring_slot slot;
	struct io_uring_sqe sqe;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		struct sm_message m = { .bufs = b, .nbufs = 3, .qop = 5 };
		const struct secmsg_message *km;
		const struct secmsg_buffer *kb;
		struct secmsg_uring_cmd c;
		struct io_uring_sqe want;
		const char *lo = (const char *)&slot;
		unsigned int j;

		sqe_dirty(&sqe, 0x1234567890ull + i);
		ASSERT_EQ(SM_E_OK, sm_uring_prep(&sqe, self->ctx, ops[i].op,
						 &m, &slot));
		/* every field but the command area as the uapi says */
		c = sqe_cmd(&sqe);
		memset(&want, 0, sizeof(want));
		want.opcode = IORING_OP_URING_CMD;
		want.fd = kern.ctx_fd;
		want.cmd_op = (uint32_t)ops[i].ioc;
		want.user_data = 0x1234567890ull + i;
		memcpy(want.cmd, &c, sizeof(c));
		EXPECT_EQ(0, memcmp(&want, &sqe, sizeof(sqe)))
		TH_LOG("op %d", ops[i].op);
		EXPECT_EQ(0u, c.reserved);
		/* the message and its buffers, in the slot */
		km = (const void *)(uintptr_t)c.arg;
		ASSERT_TRUE((const char *)km >= lo &&
			    (const char *)(km + 1) <= lo + sizeof(slot));
		EXPECT_EQ(sizeof(*km), km->size);
		EXPECT_EQ(0u, km->flags);
		EXPECT_EQ(ops[i].qop_sent, km->qop);
		EXPECT_EQ(3u, km->nbuffers);
		EXPECT_EQ(SM_INDEX_NONE, km->index);
		kb = (const void *)(uintptr_t)km->buffers;
		ASSERT_TRUE((const char *)kb >= lo &&
			    (const char *)(kb + 3) <= lo + sizeof(slot));
		for (j = 0; j < 3; j++) {
			EXPECT_EQ(b[j].type, kb[j].type);
			EXPECT_EQ(b[j].flags, kb[j].flags);
			EXPECT_EQ((uintptr_t)b[j].data, kb[j].ptr);
			EXPECT_EQ(b[j].len, kb[j].len);
			EXPECT_EQ(0u, kb[j].reserved);
		}
		/* nothing ran, nothing written back */
		EXPECT_EQ(sizeof(self->token), b[0].len);
		ASSERT_EQ(SM_E_OK, sm_uring_result(&slot, 0));
		b[0].len = sizeof(self->token);
	}
	EXPECT_EQ(0u, kern.calls);
}

TEST_F(fake, uring_result_as_batch)
{
	struct sm_buffer b[2] = {
		{ SM_BUF_TOKEN, 0, self->token, sizeof(self->token) },
		{ SM_BUF_DATA, 0, self->data, sizeof(self->data) },
	};
	struct sm_buffer s[3] = {
		{ SM_BUF_STREAM, 0, self->data, sizeof(self->data) },
		{ SM_BUF_DATA, 0, NULL, 0 },
	};
	struct sm_message m = { .bufs = b, .nbufs = 2 };
	struct sm_uring_slot slot;
	struct io_uring_sqe sqe;
	unsigned int i;

	/* success: the out fields and the buffers */
	kern.next_seq = 70;
	ASSERT_EQ(SM_E_OK, sm_uring_prep(&sqe, self->ctx, SM_OP_SEAL, &m,
					 &slot));
	ASSERT_EQ(SM_E_OK, sm_uring_result(&slot, fake_ring_run(&sqe)));
	EXPECT_EQ(SM_E_OK, m.status);
	EXPECT_EQ(0, m.error);
	EXPECT_EQ(70u, m.seq);
	EXPECT_EQ(0u, m.needed);
	EXPECT_EQ(SM_INDEX_NONE, m.index);
	EXPECT_EQ((size_t)SM_TOKEN_SIZE, b[0].len);
	/* once per request */
	m.seq = 1;
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_uring_result(&slot, 0));
	EXPECT_EQ(1u, m.seq);

	/* a stream unseal points DATA into the stream; qop received */
	kern.recv_qop = SM_QOP_WRAP_NO_ENCRYPT;
	m = (struct sm_message){ .bufs = s, .nbufs = 2 };
	ASSERT_EQ(SM_E_OK, sm_uring_prep(&sqe, self->ctx, SM_OP_UNSEAL, &m,
					 &slot));
	ASSERT_EQ(SM_E_OK, sm_uring_result(&slot, fake_ring_run(&sqe)));
	EXPECT_EQ(71u, m.seq);
	EXPECT_EQ(SM_QOP_WRAP_NO_ENCRYPT, m.qop);
	EXPECT_EQ((void *)(self->data + 16), s[1].data);
	EXPECT_EQ(sizeof(self->data) - 32, s[1].len);

	/* every verdict and errno, as sm_batch() gives them */
	for (i = 0; i < NVERDICTS; i++) {
		b[0].len = 3;
		m = (struct sm_message){ .bufs = b, .nbufs = 2,
					 .qop = SM_QOP_WRAP_NO_ENCRYPT };
		kern.fail_errno = verdicts[i].err;
		kern.fail_verdict = verdicts[i].verdict;
		kern.fail_needed = 32;
		kern.fail_index = 0;
		ASSERT_EQ(SM_E_OK, sm_uring_prep(&sqe, self->ctx, SM_OP_VERIFY,
						 &m, &slot));
		EXPECT_EQ(verdicts[i].status,
			  sm_uring_result(&slot, fake_ring_run(&sqe)))
		TH_LOG("verdict %u errno %d", verdicts[i].verdict,
		       verdicts[i].err);
		EXPECT_EQ(verdicts[i].err, errno);
		EXPECT_EQ(verdicts[i].status, m.status);
		EXPECT_EQ(verdicts[i].err, m.error);
		EXPECT_EQ(0u, m.seq);
		EXPECT_EQ(verdicts[i].verdict ? 32u : 0u, m.needed);
		EXPECT_EQ(verdicts[i].verdict ? 0u : SM_INDEX_NONE, m.index);
		EXPECT_EQ(SM_QOP_WRAP_NO_ENCRYPT, m.qop);
		EXPECT_EQ(3u, b[0].len);
		EXPECT_EQ((void *)self->token, b[0].data);
	}
	kern.fail_errno = 0;
	kern.fail_verdict = 0;

	/* io_uring's own failures, and a res no kernel gives */
	m = (struct sm_message){ .bufs = b, .nbufs = 2 };
	ASSERT_EQ(SM_E_OK, sm_uring_prep(&sqe, self->ctx, SM_OP_SIGN, &m,
					 &slot));
	EXPECT_EQ(SM_E_INTERNAL_ERROR, sm_uring_result(&slot, -ECANCELED));
	EXPECT_EQ(ECANCELED, m.error);
	ASSERT_EQ(SM_E_OK, sm_uring_prep(&sqe, self->ctx, SM_OP_SIGN, &m,
					 &slot));
	EXPECT_EQ(SM_E_UNSUPPORTED_FUNCTION,
		  sm_uring_result(&slot, -EOPNOTSUPP));
	ASSERT_EQ(SM_E_OK, sm_uring_prep(&sqe, self->ctx, SM_OP_SIGN, &m,
					 &slot));
	EXPECT_EQ(SM_E_INVALID_HANDLE, sm_uring_result(&slot, -EBADF));
	ASSERT_EQ(SM_E_OK, sm_uring_prep(&sqe, self->ctx, SM_OP_SIGN, &m,
					 &slot));
	EXPECT_EQ(SM_E_INTERNAL_ERROR, sm_uring_result(&slot, 1));
	EXPECT_EQ(EPROTO, m.error);
	EXPECT_EQ(EPROTO, errno);
	EXPECT_EQ(3u, b[0].len);
	EXPECT_EQ(0u, kern.dirty);
}

static int query_emfile(struct secmsg_query *q)
{
	(void)q;
	return -EMFILE;
}

TEST_F(fake, query)
{
	struct {
		struct sm_context_info info;
		unsigned char newer[24];
	} big;
	struct sm_context_info info = { .size = sizeof(info) };
	struct sm_stream_sizes ss;
	struct sm_sizes sz;
	unsigned int i;

	ASSERT_EQ(SM_E_OK, sm_query_sizes(self->ctx, &sz));
	EXPECT_EQ(0u, sz.max_token);
	EXPECT_EQ((uint32_t)SM_TOKEN_SIZE, sz.max_signature);
	EXPECT_EQ(1u, sz.block_size);
	EXPECT_EQ((uint32_t)SM_TOKEN_SIZE, sz.security_trailer);

	ASSERT_EQ(SM_E_OK, sm_query_stream_sizes(self->ctx, &ss));
	EXPECT_EQ(16u, ss.header);
	EXPECT_EQ(16u, ss.trailer);
	EXPECT_EQ(SM_MAX_MESSAGE, ss.max_message);
	EXPECT_EQ((uint32_t)SM_MAX_BUFFERS, ss.buffers);
	EXPECT_EQ(1u, ss.block_size);

	ASSERT_EQ(SM_E_OK, sm_query(self->ctx, &info));
	EXPECT_EQ(sizeof(info), info.size);
	EXPECT_EQ((uint32_t)SM_PKG_RAW, info.package);
	EXPECT_EQ((uint32_t)SM_ROLE_ACCEPTOR, info.role);
	EXPECT_EQ((uint32_t)SM_SUITE_CHACHA20_POLY1305, info.suite);
	EXPECT_EQ(SM_CTX_REPLAY_DETECT | SM_CTX_CONFIDENTIALITY |
			  SM_CTX_INTEGRITY,
		  info.ctx_flags);
	EXPECT_EQ((uint32_t)SM_STATE_ACTIVE, info.state);
	EXPECT_EQ((uint32_t)SM_DRIVER_ASYNC, info.driver_flags);
	EXPECT_EQ(3600u, info.lifetime);
	EXPECT_EQ(1024u, info.replay_window);
	EXPECT_EQ(16u, info.stream_sizes.header);
	EXPECT_EQ((uint32_t)SM_TOKEN_SIZE, info.sizes.max_signature);
	EXPECT_STREQ("rfc7539(chacha20,poly1305)", info.algorithm);
	EXPECT_STREQ("rfc7539(chacha20-simd,poly1305-simd)", info.driver);
	EXPECT_EQ(1700000000, info.created);
	EXPECT_EQ(1700003600, info.expires);
	EXPECT_EQ(7u, info.send_seq);
	EXPECT_EQ(9u, info.recv_seq);
	EXPECT_EQ(100u, info.counters.signed_msgs);
	EXPECT_EQ(104u, info.counters.altered);
	EXPECT_EQ(110u, info.counters.other_failures);
	EXPECT_EQ((uint32_t)SM_IMP_IMPERSONATE, info.imp_level);
	EXPECT_EQ((uint32_t)SM_ID_VALID, info.local.flags);
	EXPECT_EQ((uint32_t)(SM_ID_VALID | SM_ID_SETID | SM_ID_LSM_TRUNCATED),
		  info.peer.flags);
	EXPECT_EQ(1234u, info.peer.ruid);
	EXPECT_EQ(0u, info.local.ruid);
	EXPECT_EQ(0u, info.local.uid);
	EXPECT_EQ(4242u, info.local.pid);
	EXPECT_EQ(3u, info.local.ngroups);
	EXPECT_EQ(1002u, info.local.groups[2]);
	EXPECT_EQ(0u, info.local.groups[3]);
	EXPECT_EQ(4026531837u, info.local.userns);
	EXPECT_EQ(3999999999u, info.peer.uid);
	EXPECT_EQ(3999999999u, info.peer.gid);
	EXPECT_EQ((uint32_t)SM_ID_GROUPS + 8, info.peer.ngroups);
	EXPECT_EQ(1000u + SM_ID_GROUPS - 1, info.peer.groups[SM_ID_GROUPS - 1]);

	/* A newer caller: its unknown tail is zeroed, size says so. */
	memset(&big, 0xa5, sizeof(big));
	big.info.size = sizeof(big);
	kern.long_names = 1;
	ASSERT_EQ(SM_E_OK, sm_query(self->ctx, &big.info));
	EXPECT_EQ(sizeof(big.info), big.info.size);
	for (i = 0; i < sizeof(big.newer); i++)
		EXPECT_EQ(0, big.newer[i]);
	/* names are always terminated */
	EXPECT_EQ((size_t)SM_NAME_MAX - 1, strlen(big.info.algorithm));
	EXPECT_EQ((size_t)SM_NAME_MAX - 1, strlen(big.info.driver));
}

/* A caller built against 1.0: its struct ends at the counters. */
TEST_F(fake, query_1_0_caller)
{
	const size_t ver0 = offsetof(struct sm_context_info, imp_level);
	union {
		struct sm_context_info info;
		unsigned char raw[sizeof(struct sm_context_info)];
	} u;
	size_t i;

	memset(&u, 0xa5, sizeof(u));
	u.info.size = ver0;
	ASSERT_EQ(SM_E_OK, sm_query(self->ctx, &u.info));
	EXPECT_EQ(ver0, u.info.size);
	EXPECT_EQ(110u, u.info.counters.other_failures);
	for (i = ver0; i < sizeof(u); i++)
		ASSERT_EQ(0xa5, u.raw[i]);
}

static int query_kernel_1_0(struct secmsg_query *q)
{
	/* a module before local contexts writes only the VER0 part */
	memset((char *)q + SECMSG_QUERY_SIZE_VER0, 0,
	       sizeof(*q) - SECMSG_QUERY_SIZE_VER0);
	q->size = SECMSG_QUERY_SIZE_VER0;
	return 0;
}

TEST_F(fake, query_kernel_1_0)
{
	struct sm_context_info info = { .size = sizeof(info) };
	struct sm_names names = { .size = sizeof(names) };

	kern.query_hook = query_kernel_1_0;
	ASSERT_EQ(SM_E_OK, sm_query(self->ctx, &info));
	EXPECT_EQ(sizeof(info), info.size);
	EXPECT_EQ(0u, info.imp_level);
	EXPECT_EQ(0u, info.local.flags);
	EXPECT_EQ(0u, info.peer.uid);
	ASSERT_EQ(SM_E_OK, sm_query_names(self->ctx, &names));
	EXPECT_EQ(0u, names.local.id.flags);
	EXPECT_STREQ("", names.local.user);
	EXPECT_STREQ("", names.peer.group);
	kern.query_hook = NULL;
}

/* ------------------------------------------------------------------------
 * Names: root resolves, an unknown uid stands as its number
 * ------------------------------------------------------------------------
 */
TEST_F(fake, query_names)
{
	struct {
		struct sm_names n;
		unsigned char newer[8];
	} big;
	struct sm_names n = { .size = sizeof(n) };
	unsigned int i;

	ASSERT_EQ(SM_E_OK, sm_query_names(self->ctx, &n));
	EXPECT_EQ(sizeof(n), n.size);
	EXPECT_EQ(1u, kern.calls);
	EXPECT_EQ((uint32_t)SM_ID_VALID, n.local.id.flags);
	EXPECT_EQ(0u, n.local.id.uid);
	EXPECT_EQ(4242u, n.local.id.pid);
	EXPECT_EQ(3u, n.local.id.ngroups);
	EXPECT_STREQ("root", n.local.user);
	EXPECT_STREQ("root", n.local.group);
	EXPECT_EQ(0u, n.local.flags);

	EXPECT_EQ(3999999999u, n.peer.id.uid);
	EXPECT_EQ(4343u, n.peer.id.pid);
	EXPECT_EQ((uint32_t)SM_ID_GROUPS + 8, n.peer.id.ngroups);
	EXPECT_STREQ("3999999999", n.peer.user);
	EXPECT_STREQ("3999999999", n.peer.group);
	EXPECT_EQ((uint32_t)(SM_NAME_USER_NUMERIC | SM_NAME_GROUP_NUMERIC),
		  n.peer.flags);
	EXPECT_STREQ("unconfined", n.local_lsm);
	EXPECT_EQ(SM_LSM_LEN - 1, strlen(n.peer_lsm));
	EXPECT_EQ((uint32_t)(SM_ID_VALID | SM_ID_SETID | SM_ID_LSM_TRUNCATED),
		  n.peer.id.flags);

	memset(&big, 0xa5, sizeof(big));
	big.n.size = sizeof(big);
	ASSERT_EQ(SM_E_OK, sm_query_names(self->ctx, &big.n));
	EXPECT_EQ(sizeof(big.n), big.n.size);
	for (i = 0; i < sizeof(big.newer); i++)
		EXPECT_EQ(0, big.newer[i]);
	EXPECT_STREQ("root", big.n.local.user);

	/* a caller built against 1.0: no LSM fields, nothing written there */
	memset(&n, 0xa5, sizeof(n));
	n.size = offsetof(struct sm_names, local_lsm);
	ASSERT_EQ(SM_E_OK, sm_query_names(self->ctx, &n));
	EXPECT_EQ(offsetof(struct sm_names, local_lsm), n.size);
	EXPECT_STREQ("root", n.local.user);
	EXPECT_EQ((char)0xa5, n.local_lsm[0]);

	kern.calls = 0;
	n.size = offsetof(struct sm_names, local_lsm) - 1;
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_query_names(self->ctx, &n));
	EXPECT_EQ(EINVAL, errno);
	n.size = sizeof(n);
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_query_names(NULL, &n));
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_query_names(self->ctx, NULL));
	EXPECT_EQ(0u, kern.calls);

	kern.query_hook = query_emfile;
	EXPECT_EQ(SM_E_INTERNAL_ERROR, sm_query_names(self->ctx, &n));
	EXPECT_EQ(EMFILE, errno);
	kern.query_hook = NULL;
}

/* Many threads resolving at once: no shared buffers (run under TSan/ASan) */
static void *names_thread(void *arg)
{
	sm_ctx *ctx = arg;
	struct sm_names n;
	int i;

	for (i = 0; i < 50; i++) {
		n.size = sizeof(n);
		if (sm_query_names(ctx, &n) != SM_E_OK ||
		    strcmp(n.local.user, "root") ||
		    strcmp(n.peer.user, "3999999999"))
			return (void *)1;
	}
	return NULL;
}

TEST_F(fake, query_names_threads)
{
	pthread_t t[4];
	void *ret;
	int i;

	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, names_thread,
					    self->ctx));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, pthread_join(t[i], &ret));
		EXPECT_EQ(NULL, ret);
	}
}

/* A Kerberos service's context, as QUERY (VER3) reports it */
static uint32_t krb5_role = SECMSG_ROLE_ACCEPTOR;

static int query_krb5(struct secmsg_query *q)
{
	const char *service = "secmsg/localhost@SECMSG.TEST";
	const char *client = "alice@SECMSG.TEST";
	int acc = krb5_role == SECMSG_ROLE_ACCEPTOR;

	q->package = SECMSG_PKG_KERBEROS;
	q->role = krb5_role;
	q->suite = SECMSG_KRB5_AES256_CTS_HMAC_SHA1_96;
	strcpy(q->algorithm, "cts(cbc(aes)) hmac(sha1)");
	strcpy(q->driver, "cts(cbc(aes-aesni)) hmac(sha1-generic)");
	q->local_lsm[0] = 0;
	memset(q->peer_lsm, 0, sizeof(q->peer_lsm));
	memset(&q->peer, 0, sizeof(q->peer));
	if (acc) {
		/* the account alice maps to, as the importer asserted it */
		q->peer.flags = SECMSG_ID_VALID | SECMSG_ID_ASSERTED;
		q->peer.uid = 65534;
		q->peer.gid = 65534;
		q->peer.ruid = 65534;
	}
	strcpy(q->local_principal, acc ? service : client);
	strcpy(q->peer_principal, acc ? client : service);
	return 0;
}

/* Principal names: client and service whichever side; a VER2 kernel */
TEST_F(fake, query_names_krb5)
{
	const size_t ver13 = offsetof(struct sm_names, client_principal);
	struct sm_context_info info = { .size = sizeof(info) };
	struct sm_names n = { .size = sizeof(n) };
	union {
		struct sm_names n;
		unsigned char raw[sizeof(struct sm_names)];
	} u;
	size_t i;

	kern.query_hook = query_krb5;
	krb5_role = SECMSG_ROLE_ACCEPTOR;
	ASSERT_EQ(SM_E_OK, sm_query_names(self->ctx, &n));
	EXPECT_EQ(sizeof(n), n.size);
	EXPECT_STREQ("alice@SECMSG.TEST", n.client_principal);
	EXPECT_STREQ("secmsg/localhost@SECMSG.TEST", n.service_principal);
	EXPECT_EQ((uint32_t)(SM_ID_VALID | SM_ID_ASSERTED), n.peer.id.flags);
	EXPECT_EQ(65534u, n.peer.id.uid);
	EXPECT_EQ(0u, n.peer.id.pid);
	EXPECT_STREQ("root", n.local.user);
	EXPECT_STREQ("", n.peer_lsm);
	/* the suite is the enctype; the algorithm and drivers as given */
	ASSERT_EQ(SM_E_OK, sm_query(self->ctx, &info));
	EXPECT_EQ((uint32_t)SM_PKG_KERBEROS, info.package);
	EXPECT_EQ((uint32_t)SM_KRB5_AES256_CTS_HMAC_SHA1_96, info.suite);
	EXPECT_STREQ("cts(cbc(aes)) hmac(sha1)", info.algorithm);
	EXPECT_STREQ("cts(cbc(aes-aesni)) hmac(sha1-generic)", info.driver);
	EXPECT_EQ((uint32_t)(SM_ID_VALID | SM_ID_ASSERTED), info.peer.flags);

	/* the client's context: the same names, no peer identity */
	krb5_role = SECMSG_ROLE_INITIATOR;
	ASSERT_EQ(SM_E_OK, sm_query_names(self->ctx, &n));
	EXPECT_STREQ("alice@SECMSG.TEST", n.client_principal);
	EXPECT_STREQ("secmsg/localhost@SECMSG.TEST", n.service_principal);
	EXPECT_EQ(0u, n.peer.id.flags);
	EXPECT_STREQ("", n.peer.user);

	/* a caller built against 1.3: nothing written past its struct */
	memset(&u, 0xa5, sizeof(u));
	u.n.size = ver13;
	ASSERT_EQ(SM_E_OK, sm_query_names(self->ctx, &u.n));
	EXPECT_EQ(ver13, u.n.size);
	EXPECT_STREQ("root", u.n.local.user);
	for (i = ver13; i < sizeof(u); i++)
		ASSERT_EQ(0xa5, u.raw[i]);

	/* a kernel before VER3 wrote no names: "" */
	kern.query_hook = query_kernel_1_0;
	memset(&n, 0xa5, sizeof(n));
	n.size = sizeof(n);
	ASSERT_EQ(SM_E_OK, sm_query_names(self->ctx, &n));
	EXPECT_STREQ("", n.client_principal);
	EXPECT_STREQ("", n.service_principal);
	kern.query_hook = NULL;
}

static int query_krb5_unterminated(struct secmsg_query *q)
{
	query_krb5(q);
	memset(q->local_principal, 's', sizeof(q->local_principal));
	memset(q->peer_principal, 'c', sizeof(q->peer_principal));
	return 0;
}

/* Names the kernel left unterminated are cut, never overrun */
TEST_F(fake, query_names_krb5_unterminated)
{
	struct sm_names n = { .size = sizeof(n) };
	size_t i;

	kern.query_hook = query_krb5_unterminated;
	krb5_role = SECMSG_ROLE_ACCEPTOR;
	ASSERT_EQ(SM_E_OK, sm_query_names(self->ctx, &n));
	kern.query_hook = NULL;
	ASSERT_EQ((size_t)SM_PRINCIPAL_LEN - 1, strlen(n.client_principal));
	ASSERT_EQ((size_t)SM_PRINCIPAL_LEN - 1, strlen(n.service_principal));
	for (i = 0; i < SM_PRINCIPAL_LEN - 1; i++) {
		ASSERT_EQ('c', n.client_principal[i]);
		ASSERT_EQ('s', n.service_principal[i]);
	}
}

/*
 * An errno the uapi does not give for a call maps to SM_E_INTERNAL_ERROR,
 * never to another call's status (found by selftests/fuzz/lib).
 */
TEST_F(fake, foreign_errno_is_internal_error)
{
	struct sm_buffer b[2] = {
		{ SM_BUF_TOKEN, 0, self->token, sizeof(self->token) },
		{ SM_BUF_DATA, 0, self->data, sizeof(self->data) },
	};
	struct sm_message m = { .bufs = b, .nbufs = 2 };
	struct sm_context_info info = { .size = sizeof(info) };
	struct sm_sizes sz;

	kern.query_hook = query_emfile;
	EXPECT_EQ(SM_E_INTERNAL_ERROR, sm_query(self->ctx, &info));
	EXPECT_EQ(EMFILE, errno);
	EXPECT_EQ(SM_E_INTERNAL_ERROR, sm_query_sizes(self->ctx, &sz));
	kern.query_hook = NULL;

	kern.batch_errno = ESTALE;
	EXPECT_EQ(SM_E_INTERNAL_ERROR, sm_batch(self->ctx, SM_OP_SEAL, &m, 1));
	EXPECT_EQ(ESTALE, errno);
	EXPECT_EQ(SM_E_INTERNAL_ERROR, m.status);
	kern.batch_errno = 0;

	kern.fail_errno = ENOENT;
	EXPECT_EQ(SM_E_INTERNAL_ERROR, sm_seal(self->ctx, 0, b, 2, NULL));
	EXPECT_EQ(ENOENT, errno);
	kern.fail_errno = 0;
}

TEST_F(fake, close_keeps_errno)
{
	sm_ctx *ctx = self->ctx;

	self->ctx = NULL;
	errno = 4321;
	sm_close(ctx);
	EXPECT_EQ(4321, errno);
}

/* ------------------------------------------------------------------------
 * Establishing a local context, against the fake kernel
 * ------------------------------------------------------------------------
 */
static struct sm_init_params init_params(void)
{
	return (struct sm_init_params){
		.size = sizeof(struct sm_init_params),
		.target_type = SM_TARGET_UID,
		.target_uid = 1234,
		.suite = SM_SUITE_CHACHA20_POLY1305,
		.ctx_flags = SM_CTX_MUTUAL_AUTH | SM_CTX_CONFIDENTIALITY,
		.imp_level = SM_IMP_IMPERSONATE,
		.lifetime = 60,
	};
}

static const struct sm_accept_params accept_params = {
	.size = sizeof(struct sm_accept_params)
};

FIXTURE(est)
{
	int dev, cfd; /* /dev/secmsg and the context INIT returns */
	sm_ctx *client; /* on cfd */
	unsigned char tok[SM_LOCAL_TOKEN_SIZE + 8];
	unsigned char reply[SM_LOCAL_TOKEN_SIZE + 8];
};

FIXTURE_SETUP(est)
{
	self->dev = eventfd(0, EFD_CLOEXEC);
	self->cfd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, self->dev);
	ASSERT_LE(0, self->cfd);
	kern.dev_fd = self->dev;
	kern.ctx_fd = self->cfd; /* COMPLETE on it reaches the fake */
	kern.init_fd = self->cfd;
	kern.accept_fd = 555; /* not open: the tests free, not close, it */
	ASSERT_EQ(SM_E_OK, sm_ctx_from_fd(self->cfd, &self->client));
	memset(self->tok, 'I', sizeof(self->tok));
	memset(self->reply, 'R', sizeof(self->reply));
	kern.calls = 0;
}

FIXTURE_TEARDOWN(est)
{
	close(self->dev);
	sm_close(self->client); /* closes cfd */
}

TEST_F(est, invalid_arguments_make_no_syscall)
{
	struct {
		struct sm_init_params p;
		unsigned char newer[8];
	} big = { .p = init_params() };
	struct sm_init_params p = init_params();
	struct sm_accept_params a = accept_params;
	unsigned char buf[SM_LOCAL_TOKEN_SIZE];
	size_t len = sizeof(buf);
	sm_ctx *ctx = (sm_ctx *)1;

	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_init_context_dev(self->dev, NULL, &ctx, buf, &len));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(NULL, ctx);
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_init_context_dev(self->dev, &p, NULL, buf, &len));
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_init_context_dev(self->dev, &p, &ctx, buf, NULL));
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_init_context_dev(self->dev, &p, &ctx, NULL, &len));
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_init_context_dev(-1, &p, &ctx, buf, &len));
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_init_context(&p, &ctx, NULL, &len));
	/* below the first version's size (1.1: up to @lifetime) */
	p.size = offsetof(struct sm_init_params, lifetime) + sizeof(p.lifetime) - 1;
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_init_context_dev(self->dev, &p, &ctx, buf, &len));
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_init_context(&p, &ctx, buf, &len));
	EXPECT_EQ(EINVAL, errno);
	big.p.size = sizeof(big);
	big.newer[3] = 1;
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_init_context_dev(self->dev, &big.p, &ctx, buf, &len));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(NULL, ctx);
	EXPECT_EQ(sizeof(buf), len);

	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_accept_context_dev(self->dev, NULL, self->tok, 64, &ctx,
					buf, &len));
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_accept_context_dev(self->dev, &a, NULL, 64, &ctx, buf,
					&len));
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_accept_context_dev(self->dev, &a, self->tok, 64, NULL,
					buf, &len));
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_accept_context(&a, self->tok, 64, &ctx, NULL, &len));
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_accept_context(&a, self->tok, 64, &ctx, buf, NULL));
	a.size = 4;
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_accept_context(&a, self->tok, 64, &ctx, buf, &len));
	EXPECT_EQ(EINVAL, errno);
	a.size = sizeof(a);
	if (SIZE_MAX > UINT32_MAX) {
		EXPECT_EQ(SM_E_INVALID_PARAMETER,
			  sm_accept_context_dev(self->dev, &a, self->tok,
						(size_t)UINT32_MAX + 1, &ctx,
						buf, &len));
		EXPECT_EQ(EMSGSIZE, errno);
		EXPECT_EQ(SM_E_INVALID_PARAMETER,
			  sm_complete_context(self->client, self->reply,
					      (size_t)UINT32_MAX + 1));
		EXPECT_EQ(EMSGSIZE, errno);
	}
	EXPECT_EQ(NULL, ctx);

	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_complete_context(NULL, self->reply, 64));
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_complete_context(self->client, NULL, 64));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0u, kern.calls);
}

TEST_F(est, round_trip)
{
	struct {
		struct sm_init_params p;
		unsigned char newer[8];
	} big = { .p = init_params() };
	unsigned char a[SM_LOCAL_TOKEN_SIZE + 8], b[SM_LOCAL_TOKEN_SIZE + 8];
	size_t alen = sizeof(a), blen = sizeof(b);
	sm_ctx *client = NULL, *server = NULL;
	unsigned int i;

	/* a newer caller that set nothing new */
	big.p.size = sizeof(big);
	memset(a, 0, sizeof(a));
	ASSERT_EQ(SM_I_CONTINUE_NEEDED,
		  sm_init_context_dev(self->dev, &big.p, &client, a, &alen));
	ASSERT_NE(NULL, client);
	EXPECT_EQ(self->cfd, sm_ctx_fd(client));
	EXPECT_EQ((size_t)SM_LOCAL_TOKEN_SIZE, alen);
	for (i = 0; i < SM_LOCAL_TOKEN_SIZE; i++)
		ASSERT_EQ('I', a[i]);
	EXPECT_EQ(0, a[SM_LOCAL_TOKEN_SIZE]);
	EXPECT_EQ(sizeof(struct secmsg_init), kern.init.size);
	EXPECT_EQ(0u, kern.init.flags);
	EXPECT_EQ((__u32)SECMSG_PKG_LOCAL, kern.init.package);
	EXPECT_EQ((__u32)SECMSG_TARGET_UID, kern.init.target_type);
	EXPECT_EQ(1234u, kern.init.target_uid);
	EXPECT_EQ((__u32)SM_SUITE_CHACHA20_POLY1305, kern.init.suite);
	EXPECT_EQ(SM_CTX_MUTUAL_AUTH | SM_CTX_CONFIDENTIALITY,
		  kern.init.ctx_flags);
	EXPECT_EQ((__u32)SM_IMP_IMPERSONATE, kern.init.imp_level);
	EXPECT_EQ(60u, kern.init.lifetime);
	EXPECT_EQ((__u64)(uintptr_t)a, kern.init.token);
	EXPECT_EQ(0u, kern.init.reserved | kern.init.reserved2[0] |
			      kern.init.reserved2[1]);

	ASSERT_EQ(SM_E_OK,
		  sm_accept_context_dev(self->dev, &accept_params, a, alen,
					&server, b, &blen));
	ASSERT_NE(NULL, server);
	EXPECT_EQ(555, sm_ctx_fd(server));
	EXPECT_EQ((size_t)SM_LOCAL_TOKEN_SIZE, blen);
	EXPECT_EQ('R', b[0]);
	EXPECT_EQ(sizeof(struct secmsg_accept), kern.accept.size);
	EXPECT_EQ((__u32)SECMSG_PKG_LOCAL, kern.accept.package);
	EXPECT_EQ((__u64)(uintptr_t)a, kern.accept.in_token);
	EXPECT_EQ(64u, kern.accept.in_len);
	EXPECT_EQ((__u64)(uintptr_t)b, kern.accept.out_token);
	EXPECT_EQ(sizeof(b), kern.accept.out_len);
	EXPECT_EQ(0u, kern.accept.status | kern.accept.ctx_flags |
			      kern.accept.imp_level | kern.accept.flags);
	free(server); /* fd 555 is not ours */

	ASSERT_EQ(SM_E_OK, sm_complete_context(client, b, blen));
	EXPECT_EQ(sizeof(struct secmsg_complete), kern.complete.size);
	EXPECT_EQ((__u64)(uintptr_t)b, kern.complete.in_token);
	EXPECT_EQ(64u, kern.complete.in_len);
	EXPECT_EQ(0u, kern.complete.status | kern.complete.flags);
	EXPECT_EQ(3u, kern.calls);
	free(client); /* the fixture closes cfd */
}

TEST_F(est, token_buffer_too_small)
{
	struct sm_init_params p = init_params();
	unsigned char buf[SM_LOCAL_TOKEN_SIZE];
	size_t len = SM_LOCAL_TOKEN_SIZE - 1;
	sm_ctx *ctx = (sm_ctx *)1;

	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(SM_E_BUFFER_TOO_SMALL,
		  sm_init_context_dev(self->dev, &p, &ctx, buf, &len));
	EXPECT_EQ(ENOBUFS, errno);
	EXPECT_EQ((size_t)SM_LOCAL_TOKEN_SIZE, len);
	EXPECT_EQ(NULL, ctx);
	EXPECT_EQ(0, buf[0]);
	/* asking for the size: no buffer at all */
	len = 0;
	EXPECT_EQ(SM_E_BUFFER_TOO_SMALL,
		  sm_init_context_dev(self->dev, &p, &ctx, NULL, &len));
	EXPECT_EQ((size_t)SM_LOCAL_TOKEN_SIZE, len);

	len = 10;
	EXPECT_EQ(SM_E_BUFFER_TOO_SMALL,
		  sm_accept_context_dev(self->dev, &accept_params, self->tok,
					SM_LOCAL_TOKEN_SIZE, &ctx, buf, &len));
	EXPECT_EQ(ENOBUFS, errno);
	EXPECT_EQ((size_t)SM_LOCAL_TOKEN_SIZE, len);
	EXPECT_EQ(NULL, ctx);
	len = 0;
	EXPECT_EQ(SM_E_BUFFER_TOO_SMALL,
		  sm_accept_context_dev(self->dev, &accept_params, self->tok,
					SM_LOCAL_TOKEN_SIZE, &ctx, NULL, &len));
	EXPECT_EQ((size_t)SM_LOCAL_TOKEN_SIZE, len);
	EXPECT_EQ(2u * 2, kern.calls);
}

struct errmap {
	int err;
	sm_status status;
};

/* Every errno the uapi documents for INIT, and two it does not */
static const struct errmap init_errs[] = {
	{ EINVAL, SM_E_INVALID_PARAMETER },
	{ E2BIG, SM_E_INVALID_PARAMETER },
	{ EFAULT, SM_E_INVALID_PARAMETER },
	{ EMFILE, SM_E_TOO_MANY_CONTEXTS },
	{ ENOENT, SM_E_ALGORITHM_MISMATCH },
	{ ENOMEM, SM_E_INSUFFICIENT_MEMORY },
	{ ENOBUFS, SM_E_BUFFER_TOO_SMALL },
	{ ENOTTY, SM_E_INVALID_HANDLE }, /* devfd is not /dev/secmsg */
	{ EACCES, SM_E_INTERNAL_ERROR },
	{ EIO, SM_E_INTERNAL_ERROR },
};

/* ACCEPT: the token errors, and the rest */
static const struct errmap accept_errs[] = {
	{ EMSGSIZE, SM_E_INVALID_TOKEN }, /* truncated */
	{ EBADMSG, SM_E_INVALID_TOKEN }, /* garbled, forged, wrong kind */
	{ EALREADY, SM_E_INVALID_TOKEN }, /* used, or its client gone */
	{ EKEYEXPIRED, SM_E_CONTEXT_EXPIRED },
	{ EACCES, SM_E_LOGON_DENIED }, /* not the client's target */
	{ EINVAL, SM_E_INVALID_PARAMETER },
	{ E2BIG, SM_E_INVALID_PARAMETER },
	{ EFAULT, SM_E_INVALID_PARAMETER },
	{ EMFILE, SM_E_TOO_MANY_CONTEXTS },
	{ ENOMEM, SM_E_INSUFFICIENT_MEMORY },
	{ ENOBUFS, SM_E_BUFFER_TOO_SMALL },
	{ ENOTTY, SM_E_INVALID_HANDLE },
	{ ENOENT, SM_E_INTERNAL_ERROR },
	{ EISCONN, SM_E_INTERNAL_ERROR },
};

static const struct errmap complete_errs[] = {
	{ EMSGSIZE, SM_E_INVALID_TOKEN },
	{ EBADMSG, SM_E_INVALID_TOKEN },
	{ EALREADY, SM_E_INVALID_TOKEN },
	{ EKEYEXPIRED, SM_E_CONTEXT_EXPIRED },
	{ EKEYREVOKED, SM_E_CONTEXT_REVOKED },
	{ EISCONN, SM_E_INVALID_HANDLE }, /* complete already */
	{ EINVAL, SM_E_INVALID_PARAMETER },
	{ E2BIG, SM_E_INVALID_PARAMETER },
	{ EFAULT, SM_E_INVALID_PARAMETER },
	{ ENOMEM, SM_E_INSUFFICIENT_MEMORY },
	{ EBADF, SM_E_INVALID_HANDLE },
	{ ENOTTY, SM_E_INVALID_HANDLE },
	{ EACCES, SM_E_INTERNAL_ERROR },
	{ EMFILE, SM_E_INTERNAL_ERROR },
	{ ENOBUFS, SM_E_INTERNAL_ERROR },
};

TEST_F(est, errno_mapping)
{
	struct sm_init_params p = init_params();
	unsigned char buf[SM_LOCAL_TOKEN_SIZE];
	sm_ctx *ctx;
	unsigned int i;
	size_t len;

	for (i = 0; i < sizeof(init_errs) / sizeof(init_errs[0]); i++) {
		kern.init_errno = init_errs[i].err;
		len = sizeof(buf);
		ctx = (sm_ctx *)1;
		EXPECT_EQ(init_errs[i].status,
			  sm_init_context_dev(self->dev, &p, &ctx, buf, &len))
		TH_LOG("INIT errno %d", init_errs[i].err);
		EXPECT_EQ(init_errs[i].err, errno);
		EXPECT_EQ(NULL, ctx);
	}
	kern.init_errno = 0;

	for (i = 0; i < sizeof(accept_errs) / sizeof(accept_errs[0]); i++) {
		kern.accept_errno = accept_errs[i].err;
		len = sizeof(buf);
		ctx = (sm_ctx *)1;
		EXPECT_EQ(accept_errs[i].status,
			  sm_accept_context_dev(self->dev, &accept_params,
						self->tok, SM_LOCAL_TOKEN_SIZE,
						&ctx, buf, &len))
		TH_LOG("ACCEPT errno %d", accept_errs[i].err);
		EXPECT_EQ(accept_errs[i].err, errno);
		EXPECT_EQ(NULL, ctx);
	}
	kern.accept_errno = 0;

	for (i = 0; i < sizeof(complete_errs) / sizeof(complete_errs[0]);
	     i++) {
		kern.complete_errno = complete_errs[i].err;
		EXPECT_EQ(complete_errs[i].status,
			  sm_complete_context(self->client, self->reply,
					      SM_LOCAL_TOKEN_SIZE))
		TH_LOG("COMPLETE errno %d", complete_errs[i].err);
		EXPECT_EQ(complete_errs[i].err, errno);
	}
	kern.complete_errno = 0;
}

/* IMPERSONATE and REVERT: one ioctl each, every documented errno. */
static const struct {
	int err;
	sm_status status;
} imp_errs[] = {
	{ EACCES, SM_E_NO_IMPERSONATION },
	{ EPERM, SM_E_NO_IMPERSONATION },
	{ EBUSY, SM_E_NO_IMPERSONATION },
	{ EINVAL, SM_E_UNSUPPORTED_FUNCTION },
	{ ENOTCONN, SM_E_CONTEXT_INCOMPLETE },
	{ EKEYEXPIRED, SM_E_CONTEXT_EXPIRED },
	{ EKEYREVOKED, SM_E_CONTEXT_REVOKED },
	{ ENOMEM, SM_E_INSUFFICIENT_MEMORY },
	{ ENOTTY, SM_E_INVALID_HANDLE },
	{ E2BIG, SM_E_INVALID_PARAMETER },
	{ ENOENT, SM_E_INTERNAL_ERROR },	/* REVERT's, not IMPERSONATE's */
	{ ESTALE, SM_E_INTERNAL_ERROR },
	{ EBADMSG, SM_E_INTERNAL_ERROR },
}, revert_errs[] = {
	{ ENOENT, SM_E_NO_IMPERSONATION },
	{ ESTALE, SM_E_NO_IMPERSONATION },
	{ EINVAL, SM_E_INVALID_PARAMETER },
	{ ENOTTY, SM_E_INVALID_HANDLE },
	{ EACCES, SM_E_INTERNAL_ERROR },	/* IMPERSONATE's */
	{ EPERM, SM_E_INTERNAL_ERROR },
	{ ENOMEM, SM_E_INTERNAL_ERROR },
};

TEST_F(est, impersonate_and_revert)
{
	unsigned int i;

	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_impersonate(NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0u, kern.calls);

	EXPECT_EQ(SM_E_OK, sm_impersonate(self->client));
	EXPECT_EQ(1u, kern.imp_calls);
	EXPECT_EQ((uint32_t)sizeof(struct secmsg_impersonate), kern.imp.size);
	EXPECT_EQ(SM_E_OK, sm_revert(self->client));
	EXPECT_EQ(1u, kern.revert_calls);

	for (i = 0; i < sizeof(imp_errs) / sizeof(imp_errs[0]); i++) {
		kern.imp_errno = imp_errs[i].err;
		EXPECT_EQ(imp_errs[i].status, sm_impersonate(self->client))
		TH_LOG("IMPERSONATE errno %d", imp_errs[i].err);
		EXPECT_EQ(imp_errs[i].err, errno);
	}
	kern.imp_errno = 0;
	for (i = 0; i < sizeof(revert_errs) / sizeof(revert_errs[0]); i++) {
		kern.revert_errno = revert_errs[i].err;
		EXPECT_EQ(revert_errs[i].status, sm_revert(self->client))
		TH_LOG("REVERT errno %d", revert_errs[i].err);
		EXPECT_EQ(revert_errs[i].err, errno);
	}
	kern.revert_errno = 0;
	EXPECT_EQ(1u + sizeof(imp_errs) / sizeof(imp_errs[0]), kern.imp_calls);

	/* NULL: through /dev/secmsg, which this host does not have */
	if (access(SECMSG_DEVICE_PATH, F_OK)) {
		EXPECT_EQ(SM_E_SECPKG_NOT_FOUND, sm_revert(NULL));
	}
	EXPECT_STRNE("unknown status",
		     sm_status_string(SM_E_NO_IMPERSONATION));
}

/* The fake checks token lengths and kinds as the kernel does. */
TEST_F(est, bad_tokens)
{
	unsigned char buf[SM_LOCAL_TOKEN_SIZE];
	sm_ctx *ctx = (sm_ctx *)1;
	size_t len = sizeof(buf);

	EXPECT_EQ(SM_E_INVALID_TOKEN,
		  sm_accept_context_dev(self->dev, &accept_params, self->tok,
					SM_LOCAL_TOKEN_SIZE - 1, &ctx, buf,
					&len));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(SM_E_INVALID_TOKEN,
		  sm_accept_context_dev(self->dev, &accept_params, self->tok,
					0, &ctx, buf, &len));
	EXPECT_EQ(EMSGSIZE, errno);
	/* a reply token given to ACCEPT */
	EXPECT_EQ(SM_E_INVALID_TOKEN,
		  sm_accept_context_dev(self->dev, &accept_params, self->reply,
					SM_LOCAL_TOKEN_SIZE, &ctx, buf, &len));
	EXPECT_EQ(EBADMSG, errno);
	EXPECT_EQ(NULL, ctx);
	EXPECT_EQ(sizeof(buf), len);

	EXPECT_EQ(SM_E_INVALID_TOKEN,
		  sm_complete_context(self->client, self->reply,
				      SM_LOCAL_TOKEN_SIZE + 1));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(SM_E_INVALID_TOKEN,
		  sm_complete_context(self->client, self->tok, SM_LOCAL_TOKEN_SIZE));
	EXPECT_EQ(EBADMSG, errno);
}

/* A status this library does not know: nothing is handed out. */
TEST_F(est, unknown_kernel_status)
{
	struct sm_init_params p = init_params();
	unsigned char buf[SM_LOCAL_TOKEN_SIZE];
	sm_ctx *ctx = (sm_ctx *)1;
	size_t len = sizeof(buf);
	int dup_fd = dup(self->cfd);

	ASSERT_LE(0, dup_fd);
	kern.bad_status = 7;
	kern.init_fd = dup_fd;
	EXPECT_EQ(SM_E_INTERNAL_ERROR,
		  sm_init_context_dev(self->dev, &p, &ctx, buf, &len));
	EXPECT_EQ(EPROTO, errno);
	EXPECT_EQ(NULL, ctx);
	EXPECT_EQ(-1, fcntl(dup_fd, F_GETFD)); /* the new fd was closed */
	EXPECT_EQ(SM_E_INTERNAL_ERROR,
		  sm_complete_context(self->client, self->reply,
				      SM_LOCAL_TOKEN_SIZE));
	EXPECT_EQ(EPROTO, errno);
	kern.bad_status = 0;
}

/* sm_import_complete(): COMPLETE with the peer's contribution */
TEST_F(est, import_complete)
{
	unsigned char peer[SM_CONTRIB_SIZE + 1], own[SM_CONTRIB_SIZE];

	kern.ctx_fresh = 1;
	memset(peer, 'P', sizeof(peer));
	memset(own, 'C', sizeof(own)); /* what the fake's IMPORT wrote */
	ASSERT_EQ(SM_E_OK,
		  sm_import_complete(self->client, peer, SM_CONTRIB_SIZE));
	EXPECT_EQ(1u, kern.calls);
	EXPECT_EQ(sizeof(struct secmsg_complete), kern.complete.size);
	EXPECT_EQ((__u64)(uintptr_t)peer, kern.complete.in_token);
	EXPECT_EQ((__u32)SM_CONTRIB_SIZE, kern.complete.in_len);
	EXPECT_EQ(0u, kern.complete.flags | kern.complete.status |
			      kern.complete.ctx_flags |
			      kern.complete.imp_level);
	EXPECT_EQ(0u, kern.complete.reserved[0] | kern.complete.reserved[1]);

	/* the kernel's refusals */
	EXPECT_EQ(SM_E_INVALID_TOKEN,
		  sm_import_complete(self->client, peer, SM_CONTRIB_SIZE + 1));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(SM_E_INVALID_TOKEN,
		  sm_import_complete(self->client, own, sizeof(own)));
	EXPECT_EQ(EBADMSG, errno);
	kern.bad_status = 7;
	EXPECT_EQ(SM_E_INTERNAL_ERROR,
		  sm_import_complete(self->client, peer, SM_CONTRIB_SIZE));
	EXPECT_EQ(EPROTO, errno);
	kern.bad_status = 0;

	/* what the library can tell: no system call */
	kern.calls = 0;
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_import_complete(NULL, peer, SM_CONTRIB_SIZE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(SM_E_INVALID_PARAMETER,
		  sm_import_complete(self->client, NULL, SM_CONTRIB_SIZE));
	EXPECT_EQ(EINVAL, errno);
	if ((size_t)UINT32_MAX + 1 > UINT32_MAX) {
		EXPECT_EQ(SM_E_INVALID_PARAMETER,
			  sm_import_complete(self->client, peer,
					     (size_t)UINT32_MAX + 1));
		EXPECT_EQ(EMSGSIZE, errno);
	}
	EXPECT_EQ(0u, kern.calls);
}

/* Every errno the uapi documents for COMPLETE of a FRESH import */
static const struct errmap import_complete_errs[] = {
	{ EMSGSIZE, SM_E_INVALID_TOKEN }, /* not SM_CONTRIB_SIZE bytes */
	{ EBADMSG, SM_E_INVALID_TOKEN }, /* its own contribution */
	{ EISCONN, SM_E_INVALID_HANDLE }, /* complete already */
	{ EINVAL, SM_E_INVALID_PARAMETER }, /* not a FRESH import */
	{ EFAULT, SM_E_INVALID_PARAMETER },
	{ E2BIG, SM_E_INVALID_PARAMETER },
	{ EKEYEXPIRED, SM_E_CONTEXT_EXPIRED },
	{ EKEYREVOKED, SM_E_CONTEXT_REVOKED },
	{ ENOMEM, SM_E_INSUFFICIENT_MEMORY },
	{ EBADF, SM_E_INVALID_HANDLE },
	{ ENOTTY, SM_E_INVALID_HANDLE },
	{ EPERM, SM_E_INTERNAL_ERROR },
};

TEST_F(est, import_complete_errno_mapping)
{
	unsigned char peer[SM_CONTRIB_SIZE];
	unsigned int i;

	kern.ctx_fresh = 1;
	memset(peer, 'P', sizeof(peer));
	for (i = 0; i < sizeof(import_complete_errs) /
				sizeof(import_complete_errs[0]);
	     i++) {
		kern.complete_errno = import_complete_errs[i].err;
		EXPECT_EQ(import_complete_errs[i].status,
			  sm_import_complete(self->client, peer, sizeof(peer)))
		TH_LOG("COMPLETE errno %d", import_complete_errs[i].err);
		EXPECT_EQ(import_complete_errs[i].err, errno);
	}
}

TEST(establish_not_a_device)
{
	struct sm_init_params p = init_params();
	unsigned char buf[SM_LOCAL_TOKEN_SIZE], tok[SM_LOCAL_TOKEN_SIZE] = { 0 };
	sm_ctx *ctx = (sm_ctx *)1;
	size_t len = sizeof(buf);
	int pfd[2];

	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	EXPECT_EQ(SM_E_INVALID_HANDLE,
		  sm_init_context_dev(pfd[0], &p, &ctx, buf, &len));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(NULL, ctx);
	EXPECT_EQ(SM_E_INVALID_HANDLE,
		  sm_accept_context_dev(pfd[0], &accept_params, tok,
					sizeof(tok), &ctx, buf, &len));
	EXPECT_EQ(ENOTTY, errno);
	close(pfd[0]);
	close(pfd[1]);

	if (access(SECMSG_DEVICE_PATH, F_OK) == 0)
		SKIP(return, "%s exists (module loaded)", SECMSG_DEVICE_PATH);
	EXPECT_EQ(SM_E_SECPKG_NOT_FOUND, sm_init_context(&p, &ctx, buf, &len));
	EXPECT_EQ(SM_E_SECPKG_NOT_FOUND,
		  sm_accept_context(&accept_params, tok, sizeof(tok), &ctx, buf,
				    &len));
	EXPECT_EQ(NULL, ctx);
}

/*
 * Every call that opens /dev/secmsg itself, once each with dev_path set;
 * what it returned, and whether it left anything behind (a context, a
 * token length, a descriptor).
 */
#define NOPEN 5
static const char *const open_calls[NOPEN] = {
	"sm_import",	     "sm_init_context", "sm_init_context(kerberos)",
	"sm_accept_context", "sm_revert(NULL)",
};

struct open_results {
	sm_status st[NOPEN];
	int err[NOPEN];
	int left[NOPEN];
	unsigned int calls; /* ioctls, on any descriptor */
};

/* The lowest free descriptor: what the next open() would return */
static int lowest_free_fd(void)
{
	int fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0);

	close(fd);
	return fd;
}

static void open_all(struct open_results *r)
{
	struct sm_import_params ip = good_params();
	struct sm_init_params lp = init_params(), kp = init_params();
	unsigned char buf[SM_LOCAL_TOKEN_SIZE];
	unsigned char tok[SM_LOCAL_TOKEN_SIZE] = { 0 };
	unsigned int calls = kern.calls;
	sm_ctx *ctx;
	size_t len;
	int i, fd;

	kp.package = SM_PKG_KERBEROS;
	kp.target_type = 0;
	kp.target = "host@localhost";
	for (i = 0; i < NOPEN; i++) {
		fd = lowest_free_fd();
		ctx = (sm_ctx *)1;
		len = sizeof(buf);
		switch (i) {
		case 0:
			r->st[i] = sm_import(&ip, &ctx);
			break;
		case 1:
			r->st[i] = sm_init_context(&lp, &ctx, buf, &len);
			break;
		case 2:
			r->st[i] = sm_init_context(&kp, &ctx, buf, &len);
			break;
		case 3:
			r->st[i] = sm_accept_context(&accept_params, tok,
						     sizeof(tok), &ctx, buf,
						     &len);
			break;
		default:
			r->st[i] = sm_revert(NULL);
			ctx = NULL;
			break;
		}
		r->err[i] = errno;
		r->left[i] = ctx != NULL || len != sizeof(buf) ||
			     lowest_free_fd() != fd;
	}
	r->calls = kern.calls - calls;
}

/* A device that is not there, whether or not this host has secmsg */
TEST(open_missing_device)
{
	struct open_results r;
	int i;

	dev_path = "/nonexistent-secmsg-test/secmsg";
	open_all(&r);
	dev_path = NULL;
	for (i = 0; i < NOPEN; i++) {
		EXPECT_EQ(SM_E_SECPKG_NOT_FOUND, r.st[i])
		TH_LOG("%s: %s", open_calls[i], sm_status_string(r.st[i]));
		EXPECT_EQ(ENOENT, r.err[i]);
		EXPECT_EQ(0, r.left[i]);
	}
	EXPECT_EQ(0u, r.calls);
}

/*
 * A device this process may not open: a real file of mode 0000, opened as
 * nobody (65534) in a child when we are root, as root would pass the mode
 * check; the kernel's EACCES, then.
 */
TEST(open_access_denied)
{
	char path[] = "/tmp/secmsg-test-XXXXXX";
	struct open_results r;
	int fd, i, p[2], status;
	ssize_t n;
	pid_t pid;

	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fchmod(fd, 0));
	close(fd);
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(p[0]);
		if (geteuid() == 0 &&
		    (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		     setresuid(65534, 65534, 65534)))
			_exit(2);
		/* a capability left over (CAP_DAC_OVERRIDE) would open it */
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd >= 0 || errno != EACCES)
			_exit(3);
		dev_path = path;
		open_all(&r);
		n = write(p[1], &r, sizeof(r));
		_exit(n == (ssize_t)sizeof(r) ? 0 : 1);
	}
	close(p[1]);
	n = read(p[0], &r, sizeof(r));
	close(p[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	unlink(path);
	ASSERT_TRUE(WIFEXITED(status));
	if (WEXITSTATUS(status) == 2)
		SKIP(return, "cannot become nobody (65534)");
	if (WEXITSTATUS(status) == 3)
		SKIP(return, "a mode 0000 file opens here without privileges");
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ((ssize_t)sizeof(r), n);
	for (i = 0; i < NOPEN; i++) {
		EXPECT_EQ(SM_E_ACCESS_DENIED, r.st[i])
		TH_LOG("%s: %s", open_calls[i], sm_status_string(r.st[i]));
		EXPECT_EQ(EACCES, r.err[i]);
		EXPECT_EQ(0, r.left[i]);
	}
	EXPECT_EQ(0u, r.calls);
}

/*
 * The _dev calls open nothing: an EACCES of their ioctl keeps its meaning
 * for that call (ACCEPT: not the client's target), never the device's.
 */
TEST_F(est, dev_calls_never_access_denied)
{
	struct sm_import_params ip = good_params();
	struct sm_init_params p = init_params();
	sm_ctx *ctx = (sm_ctx *)1;
	size_t len = sizeof(self->tok);

	kern.import_errno = EACCES;
	EXPECT_EQ(SM_E_INTERNAL_ERROR, sm_import_dev(self->dev, &ip, &ctx));
	EXPECT_EQ(EACCES, errno);
	kern.import_errno = 0;
	kern.init_errno = EACCES;
	EXPECT_EQ(SM_E_INTERNAL_ERROR,
		  sm_init_context_dev(self->dev, &p, &ctx, self->tok, &len));
	EXPECT_EQ(EACCES, errno);
	kern.init_errno = 0;
	kern.accept_errno = EACCES;
	EXPECT_EQ(SM_E_LOGON_DENIED,
		  sm_accept_context_dev(self->dev, &accept_params, self->tok,
					SM_LOCAL_TOKEN_SIZE, &ctx, self->reply,
					&len));
	EXPECT_EQ(EACCES, errno);
	kern.accept_errno = 0;
	EXPECT_EQ(NULL, ctx);
}

/*
 * The control calls: arguments refused without a system call; on a host
 * without the module the family is missing (SM_E_SECPKG_NOT_FOUND).  The
 * kernel side is tested in the guest (selftests/secmsg_netlink.c,
 * selftests/secmsgctl.sh).
 */
TEST(ctl_arguments)
{
	struct sm_ctl_config cfg = { 0 };
	struct sm_ctl_event ev;
	struct sm_ctl_ctx c;
	sm_ctl *ctl = (sm_ctl *)&cfg; /* never dereferenced below */
	sm_status st;

	errno = 0;
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_ctl_open(NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_ctl_list(NULL, NULL, NULL));
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_ctl_get(NULL, 1, &c));
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_ctl_revoke(NULL, 1));
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_ctl_config_get(NULL, &cfg));
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_ctl_stats(NULL, NULL));
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_ctl_subscribe(NULL));
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_ctl_event_read(NULL, &ev));
	EXPECT_EQ(-1, sm_ctl_event_fd(NULL));
	EXPECT_STREQ("", sm_ctl_error(NULL));
	/* id 0 and an empty or unknown set: refused before the kernel */
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_ctl_get(ctl, 0, &c));
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_ctl_revoke(ctl, 0));
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_ctl_config_set(ctl, &cfg, NULL));
	cfg.set = 0x20;	/* no such field */
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_ctl_config_set(ctl, &cfg, NULL));
	sm_ctl_close(NULL);

	ctl = NULL;
	st = sm_ctl_open(&ctl);
	if (st == SM_E_OK) {
		/* the module is loaded on this host: nothing to check */
		sm_ctl_close(ctl);
		SKIP(return, "secmsg is loaded on the host");
	}
	EXPECT_EQ(SM_E_SECPKG_NOT_FOUND, st);
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(NULL, ctl);
}

TEST_HARNESS_MAIN
