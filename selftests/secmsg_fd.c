// SPDX-License-Identifier: GPL-2.0
/*
 * A context is a file: O_CLOEXEC, shared by dup(), fork() and SCM_RIGHTS,
 * with one set of sequence numbers whichever descriptor is used; it lives
 * as long as one descriptor does, independent of the /dev/secmsg fd.
 */
#include "secmsg_test.h"

#include <sys/socket.h>
#include <sys/wait.h>

FIXTURE(fd) {
	int dev, ini, acc;
};

FIXTURE_SETUP(fd)
{
	ts_pair_setup(_metadata, &self->dev, &self->ini, &self->acc,
		      SECMSG_SUITE_AES256_GCM, SM_FLAGS_DEFAULT, 500, 0);
}

FIXTURE_TEARDOWN(fd)
{
	ts_pair_teardown(self->dev, self->ini, self->acc);
}

static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte = 'F';
	struct iovec iov = { &byte, 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -errno;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&mh);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* What a child sealed: sequence number, token and ciphertext. */
struct sealed {
	int ret;
	uint64_t seq;
	uint8_t tok[32];
	uint8_t data[32];
};

static void seal_into(int fd, struct sealed *s, uint32_t seed)
{
	struct secmsg_message m;

	ts_fill(s->data, sizeof(s->data), seed);
	s->ret = ts_seal1(fd, s->tok, s->data, sizeof(s->data), 0, &m);
	s->seq = m.seq;
}

static void check_unseal(struct __test_metadata *_metadata, int rx,
			 struct sealed *s, uint32_t seed)
{
	uint8_t orig[32];
	struct secmsg_message m;

	ts_fill(orig, sizeof(orig), seed);
	ASSERT_EQ(0, s->ret);
	ASSERT_OK_MSG(ts_unseal1(rx, s->tok, s->data, sizeof(s->data), &m), m);
	ASSERT_EQ(s->seq, m.seq);
	ASSERT_EQ(0, memcmp(orig, s->data, sizeof(orig)));
}

static int wait_child(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

TEST_F(fd, context_fd_is_cloexec)
{
	int flags = fcntl(self->ini, F_GETFD);

	ASSERT_LE(0, flags);
	ASSERT_TRUE(flags & FD_CLOEXEC);
	flags = fcntl(self->acc, F_GETFD);
	ASSERT_TRUE(flags & FD_CLOEXEC);
}

TEST_F(fd, exec_closes_context)
{
	char cmd[64];
	pid_t pid;

	snprintf(cmd, sizeof(cmd), "test -e /proc/self/fd/%d", self->ini);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(99);
	}
	ASSERT_EQ(1, wait_child(pid)) TH_LOG("the context fd survived exec");
}

TEST_F(fd, scm_rights_shares_sequence)
{
	struct sealed *s;
	int sv[2], st;
	pid_t pid;

	s = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_TRUE(s != MAP_FAILED);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	/* the child does not inherit the context: it gets it over the socket */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char go;
		int fd;

		close(self->ini);
		close(self->acc);
		close(sv[0]);
		fd = recv_fd(sv[1]);
		if (fd < 0)
			_exit(2);
		if (!(fcntl(fd, F_GETFD) & FD_CLOEXEC))
			_exit(3);
		seal_into(fd, &s[1], 2);
		if (write(sv[1], "x", 1) != 1 || read(sv[1], &go, 1) != 1)
			_exit(4);
		seal_into(fd, &s[3], 4);
		_exit(0);
	}
	close(sv[1]);
	seal_into(self->ini, &s[0], 1);			/* 500 */
	ASSERT_EQ(0, send_fd(sv[0], self->ini));
	ASSERT_EQ(1, read(sv[0], &st, 1));		/* child: 501 */
	seal_into(self->ini, &s[2], 3);			/* 502 */
	ASSERT_EQ(1, write(sv[0], "x", 1));		/* child: 503 */
	ASSERT_EQ(0, wait_child(pid));
	ASSERT_EQ(500ull, s[0].seq);
	ASSERT_EQ(501ull, s[1].seq);
	ASSERT_EQ(502ull, s[2].seq);
	ASSERT_EQ(503ull, s[3].seq);
	ASSERT_EQ(504ull, ts_send_seq(self->ini));
	check_unseal(_metadata, self->acc, &s[0], 1);
	check_unseal(_metadata, self->acc, &s[1], 2);
	check_unseal(_metadata, self->acc, &s[2], 3);
	check_unseal(_metadata, self->acc, &s[3], 4);
	close(sv[0]);
	munmap(s, 4096);
}

TEST_F(fd, passed_fd_outlives_sender)
{
	struct sealed *s;
	int sv[2];
	pid_t pid;

	s = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_TRUE(s != MAP_FAILED);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	/* pass the fd, then drop every copy on this side */
	ASSERT_EQ(0, send_fd(sv[0], self->ini));
	close(self->ini);
	self->ini = -1;
	close(self->dev);
	self->dev = -1;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = recv_fd(sv[1]);

		if (fd < 0)
			_exit(2);
		seal_into(fd, &s[0], 7);
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid));
	check_unseal(_metadata, self->acc, &s[0], 7);
	ASSERT_EQ(500ull, s[0].seq);
	close(sv[0]);
	close(sv[1]);
	munmap(s, 4096);
}

TEST_F(fd, fork_inherits_and_shares)
{
	struct sealed *s;
	pid_t pid;

	s = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_TRUE(s != MAP_FAILED);
	seal_into(self->ini, &s[0], 1);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		seal_into(self->ini, &s[1], 2);
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid));
	seal_into(self->ini, &s[2], 3);
	ASSERT_EQ(500ull, s[0].seq);
	ASSERT_EQ(501ull, s[1].seq);
	ASSERT_EQ(502ull, s[2].seq);
	check_unseal(_metadata, self->acc, &s[1], 2);
	check_unseal(_metadata, self->acc, &s[0], 1);
	check_unseal(_metadata, self->acc, &s[2], 3);
	munmap(s, 4096);
}

TEST_F(fd, dup_shares_and_survives_close)
{
	struct sealed s[3];
	struct secmsg_query q;
	int d;

	d = dup(self->ini);
	ASSERT_LE(0, d);
	seal_into(self->ini, &s[0], 1);
	seal_into(d, &s[1], 2);
	close(self->ini);
	self->ini = -1;
	seal_into(d, &s[2], 3);
	ASSERT_EQ(500ull, s[0].seq);
	ASSERT_EQ(501ull, s[1].seq);
	ASSERT_EQ(502ull, s[2].seq);
	check_unseal(_metadata, self->acc, &s[0], 1);
	check_unseal(_metadata, self->acc, &s[1], 2);
	check_unseal(_metadata, self->acc, &s[2], 3);
	close(d);
	/* every descriptor closed: the fd number means nothing now */
	ASSERT_EQ(-EBADF, ts_query(d, &q));
}

TEST_F(fd, device_fd_not_needed)
{
	close(self->dev);
	self->dev = -1;
	ts_assert_pair_works(_metadata, self->ini, self->acc);
}

TEST_F(fd, two_processes_seal_concurrently)
{
	enum { PER = 100 };
	struct sealed *s;
	uint8_t seen[2 * PER] = { 0 };
	pid_t pid;
	int i;

	s = mmap(NULL, 2 * PER * sizeof(*s), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(s != MAP_FAILED);
	pid = fork();
	ASSERT_LE(0, pid);
	for (i = 0; i < PER; i++)
		seal_into(self->ini, &s[(pid == 0) * PER + i], i);
	if (pid == 0)
		_exit(0);
	ASSERT_EQ(0, wait_child(pid));
	for (i = 0; i < 2 * PER; i++) {
		ASSERT_EQ(0, s[i].ret);
		ASSERT_LE(500ull, s[i].seq);
		ASSERT_GT(500ull + 2 * PER, s[i].seq);
		ASSERT_EQ(0, seen[s[i].seq - 500]) TH_LOG("seq %llu twice",
			(unsigned long long)s[i].seq);
		seen[s[i].seq - 500] = 1;
	}
	for (i = 0; i < 2 * PER; i++)
		check_unseal(_metadata, self->acc, &s[i], i % PER);
	munmap(s, 2 * PER * sizeof(*s));
}

TEST_F(fd, other_files_are_not_contexts)
{
	struct secmsg_message m;
	uint8_t tok[32], data[4] = { 0 };
	int p[2];

	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(-ENOTTY, ts_sign1(p[0], tok, data, 4, &m));
	close(p[0]);
	close(p[1]);
	ASSERT_EQ(-EBADF, ts_sign1(p[0], tok, data, 4, &m));
}

TEST_HARNESS_MAIN
