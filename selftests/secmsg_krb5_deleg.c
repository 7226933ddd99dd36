// SPDX-License-Identifier: GPL-2.0
/*
 * Delegation through impersonation, end to end: alice (a plain MIT
 * GSSAPI client, gss_peer) authenticates to this process's service
 * (libsecmsg, package "kerberos") and delegates; the service impersonates
 * her and, in that thread, authenticates with plain GSSAPI and no
 * credential of its own to a third service (gss_peer accepting as
 * backend/localhost), which reports whom it saw.  Without delegation,
 * after REVERT, and from another thread, the third service sees nobody.
 *
 * The realm (selftests/krb5/realm.sh) maps alice to the account
 * "nobody".  This process's own default ccache is emptied once alice's
 * client has started, so that nothing of hers is found but what the
 * kernel keeps.  One enctype: the first of this kernel's slice
 * (SECMSG_KRB5_ENCTYPES), else the realm's default.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/keyctl.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <secmsg.h>

#include "krb5/krb5_test.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#include "krb5/krb5_lib.h"

#define REALM "SECMSG.TEST"
#define ALICE "alice@" REALM
#define DELEG_CCACHE "KEYRING:thread:secmsg"

/* MIT's answer when the thread's cache has nothing to start from. */
#define NO_CRED(major) (GSS_ROUTINE_ERROR(major) == GSS_S_NO_CRED)

FIXTURE(deleg) {
	struct krb5t_realm realm;
	struct krb5t_peer client;	/* alice */
	int chan;
	sm_ctx *ctx;
	struct passwd nobody;
	char pwbuf[1024];
};

FIXTURE_SETUP(deleg)
{
	const char *slice = getenv("SECMSG_KRB5_ENCTYPES");
	char enc[64] = "";
	struct passwd *pw = NULL;

	self->client.pid = -1;
	self->chan = -1;
	self->ctx = NULL;
	/* a peer that quits early makes a send fail, not kill the test */
	signal(SIGPIPE, SIG_IGN);
	if (!krb5t_tools_present())
		KRB5T_SKIP_SETUP("MIT Kerberos KDC not installed (make deps: krb5-kdc, krb5-user)");
	if (geteuid())
		KRB5T_SKIP_SETUP("needs root (to impersonate alice's account)");
	ASSERT_EQ(0, getpwnam_r("nobody", &self->nobody, self->pwbuf,
				sizeof(self->pwbuf), &pw));
	ASSERT_NE(NULL, pw);
	if (slice && *slice)
		sscanf(slice, "%63[^, ]", enc);
	ASSERT_EQ(0, krb5t_realm_start(&self->realm, *enc ? enc : NULL))
		TH_LOG("%s", self->realm.reason);
}

FIXTURE_TEARDOWN(deleg)
{
	sm_close(self->ctx);
	if (self->chan >= 0)
		close(self->chan);
	if (self->client.pid > 0)
		krb5t_peer_stop(&self->client);
	krb5t_realm_stop(&self->realm);
}

/*
 * alice's client with @flags (gss_peer -f), accepted here; then this
 * process's default ccache becomes an empty one.
 */
static void accept_alice(struct __test_metadata *_metadata,
			 FIXTURE_DATA(deleg) *self, const char *flags)
{
	struct sm_accept_params a = { .size = sizeof(a),
				      .package = SM_PKG_KERBEROS };
	char args[128], none[128];
	const char *l;
	sm_status st;
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	snprintf(args, sizeof(args), "-i -t secmsg@localhost -f %s", flags);
	ASSERT_EQ(0, krb5t_peer_start(&self->client, args, sv[1]));
	close(sv[1]);
	self->chan = sv[0];
	st = krb5l_server(-1, &a, self->chan, &self->ctx);
	ASSERT_EQ(SM_E_OK, st)
		TH_LOG("accept: %s, errno %d", sm_status_string(st), errno);
	l = krb5t_peer_line(&self->client);
	ASSERT_NE(NULL, l);
	ASSERT_EQ(0, strncmp(l, "established ", 12)) TH_LOG("alice: %s", l);
	snprintf(none, sizeof(none), "FILE:%s/nobody-here.ccache",
		 self->realm.dir);
	setenv("KRB5CCNAME", none, 1);
	/* nor may MIT get her a ticket from her keytab on its own */
	unsetenv("KRB5_CLIENT_KTNAME");
}

/*
 * A back end: gss_peer accepting as backend/localhost, started before
 * the test impersonates.  (Started from an impersonating thread, it would
 * run with alice's effective ids and root's real ones, a "secure"
 * program for which MIT ignores KRB5_CONFIG and KRB5_KTNAME.)
 */
struct backend {
	struct krb5t_peer peer;
	int chan;
};

static int backend_start(FIXTURE_DATA(deleg) *self, struct backend *be)
{
	char kt[128], *saved = NULL;
	const char *old = getenv("KRB5_KTNAME");
	int sv[2], r;

	be->chan = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	if (old)
		saved = strdup(old);
	snprintf(kt, sizeof(kt), "FILE:%s/backend.keytab", self->realm.dir);
	setenv("KRB5_KTNAME", kt, 1);	/* its key, for it alone */
	r = krb5t_peer_start(&be->peer, "-a", sv[1]);
	if (saved)
		setenv("KRB5_KTNAME", saved, 1);
	free(saved);
	close(sv[1]);
	if (r)
		close(sv[0]);
	else
		be->chan = sv[0];
	return r;
}

#define BACKENDS(n) \
	struct backend be[n]; \
	for (int _i = 0; _i < (n); _i++) \
		ASSERT_EQ(0, backend_start(self, &be[_i]))

/*
 * Authenticate to back end @be with plain GSSAPI and this thread's
 * default credentials (@ccache, when set, names them first).  @major:
 * GSSAPI's answer; @seen: whom the back end saw ("" if nobody).
 */
struct backend_try {
	struct backend *be;
	const char *ccache;
	OM_uint32 major;
	char seen[256];
	char said[256];		/* the back end's line, for diagnostics */
};

static void backend_auth(struct backend_try *t)
{
	gss_buffer_desc tn = { strlen("backend@localhost"),
			       (void *)"backend@localhost" };
	gss_buffer_desc in = GSS_C_EMPTY_BUFFER, out = GSS_C_EMPTY_BUFFER;
	gss_ctx_id_t gctx = GSS_C_NO_CONTEXT;
	unsigned char buf[SM_KRB5_MAX_TOKEN];
	gss_name_t target = GSS_C_NO_NAME;
	OM_uint32 major, minor, mn;
	int chan = t->be->chan;
	const char *l;
	ssize_t n;
	int i;

	t->seen[0] = 0;
	if (t->ccache)
		gss_krb5_ccache_name(&mn, t->ccache, NULL);
	major = gss_import_name(&minor, &tn, GSS_C_NT_HOSTBASED_SERVICE,
				&target);
	for (i = 0; !GSS_ERROR(major) && i < 8; i++) {
		major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL,
					     &gctx, target,
					     (gss_OID)gss_mech_krb5,
					     GSS_C_MUTUAL_FLAG, 0,
					     GSS_C_NO_CHANNEL_BINDINGS, &in,
					     NULL, &out, NULL, NULL);
		if (out.length && krb5t_send(chan, out.value, out.length))
			major = GSS_S_FAILURE;
		gss_release_buffer(&mn, &out);
		if (GSS_ERROR(major) || !(major & GSS_S_CONTINUE_NEEDED))
			break;
		n = krb5t_recv(chan, buf, sizeof(buf));
		if (n < 0) {
			major = GSS_S_FAILURE;
			break;
		}
		in.value = buf;
		in.length = (size_t)n;
	}
	t->major = major;
	gss_delete_sec_context(&mn, &gctx, GSS_C_NO_BUFFER);
	gss_release_name(&mn, &target);
	close(chan);	/* a back end still waiting for a token: EOF */
	t->be->chan = -1;
	l = krb5t_peer_line(&t->be->peer);
	snprintf(t->said, sizeof(t->said), "%.200s", l ? l : "(nothing)");
	if (l && !strncmp(l, "established ", 12))
		krb5t_field(l, "src", t->seen, sizeof(t->seen));
	krb5t_peer_stop(&t->be->peer);
}

static void *backend_thread(void *arg)
{
	backend_auth(arg);
	return NULL;
}

#define BACKEND_TRY(t, b, cc) do {					\
	memset(&(t), 0, sizeof(t));					\
	(t).be = (b);							\
	(t).ccache = (cc);						\
	backend_auth(&(t));						\
} while (0)

/* alice delegated: the impersonating thread reaches the back end as her. */
TEST_F_TIMEOUT(deleg, backend_sees_alice_until_revert, 900)
{
	struct sm_context_info ci = { .size = sizeof(ci) };
	struct backend_try t;

	accept_alice(_metadata, self, "mutual,deleg,replay,sequence,conf,integ");
	BACKENDS(5);
	ASSERT_EQ(SM_E_OK, sm_query(self->ctx, &ci));
	ASSERT_EQ((uint32_t)SM_IMP_DELEGATE, ci.imp_level);
	ASSERT_NE(0u, ci.ctx_flags & (uint32_t)SM_CTX_DELEGATE);

	/* this process, as itself, has nothing of alice's */
	BACKEND_TRY(t, &be[0], NULL);
	ASSERT_TRUE(NO_CRED(t.major)) TH_LOG("major 0x%x; back end: %s", t.major, t.said);
	ASSERT_STREQ("", t.seen);

	ASSERT_EQ(SM_E_OK, sm_impersonate(self->ctx));
	ASSERT_EQ(self->nobody.pw_uid, geteuid());
	BACKEND_TRY(t, &be[1], NULL);
	ASSERT_EQ((OM_uint32)GSS_S_COMPLETE, t.major) TH_LOG("major 0x%x; back end: %s", t.major, t.said);
	ASSERT_STREQ(ALICE, t.seen);
	/* and again: the service ticket the first one stored is used */
	BACKEND_TRY(t, &be[2], NULL);
	ASSERT_EQ((OM_uint32)GSS_S_COMPLETE, t.major) TH_LOG("major 0x%x; back end: %s", t.major, t.said);
	ASSERT_STREQ(ALICE, t.seen);
	ASSERT_EQ(SM_E_OK, sm_revert(self->ctx));
	ASSERT_EQ(0u, geteuid());

	/* after REVERT: neither by default nor by naming the cache */
	BACKEND_TRY(t, &be[3], NULL);
	ASSERT_TRUE(NO_CRED(t.major)) TH_LOG("major 0x%x; back end: %s", t.major, t.said);
	ASSERT_STREQ("", t.seen);
	BACKEND_TRY(t, &be[4], DELEG_CCACHE);
	ASSERT_TRUE(NO_CRED(t.major)) TH_LOG("major 0x%x; back end: %s", t.major, t.said);
	ASSERT_STREQ("", t.seen);
	gss_krb5_ccache_name(&t.major, NULL, NULL);
}

/* While one thread acts for alice, another sees nothing of hers. */
TEST_F_TIMEOUT(deleg, other_thread_sees_nothing, 900)
{
	struct backend_try t, other;
	pthread_t th;

	accept_alice(_metadata, self, "mutual,deleg,replay,sequence,conf,integ");
	BACKENDS(3);
	ASSERT_EQ(SM_E_OK, sm_impersonate(self->ctx));
	memset(&other, 0, sizeof(other));
	other.be = &be[1];
	other.ccache = DELEG_CCACHE;
	ASSERT_EQ(0, pthread_create(&th, NULL, backend_thread, &other));
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_TRUE(NO_CRED(other.major)) TH_LOG("major 0x%x; back end: %s", other.major, other.said);
	ASSERT_STREQ("", other.seen);
	other.be = &be[2];
	other.ccache = NULL;
	ASSERT_EQ(0, pthread_create(&th, NULL, backend_thread, &other));
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_TRUE(NO_CRED(other.major)) TH_LOG("major 0x%x; back end: %s", other.major, other.said);
	ASSERT_STREQ("", other.seen);
	/* this thread still can */
	BACKEND_TRY(t, &be[0], NULL);
	ASSERT_EQ((OM_uint32)GSS_S_COMPLETE, t.major) TH_LOG("major 0x%x; back end: %s", t.major, t.said);
	ASSERT_STREQ(ALICE, t.seen);
	ASSERT_EQ(SM_E_OK, sm_revert(self->ctx));
}

/*
 * alice did not delegate: impersonating her works on this host, and the
 * back end gets nothing of her (not the service's own credentials
 * either: the thread's GSSAPI looks in the impersonation's cache only).
 */
TEST_F_TIMEOUT(deleg, without_delegation_backend_sees_nobody, 900)
{
	struct sm_context_info ci = { .size = sizeof(ci) };
	struct backend_try t;

	accept_alice(_metadata, self, "mutual,replay,sequence,conf,integ");
	BACKENDS(1);
	ASSERT_EQ(SM_E_OK, sm_query(self->ctx, &ci));
	ASSERT_EQ((uint32_t)SM_IMP_IMPERSONATE, ci.imp_level);
	ASSERT_EQ(0u, ci.ctx_flags & (uint32_t)SM_CTX_DELEGATE);
	ASSERT_EQ(SM_E_OK, sm_impersonate(self->ctx));
	ASSERT_EQ(self->nobody.pw_uid, geteuid());
	BACKEND_TRY(t, &be[0], NULL);
	ASSERT_TRUE(NO_CRED(t.major)) TH_LOG("major 0x%x; back end: %s", t.major, t.said);
	ASSERT_STREQ("", t.seen);
	ASSERT_EQ(SM_E_OK, sm_revert(self->ctx));
}

/* A be32 of a ccache v4 record at *@off, or -1 past its end. */
static long v4_u32(const unsigned char *p, size_t left, size_t *off)
{
	long v;

	if (*off + 4 > left)
		return -1;
	v = (long)((uint32_t)p[*off] << 24 | p[*off + 1] << 16 |
		   p[*off + 2] << 8 | p[*off + 3]);
	*off += 4;
	return v;
}

/* A length-prefixed field: its length, *@off at its bytes; or -1. */
static long v4_field(const unsigned char *p, size_t left, size_t *off)
{
	long len = v4_u32(p, left, off);

	return len < 0 || (size_t)len > left - *off ? -1 : len;
}

/* Skip a v4 principal: name type, count, realm, components. */
static int v4_skip_princ(const unsigned char *p, size_t left, size_t *off)
{
	long n, len;

	if (v4_u32(p, left, off) < 0)		/* name type */
		return -1;
	n = v4_u32(p, left, off);		/* components */
	if (n < 0)
		return -1;
	for (n = n + 1; n > 0; n--) {		/* the realm, then those */
		len = v4_field(p, left, off);
		if (len < 0)
			return -1;
		*off += len;
	}
	return 0;
}

/*
 * The session key of the delegated TGT, as the kernel keeps it for the
 * impersonating thread: read from KEYRING:thread:secmsg.  Its length, or
 * -1.
 */
static long delegated_tgt_key(unsigned char *key, size_t size)
{
	unsigned char buf[8192];
	long coll, cache, tgt, n, klen;
	size_t off = 0;

	coll = syscall(__NR_keyctl, KEYCTL_SEARCH, KEY_SPEC_THREAD_KEYRING,
		       "keyring", "_krb_secmsg", 0);
	cache = coll < 0 ? -1 : syscall(__NR_keyctl, KEYCTL_SEARCH, coll,
					 "keyring", "secmsg", 0);
	tgt = cache < 0 ? -1 : syscall(__NR_keyctl, KEYCTL_SEARCH, cache,
				       "user", "krbtgt/" REALM "@" REALM, 0);
	n = tgt < 0 ? -1 : syscall(__NR_keyctl, KEYCTL_READ, tgt, buf,
				   sizeof(buf), 0);
	if (n <= 0 || n > (long)sizeof(buf))
		return -1;
	/* client, server, then the keyblock: be16 enctype, data */
	if (v4_skip_princ(buf, n, &off) || v4_skip_princ(buf, n, &off))
		return -1;
	off += 2;
	klen = v4_field(buf, n, &off);
	if (klen <= 0 || (size_t)klen > size)
		return -1;
	memcpy(key, buf + off, klen);
	explicit_bzero(buf, sizeof(buf));
	return klen;
}

/*
 * The service's process keeps no copy of what alice delegated: the
 * establishment runs in a child; this process takes its context fd
 * (pidfd_getfd), reads the TGT's session key as the kernel gives it to an
 * impersonating thread, and scans the child's memory for it.
 */
TEST_F_TIMEOUT(deleg, tgt_key_not_left_in_service, 900)
{
	struct sm_accept_params a = { .size = sizeof(a),
				      .package = SM_PKG_KERBEROS };
	int ready[2], go[2], sv[2], pidfd, fd, cfd, st;
	unsigned char key[64];
	sm_ctx *ctx = NULL;
	const char *l;
	long klen;
	pid_t pid;
	char c = 'x';

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, krb5t_peer_start(&self->client,
				      "-i -t secmsg@localhost -f mutual,deleg,conf,integ",
				      sv[1]));
	close(sv[1]);
	self->chan = sv[0];
	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(go[1]);
		close(ready[0]);
		prctl(PR_SET_DUMPABLE, 1);
		fd = krb5l_server(-1, &a, self->chan, &ctx) == SM_E_OK ?
		     sm_ctx_fd(ctx) : -1;
		if (write(ready[1], &fd, sizeof(fd)) != sizeof(fd) ||
		    read(go[0], &c, 1) < 0)
			_exit(3);
		_exit(0);	/* its memory as accept left it, until now */
	}
	close(go[0]);
	close(ready[1]);
	ASSERT_EQ((ssize_t)sizeof(fd), read(ready[0], &fd, sizeof(fd)));
	if (fd < 0)
		goto release;
	l = krb5t_peer_line(&self->client);
	ASSERT_NE(NULL, l);
	ASSERT_EQ(0, strncmp(l, "established ", 12)) TH_LOG("alice: %s", l);

	pidfd = syscall(__NR_pidfd_open, pid, 0);
	ASSERT_LE(0, pidfd) TH_LOG("pidfd_open: %s", strerror(errno));
	cfd = syscall(__NR_pidfd_getfd, pidfd, fd, 0);
	ASSERT_LE(0, cfd) TH_LOG("pidfd_getfd: %s", strerror(errno));
	close(pidfd);
	ASSERT_EQ(SM_E_OK, sm_ctx_from_fd(cfd, &self->ctx));
	ASSERT_EQ(SM_E_OK, sm_impersonate(self->ctx));
	klen = delegated_tgt_key(key, sizeof(key));
	ASSERT_EQ(SM_E_OK, sm_revert(self->ctx));
	ASSERT_LE(16, klen);
	/* the scan finds a key where there is one: in this process */
	ASSERT_EQ(1, krb5t_mem_scan(getpid(), key, klen, false));
	EXPECT_EQ(0, krb5t_mem_scan(pid, key, klen, true));
	explicit_bzero(key, sizeof(key));
release:
	EXPECT_EQ(1, write(go[1], &c, 1));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st));
	ASSERT_LE(0, fd) TH_LOG("the service could not accept alice");
}

TEST_HARNESS_MAIN
