// SPDX-License-Identifier: GPL-2.0
/*
 * IMPERSONATE and REVERT on local acceptor contexts: who may, what the
 * thread becomes (ids, groups, capabilities), that only that thread
 * changes, that REVERT restores it exactly, and the misuse cases: twice,
 * revert without, revert from another thread, the fd closed while
 * impersonating, the thread exiting, the credentials changed meanwhile,
 * a fork, bad arguments, an expired context.
 *
 * Runs as root in the guest.  Clients are forked processes that become
 * another user (setresuid) and INIT; the test process (or a forked server
 * that became another user) ACCEPTs.  Credentials are per thread in the
 * kernel but glibc's set*id() changes every thread, so the tests call the
 * raw syscalls where only one thread must change.  Each TEST runs in its
 * own process (the harness forks), so a failed assertion while
 * impersonating cannot leak into the next test.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "secmsg_local.h"
#include "secmsg_nl.h"

#define CLIENT_UID 1001
#define OTHER_UID 1002
#define G1 2001
#define G2 2002
#define DIR_PATH "/tmp/secmsg-imp"
#define CLIENT_FILE DIR_PATH "/client-only"
#define ROOT_FILE DIR_PATH "/root-only"

struct ident {
	uid_t uid;
	gid_t gid;
	int ngroups;
	gid_t groups[4];
	uint64_t drop_caps;	/* root client: capabilities to give up */
	int userns;		/* client: unshare a user namespace (root: 0 0 1) */
};

static int imp_call(int fd, unsigned long req, uint32_t flags,
		    uint64_t reserved)
{
	struct secmsg_impersonate a = {
		.size = sizeof(a), .flags = flags, .reserved = reserved,
	};

	return ioctl(fd, req, &a) ? -errno : 0;
}

static int imp(int fd)
{
	return imp_call(fd, SECMSG_IOC_IMPERSONATE, 0, 0);
}

static int rev(int fd)
{
	return imp_call(fd, SECMSG_IOC_REVERT, 0, 0);
}

/* The calling thread's credentials as /proc shows them. */
static void creds_of(char *out, size_t len)
{
	static const char *const keys[] = {
		"Uid:", "Gid:", "Groups:", "CapInh:", "CapPrm:", "CapEff:",
		"CapBnd:", "CapAmb:",
	};
	char line[512];
	size_t used = 0;
	unsigned int i;
	FILE *f;

	out[0] = 0;
	f = fopen("/proc/thread-self/status", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		for (i = 0; i < SM_ARRAY_SIZE(keys); i++)
			if (!strncmp(line, keys[i], strlen(keys[i])) &&
			    used + strlen(line) < len) {
				strcpy(out + used, line);
				used += strlen(line);
			}
	fclose(f);
}

/* One line of creds_of() (e.g. "CapEff:"), its value as a number. */
static uint64_t cred_hex(const char *key)
{
	char buf[2048], *p;

	creds_of(buf, sizeof(buf));
	p = strstr(buf, key);
	return p ? strtoull(p + strlen(key), NULL, 16) : ~0ULL;
}

/* The calling thread's effective ids and groups, by raw syscalls. */
static uid_t t_euid(void)
{
	return syscall(SYS_geteuid);
}

static gid_t t_egid(void)
{
	return syscall(SYS_getegid);
}

static uid_t t_fsuid(void)
{
	return syscall(SYS_setfsuid, -1);
}

static int t_groups(gid_t *g, int n)
{
	return syscall(SYS_getgroups, n, g);
}

static int drop_caps(uint64_t mask)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[0].effective &= ~(uint32_t)mask;
	d[0].permitted &= ~(uint32_t)mask;
	d[1].effective &= ~(uint32_t)(mask >> 32);
	d[1].permitted &= ~(uint32_t)(mask >> 32);
	return syscall(SYS_capset, &h, d);
}

/*
 * A client: a forked process that becomes @id and INITs for @target at
 * @level (@lifetime seconds, 0 for the default), sends its token on a pipe
 * and keeps its context until *@hold is closed.  Returns its pid, or -1.
 */
static pid_t client_start(int dev, const struct ident *id, uint32_t target,
			  uint32_t level, uint32_t lifetime, uint8_t *tok,
			  int *hold)
{
	int tp[2], hp[2];
	pid_t pid;
	char c;

	if (pipe(tp) || pipe(hp))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd;

		close(tp[0]);
		close(hp[1]);
		if (id->uid && become(id->uid, id->gid, id->groups,
				      id->ngroups))
			_exit(10);
		if (id->drop_caps && drop_caps(id->drop_caps))
			_exit(11);
		if (id->userns) {
			if (unshare(CLONE_NEWUSER) ||
			    write_file("/proc/self/setgroups", "deny") ||
			    write_file("/proc/self/uid_map", "0 0 1") ||
			    write_file("/proc/self/gid_map", "0 0 1"))
				_exit(12);
		}
		fd = lc_init_ex(dev, target, LC_FLAGS, level, lifetime, tok,
				TOK, NULL);
		if (fd < 0)
			_exit(13);
		if (wr_all(tp[1], tok, TOK))
			_exit(14);
		/* keep the initiator until the server has accepted */
		while (read(hp[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(tp[1]);
	close(hp[0]);
	*hold = hp[1];
	if (rd_all(tp[0], tok, TOK)) {
		close(tp[0]);
		close(hp[1]);
		reap(pid);
		return -1;
	}
	close(tp[0]);
	return pid;
}

static int client_finish(pid_t pid, int hold)
{
	close(hold);
	return reap(pid);
}

/* An acceptor context, accepted here, for a client @id at @level. */
static int acceptor_for(struct __test_metadata *_metadata, int dev,
			const struct ident *id, uint32_t level)
{
	uint8_t tok[TOK], reply[TOK];
	int hold, s;
	pid_t pid;

	pid = client_start(dev, id, 0, level, 0, tok, &hold);
	EXPECT_LT(0, pid);
	if (pid < 0)
		return -1;
	s = lc_accept(dev, tok, reply);
	EXPECT_EQ(0, client_finish(pid, hold));
	EXPECT_LE(0, s);
	return s;
}

static const struct ident client = {
	.uid = CLIENT_UID, .gid = CLIENT_UID, .ngroups = 2,
	.groups = { G1, G2 },
};

FIXTURE(imp) {
	int dev;
	char before[2048];
};

FIXTURE_SETUP(imp)
{
	int fd;

	SM_OPEN_DEV_OR_SKIP(self->dev);
	if (getuid() != 0)
		SM_SKIP_SETUP("needs root (other users via setresuid)");
	/* root as the tests find it: no supplementary groups */
	ASSERT_EQ(0, setgroups(0, NULL));
	mkdir(DIR_PATH, 0755);
	fd = open(CLIENT_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(6, write(fd, "client", 6));
	ASSERT_EQ(0, fchown(fd, CLIENT_UID, CLIENT_UID));
	close(fd);
	fd = open(ROOT_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	close(fd);
	creds_of(self->before, sizeof(self->before));
	ASSERT_NE(0, self->before[0]);
}

FIXTURE_TEARDOWN(imp)
{
	char now[2048];

	/* every test ends as it began */
	creds_of(now, sizeof(now));
	EXPECT_STREQ(self->before, now);
	close(self->dev);
}

static void assert_is_client(struct __test_metadata *_metadata)
{
	gid_t g[8];

	ASSERT_EQ((uid_t)CLIENT_UID, t_euid());
	ASSERT_EQ((uid_t)CLIENT_UID, t_fsuid());
	ASSERT_EQ((gid_t)CLIENT_UID, t_egid());
	ASSERT_EQ(0, syscall(SYS_getuid));	/* real id: the server's */
	ASSERT_EQ(2, t_groups(g, 8));
	ASSERT_EQ((gid_t)G1, g[0]);
	ASSERT_EQ((gid_t)G2, g[1]);
	ASSERT_EQ(0ULL, cred_hex("CapEff:"));
	ASSERT_EQ(0ULL, cred_hex("CapPrm:"));
}

static void assert_creds(struct __test_metadata *_metadata, const char *want)
{
	char now[2048];

	creds_of(now, sizeof(now));
	ASSERT_STREQ(want, now);
}

TEST_F(imp, becomes_client_and_reverts_exactly)
{
	int s = acceptor_for(_metadata, self->dev, &client,
			     SECMSG_IMP_IMPERSONATE);

	ASSERT_LE(0, s);
	ASSERT_EQ(0, imp(s));
	assert_is_client(_metadata);
	ASSERT_EQ(0, rev(s));
	assert_creds(_metadata, self->before);
	ASSERT_EQ(0, access(ROOT_FILE, R_OK));
	close(s);
}

TEST_F(imp, file_access_as_client)
{
	int s = acceptor_for(_metadata, self->dev, &client,
			     SECMSG_IMP_DELEGATE);
	struct stat st;
	char buf[8];
	int fd;

	ASSERT_LE(0, s);
	unlink(DIR_PATH "/new");
	ASSERT_EQ(0, chmod(DIR_PATH, 01777));
	ASSERT_EQ(0, imp(s));
	fd = open(CLIENT_FILE, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(6, read(fd, buf, sizeof(buf)));
	ASSERT_EQ(0, memcmp(buf, "client", 6));
	close(fd);
	ASSERT_EQ(-1, open(ROOT_FILE, O_RDONLY | O_CLOEXEC));
	ASSERT_EQ(EACCES, errno);
	/* a file created now belongs to the client */
	fd = open(DIR_PATH "/new", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		  0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &st));
	close(fd);
	ASSERT_EQ((uid_t)CLIENT_UID, st.st_uid);
	ASSERT_EQ((gid_t)CLIENT_UID, st.st_gid);
	ASSERT_EQ(0, rev(s));
	fd = open(ROOT_FILE, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	close(fd);
	unlink(DIR_PATH "/new");
	chmod(DIR_PATH, 0755);
	close(s);
}

/* ANONYMOUS and IDENTIFY: queries only; ANONYMOUS hides the client. */
TEST_F(imp, levels_below_impersonate_refused)
{
	static const uint32_t levels[] = {
		SECMSG_IMP_ANONYMOUS, SECMSG_IMP_IDENTIFY,
	};
	struct secmsg_query q;
	unsigned int i;

	for (i = 0; i < SM_ARRAY_SIZE(levels); i++) {
		int s = acceptor_for(_metadata, self->dev, &client, levels[i]);

		ASSERT_LE(0, s);
		ASSERT_EQ(-EACCES, imp(s));
		assert_creds(_metadata, self->before);
		ASSERT_EQ(-ENOENT, rev(s));
		ASSERT_EQ(0, ts_query(s, &q));
		ASSERT_EQ(levels[i], q.imp_level);
		if (levels[i] == SECMSG_IMP_ANONYMOUS) {
			ASSERT_EQ((__u32)SECMSG_ID_ANONYMOUS, q.peer.flags);
			ASSERT_EQ(0u, q.peer.uid);
			ASSERT_EQ(0u, q.peer.pid);
			ASSERT_EQ(0u, q.peer.ngroups);
			ASSERT_EQ(0ULL, q.peer.userns);
			ASSERT_EQ(0, q.peer_lsm[0]);
		} else {
			ASSERT_EQ((__u32)SECMSG_ID_VALID, q.peer.flags);
			ASSERT_EQ((__u32)CLIENT_UID, q.peer.uid);
		}
		close(s);
	}
}

/*
 * A server that is another user: forked, becomes @srv, accepts @c's
 * token (which targets @srv->uid) and tries IMPERSONATE.  Returns the
 * server's exit code: 0 when IMPERSONATE gave @want (and, when 0, the
 * thread became the client and REVERT brought it back exactly).
 */
static int server_as(int dev, const struct ident *srv, const struct ident *c,
		     int want)
{
	uint8_t tok[TOK], reply[TOK];
	int hold, rc;
	pid_t pid, spid;

	pid = client_start(dev, c, srv->uid, SECMSG_IMP_IMPERSONATE, 0, tok,
			   &hold);
	if (pid < 0)
		return 100;
	spid = fork();
	if (spid == 0) {
		char before[2048], now[2048];
		int s;

		if (become(srv->uid, srv->gid, srv->groups, srv->ngroups))
			_exit(20);
		s = lc_accept(dev, tok, reply);
		if (s < 0)
			_exit(21);
		creds_of(before, sizeof(before));
		if (imp(s) != want)
			_exit(22);
		if (want) {
			creds_of(now, sizeof(now));
			_exit(strcmp(before, now) ? 23 : 0);
		}
		if (t_euid() != c->uid || t_egid() != c->gid)
			_exit(24);
		if (t_groups(NULL, 0) != c->ngroups)
			_exit(25);
		if (rev(s))
			_exit(26);
		creds_of(now, sizeof(now));
		_exit(strcmp(before, now) ? 27 : 0);
	}
	rc = reap(spid);
	if (client_finish(pid, hold))
		return 101;
	return rc;
}

TEST_F(imp, server_without_privilege)
{
	struct ident srv = { .uid = OTHER_UID, .gid = OTHER_UID };
	struct ident same = srv;

	/* another user, no CAP_SETUID: refused */
	ASSERT_EQ(0, server_as(self->dev, &srv, &client, -EPERM));
	/* the client's own identity: allowed */
	ASSERT_EQ(0, server_as(self->dev, &srv, &same, 0));
	/* ... but not a group the server lacks */
	same.ngroups = 1;
	same.groups[0] = G1;
	ASSERT_EQ(0, server_as(self->dev, &srv, &same, -EPERM));
	/* with that group (and more), allowed */
	srv.ngroups = 2;
	srv.groups[0] = G1;
	srv.groups[1] = G2;
	ASSERT_EQ(0, server_as(self->dev, &srv, &same, 0));
}

/* Root client short of CAP_CHOWN: the server gets the intersection. */
TEST_F(imp, capabilities_intersect)
{
	const uint64_t chown_bit = 1ULL << CAP_CHOWN;
	struct ident rc = { .drop_caps = chown_bit };
	uint64_t eff = cred_hex("CapEff:"), prm = cred_hex("CapPrm:");
	int s = acceptor_for(_metadata, self->dev, &rc,
			     SECMSG_IMP_IMPERSONATE);

	ASSERT_LE(0, s);
	ASSERT_NE(0ULL, eff & chown_bit);
	ASSERT_EQ(0, imp(s));
	ASSERT_EQ(0u, t_euid());
	ASSERT_EQ(eff & ~chown_bit, cred_hex("CapEff:"));
	ASSERT_EQ(prm & ~chown_bit, cred_hex("CapPrm:"));
	ASSERT_EQ(0, rev(s));
	assert_creds(_metadata, self->before);
	close(s);
}

/* Root in a child user namespace: its capabilities do not come along. */
TEST_F(imp, client_in_child_userns_gets_no_caps)
{
	struct ident nsroot = { .userns = 1 };
	int s = acceptor_for(_metadata, self->dev, &nsroot,
			     SECMSG_IMP_IMPERSONATE);

	ASSERT_LE(0, s);
	ASSERT_EQ(0, imp(s));
	ASSERT_EQ(0u, t_euid());
	ASSERT_EQ(0ULL, cred_hex("CapEff:"));
	ASSERT_EQ(0ULL, cred_hex("CapPrm:"));
	ASSERT_EQ(0ULL, cred_hex("CapAmb:"));
	ASSERT_EQ(0ULL, cred_hex("CapBnd:"));
	ASSERT_EQ(0, rev(s));
	assert_creds(_metadata, self->before);
	close(s);
}

/* ---- threads ---------------------------------------------------------- */

struct tctx {
	struct __test_metadata *md;
	int s;
	int dev;
	pthread_barrier_t *bar;
	int rc;			/* the thread's own results */
	uint64_t id;		/* a context's id (control plane) */
	int imp_rc, rev_rc;
	uid_t euid_during, euid_after;
	char before[2048], after[2048];
};

/* Impersonate, let the main thread look, then revert. */
static void *imp_then_revert(void *arg)
{
	struct tctx *t = arg;

	creds_of(t->before, sizeof(t->before));
	t->imp_rc = imp(t->s);
	t->euid_during = t_euid();
	pthread_barrier_wait(t->bar);	/* 1: impersonating */
	pthread_barrier_wait(t->bar);	/* 2: main has looked */
	t->euid_after = t_euid();	/* main's REVERT did not touch us */
	t->rev_rc = rev(t->s);
	creds_of(t->after, sizeof(t->after));
	return NULL;
}

TEST_F(imp, only_the_calling_thread_changes)
{
	pthread_barrier_t bar;
	struct tctx t = { .bar = &bar };
	pthread_t th;

	t.s = acceptor_for(_metadata, self->dev, &client,
			   SECMSG_IMP_IMPERSONATE);
	ASSERT_LE(0, t.s);
	ASSERT_EQ(0, pthread_barrier_init(&bar, NULL, 2));
	ASSERT_EQ(0, pthread_create(&th, NULL, imp_then_revert, &t));
	pthread_barrier_wait(&bar);
	/* the main thread is still root, with root's access */
	assert_creds(_metadata, self->before);
	ASSERT_EQ(0, access(ROOT_FILE, R_OK));
	/* REVERT from another thread: that thread is not impersonating */
	ASSERT_EQ(-ENOENT, rev(t.s));
	ASSERT_EQ(-ENOENT, rev(self->dev));
	pthread_barrier_wait(&bar);
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(0, t.imp_rc);
	ASSERT_EQ((uid_t)CLIENT_UID, t.euid_during);
	ASSERT_EQ((uid_t)CLIENT_UID, t.euid_after);
	ASSERT_EQ(0, t.rev_rc);
	ASSERT_STREQ(self->before, t.before);
	ASSERT_STREQ(t.before, t.after);
	pthread_barrier_destroy(&bar);
	close(t.s);
}

/* Impersonate and exit without REVERT. */
static void *imp_and_exit(void *arg)
{
	struct tctx *t = arg;

	t->imp_rc = imp(t->s);
	t->euid_during = t_euid();
	return NULL;
}

TEST_F(imp, thread_exits_while_impersonating)
{
	struct tctx t[40];
	pthread_t th;
	unsigned int i;
	int s;

	s = acceptor_for(_metadata, self->dev, &client,
			 SECMSG_IMP_IMPERSONATE);
	ASSERT_LE(0, s);
	/* more than the module's first sweep threshold (16) */
	for (i = 0; i < SM_ARRAY_SIZE(t); i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].s = s;
		ASSERT_EQ(0, pthread_create(&th, NULL, imp_and_exit, &t[i]));
		ASSERT_EQ(0, pthread_join(th, NULL));
		ASSERT_EQ(0, t[i].imp_rc);
		ASSERT_EQ((uid_t)CLIENT_UID, t[i].euid_during);
	}
	/* the process's other thread never changed */
	assert_creds(_metadata, self->before);
	ASSERT_EQ(-ENOENT, rev(s));
	/* and impersonation still works here */
	ASSERT_EQ(0, imp(s));
	assert_is_client(_metadata);
	ASSERT_EQ(0, rev(s));
	close(s);
}

/* ---- misuse on one thread -------------------------------------------- */

TEST_F(imp, twice_is_busy)
{
	int s1 = acceptor_for(_metadata, self->dev, &client,
			      SECMSG_IMP_IMPERSONATE);
	int s2 = acceptor_for(_metadata, self->dev, &client,
			      SECMSG_IMP_IMPERSONATE);
	char during[2048];

	ASSERT_LE(0, s1);
	ASSERT_LE(0, s2);
	ASSERT_EQ(0, imp(s1));
	creds_of(during, sizeof(during));
	ASSERT_EQ(-EBUSY, imp(s1));
	ASSERT_EQ(-EBUSY, imp(s2));
	assert_creds(_metadata, during);
	/* one REVERT undoes it, whichever fd */
	ASSERT_EQ(0, rev(s2));
	assert_creds(_metadata, self->before);
	ASSERT_EQ(-ENOENT, rev(s1));
	close(s1);
	close(s2);
}

TEST_F(imp, revert_without_impersonating)
{
	int s = acceptor_for(_metadata, self->dev, &client,
			     SECMSG_IMP_IMPERSONATE);

	ASSERT_LE(0, s);
	ASSERT_EQ(-ENOENT, rev(s));
	ASSERT_EQ(-ENOENT, rev(self->dev));
	assert_creds(_metadata, self->before);
	close(s);
}

TEST_F(imp, fd_closed_while_impersonating)
{
	int s = acceptor_for(_metadata, self->dev, &client,
			     SECMSG_IMP_IMPERSONATE);

	ASSERT_LE(0, s);
	ASSERT_EQ(0, imp(s));
	close(s);
	/* still the client: closing is not reverting */
	assert_is_client(_metadata);
	ASSERT_EQ(-1, open(ROOT_FILE, O_RDONLY | O_CLOEXEC));
	/* REVERT through /dev/secmsg */
	ASSERT_EQ(0, rev(self->dev));
	assert_creds(_metadata, self->before);
}

/* The thread changes its own credentials: REVERT does not resurrect. */
TEST_F(imp, credentials_changed_meanwhile)
{
	int s = acceptor_for(_metadata, self->dev, &client,
			     SECMSG_IMP_IMPERSONATE);

	ASSERT_LE(0, s);
	ASSERT_EQ(0, imp(s));
	/* real and saved uid are still 0: allowed without privilege */
	ASSERT_EQ(0, syscall(SYS_setresuid, 0, 0, 0));
	ASSERT_EQ(0u, t_euid());
	ASSERT_EQ(0ULL, cred_hex("CapEff:"));
	ASSERT_EQ(-ESTALE, rev(s));
	/* nothing restored: still without capabilities */
	ASSERT_EQ(0ULL, cred_hex("CapEff:"));
	ASSERT_EQ(0ULL, cred_hex("CapPrm:"));
	/* and forgotten */
	ASSERT_EQ(-ENOENT, rev(s));
	close(s);
	/* this process cannot get its capabilities back; end it here so
	 * that the teardown's comparison is not made on it
	 */
	_exit(_metadata->passed ? 0 : 1);
}

TEST_F(imp, fork_while_impersonating)
{
	int s = acceptor_for(_metadata, self->dev, &client,
			     SECMSG_IMP_IMPERSONATE);
	pid_t pid;

	ASSERT_LE(0, s);
	ASSERT_EQ(0, imp(s));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* the child is the client, with nothing to revert */
		if (t_euid() != CLIENT_UID)
			_exit(1);
		if (rev(s) != -ENOENT)
			_exit(2);
		if (t_euid() != CLIENT_UID)
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ(0, reap(pid));
	ASSERT_EQ(0, rev(s));
	close(s);
}

/* ---- refused calls change nothing ------------------------------------ */

TEST_F(imp, bad_arguments)
{
	struct {
		struct secmsg_impersonate a;
		uint8_t tail[8];
	} big;
	struct ts_ctx_opts o = {
		.role = SECMSG_ROLE_ACCEPTOR, .suite = SECMSG_SUITE_AES128_GCM,
		.ctx_flags = SM_FLAGS_DEFAULT, .key = ts_test_key,
		.key_len = 16,
	};
	uint8_t tok[TOK], reply[TOK];
	int s, s2, raw, c;

	s = acceptor_for(_metadata, self->dev, &client,
			 SECMSG_IMP_IMPERSONATE);
	ASSERT_LE(0, s);
	ASSERT_EQ(-EINVAL, imp_call(s, SECMSG_IOC_IMPERSONATE, 1, 0));
	ASSERT_EQ(-EINVAL, imp_call(s, SECMSG_IOC_IMPERSONATE, 0x80000000u,
				    0));
	ASSERT_EQ(-EINVAL, imp_call(s, SECMSG_IOC_IMPERSONATE, 0, 1));
	memset(&big, 0, sizeof(big));
	big.a.size = 8;
	ASSERT_EQ(-1, ioctl(s, SECMSG_IOC_IMPERSONATE, &big));
	ASSERT_EQ(EINVAL, errno);
	big.a.size = sizeof(big);
	big.tail[3] = 1;
	ASSERT_EQ(-1, ioctl(s, SECMSG_IOC_IMPERSONATE, &big));
	ASSERT_EQ(E2BIG, errno);
	big.tail[3] = 0;
	ASSERT_EQ(0, ioctl(s, SECMSG_IOC_IMPERSONATE, &big));
	ASSERT_EQ(0, rev(s));
	big.a.size = 4097;
	ASSERT_EQ(-1, ioctl(s, SECMSG_IOC_IMPERSONATE, &big));
	ASSERT_EQ(E2BIG, errno);
	ASSERT_EQ(-1, ioctl(s, SECMSG_IOC_IMPERSONATE, NULL));
	ASSERT_EQ(EFAULT, errno);
	/* not on the device */
	ASSERT_EQ(-1, ioctl(self->dev, SECMSG_IOC_IMPERSONATE, &big.a));
	ASSERT_EQ(ENOTTY, errno);
	assert_creds(_metadata, self->before);

	/* a REVERT with bad arguments leaves the impersonation alone */
	ASSERT_EQ(0, imp(s));
	ASSERT_EQ(-EINVAL, imp_call(s, SECMSG_IOC_REVERT, 1, 0));
	ASSERT_EQ(-EINVAL, imp_call(self->dev, SECMSG_IOC_REVERT, 0, 5));
	assert_is_client(_metadata);
	ASSERT_EQ(0, rev(s));
	assert_creds(_metadata, self->before);

	/* a raw acceptor has no client to become */
	raw = ts_import(self->dev, &o);
	ASSERT_LE(0, raw);
	ASSERT_EQ(-EINVAL, imp(raw));
	close(raw);

	/* nor has an initiator, incomplete or complete */
	c = lc_init(self->dev, 0, tok);
	ASSERT_LE(0, c);
	ASSERT_EQ(-EINVAL, imp(c));
	s2 = lc_accept(self->dev, tok, reply);
	ASSERT_LE(0, s2);
	ASSERT_EQ(0, lc_complete(c, reply));
	ASSERT_EQ(-EINVAL, imp(c));
	/* the acceptor of a client that is root itself: allowed */
	ASSERT_EQ(0, imp(s2));
	ASSERT_EQ(0, rev(s2));
	close(c);
	close(s2);
	assert_creds(_metadata, self->before);
	close(s);
}

TEST_F_TIMEOUT(imp, expired_context, 120)
{
	uint8_t tok[TOK], reply[TOK];
	struct secmsg_query q;
	int hold, s;
	pid_t pid;

	pid = client_start(self->dev, &client, 0, SECMSG_IMP_IMPERSONATE,
			   TS_SHORT_LIFETIME, tok, &hold);
	ASSERT_LT(0, pid);
	s = lc_accept(self->dev, tok, reply);
	ASSERT_EQ(0, client_finish(pid, hold));
	ASSERT_LE(0, s);
	ASSERT_EQ(0, ts_query(s, &q));
	ASSERT_EQ((__u32)TS_SHORT_LIFETIME, q.lifetime);
	while (ts_query(s, &q) == 0 && q.state != SECMSG_STATE_EXPIRED)
		usleep(100 * 1000);
	ASSERT_EQ((__u32)SECMSG_STATE_EXPIRED, q.state);
	ASSERT_EQ(-EKEYEXPIRED, imp(s));
	assert_creds(_metadata, self->before);
	close(s);
}

/* The control plane's REVOKE, from a thread that is still root. */
static void *revoke_thread(void *arg)
{
	struct tctx *t = arg;
	struct tn_sock nl;

	pthread_barrier_wait(t->bar);	/* the other thread impersonates */
	t->rc = tn_open(&nl);
	if (!t->rc) {
		t->rc = tn_revoke(&nl, t->id);
		tn_close(&nl);
	}
	return NULL;
}

/* A revoked context allows no impersonation; one in progress stays. */
TEST_F(imp, revoked_context)
{
	int s = acceptor_for(_metadata, self->dev, &client,
			     SECMSG_IMP_IMPERSONATE);
	pthread_barrier_t bar;
	struct tctx t = { .s = s, .rc = -1, .bar = &bar };
	pthread_t th;

	ASSERT_LE(0, s);
	t.id = tn_fd_id(s);
	ASSERT_NE(0ULL, t.id);
	/* Started first: a thread starts with its creator's credentials,
	 * and this one, as alice, may not revoke root's context. */
	ASSERT_EQ(0, pthread_barrier_init(&bar, NULL, 2));
	ASSERT_EQ(0, pthread_create(&th, NULL, revoke_thread, &t));
	ASSERT_EQ(0, imp(s));
	pthread_barrier_wait(&bar);
	ASSERT_EQ(0, pthread_join(th, NULL));
	pthread_barrier_destroy(&bar);
	ASSERT_EQ(0, t.rc);
	/* the thread is still the client: revoking is not reverting */
	assert_is_client(_metadata);
	ASSERT_EQ(0, rev(s));
	assert_creds(_metadata, self->before);
	ASSERT_EQ(-EKEYREVOKED, imp(s));
	assert_creds(_metadata, self->before);
	close(s);
}

TEST_HARNESS_MAIN
