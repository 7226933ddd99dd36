// SPDX-License-Identifier: GPL-2.0
/*
 * Limits.  The per-user context limit (max_contexts_per_user): an
 * unprivileged user gets EMFILE past it, another user is not affected, and
 * closing the last descriptor of a context gives its slot back (needs root,
 * to set the parameter and to become other users).  And the size limits:
 * SECMSG_MAX_MESSAGE covered bytes, of which SECMSG_MAX_SIGNED signed only,
 * are accepted, one more byte signed only is EMSGSIZE (kept in this
 * program, which runs late: should the kernel WARN, panic_on_warn ends the
 * guest and only the tests after this one are lost).
 */
#include "secmsg_test.h"

#include <grp.h>
#include <sys/wait.h>

#define LIMIT 3
#define UID_A 65534	/* nobody */
#define UID_B 65533

FIXTURE(limits) {
	char saved[32];
	int have_saved;
};

FIXTURE_SETUP(limits)
{
	TS_LIMIT_SETUP(LIMIT);
}

FIXTURE_TEARDOWN(limits)
{
	if (self->have_saved)
		ts_limit_write(self->saved);
}

static int become(uid_t uid)
{
	gid_t gid = uid;

	if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid))
		return -errno;
	return 0;
}

static int import_one(int dev)
{
	return ts_import_simple(dev, SECMSG_ROLE_INITIATOR,
				SECMSG_SUITE_AES128_GCM, SM_FLAGS_DEFAULT, 0, 0);
}

/*
 * In a child: become @uid, create contexts until the first failure, keep
 * them in fds[], return how many; *err gets that failure.
 */
static int fill(int dev, int *fds, int max, int *err)
{
	int n = 0, fd;

	*err = 0;
	while (n < max) {
		fd = import_one(dev);
		if (fd < 0) {
			*err = -fd;
			break;
		}
		fds[n++] = fd;
	}
	return n;
}

static int wait_child(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Child exit codes: 0 ok, 10 + n wrong count, 40 + errno-ish failures. */
#define CHILD_CHECK(cond, code) do { if (!(cond)) _exit(code); } while (0)

TEST_F(limits, emfile_at_limit)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fds[LIMIT + 5], err, n, dev;

		CHILD_CHECK(become(UID_A) == 0, 2);
		dev = ts_open_dev();
		CHILD_CHECK(dev >= 0, 3);	/* any user may open it */
		n = fill(dev, fds, LIMIT + 5, &err);
		CHILD_CHECK(n == LIMIT, 10 + n);
		CHILD_CHECK(err == EMFILE, 4);
		/* and again: still EMFILE, nothing leaked by the failure */
		CHILD_CHECK(import_one(dev) == -EMFILE, 5);
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid));
}

TEST_F(limits, other_user_unaffected)
{
	int go[2], ready[2], dev, fd;
	pid_t a, b;
	char c;

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	a = fork();
	ASSERT_LE(0, a);
	if (a == 0) {
		int fds[LIMIT + 1], err;

		close(go[1]);
		close(ready[0]);
		CHILD_CHECK(become(UID_A) == 0, 2);
		dev = ts_open_dev();
		CHILD_CHECK(dev >= 0, 3);
		CHILD_CHECK(fill(dev, fds, LIMIT + 1, &err) == LIMIT, 4);
		CHILD_CHECK(err == EMFILE, 5);
		/* hold them while the other user works */
		CHILD_CHECK(write(ready[1], "r", 1) == 1, 6);
		CHILD_CHECK(read(go[0], &c, 1) == 1, 7);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	ASSERT_EQ(1, read(ready[0], &c, 1));

	b = fork();
	ASSERT_LE(0, b);
	if (b == 0) {
		int fds[LIMIT + 1], err;

		CHILD_CHECK(become(UID_B) == 0, 2);
		dev = ts_open_dev();
		CHILD_CHECK(dev >= 0, 3);
		/* a full quota of its own */
		CHILD_CHECK(fill(dev, fds, LIMIT + 1, &err) == LIMIT, 4);
		CHILD_CHECK(err == EMFILE, 5);
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(b));
	/* root is another user as well */
	dev = ts_open_dev();
	ASSERT_LE(0, dev);
	fd = import_one(dev);
	ASSERT_LE(0, fd);
	close(fd);
	close(dev);
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(0, wait_child(a));
	close(go[1]);
	close(ready[0]);
}

TEST_F(limits, close_frees_slot)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fds[LIMIT + 1], err, dev, d, fd;

		CHILD_CHECK(become(UID_A) == 0, 2);
		dev = ts_open_dev();
		CHILD_CHECK(dev >= 0, 3);
		CHILD_CHECK(fill(dev, fds, LIMIT + 1, &err) == LIMIT, 4);
		/* a second descriptor keeps the context alive */
		d = dup(fds[0]);
		CHILD_CHECK(d >= 0, 5);
		close(fds[0]);
		CHILD_CHECK(import_one(dev) == -EMFILE, 6);
		/* the last one frees the slot */
		close(d);
		fd = import_one(dev);
		CHILD_CHECK(fd >= 0, 7);
		CHILD_CHECK(import_one(dev) == -EMFILE, 8);
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid));
}

TEST_F(limits, exit_frees_all)
{
	pid_t pid;
	int i;

	/* twice: the contexts of an exited process are all released */
	for (i = 0; i < 2; i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			int fds[LIMIT + 1], err, dev;

			CHILD_CHECK(become(UID_A) == 0, 2);
			dev = ts_open_dev();
			CHILD_CHECK(dev >= 0, 3);
			CHILD_CHECK(fill(dev, fds, LIMIT + 1, &err) == LIMIT,
				    4);
			_exit(0);
		}
		ASSERT_EQ(0, wait_child(pid)) TH_LOG("round %d", i);
	}
}

FIXTURE(size) {
	int dev, ini, acc;
};

FIXTURE_SETUP(size)
{
	ts_pair_setup(_metadata, &self->dev, &self->ini, &self->acc,
		      SECMSG_SUITE_AES128_GCM, SM_FLAGS_DEFAULT, 0, 0);
}

FIXTURE_TEARDOWN(size)
{
	ts_pair_teardown(self->dev, self->ini, self->acc);
}

/*
 * One DATA buffer of @len bytes with @flags through @send and @recv: both
 * succeed if @err is 0, else @send is refused with -@err and uses no
 * sequence number.
 */
static void big_message(struct __test_metadata *_metadata,
			struct _test_data_size *self, size_t len,
			unsigned long send, unsigned long recv, uint32_t flags,
			uint32_t qop, int err)
{
	struct secmsg_buffer b[2];
	struct secmsg_message m;
	uint8_t tok[32], *big;

	big = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(big != MAP_FAILED);
	ts_fill(big, 4096, 1);
	ts_fill(big + len - 4096, 4096, 2);
	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, tok, 32);
	ts_buf(&b[1], SECMSG_BUF_DATA, flags, big, len);
	if (err) {
		ASSERT_EQ(-err, ts_call(self->ini, send, &m, b, 2, qop));
		ASSERT_EQ(0ull, ts_send_seq(self->ini));
	} else {
		ASSERT_OK_MSG(ts_call(self->ini, send, &m, b, 2, qop), m);
		ASSERT_OK_MSG(ts_call(self->acc, recv, &m, b, 2, 0), m);
	}
	munmap(big, len);
}

TEST_F_TIMEOUT(size, max_message_seal, 120)
{
	big_message(_metadata, self, SECMSG_MAX_MESSAGE, SECMSG_IOC_SEAL,
		    SECMSG_IOC_UNSEAL, 0, 0, 0);
}

TEST_F_TIMEOUT(size, max_signed_sign, 120)
{
	/* all of it is associated data */
	big_message(_metadata, self, SECMSG_MAX_SIGNED, SECMSG_IOC_SIGN,
		    SECMSG_IOC_VERIFY, 0, 0, 0);
}

TEST_F_TIMEOUT(size, max_signed_sign_plus_one, 120)
{
	big_message(_metadata, self, SECMSG_MAX_SIGNED + 1, SECMSG_IOC_SIGN,
		    SECMSG_IOC_VERIFY, 0, 0, EMSGSIZE);
}

TEST_F_TIMEOUT(size, max_signed_seal_checksummed, 120)
{
	big_message(_metadata, self, SECMSG_MAX_SIGNED, SECMSG_IOC_SEAL,
		    SECMSG_IOC_UNSEAL, SECMSG_BUF_READONLY_WITH_CHECKSUM, 0, 0);
}

TEST_F_TIMEOUT(size, max_signed_seal_checksummed_plus_one, 120)
{
	big_message(_metadata, self, SECMSG_MAX_SIGNED + 1, SECMSG_IOC_SEAL,
		    SECMSG_IOC_UNSEAL, SECMSG_BUF_READONLY_WITH_CHECKSUM, 0,
		    EMSGSIZE);
}

TEST_F_TIMEOUT(size, max_signed_wrap_no_encrypt, 120)
{
	big_message(_metadata, self, SECMSG_MAX_SIGNED, SECMSG_IOC_SEAL,
		    SECMSG_IOC_UNSEAL, 0, SECMSG_QOP_WRAP_NO_ENCRYPT, 0);
}

TEST_F_TIMEOUT(size, max_signed_wrap_no_encrypt_plus_one, 120)
{
	big_message(_metadata, self, SECMSG_MAX_SIGNED + 1, SECMSG_IOC_SEAL,
		    SECMSG_IOC_UNSEAL, 0, SECMSG_QOP_WRAP_NO_ENCRYPT, EMSGSIZE);
}

/* Both limits at once: vmalloc()ed bounce buffer with 1 MiB of AAD. */
TEST_F_TIMEOUT(size, max_message_with_max_signed, 120)
{
	size_t len = SECMSG_MAX_MESSAGE;
	struct secmsg_buffer b[3];
	struct secmsg_message m;
	uint8_t tok[32], *big, *copy;

	big = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	copy = malloc(len);
	ASSERT_TRUE(big != MAP_FAILED && copy);
	ts_fill(big, len, 3);
	memcpy(copy, big, len);
	ts_buf(&b[0], SECMSG_BUF_TOKEN, 0, tok, 32);
	ts_buf(&b[1], SECMSG_BUF_DATA, SECMSG_BUF_READONLY_WITH_CHECKSUM, big,
	       SECMSG_MAX_SIGNED);
	ts_buf(&b[2], SECMSG_BUF_DATA, 0, big + SECMSG_MAX_SIGNED,
	       len - SECMSG_MAX_SIGNED);
	ASSERT_OK_MSG(ts_call(self->ini, SECMSG_IOC_SEAL, &m, b, 3, 0), m);
	ASSERT_EQ(0, memcmp(big, copy, SECMSG_MAX_SIGNED));
	ASSERT_NE(0, memcmp(big + SECMSG_MAX_SIGNED, copy + SECMSG_MAX_SIGNED,
			    len - SECMSG_MAX_SIGNED));
	ASSERT_OK_MSG(ts_call(self->acc, SECMSG_IOC_UNSEAL, &m, b, 3, 0), m);
	ASSERT_EQ(0, memcmp(big, copy, len));
	free(copy);
	munmap(big, len);
}

TEST_HARNESS_MAIN
