// SPDX-License-Identifier: GPL-2.0
/*
 * IMPERSONATE and REVERT on local acceptor contexts: who may, what the
 * thread becomes (ids, groups, capabilities), that only that thread
 * changes, that REVERT restores it exactly, and the misuse cases: twice,
 * revert without, revert from another thread, the fd closed while
 * impersonating, the thread exiting, the credentials changed meanwhile
 * (or committed again unchanged), a thread or child created meanwhile,
 * an execve(), access(2), bad arguments, an expired context, and the
 * module reference an impersonation holds.
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
#include <linux/keyctl.h>
#include <linux/landlock.h>

#include "secmsg_local.h"
#include "secmsg_nl.h"
#include "consumer/echo_user.h"

#define CLIENT_UID 1001
#define OTHER_UID 1002
#define G1 2001
#define G2 2002
#define DIR_PATH "/tmp/secmsg-imp"
#define CLIENT_FILE DIR_PATH "/client-only"
#define ROOT_FILE DIR_PATH "/root-only"
#define HELPER DIR_PATH "/helper"	/* this program, run again */
#define HELPER_ENV "SECMSG_IMP_HELPER"

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
 * Helper mode: HELPER run with HELPER_ENV=report (by a test, after an
 * execve() while impersonating) prints what the new program has, on one
 * line: effective and real uid, permitted, effective and bounding
 * capabilities, and the errno of REVERT, twice (0 for success).
 */
__attribute__((constructor)) static void imp_helper(void)
{
	const char *mode = getenv(HELPER_ENV);
	int dev, r1, r2;

	if (!mode)
		return;
	if (strcmp(mode, "report"))
		_exit(100);
	dev = open(SECMSG_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		_exit(101);
	/* before REVERT: what execve() made */
	printf("%u %u %llx %llx %llx", (unsigned int)t_euid(),
	       (unsigned int)syscall(SYS_getuid),
	       (unsigned long long)cred_hex("CapPrm:"),
	       (unsigned long long)cred_hex("CapEff:"),
	       (unsigned long long)cred_hex("CapBnd:"));
	r1 = rev(dev);
	r2 = rev(dev);
	printf(" %d %d\n", -r1, -r2);
	fflush(stdout);
	_exit(0);
}

struct report {
	unsigned int euid, ruid;
	unsigned long long prm, eff, bnd;
	int rev1, rev2;
};

/*
 * The report of HELPER started by the child @pid, whose stdout is the
 * pipe @rd: 0, or -1 if the child failed or said something else.
 */
static int read_report(pid_t pid, int rd, struct report *r)
{
	char buf[256];
	ssize_t n = read(rd, buf, sizeof(buf) - 1);

	close(rd);
	if (reap(pid) || n <= 0)
		return -1;
	buf[n] = 0;
	return sscanf(buf, "%u %u %llx %llx %llx %d %d", &r->euid, &r->ruid,
		      &r->prm, &r->eff, &r->bnd, &r->rev1, &r->rev2) == 7 ?
		       0 : -1;
}

/* In a child: HELPER in report mode with stdout to @wr; never returns. */
static void exec_report(int wr)
{
	char *argv[] = { "secmsg_impersonate-helper", NULL };
	char *envp[] = { HELPER_ENV "=report", NULL };

	if (dup2(wr, 1) != 1)
		_exit(90);
	execve(HELPER, argv, envp);
	_exit(91);
}

/*
 * For the tests that wait for the module's count (ts_wait_refcnt(): the
 * sweeper runs about once a second, the wait is two minutes at most).
 */
#define REFCNT_WAIT_TIMEOUT	300	/* seconds, for TEST_F_TIMEOUT */

/*
 * Unload the modules that use secmsg's symbols (the sample consumer that
 * secmsg_faults and secmsg_kapi load, and load again when they need it):
 * each holds a reference of its own, and the tests below count ours.
 */
static int drop_consumers(void)
{
	struct dirent *p;
	int ret = 0;
	DIR *d;

	d = opendir("/sys/module/secmsg/holders");
	if (!d)
		return 0;
	while (!ret && (p = readdir(d)))
		if (p->d_name[0] != '.' &&
		    syscall(__NR_delete_module, p->d_name, O_NONBLOCK))
			ret = -errno;
	closedir(d);
	return ret;
}

/*
 * For a failure message: who keeps the module besides us, as far as user
 * space can see (secmsg fds of every process, and modules that use it).
 */
static const char *holders(void)
{
	static char out[1024];
	char path[600], link[64];
	struct dirent *p, *f;
	size_t n = 0;
	DIR *d, *fds;
	ssize_t len;

	out[0] = 0;
	d = opendir("/proc");
	while (d && (p = readdir(d)) && n < sizeof(out) - 64) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		fds = opendir(path);
		while (fds && (f = readdir(fds)) && n < sizeof(out) - 64) {
			snprintf(path, sizeof(path), "/proc/%s/fd/%s",
				 p->d_name, f->d_name);
			len = readlink(path, link, sizeof(link) - 1);
			if (len <= 0)
				continue;
			link[len] = 0;
			if (strcmp(link, SECMSG_DEVICE_PATH) &&
			    strcmp(link, "anon_inode:[secmsg]"))
				continue;
			n += snprintf(out + n, sizeof(out) - n, " %s/%s",
				      p->d_name, f->d_name);
		}
		if (fds)
			closedir(fds);
	}
	if (d)
		closedir(d);
	d = opendir("/sys/module/secmsg/holders");
	while (d && (p = readdir(d)) && n < sizeof(out) - 64)
		if (p->d_name[0] != '.')
			n += snprintf(out + n, sizeof(out) - n, " module:%s",
				      p->d_name);
	if (d)
		closedir(d);
	snprintf(out + n, sizeof(out) - n, " (self %d)", getpid());
	return out;
}

static int delete_module(const char *name, unsigned int flags)
{
	return syscall(__NR_delete_module, name, flags) ? -errno : 0;
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

/*
 * The thread changes its own credentials: REVERT does not resurrect, and
 * the thread is left exactly as it made itself.
 */
TEST_F(imp, credentials_changed_meanwhile)
{
	int s = acceptor_for(_metadata, self->dev, &client,
			     SECMSG_IMP_IMPERSONATE);
	gid_t g[8];

	ASSERT_LE(0, s);
	ASSERT_EQ(0, imp(s));
	/* seteuid(0): the real uid is still 0, so no privilege is needed */
	ASSERT_EQ(0, syscall(SYS_setresuid, -1, 0, -1));
	ASSERT_EQ(0u, t_euid());
	ASSERT_EQ(0ULL, cred_hex("CapEff:"));
	ASSERT_EQ(-ESTALE, rev(s));
	/* nothing restored: euid 0, but the client's gids and groups, and
	 * only the impersonation's (no) capabilities
	 */
	ASSERT_EQ(0u, t_euid());
	ASSERT_EQ(0u, t_fsuid());
	ASSERT_EQ(0, syscall(SYS_getuid));
	ASSERT_EQ((gid_t)CLIENT_UID, t_egid());
	ASSERT_EQ(2, t_groups(g, 8));
	ASSERT_EQ((gid_t)G1, g[0]);
	ASSERT_EQ((gid_t)G2, g[1]);
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

/*
 * Calls that commit new credentials without changing any field (in 6.1,
 * setreuid(-1, -1) does, and capset() or PR_SET_KEEPCAPS of what the
 * thread has; setresuid(-1, -1, -1) no longer does): the thread is still
 * impersonating, and REVERT restores.
 */
TEST_F(imp, unchanged_credentials_still_revert)
{
	static const char *const what[] = {
		"setreuid(-1, -1)", "setregid(-1, -1)",
		"capset() of the same sets", "prctl(PR_SET_KEEPCAPS, 0)",
		"setresuid(-1, -1, -1)",
	};
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];
	int s = acceptor_for(_metadata, self->dev, &client,
			     SECMSG_IMP_IMPERSONATE);
	unsigned int i;
	long ret = -1;

	ASSERT_LE(0, s);
	for (i = 0; i < SM_ARRAY_SIZE(what); i++) {
		ASSERT_EQ(0, imp(s));
		switch (i) {
		case 0:
			ret = syscall(SYS_setreuid, -1, -1);
			break;
		case 1:
			ret = syscall(SYS_setregid, -1, -1);
			break;
		case 2:
			ret = syscall(SYS_capget, &h, d) ?:
			      syscall(SYS_capset, &h, d);
			break;
		case 3:
			ret = prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
			break;
		case 4:
			ret = syscall(SYS_setresuid, -1, -1, -1);
			break;
		}
		ASSERT_EQ(0, ret) TH_LOG("%s: %s", what[i], strerror(errno));
		assert_is_client(_metadata);
		/* still impersonating */
		ASSERT_EQ(-EBUSY, imp(s)) TH_LOG("after %s", what[i]);
		ASSERT_EQ(0, rev(s)) TH_LOG("after %s", what[i]);
		assert_creds(_metadata, self->before);
		ASSERT_EQ(-ENOENT, rev(s));
	}
	close(s);
}

/*
 * A Landlock restriction changes nothing /proc shows, but it is a change:
 * REVERT must not lift it.
 */
TEST_F(imp, landlock_restriction_is_a_change)
{
	struct landlock_ruleset_attr ra = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_READ_FILE,
	};
	int s, rs;

	if (syscall(SYS_landlock_create_ruleset, NULL, 0,
		    LANDLOCK_CREATE_RULESET_VERSION) < 0)
		SKIP(return, "no Landlock in this kernel (%s)",
		     strerror(errno));
	s = acceptor_for(_metadata, self->dev, &client,
			 SECMSG_IMP_IMPERSONATE);
	ASSERT_LE(0, s);
	rs = syscall(SYS_landlock_create_ruleset, &ra, sizeof(ra), 0);
	ASSERT_LE(0, rs);
	ASSERT_EQ(0, imp(s));
	ASSERT_EQ(0, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	ASSERT_EQ(0, syscall(SYS_landlock_restrict_self, rs, 0));
	ASSERT_EQ((uid_t)CLIENT_UID, t_euid());
	ASSERT_EQ(-ESTALE, rev(s));
	/* still restricted: no file may be opened for reading */
	ASSERT_EQ(-1, open(CLIENT_FILE, O_RDONLY | O_CLOEXEC));
	ASSERT_EQ(EACCES, errno);
	ASSERT_EQ((uid_t)CLIENT_UID, t_euid());
	close(s);
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
		/* ... and the real ids are still the server's */
		if (syscall(SYS_getuid) != 0 || syscall(SYS_getgid) != 0)
			_exit(4);
		_exit(0);
	}
	ASSERT_EQ(0, reap(pid));
	ASSERT_EQ(0, rev(s));
	close(s);
}

/* A thread created while impersonating: the client, nothing to revert. */
static void *created_meanwhile(void *arg)
{
	struct tctx *t = arg;

	t->euid_during = t_euid();
	t->rc = syscall(SYS_getuid);
	t->rev_rc = rev(t->s);
	t->euid_after = t_euid();
	creds_of(t->after, sizeof(t->after));
	return NULL;
}

TEST_F(imp, thread_created_while_impersonating)
{
	struct tctx t = { .rc = -1 };
	char during[2048];
	pthread_t th;

	t.s = acceptor_for(_metadata, self->dev, &client,
			   SECMSG_IMP_IMPERSONATE);
	ASSERT_LE(0, t.s);
	ASSERT_EQ(0, imp(t.s));
	creds_of(during, sizeof(during));
	ASSERT_EQ(0, pthread_create(&th, NULL, created_meanwhile, &t));
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ((uid_t)CLIENT_UID, t.euid_during);
	ASSERT_EQ(0, t.rc);		/* the server's real uid */
	ASSERT_EQ(-ENOENT, t.rev_rc);
	ASSERT_EQ((uid_t)CLIENT_UID, t.euid_after);
	ASSERT_STREQ(during, t.after);
	/* ours is untouched */
	assert_creds(_metadata, during);
	ASSERT_EQ(0, rev(t.s));
	assert_creds(_metadata, self->before);
	close(t.s);
}

/* access(2) checks the real ids, which stay the server's. */
TEST_F(imp, access_checks_real_ids)
{
	int s = acceptor_for(_metadata, self->dev, &client,
			     SECMSG_IMP_IMPERSONATE);
	int fd;

	ASSERT_LE(0, s);
	ASSERT_EQ(0, imp(s));
	/* the client's file: open(2) as the client; access(2) as root,
	 * with the impersonation's (no) capabilities
	 */
	fd = open(CLIENT_FILE, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(-1, access(CLIENT_FILE, R_OK));
	ASSERT_EQ(EACCES, errno);
	ASSERT_EQ(0, syscall(SYS_faccessat2, AT_FDCWD, CLIENT_FILE, R_OK,
			     AT_EACCESS));
	/* root's file: the other way round */
	ASSERT_EQ(-1, open(ROOT_FILE, O_RDONLY | O_CLOEXEC));
	ASSERT_EQ(EACCES, errno);
	ASSERT_EQ(0, access(ROOT_FILE, R_OK));
	ASSERT_EQ(-1, syscall(SYS_faccessat2, AT_FDCWD, ROOT_FILE, R_OK,
			      AT_EACCESS));
	ASSERT_EQ(EACCES, errno);
	ASSERT_EQ(0, rev(s));
	assert_creds(_metadata, self->before);
	close(s);
}

/*
 * A child forked while impersonating executes a program: the kernel
 * computes its capabilities from the real uid 0, as for any program of
 * root's; its effective uid stays the client's, and it has nothing to
 * revert.
 */
TEST_F(imp, exec_in_child_gets_root_capabilities)
{
	int s = acceptor_for(_metadata, self->dev, &client,
			     SECMSG_IMP_IMPERSONATE);
	unsigned long long bnd = cred_hex("CapBnd:");
	struct report r;
	int p[2];
	pid_t pid;

	ASSERT_LE(0, s);
	ASSERT_EQ(0, copy_self(HELPER, 0755));
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, imp(s));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		exec_report(p[1]);
	close(p[1]);
	ASSERT_EQ(0, rev(s));
	ASSERT_EQ(0, read_report(pid, p[0], &r));
	ASSERT_EQ((unsigned int)CLIENT_UID, r.euid);
	ASSERT_EQ(0u, r.ruid);
	ASSERT_EQ(bnd, r.bnd);
	ASSERT_EQ(bnd, r.prm);		/* every capability, permitted */
	ASSERT_EQ(0ULL, r.eff);		/* none effective: euid is not 0 */
	ASSERT_EQ(ENOENT, r.rev1);
	ASSERT_EQ(ENOENT, r.rev2);
	assert_creds(_metadata, self->before);
	close(s);
}

struct exec_arg {
	int s, wr;
};

/* A second thread: impersonate, then execute HELPER from here. */
static void *imp_then_exec(void *arg)
{
	struct exec_arg *a = arg;

	if (imp(a->s))
		_exit(81);
	exec_report(a->wr);
	return NULL;
}

/*
 * The impersonating thread itself executes a program: that ends the
 * impersonation, ESTALE from the main thread; from another thread (whose
 * exec takes the main thread's place), there is nothing left: ENOENT.
 */
TEST_F(imp, exec_ends_impersonation)
{
	int s = acceptor_for(_metadata, self->dev, &client,
			     SECMSG_IMP_IMPERSONATE);
	unsigned long long bnd = cred_hex("CapBnd:");
	struct report r;
	int p[2], other;
	pid_t pid;

	ASSERT_LE(0, s);
	ASSERT_EQ(0, copy_self(HELPER, 0755));
	for (other = 0; other < 2; other++) {
		ASSERT_EQ(0, pipe(p));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			struct exec_arg a = { .s = s, .wr = p[1] };
			pthread_t th;

			if (!other) {
				if (imp(s))
					_exit(80);
				exec_report(p[1]);
			}
			if (pthread_create(&th, NULL, imp_then_exec, &a))
				_exit(82);
			pthread_join(th, NULL);
			_exit(83);
		}
		close(p[1]);
		ASSERT_EQ(0, read_report(pid, p[0], &r)) TH_LOG("other %d", other);
		ASSERT_EQ((unsigned int)CLIENT_UID, r.euid);
		ASSERT_EQ(0u, r.ruid);
		ASSERT_EQ(bnd, r.prm);
		ASSERT_EQ(0ULL, r.eff);
		/* not restored, and forgotten */
		ASSERT_EQ(other ? ENOENT : ESTALE, r.rev1);
		ASSERT_EQ(ENOENT, r.rev2);
	}
	assert_creds(_metadata, self->before);
	close(s);
}

/* ---- the thread keyring ------------------------------------------------ */

static long add_key_to(int32_t ring, const char *desc)
{
	long id = syscall(__NR_add_key, "user", desc, "x", 1, ring);

	return id < 0 ? -errno : id;
}

static long key_search(int32_t ring, const char *desc)
{
	long id = syscall(__NR_keyctl, KEYCTL_SEARCH, ring, "user", desc, 0);

	return id < 0 ? -errno : id;
}

static long ring_id(int32_t ring)
{
	long id = syscall(__NR_keyctl, KEYCTL_GET_KEYRING_ID, ring, 0);

	return id < 0 ? -errno : id;
}

static void *search_client_key(void *arg)
{
	*(long *)arg = key_search(KEY_SPEC_THREAD_KEYRING, "client-key");
	return NULL;
}

/*
 * While impersonating, the thread has an empty thread keyring of the
 * impersonation's: it does not see the server's keys there, may add its
 * own (as MIT's KEYRING:thread: ccaches do) without changing credentials,
 * so REVERT still restores; it cannot link that keyring where other
 * threads would see it; REVERT brings the server's keyring back and the
 * client's keys go with the impersonation.
 */
TEST_F(imp, thread_keyring_is_its_own)
{
	int s = acceptor_for(_metadata, self->dev, &client,
			     SECMSG_IMP_IMPERSONATE);
	long own, srv, ring, cli, other = 0;
	pthread_t th;

	ASSERT_LE(0, s);
	srv = add_key_to(KEY_SPEC_THREAD_KEYRING, "server-key");
	if (srv == -ENOSYS)
		SKIP(close(s); return, "kernel without keyrings (CONFIG_KEYS)");
	ASSERT_LT(0, srv) TH_LOG("add_key: %s", strerror((int)-srv));
	own = ring_id(KEY_SPEC_THREAD_KEYRING);
	ASSERT_LT(0, own);
	/* the process keyring exists before: creating it would be a change
	 * of credentials (for the whole process), which REVERT refuses
	 */
	ASSERT_LT(0, syscall(__NR_keyctl, KEYCTL_GET_KEYRING_ID,
			     KEY_SPEC_PROCESS_KEYRING, 1));
	creds_of(self->before, sizeof(self->before));

	ASSERT_EQ(0, imp(s));
	ring = ring_id(KEY_SPEC_THREAD_KEYRING);
	ASSERT_LT(0, ring);
	ASSERT_NE(own, ring);
	ASSERT_EQ(-ENOKEY, key_search(KEY_SPEC_THREAD_KEYRING, "server-key"));
	cli = add_key_to(KEY_SPEC_THREAD_KEYRING, "client-key");
	ASSERT_LT(0, cli) TH_LOG("add_key: %s", strerror((int)-cli));
	ASSERT_EQ(cli, key_search(KEY_SPEC_THREAD_KEYRING, "client-key"));
	ASSERT_EQ(ring, ring_id(KEY_SPEC_THREAD_KEYRING));
	/* not to be shared with the server's other threads */
	ASSERT_EQ(-1, syscall(__NR_keyctl, KEYCTL_LINK, ring,
			      KEY_SPEC_PROCESS_KEYRING));
	ASSERT_EQ(EACCES, errno);
	ASSERT_EQ(-1, syscall(__NR_keyctl, KEYCTL_SETPERM, ring, 0x3f3f0000));
	ASSERT_EQ(EACCES, errno);
	ASSERT_EQ(0, pthread_create(&th, NULL, search_client_key, &other));
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(-ENOKEY, other);

	ASSERT_EQ(0, rev(s));
	assert_creds(_metadata, self->before);
	ASSERT_EQ(own, ring_id(KEY_SPEC_THREAD_KEYRING));
	ASSERT_EQ(srv, key_search(KEY_SPEC_THREAD_KEYRING, "server-key"));
	ASSERT_EQ(-ENOKEY, key_search(KEY_SPEC_THREAD_KEYRING, "client-key"));
	close(s);
}

/* ---- the module stays while a thread impersonates ------------------- */

struct unloader {
	pthread_barrier_t bar;
	int ret;
	int reload;
};

/* Started before IMPERSONATE: a root thread, allowed to delete_module(). */
static void *try_unload(void *arg)
{
	struct unloader *u = arg;

	pthread_barrier_wait(&u->bar);	/* impersonating, no fd left */
	u->ret = delete_module("secmsg", O_NONBLOCK);
	if (!u->ret) {
		/* the old behaviour: put it back for the tests that follow */
		u->reload = load_module(secmsg_ko());
		if (!u->reload)
			u->reload = wait_for(SECMSG_DEVICE_PATH);
	}
	pthread_barrier_wait(&u->bar);
	return NULL;
}

/*
 * With every fd closed, a thread that impersonates still holds the
 * module: delete_module() fails, and REVERT through a /dev/secmsg opened
 * afterwards restores the thread.
 */
TEST_F_TIMEOUT(imp, module_held_while_impersonating, REFCNT_WAIT_TIMEOUT)
{
	int s = acceptor_for(_metadata, self->dev, &client,
			     SECMSG_IMP_IMPERSONATE);
	struct unloader u = { .ret = 1 };
	pthread_t th;
	long n;

	ASSERT_LE(0, s);
	ASSERT_EQ(0, drop_consumers());
	/* nothing but our two fds (and records of earlier tests' threads,
	 * which the sweeper drops) may hold it
	 */
	n = ts_wait_refcnt(2);
	ASSERT_EQ(2, n) TH_LOG("secmsg held by others (%ld):%s", n, holders());
	ASSERT_EQ(0, pthread_barrier_init(&u.bar, NULL, 2));
	ASSERT_EQ(0, pthread_create(&th, NULL, try_unload, &u));
	ASSERT_EQ(0, imp(s));
	ASSERT_EQ(3, ts_module_refcnt());
	close(s);
	close(self->dev);
	self->dev = -1;
	ASSERT_EQ(1, ts_module_refcnt());
	pthread_barrier_wait(&u.bar);
	pthread_barrier_wait(&u.bar);
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(-EWOULDBLOCK, u.ret) TH_LOG("reload: %d", u.reload);
	ASSERT_EQ(0, access("/sys/module/secmsg", F_OK));
	assert_is_client(_metadata);
	self->dev = open(SECMSG_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, rev(self->dev));
	assert_creds(_metadata, self->before);
	ASSERT_EQ(1, ts_module_refcnt());
	pthread_barrier_destroy(&u.bar);
}

/*
 * A thread, or a whole process, that ends while impersonating lets go of
 * the module by itself: no further call is needed (a zombie counts).
 */
TEST_F_TIMEOUT(imp, exited_impersonation_lets_module_go,
	       REFCNT_WAIT_TIMEOUT)
{
	struct tctx t = { 0 };
	siginfo_t si;
	pthread_t th;
	pid_t pid;
	long n;

	t.s = acceptor_for(_metadata, self->dev, &client,
			   SECMSG_IMP_IMPERSONATE);
	ASSERT_LE(0, t.s);
	ASSERT_EQ(0, drop_consumers());
	n = ts_wait_refcnt(2);
	ASSERT_EQ(2, n) TH_LOG("secmsg held by others (%ld):%s", n, holders());
	ASSERT_EQ(0, pthread_create(&th, NULL, imp_and_exit, &t));
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(0, t.imp_rc);
	n = ts_wait_refcnt(2);
	ASSERT_EQ(2, n);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(imp(t.s) ? 1 : 0);
	/* exited, not reaped */
	ASSERT_EQ(0, waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	ASSERT_EQ(CLD_EXITED, si.si_code);
	ASSERT_EQ(0, si.si_status);
	n = ts_wait_refcnt(2);
	ASSERT_EQ(2, n);
	ASSERT_EQ(0, reap(pid));
	assert_creds(_metadata, self->before);
	close(t.s);
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
