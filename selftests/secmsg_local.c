// SPDX-License-Identifier: GPL-2.0
/*
 * The local package: INIT, ACCEPT, COMPLETE between processes of this
 * host.  Round trip, target checks, token reuse / expiry / truncation /
 * garbling, incomplete contexts, the identities in QUERY (supplementary
 * groups, a client in a child user namespace, a set-user-ID client) and
 * mutual authentication.
 *
 * Runs as root in the guest; other users are reached with fork() +
 * setresuid().  Forked helpers report through their exit code (0 = ok,
 * else the number of the check that failed) and a pipe.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <grp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "secmsg_local.h"

#define SUID_HELPER "/tmp/secmsg-local-setuid"	/* a tmpfs in the guest */
#define HELPER_ENV "SECMSG_LOCAL_HELPER"	/* the helper's socket fd */
#define SUID_USER 1001

/*
 * Helper mode: this program, copied set-user-ID root (SUID_HELPER) and
 * run by an unprivileged user with HELPER_ENV set to a socket's fd number.
 * It INITs as root (target root, level IMPERSONATE), drops to its real
 * ids for good, and only then sends the token, completes with the reply,
 * and sends back what QUERY tells it.  Exit code: 0 or the failed step.
 */
__attribute__((constructor)) static void setuid_helper(void)
{
	const char *env = getenv(HELPER_ENV);
	uid_t ruid = getuid();
	gid_t rgid = getgid();
	uint8_t tok[TOK], reply[TOK];
	struct secmsg_query q;
	int sock, dev, c;

	if (!env)
		return;
	sock = atoi(env);
	if (geteuid() != 0 || ruid == 0)
		_exit(30);
	dev = open(SECMSG_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		_exit(31);
	c = lc_init(dev, 0, tok);
	if (c < 0)
		_exit(32);
	if (setresgid(rgid, rgid, rgid) || setresuid(ruid, ruid, ruid))
		_exit(33);
	if (geteuid() != ruid || getegid() != rgid)
		_exit(34);
	if (wr_all(sock, tok, TOK) || rd_all(sock, reply, TOK))
		_exit(35);
	if (lc_complete(c, reply))
		_exit(36);
	if (ts_query(c, &q) || wr_all(sock, &q, sizeof(q)))
		_exit(37);
	_exit(0);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n++;
	closedir(d);
	return n;
}

FIXTURE(local) {
	int dev;
};

FIXTURE_SETUP(local)
{
	SM_OPEN_DEV_OR_SKIP(self->dev);
	if (getuid() != 0)
		SM_SKIP_SETUP("needs root (other users via setresuid)");
}

FIXTURE_TEARDOWN(local)
{
	close(self->dev);
}

/* Establish as root with root as target: client fd, server fd. */
static void establish(struct __test_metadata *_metadata, int dev, int *c,
		      int *s)
{
	uint8_t tok[TOK], reply[TOK];
	struct secmsg_init ini;
	struct secmsg_accept acc;
	struct secmsg_complete cmp;

	*c = lc_init_full(dev, 0, LC_FLAGS, SECMSG_IMP_IMPERSONATE, tok, TOK,
			  &ini);
	ASSERT_LE(0, *c);
	ASSERT_EQ((__u32)SECMSG_STATUS_CONTINUE_NEEDED, ini.status);
	ASSERT_EQ((__u32)TOK, ini.token_len);
	*s = lc_accept_full(dev, tok, TOK, reply, &acc);
	ASSERT_LE(0, *s);
	ASSERT_EQ((__u32)SECMSG_STATUS_OK, acc.status);
	ASSERT_EQ((__u32)LC_FLAGS, acc.ctx_flags);
	ASSERT_EQ((__u32)SECMSG_IMP_IMPERSONATE, acc.imp_level);
	ASSERT_EQ(0, lc_complete_full(*c, reply, TOK, &cmp));
	ASSERT_EQ((__u32)SECMSG_STATUS_OK, cmp.status);
	ASSERT_EQ((__u32)LC_FLAGS, cmp.ctx_flags);
	ASSERT_EQ((__u32)SECMSG_IMP_IMPERSONATE, cmp.imp_level);
}

TEST_F(local, round_trip)
{
	struct secmsg_query qc, qs;
	int c, s;

	establish(_metadata, self->dev, &c, &s);
	ts_assert_pair_works(_metadata, c, s);
	ts_assert_pair_works(_metadata, s, c);

	ASSERT_EQ(0, ts_query(c, &qc));
	ASSERT_EQ(0, ts_query(s, &qs));
	ASSERT_EQ((__u32)SECMSG_QUERY_SIZE_VER4, qc.size);
	ASSERT_EQ((__u32)SECMSG_PKG_LOCAL, qc.package);
	ASSERT_EQ((__u32)SECMSG_PKG_LOCAL, qs.package);
	ASSERT_EQ((__u32)SECMSG_ROLE_INITIATOR, qc.role);
	ASSERT_EQ((__u32)SECMSG_ROLE_ACCEPTOR, qs.role);
	ASSERT_EQ((__u32)SECMSG_STATE_ACTIVE, qc.state);
	ASSERT_EQ((__u32)SECMSG_STATE_ACTIVE, qs.state);
	ASSERT_EQ((__u32)SECMSG_SUITE_AES256_GCM, qc.suite);
	ASSERT_EQ((__u32)LC_FLAGS, qc.ctx_flags);
	ASSERT_EQ((__u32)LC_FLAGS, qs.ctx_flags);
	ASSERT_EQ((__u32)SECMSG_IMP_IMPERSONATE, qc.imp_level);
	ASSERT_EQ((__u32)SECMSG_IMP_IMPERSONATE, qs.imp_level);
	ASSERT_EQ((__u32)TOK, qc.max_token);
	ASSERT_EQ(qc.expires, qs.expires);
	ASSERT_EQ((__u32)SECMSG_ID_VALID, qc.local.flags);
	ASSERT_EQ((__u32)SECMSG_ID_VALID, qc.peer.flags);
	ASSERT_EQ((__u32)getpid(), qc.local.pid);
	ASSERT_EQ((__u32)getpid(), qs.peer.pid);
	ASSERT_EQ(0u, qs.peer.uid);
	ASSERT_EQ(0u, qc.peer.uid);
	/* the LSM context, as /proc shows it to the task itself */
	do {
		char lsm[SECMSG_LSM_MAX];

		lsm_self(lsm, sizeof(lsm));
		TH_LOG("LSM context: \"%s\"", lsm);
		ASSERT_STREQ(lsm, qc.local_lsm);
		ASSERT_STREQ(lsm, qc.peer_lsm);
		ASSERT_STREQ(lsm, qs.local_lsm);
		ASSERT_STREQ(lsm, qs.peer_lsm);
	} while (0);
	close(c);
	close(s);
}

TEST_F(local, query_ver0_still_works)
{
	struct secmsg_query q;
	int c, s;

	establish(_metadata, self->dev, &c, &s);
	memset(&q, 0xaa, sizeof(q));
	memset(&q, 0, SECMSG_QUERY_SIZE_VER0);
	q.size = SECMSG_QUERY_SIZE_VER0;
	ASSERT_EQ(0, ts_ioctl(c, SECMSG_IOC_QUERY, &q));
	ASSERT_EQ((__u32)SECMSG_QUERY_SIZE_VER0, q.size);
	ASSERT_EQ((__u32)SECMSG_PKG_LOCAL, q.package);
	/* nothing past VER0 written */
	ASSERT_EQ(0xaaaaaaaau, q.imp_level);
	close(c);
	close(s);
}

TEST_F(local, defaults_and_levels)
{
	uint8_t tok[TOK], reply[TOK];
	struct secmsg_accept acc;
	struct secmsg_query q;
	int c, s;

	c = lc_init_full(self->dev, 0, 0, 0, tok, TOK, NULL);
	ASSERT_LE(0, c);
	s = lc_accept_full(self->dev, tok, TOK, reply, &acc);
	ASSERT_LE(0, s);
	/* default level IDENTIFY; INTEGRITY always */
	ASSERT_EQ((__u32)SECMSG_IMP_IDENTIFY, acc.imp_level);
	ASSERT_EQ((__u32)(SECMSG_CTX_INTEGRITY | SECMSG_CTX_IDENTIFY),
		  acc.ctx_flags);
	ASSERT_EQ(0, lc_complete(c, reply));
	ASSERT_EQ(0, ts_query(c, &q));
	ASSERT_EQ((__u32)SECMSG_IMP_IDENTIFY, q.imp_level);
	close(c);
	close(s);

	c = lc_init_full(self->dev, 0, 0, SECMSG_IMP_DELEGATE, tok, TOK, NULL);
	ASSERT_LE(0, c);
	s = lc_accept_full(self->dev, tok, TOK, reply, &acc);
	ASSERT_LE(0, s);
	ASSERT_EQ((__u32)(SECMSG_CTX_INTEGRITY | SECMSG_CTX_DELEGATE),
		  acc.ctx_flags);
	close(c);
	close(s);

	/* bad arguments: nothing created */
	ASSERT_EQ(-EINVAL, lc_init_full(self->dev, 0, 0, 5, tok, TOK, NULL));
	ASSERT_EQ(-EINVAL, lc_init_full(self->dev, 0, SECMSG_CTX_IDENTIFY, 0,
					tok, TOK, NULL));
	ASSERT_EQ(-EINVAL, lc_init_full(self->dev, (uint32_t)-1, 0, 0, tok,
					TOK, NULL));
	{
		struct secmsg_init ini;

		ASSERT_EQ(-ENOBUFS, lc_init_full(self->dev, 0, 0, 0, tok,
						 TOK - 1, &ini));
		ASSERT_EQ((__u32)TOK, ini.token_len);
	}
}

TEST_F(local, incomplete_context)
{
	uint8_t tok[TOK], reply[TOK], mtok[32], data[16] = { 0 };
	struct secmsg_message m;
	struct secmsg_query q;
	int c, c2, s;

	c = lc_init(self->dev, 0, tok);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, ts_query(c, &q));
	ASSERT_EQ((__u32)SECMSG_STATE_INCOMPLETE, q.state);
	ASSERT_EQ((__u32)SECMSG_ID_VALID, q.local.flags);
	ASSERT_EQ(0u, q.peer.flags);
	ASSERT_EQ(0, q.driver[0]);

	ASSERT_EQ(-ENOTCONN, ts_seal1(c, mtok, data, sizeof(data), 0, &m));
	ASSERT_EQ((__u32)SECMSG_VERDICT_INCOMPLETE_CONTEXT, m.verdict);
	ASSERT_EQ(-ENOTCONN, m.error);
	ASSERT_EQ(-ENOTCONN, ts_sign1(c, mtok, data, sizeof(data), &m));
	ASSERT_EQ(-ENOTCONN, ts_verify1(c, mtok, data, sizeof(data), &m));
	ASSERT_EQ(-ENOTCONN, ts_unseal1(c, mtok, data, sizeof(data), &m));
	ASSERT_EQ((__u32)SECMSG_VERDICT_INCOMPLETE_CONTEXT, m.verdict);

	s = lc_accept(self->dev, tok, reply);
	ASSERT_LE(0, s);
	/* still incomplete until COMPLETE */
	ASSERT_EQ(-ENOTCONN, ts_seal1(c, mtok, data, sizeof(data), 0, &m));
	/* COMPLETE on the acceptor, or on a raw context: EINVAL */
	ASSERT_EQ(-EINVAL, lc_complete(s, reply));
	c2 = ts_import_simple(self->dev, SECMSG_ROLE_INITIATOR,
			      SECMSG_SUITE_AES128_GCM, SM_FLAGS_DEFAULT,
			      0, 0);
	ASSERT_LE(0, c2);
	ASSERT_EQ(-EINVAL, lc_complete(c2, reply));
	close(c2);

	ASSERT_EQ(0, lc_complete(c, reply));
	ASSERT_EQ(-EISCONN, lc_complete(c, reply));
	ts_assert_pair_works(_metadata, c, s);
	close(c);
	close(s);
}

TEST_F(local, token_reuse)
{
	uint8_t tok[TOK], tok2[TOK], reply[TOK], reply2[TOK];
	int c, c2, s, n;

	c = lc_init(self->dev, 0, tok);
	ASSERT_LE(0, c);
	c2 = lc_init(self->dev, 0, tok2);
	ASSERT_LE(0, c2);
	s = lc_accept(self->dev, tok, reply);
	ASSERT_LE(0, s);
	n = count_fds();
	ASSERT_EQ(-EALREADY, lc_accept(self->dev, tok, reply2));
	ASSERT_EQ(n, count_fds());
	/* a reply token for another context */
	ASSERT_EQ(-EALREADY, lc_complete(c2, reply));
	ASSERT_EQ(0, lc_complete(c, reply));
	ASSERT_EQ(-EISCONN, lc_complete(c, reply));
	ASSERT_EQ(-EALREADY, lc_complete(c2, reply));
	close(s);

	/* an init token whose client context is gone */
	close(c2);
	ASSERT_EQ(-EALREADY, lc_accept(self->dev, tok2, reply2));
	ASSERT_EQ(n - 2, count_fds());
	close(c);
}

TEST_F(local, token_garbage)
{
	uint8_t tok[TOK], reply[TOK], bad[TOK + 8];
	int c, s, n, i;

	c = lc_init(self->dev, 0, tok);
	ASSERT_LE(0, c);
	n = count_fds();

	/* truncated, or too long */
	ASSERT_EQ(-EMSGSIZE, lc_accept_full(self->dev, tok, TOK - 1, reply,
					    NULL));
	ASSERT_EQ(-EMSGSIZE, lc_accept_full(self->dev, tok, 0, reply, NULL));
	memcpy(bad, tok, TOK);
	ASSERT_EQ(-EMSGSIZE, lc_accept_full(self->dev, bad, TOK + 1, reply,
					    NULL));
	/* every byte matters */
	for (i = 0; i < TOK; i++) {
		memcpy(bad, tok, TOK);
		bad[i] ^= 0x01;
		ASSERT_EQ(-EBADMSG, lc_accept(self->dev, bad, reply)) {
			TH_LOG("byte %d", i);
		}
	}
	memset(bad, 0, TOK);
	ASSERT_EQ(-EBADMSG, lc_accept(self->dev, bad, reply));
	ASSERT_EQ(-EFAULT, lc_accept_full(self->dev, NULL, TOK, reply, NULL));
	/* an init token is no reply token */
	ASSERT_EQ(-EBADMSG, lc_complete(c, tok));
	ASSERT_EQ(-EMSGSIZE, lc_complete_full(c, tok, 10, NULL));
	ASSERT_EQ(n, count_fds());

	/* nothing was consumed: the real token still works */
	s = lc_accept(self->dev, tok, reply);
	ASSERT_LE(0, s);
	/* a reply token is no init token */
	ASSERT_EQ(-EBADMSG, lc_accept(self->dev, reply, bad));
	for (i = 0; i < TOK; i += 7) {
		memcpy(bad, reply, TOK);
		bad[i] ^= 0x80;
		ASSERT_EQ(-EBADMSG, lc_complete(c, bad));
	}
	ASSERT_EQ(0, lc_complete(c, reply));
	ts_assert_pair_works(_metadata, c, s);
	close(c);
	close(s);
}

TEST_F_TIMEOUT(local, token_expiry, 120)
{
	uint8_t tok[TOK], tok2[TOK], reply[TOK], reply2[TOK];
	struct secmsg_message m;
	uint8_t mtok[32], data[8] = { 0 };
	int c, c2, s, n;

	c = lc_init(self->dev, 0, tok);
	ASSERT_LE(0, c);
	c2 = lc_init(self->dev, 0, tok2);
	ASSERT_LE(0, c2);
	s = lc_accept(self->dev, tok2, reply2);
	ASSERT_LE(0, s);
	sleep(SECMSG_LOCAL_TOKEN_LIFETIME + 1);
	n = count_fds();
	ASSERT_EQ(-EKEYEXPIRED, lc_accept(self->dev, tok, reply));
	ASSERT_EQ(-EKEYEXPIRED, lc_complete(c2, reply2));
	ASSERT_EQ(n, count_fds());
	ASSERT_EQ(-ENOTCONN, ts_seal1(c2, mtok, data, sizeof(data), 0, &m));
	close(c);
	close(c2);
	close(s);
}

/* Server as @uid: accept @tok, send back the reply; exit code = result. */
static pid_t server_as(int dev, uid_t uid, const uint8_t *tok, int out)
{
	pid_t pid = fork();

	if (pid == 0) {
		uint8_t reply[TOK];
		int s, err;

		if (become(uid, uid, NULL, 0))
			_exit(10);
		s = lc_accept(dev, tok, reply);
		err = s < 0 ? -s : 0;
		if (wr_all(out, &err, sizeof(err)) ||
		    (!err && wr_all(out, reply, TOK)))
			_exit(11);
		_exit(0);
	}
	return pid;
}

TEST_F(local, target_mismatch)
{
	uint8_t tok[TOK], reply[TOK];
	struct secmsg_query q;
	int c, p[2], err, n;
	pid_t pid;

	c = lc_init(self->dev, NOBODY, tok);
	ASSERT_LE(0, c);
	n = count_fds();
	/* root is not nobody */
	ASSERT_EQ(-EACCES, lc_accept(self->dev, tok, reply));
	ASSERT_EQ(n, count_fds());
	ASSERT_EQ(0, pipe(p));

	/* another user is not nobody either */
	pid = server_as(self->dev, 1000, tok, p[1]);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, reap(pid));
	ASSERT_EQ(0, rd_all(p[0], &err, sizeof(err)));
	ASSERT_EQ(EACCES, err);

	/* the token survived both refusals: nobody accepts */
	pid = server_as(self->dev, NOBODY, tok, p[1]);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, reap(pid));
	ASSERT_EQ(0, rd_all(p[0], &err, sizeof(err)));
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, rd_all(p[0], reply, TOK));

	/* mutual authentication: the client sees who accepted */
	ASSERT_EQ(0, lc_complete(c, reply));
	ASSERT_EQ(0, ts_query(c, &q));
	ASSERT_EQ((__u32)SECMSG_ID_VALID, q.peer.flags);
	ASSERT_EQ((__u32)NOBODY, q.peer.uid);
	ASSERT_EQ((__u32)NOBODY, q.peer.gid);
	ASSERT_EQ(0u, q.peer.ngroups);
	ASSERT_EQ(0u, q.local.uid);
	close(p[0]);
	close(p[1]);
	close(c);
}

TEST_F(local, identities_exact)
{
	static const gid_t groups[] = { 5, 7, 9, 4242 };
	int to_srv[2], to_cli[2], s, i;
	uint8_t tok[TOK], reply[TOK];
	struct secmsg_query q;
	pid_t pid;

	ASSERT_EQ(0, pipe(to_srv));
	ASSERT_EQ(0, pipe(to_cli));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct secmsg_query cq;
		int c;

		if (become(2000, 1234, groups, SM_ARRAY_SIZE(groups)))
			_exit(10);
		c = lc_init(self->dev, 0, tok);
		if (c < 0)
			_exit(11);
		if (wr_all(to_srv[1], tok, TOK) ||
		    rd_all(to_cli[0], reply, TOK))
			_exit(12);
		if (lc_complete(c, reply))
			_exit(13);
		if (ts_query(c, &cq))
			_exit(14);
		if (cq.local.uid != 2000 || cq.local.gid != 1234 ||
		    cq.local.ngroups != SM_ARRAY_SIZE(groups))
			_exit(15);
		/* the server: root, in our namespaces */
		if (cq.peer.uid != 0 || cq.peer.gid != 0 ||
		    cq.peer.pid != (__u32)getppid())
			_exit(16);
		_exit(0);
	}
	ASSERT_EQ(0, rd_all(to_srv[0], tok, TOK));
	s = lc_accept(self->dev, tok, reply);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, wr_all(to_cli[1], reply, TOK));
	ASSERT_EQ(0, reap(pid));

	ASSERT_EQ(0, ts_query(s, &q));
	ASSERT_EQ((__u32)SECMSG_ID_VALID, q.peer.flags);
	ASSERT_EQ(2000u, q.peer.uid);
	ASSERT_EQ(1234u, q.peer.gid);
	ASSERT_EQ((__u32)pid, q.peer.pid);
	ASSERT_EQ(ns_inum("/proc/self/ns/user"), q.peer.userns);
	ASSERT_EQ((__u32)SM_ARRAY_SIZE(groups), q.peer.ngroups);
	for (i = 0; i < (int)SM_ARRAY_SIZE(groups); i++)
		ASSERT_EQ((__u32)groups[i], q.peer.groups[i]);
	ASSERT_EQ(2000u, q.peer.ruid);	/* no set-user-ID: ruid is uid */
	ASSERT_EQ(0u, q.local.uid);
	ASSERT_EQ(0u, q.local.ruid);
	ASSERT_EQ((__u32)SECMSG_ID_VALID, q.local.flags);
	ASSERT_EQ((__u32)getpid(), q.local.pid);
	close(s);
	close(to_srv[0]);
	close(to_srv[1]);
	close(to_cli[0]);
	close(to_cli[1]);
}

/*
 * A set-user-ID root program INITs and then drops to its real ids for
 * good: the context keeps the identity recorded at INIT, the effective
 * one (root), as SO_PEERCRED and open(2) keep theirs, and the dropped
 * program still completes and holds it.  The server is told: the
 * identity has SECMSG_ID_SETID and the real uid.
 */
TEST_F(local, setuid_client_keeps_effective_identity)
{
	uint8_t tok[TOK], reply[TOK];
	struct secmsg_query q, cq;
	char env[32];
	int sv[2], s;
	pid_t pid;

	ASSERT_EQ(0, copy_self(SUID_HELPER, 04755));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *argv[] = { "secmsg_local-setuid", NULL };
		char *envp[] = { env, NULL };

		close(sv[0]);
		snprintf(env, sizeof(env), HELPER_ENV "=%d", sv[1]);
		if (become(SUID_USER, SUID_USER, NULL, 0))
			_exit(10);
		execve(SUID_HELPER, argv, envp);
		_exit(11);
	}
	close(sv[1]);
	ASSERT_EQ(0, rd_all(sv[0], tok, TOK));
	s = lc_accept(self->dev, tok, reply);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, wr_all(sv[0], reply, TOK));
	ASSERT_EQ(0, rd_all(sv[0], &cq, sizeof(cq)));
	ASSERT_EQ(0, reap(pid));
	unlink(SUID_HELPER);

	/* the server's view: root, through a set-user-ID program of 1001 */
	ASSERT_EQ(0, ts_query(s, &q));
	ASSERT_EQ((__u32)(SECMSG_ID_VALID | SECMSG_ID_SETID), q.peer.flags);
	ASSERT_EQ(0u, q.peer.uid);
	ASSERT_EQ((__u32)SUID_USER, q.peer.gid);	/* not set-group-ID */
	ASSERT_EQ((__u32)SUID_USER, q.peer.ruid);
	ASSERT_EQ((__u32)pid, q.peer.pid);
	/* the client's, after it dropped: the same, and complete */
	ASSERT_EQ((__u32)SECMSG_STATE_ACTIVE, cq.state);
	ASSERT_EQ(q.peer.flags, cq.local.flags);
	ASSERT_EQ(0u, cq.local.uid);
	ASSERT_EQ((__u32)SUID_USER, cq.local.ruid);
	ASSERT_EQ((__u32)SECMSG_ID_VALID, cq.peer.flags);
	ASSERT_EQ(0u, cq.peer.uid);
	close(s);
	close(sv[0]);
}

TEST_F(local, client_in_child_userns)
{
	int to_srv[2], to_cli[2], s, st;
	uint8_t tok[TOK], reply[TOK];
	uint64_t client_ns = 0;
	struct secmsg_query q;
	pid_t pid;

	ASSERT_EQ(0, pipe(to_srv));
	ASSERT_EQ(0, pipe(to_cli));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct secmsg_query cq;
		uint64_t ino;
		int c;

		if (become(3000, 3000, NULL, 0))
			_exit(10);
		/* setresuid() made us undumpable: the map files are root's */
		if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
			_exit(10);
		if (unshare(CLONE_NEWUSER))
			_exit(errno == EPERM || errno == ENOSPC ? 99 : 11);
		if (write_file("/proc/self/setgroups", "deny") ||
		    write_file("/proc/self/uid_map", "0 3000 1") ||
		    write_file("/proc/self/gid_map", "0 3000 1"))
			_exit(12);
		ino = ns_inum("/proc/self/ns/user");
		if (wr_all(to_srv[1], &ino, sizeof(ino)))
			_exit(13);
		/* target 0 here is uid 3000 outside */
		c = lc_init(self->dev, 0, tok);
		if (c < 0)
			_exit(14);
		if (wr_all(to_srv[1], tok, TOK) ||
		    rd_all(to_cli[0], reply, TOK))
			_exit(15);
		if (lc_complete(c, reply) || ts_query(c, &cq))
			_exit(16);
		/* seen from inside: both are root of this namespace */
		if (cq.local.uid != 0 || cq.peer.uid != 0 ||
		    cq.local.userns != ino)
			_exit(17);
		/* the server's group 4000 has no name here: flagged */
		if (cq.local.flags != SECMSG_ID_VALID ||
		    cq.peer.flags != (SECMSG_ID_VALID | SECMSG_ID_UNMAPPED) ||
		    cq.peer.ngroups != 1 || cq.peer.groups[0] != NOBODY)
			_exit(18);
		_exit(0);
	}
	close(to_srv[1]);
	if (rd_all(to_srv[0], &client_ns, sizeof(client_ns))) {
		st = reap(pid);
		if (st == 99)
			SKIP(return, "no unprivileged user namespaces");
		ASSERT_EQ(0, st);
	}
	ASSERT_EQ(0, rd_all(to_srv[0], tok, TOK));

	/* the server must be uid 3000 outside: a forked helper */
	do {
		int p[2], err;
		pid_t spid;

		ASSERT_EQ(0, pipe(p));
		/* root cannot accept for 3000 */
		ASSERT_EQ(-EACCES, lc_accept(self->dev, tok, reply));
		spid = fork();
		ASSERT_LE(0, spid);
		if (spid == 0) {
			struct secmsg_query sq;

			gid_t g4000 = 4000;

			if (become(3000, 3000, &g4000, 1))
				_exit(10);
			s = lc_accept(self->dev, tok, reply);
			if (s < 0)
				_exit(11);
			if (ts_query(s, &sq))
				_exit(12);
			err = 0;
			if (wr_all(p[1], reply, TOK) ||
			    wr_all(p[1], &sq, sizeof(sq)))
				_exit(13);
			_exit(err);
		}
		ASSERT_EQ(0, reap(spid));
		ASSERT_EQ(0, rd_all(p[0], reply, TOK));
		ASSERT_EQ(0, rd_all(p[0], &q, sizeof(q)));
		close(p[0]);
		close(p[1]);
	} while (0);
	ASSERT_EQ(0, wr_all(to_cli[1], reply, TOK));
	ASSERT_EQ(0, reap(pid));

	/* the client as the init namespace sees it */
	ASSERT_EQ((__u32)SECMSG_ID_VALID, q.peer.flags);
	ASSERT_EQ(3000u, q.peer.uid);
	ASSERT_EQ(3000u, q.peer.gid);
	ASSERT_EQ((__u32)pid, q.peer.pid);
	ASSERT_EQ(client_ns, q.peer.userns);
	ASSERT_NE(ns_inum("/proc/self/ns/user"), q.peer.userns);
	ASSERT_EQ(3000u, q.local.uid);
	ASSERT_EQ(ns_inum("/proc/self/ns/user"), q.local.userns);
	/* everything is mapped in the initial namespace */
	ASSERT_EQ((__u32)SECMSG_ID_VALID, q.peer.flags);
	ASSERT_EQ((__u32)SECMSG_ID_VALID, q.local.flags);
	ASSERT_EQ(1u, q.local.ngroups);
	ASSERT_EQ(4000u, q.local.groups[0]);
	close(to_srv[0]);
	close(to_cli[0]);
	close(to_cli[1]);
}

/* INIT as root for root with @lifetime seconds. */
static int init_lifetime(int dev, uint32_t lifetime, uint8_t *tok)
{
	return lc_init_ex(dev, 0, LC_FLAGS, SECMSG_IMP_IMPERSONATE, lifetime,
			  tok, TOK, NULL);
}

static void wait_expired(struct __test_metadata *_metadata, int fd)
{
	struct secmsg_query q;

	while (ts_query(fd, &q) == 0 && q.state != SECMSG_STATE_EXPIRED)
		usleep(100 * 1000);
	ASSERT_EQ((__u32)SECMSG_STATE_EXPIRED, q.state);
}

/* The lifetime runs from INIT; afterwards every call says expired. */
TEST_F_TIMEOUT(local, lifetime_and_expiry, 120)
{
	uint8_t tok[TOK], reply[TOK], sig[SECMSG_TOKEN_SIZE], data[16] = {};
	struct secmsg_query qc, qs;
	struct secmsg_message m;
	int c, s;

	c = init_lifetime(self->dev, TS_SHORT_LIFETIME, tok);
	ASSERT_LE(0, c);
	s = lc_accept(self->dev, tok, reply);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, lc_complete(c, reply));
	ASSERT_EQ(0, ts_query(c, &qc));
	ASSERT_EQ(0, ts_query(s, &qs));
	ASSERT_EQ((__u32)TS_SHORT_LIFETIME, qc.lifetime);
	ASSERT_EQ((__u32)TS_SHORT_LIFETIME, qs.lifetime);
	ASSERT_EQ(qc.created + TS_SHORT_LIFETIME, qc.expires);
	ASSERT_EQ(qc.expires, qs.expires);
	ASSERT_EQ(qc.created, qs.created);
	ASSERT_EQ(0, ts_sign1(c, sig, data, sizeof(data), NULL));
	ASSERT_EQ(0, ts_verify1(s, sig, data, sizeof(data), NULL));

	wait_expired(_metadata, c);
	wait_expired(_metadata, s);
	ASSERT_EQ(-EKEYEXPIRED, ts_sign1(c, sig, data, sizeof(data), &m));
	ASSERT_EQ((__u32)SECMSG_VERDICT_EXPIRED, m.verdict);
	ASSERT_EQ(-EKEYEXPIRED, ts_sign1(s, sig, data, sizeof(data), &m));
	ASSERT_EQ(-EKEYEXPIRED, ts_seal1(s, sig, data, sizeof(data), 0, &m));
	ASSERT_EQ(-EKEYEXPIRED, ts_unseal1(c, sig, data, sizeof(data), &m));
	ASSERT_EQ((__u32)SECMSG_VERDICT_EXPIRED, m.verdict);
	close(c);
	close(s);

	/* expired between INIT and ACCEPT: ACCEPT says so, creates nothing */
	c = init_lifetime(self->dev, TS_SHORT_LIFETIME, tok);
	ASSERT_LE(0, c);
	wait_expired(_metadata, c);
	ASSERT_EQ(-EKEYEXPIRED, lc_accept(self->dev, tok, reply));
	close(c);

	/* expired between ACCEPT and COMPLETE: COMPLETE says so */
	c = init_lifetime(self->dev, TS_SHORT_LIFETIME, tok);
	ASSERT_LE(0, c);
	s = lc_accept(self->dev, tok, reply);
	ASSERT_LE(0, s);
	wait_expired(_metadata, c);
	ASSERT_EQ(-EKEYEXPIRED, lc_complete(c, reply));
	ASSERT_EQ(0, ts_query(c, &qc));
	ASSERT_EQ((__u32)SECMSG_STATE_EXPIRED, qc.state);
	ASSERT_EQ(0u, qc.peer.flags);	/* never completed */
	close(c);
	close(s);
}

/* Two COMPLETEs of one context at once: exactly one succeeds; the other
 * says complete already (EISCONN) or at work (EBUSY). */
TEST_F_TIMEOUT(local, concurrent_complete, 120)
{
	uint8_t tok[TOK], reply[TOK];
	int round, c, s, go[2], res[2];

	for (round = 0; round < 20; round++) {
		int mine, theirs, ok;
		pid_t pid;
		char b;

		c = lc_init(self->dev, 0, tok);
		ASSERT_LE(0, c);
		s = lc_accept(self->dev, tok, reply);
		ASSERT_LE(0, s);
		ASSERT_EQ(0, pipe(go));
		ASSERT_EQ(0, pipe(res));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			if (read(go[0], &b, 1) != 1)
				_exit(1);
			mine = lc_complete(c, reply);
			_exit(wr_all(res[1], &mine, sizeof(mine)) ? 2 : 0);
		}
		ASSERT_EQ(1, write(go[1], "g", 1));
		mine = lc_complete(c, reply);
		ASSERT_EQ(0, reap(pid));
		ASSERT_EQ(0, rd_all(res[0], &theirs, sizeof(theirs)));
		ok = (mine == 0) + (theirs == 0);
		ASSERT_EQ(1, ok) TH_LOG("round %d: %d and %d", round, mine,
					theirs);
		if (mine)
			ASSERT_TRUE(mine == -EISCONN || mine == -EBUSY);
		if (theirs)
			ASSERT_TRUE(theirs == -EISCONN || theirs == -EBUSY);
		ASSERT_EQ(-EISCONN, lc_complete(c, reply));
		ts_assert_pair_works(_metadata, c, s);
		close(go[0]);
		close(go[1]);
		close(res[0]);
		close(res[1]);
		close(c);
		close(s);
	}
}

/* INIT and ACCEPT count against the caller's context limit. */
FIXTURE(local_limit) {
	char saved[32];
	int have_saved;
	int dev;
};

FIXTURE_SETUP(local_limit)
{
	self->dev = -1;
	TS_LIMIT_SETUP(2);
	self->dev = ts_open_dev();
	ASSERT_LE(0, self->dev);
}

FIXTURE_TEARDOWN(local_limit)
{
	if (self->have_saved)
		ts_limit_write(self->saved);
	if (self->dev >= 0)
		close(self->dev);
}

TEST_F(local_limit, init_and_accept_emfile)
{
	uint8_t tok[TOK], reply[TOK];
	struct secmsg_init ini;
	int r1, r2, c, s, n;

	r1 = ts_import_simple(self->dev, SECMSG_ROLE_INITIATOR,
			      SECMSG_SUITE_AES128_GCM, SM_FLAGS_DEFAULT, 0, 0);
	r2 = ts_import_simple(self->dev, SECMSG_ROLE_INITIATOR,
			      SECMSG_SUITE_AES128_GCM, SM_FLAGS_DEFAULT, 0, 0);
	ASSERT_LE(0, r1);
	ASSERT_LE(0, r2);
	n = count_fds();
	memset(tok, 0x5a, sizeof(tok));
	ASSERT_EQ(-EMFILE, lc_init_full(self->dev, 0, LC_FLAGS,
					SECMSG_IMP_IMPERSONATE, tok, TOK,
					&ini));
	ASSERT_EQ(n, count_fds());
	ASSERT_EQ(0x5a, tok[0]);	/* no token either */
	ASSERT_EQ(0u, ini.status);

	close(r2);
	c = lc_init(self->dev, 0, tok);
	ASSERT_LE(0, c);
	n = count_fds();
	ASSERT_EQ(-EMFILE, lc_accept(self->dev, tok, reply));
	ASSERT_EQ(n, count_fds());
	/* the token survived: with a slot free, ACCEPT works */
	close(r1);
	s = lc_accept(self->dev, tok, reply);
	ASSERT_LE(0, s);
	/* COMPLETE creates nothing: it works at the limit */
	ASSERT_EQ(0, lc_complete(c, reply));
	ts_assert_pair_works(_metadata, c, s);
	close(c);
	close(s);
}

TEST_HARNESS_MAIN
