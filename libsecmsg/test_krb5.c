// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Host tests of the kerberos and negotiate packages: libsecmsg establishes
 * with a plain MIT GSSAPI peer (selftests/krb5/gss_peer) through a real
 * KDC on loopback (selftests/krb5/realm.sh), and the fake kernel
 * (fake_kernel.c) receives the IMPORT_KRB5.  What it checks: the import's
 * every field against what the MIT peer sees (its key, by hash, and its
 * lucid sequence numbers), the client's mapped account, flags and levels,
 * the statuses of the failures, and that no copy of the key is left in
 * the establishing process's memory.  The kernel's side of the import is
 * tested in the guest.
 *
 * The calls that open /dev/secmsg themselves (not the _dev forms) open it
 * again to import: their opens are scripted by fake_open_hook() below
 * (fake_kernel.c's open() calls it).
 */
#include <pwd.h>
#include <grp.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>

#include "secmsg.h"
#include "fake_kernel.h"
#include "../selftests/krb5/krb5_test.h"
#include "kselftest_harness.h"
#include "../selftests/krb5/krb5_lib.h"

#define REALM "SECMSG.TEST"

/*
 * The library's opens of /dev/secmsg while dev_script is set: the i-th
 * fails with dev_errno[i] if that is set, else opens /dev/null (on which
 * the Kerberos calls make no ioctl until the import).  Every other open()
 * is the system call.
 */
static int dev_script, dev_opens, dev_errno[4];

int fake_open_hook(const char *path, int flags, mode_t mode)
{
	if (dev_script && !strcmp(path, SECMSG_DEVICE_PATH)) {
		int i = dev_opens++;

		if (i < 4 && dev_errno[i]) {
			errno = dev_errno[i];
			return -1;
		}
		path = "/dev/null";
	}
	return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

FIXTURE(krb) {
	struct krb5t_realm realm;
	struct krb5t_peer peer;
	int chan;	/* ours; the peer has the other end */
	int dev, cfd;
	char est[KRB5T_LINE];
};

FIXTURE_SETUP(krb)
{
	self->peer.pid = -1;
	self->chan = -1;
	if (!krb5t_tools_present())
		SKIP(return, "MIT Kerberos KDC not installed (make deps: krb5-kdc, krb5-user)");
	ASSERT_EQ(0, krb5t_realm_start(&self->realm, NULL))
		TH_LOG("%s", self->realm.reason);
	self->dev = eventfd(0, EFD_CLOEXEC);
	self->cfd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, self->dev);
	ASSERT_LE(0, self->cfd);
	kern.dev_fd = self->dev;
	kern.krb5_fd = self->cfd;
	kern.ctx_fd = self->cfd;
	kern.krb5_errno = 0;
	kern.krb5_calls = 0;
}

FIXTURE_TEARDOWN(krb)
{
	/* a peer waiting for a token gets EOF and ends */
	if (self->chan >= 0)
		close(self->chan);
	if (self->peer.pid > 0)
		krb5t_peer_stop(&self->peer);
	krb5t_realm_stop(&self->realm);
}

static void peer_start(struct __test_metadata *_metadata,
		       FIXTURE_DATA(krb) *self, const char *args)
{
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, krb5t_peer_start(&self->peer, args, sv[1]));
	close(sv[1]);
	self->chan = sv[0];
}

static void peer_established(struct __test_metadata *_metadata,
			     FIXTURE_DATA(krb) *self)
{
	const char *l = krb5t_peer_line(&self->peer);

	ASSERT_NE(NULL, l);
	snprintf(self->est, sizeof(self->est), "%s", l);
	TH_LOG("peer: %s", l);
	ASSERT_EQ(0, strncmp(l, "established ", 12));
}

/* The peer's view of the key, as the hash the fake kernel keeps. */
static uint64_t peer_key_hash(struct __test_metadata *_metadata,
			      FIXTURE_DATA(krb) *self, unsigned int *enctype)
{
	unsigned char key[64];
	char v[KRB5T_LINE];
	const char *l = krb5t_peer_cmd(&self->peer, "session_key");
	ssize_t n;

	if (!l || strncmp(l, "session_key major=COMPLETE", 26)) {
		TH_LOG("peer: %s", l ? l : "(nothing)");
		return 0;
	}
	*enctype = atoi(krb5t_field(l, "enctype", v, sizeof(v)));
	n = krb5t_unhex(krb5t_field(l, "key", v, sizeof(v)), key, sizeof(key));
	if (n <= 0)
		return 0;
	return fake_kern_hash(key, n);
}

static struct sm_init_params client_params(uint32_t package, const char *target)
{
	return (struct sm_init_params){
		.size = sizeof(struct sm_init_params),
		.package = package,
		.target = target,
		.ctx_flags = SM_CTX_MUTUAL_AUTH | SM_CTX_REPLAY_DETECT |
			     SM_CTX_SEQUENCE_DETECT | SM_CTX_CONFIDENTIALITY,
	};
}

static const struct sm_accept_params server_params_krb5 = {
	.size = sizeof(struct sm_accept_params),
	.package = SM_PKG_KERBEROS,
};

TEST_F_TIMEOUT(krb, client_kerberos, 300)
{
	struct sm_init_params p = client_params(SM_PKG_KERBEROS, "secmsg@localhost");
	unsigned int enctype = 0;
	char v[KRB5T_LINE];
	sm_ctx *ctx = NULL;
	const char *l;
	uint64_t h;

	peer_start(_metadata, self, "-a");
	ASSERT_EQ(SM_E_OK, krb5l_client(self->dev, &p, self->chan, &ctx));
	peer_established(_metadata, self);
	ASSERT_NE(NULL, ctx);
	EXPECT_EQ(self->cfd, sm_ctx_fd(ctx));
	EXPECT_EQ(1u, kern.krb5_calls);

	EXPECT_EQ(sizeof(struct secmsg_krb5_import), kern.krb5.size);
	EXPECT_EQ(SECMSG_PKG_KERBEROS, kern.krb5.package);
	EXPECT_EQ(SECMSG_ROLE_INITIATOR, kern.krb5.role);
	/* mutual authentication: MIT's acceptor subkey is the key */
	EXPECT_EQ(SECMSG_KRB5_ACCEPTOR_SUBKEY, kern.krb5.flags);
	EXPECT_EQ(SECMSG_CTX_MUTUAL_AUTH | SECMSG_CTX_REPLAY_DETECT |
		  SECMSG_CTX_SEQUENCE_DETECT | SECMSG_CTX_CONFIDENTIALITY |
		  SECMSG_CTX_INTEGRITY, kern.krb5.ctx_flags);
	EXPECT_EQ(0u, kern.krb5.imp_level);
	EXPECT_STREQ("alice@" REALM, kern.krb5_local);
	EXPECT_STREQ("secmsg/localhost@" REALM, kern.krb5_peer);
	EXPECT_EQ(SECMSG_NO_ID, kern.krb5.peer_uid);
	EXPECT_EQ(SECMSG_NO_ID, kern.krb5.peer_gid);
	EXPECT_EQ(0u, kern.krb5.peer_ngroups);
	EXPECT_EQ(0u, kern.krb5.reserved);
	EXPECT_LT(time(NULL), kern.krb5.endtime);
	EXPECT_GE(time(NULL) + 11 * 3600, kern.krb5.endtime);

	h = peer_key_hash(_metadata, self, &enctype);
	EXPECT_EQ(h, kern.krb5_key_hash);
	EXPECT_EQ(enctype, kern.krb5.enctype);
	EXPECT_EQ(enctype == 17 || enctype == 19 ? 16u : 32u, kern.krb5.key_len);

	/* sequence numbers: ours are the peer's, crosswise */
	l = krb5t_peer_cmd(&self->peer, "lucid");
	ASSERT_NE(NULL, l);
	EXPECT_EQ(kern.krb5.send_seq, strtoull(krb5t_field(l, "recv_seq", v, sizeof(v)), NULL, 10));
	EXPECT_EQ(kern.krb5.recv_seq, strtoull(krb5t_field(l, "send_seq", v, sizeof(v)), NULL, 10));

	/* complete: no further leg */
	{
		unsigned char t[16];
		size_t len = sizeof(t);

		EXPECT_EQ(SM_E_INVALID_HANDLE, sm_continue_context(ctx, t, 1, t, &len));
		EXPECT_EQ(EISCONN, errno);
	}
	sm_close(ctx);
}

TEST_F_TIMEOUT(krb, server_kerberos_delegated, 300)
{
	struct sm_accept_params a = server_params_krb5;
	struct passwd *pw = getpwnam("nobody");
	unsigned int enctype = 0;
	sm_ctx *ctx = NULL;

	ASSERT_NE(NULL, pw);
	peer_start(_metadata, self,
		   "-i -t secmsg@localhost -f mutual,deleg,replay,sequence,conf,integ");
	ASSERT_EQ(SM_E_OK, krb5l_server(self->dev, &a, self->chan, &ctx));
	peer_established(_metadata, self);
	EXPECT_EQ(SECMSG_ROLE_ACCEPTOR, kern.krb5.role);
	EXPECT_EQ(SECMSG_KRB5_ACCEPTOR_SUBKEY, kern.krb5.flags);
	EXPECT_EQ(SECMSG_IMP_DELEGATE, kern.krb5.imp_level);
	EXPECT_TRUE(kern.krb5.ctx_flags & SECMSG_CTX_DELEGATE);
	EXPECT_STREQ("secmsg/localhost@" REALM, kern.krb5_local);
	EXPECT_STREQ("alice@" REALM, kern.krb5_peer);
	/* realm.sh's auth_to_local maps alice to "nobody" */
	EXPECT_EQ(pw->pw_uid, kern.krb5.peer_uid);
	EXPECT_EQ(pw->pw_gid, kern.krb5.peer_gid);
	{
		gid_t g[64];
		int n = 64;

		ASSERT_LE(0, getgrouplist("nobody", pw->pw_gid, g, &n));
		EXPECT_EQ((unsigned int)n, kern.krb5.peer_ngroups);
		EXPECT_EQ(g[0], kern.krb5_groups[0]);
	}
	EXPECT_EQ(peer_key_hash(_metadata, self, &enctype), kern.krb5_key_hash);
	EXPECT_EQ(enctype, kern.krb5.enctype);
	sm_close(ctx);
}

TEST_F_TIMEOUT(krb, server_levels, 300)
{
	struct sm_accept_params a = server_params_krb5;
	sm_ctx *ctx = NULL;

	/* no delegation: IMPERSONATE (the kernel's rule still applies) */
	peer_start(_metadata, self, "-i -t secmsg@localhost -f mutual,conf,integ");
	ASSERT_EQ(SM_E_OK, krb5l_server(self->dev, &a, self->chan, &ctx));
	peer_established(_metadata, self);
	EXPECT_EQ(SECMSG_IMP_IMPERSONATE, kern.krb5.imp_level);
	EXPECT_EQ(SECMSG_CTX_MUTUAL_AUTH | SECMSG_CTX_CONFIDENTIALITY |
		  SECMSG_CTX_INTEGRITY, kern.krb5.ctx_flags);
	sm_close(ctx);
	krb5t_peer_stop(&self->peer);
	close(self->chan);
	self->chan = -1;

	/* the client asked for identification only */
	peer_start(_metadata, self, "-i -t secmsg@localhost -f mutual,identify,integ");
	ASSERT_EQ(SM_E_OK, krb5l_server(self->dev, &a, self->chan, &ctx));
	peer_established(_metadata, self);
	EXPECT_EQ(SECMSG_IMP_IDENTIFY, kern.krb5.imp_level);
	EXPECT_TRUE(kern.krb5.ctx_flags & SECMSG_CTX_IDENTIFY);
	sm_close(ctx);
	krb5t_peer_stop(&self->peer);
	close(self->chan);
	self->chan = -1;

	/* without mutual authentication there is no acceptor subkey */
	peer_start(_metadata, self, "-i -t secmsg@localhost -f conf,integ");
	ASSERT_EQ(SM_E_OK, krb5l_server(self->dev, &a, self->chan, &ctx));
	peer_established(_metadata, self);
	EXPECT_EQ(0u, kern.krb5.flags);
	sm_close(ctx);
}

TEST_F_TIMEOUT(krb, server_client_without_account, 300)
{
	struct sm_accept_params a = server_params_krb5;
	char cc[256], kt[256], prog[] = "/usr/bin/kinit", log[300];
	char *argv[] = { prog, "-k", "-t", kt, "-c", cc,
			 "backend/localhost@" REALM, NULL };
	char *old = strdup(getenv("KRB5CCNAME"));
	sm_ctx *ctx = NULL;

	/* a client whose principal maps to no local account */
	snprintf(kt, sizeof(kt), "%s/backend.keytab", self->realm.dir);
	snprintf(cc, sizeof(cc), "FILE:%s/backend.ccache", self->realm.dir);
	snprintf(log, sizeof(log), "%s/kinit-backend.log", self->realm.dir);
	ASSERT_EQ(0, krb5t_run(argv, log));
	setenv("KRB5CCNAME", cc, 1);
	peer_start(_metadata, self, "-i -t secmsg@localhost");
	setenv("KRB5CCNAME", old, 1);
	free(old);
	ASSERT_EQ(SM_E_OK, krb5l_server(self->dev, &a, self->chan, &ctx));
	peer_established(_metadata, self);
	EXPECT_STREQ("backend/localhost@" REALM, kern.krb5_peer);
	EXPECT_EQ(SECMSG_NO_ID, kern.krb5.peer_uid);
	EXPECT_EQ(SECMSG_NO_ID, kern.krb5.peer_gid);
	EXPECT_EQ(0u, kern.krb5.peer_ngroups);
	EXPECT_EQ(0u, kern.krb5.peer_groups);
	sm_close(ctx);
}

/* A reply too big for the server's buffer waits in the context. */
TEST_F_TIMEOUT(krb, server_reply_buffer_too_small, 300)
{
	struct sm_accept_params a = server_params_krb5;
	unsigned char in[SM_KRB5_MAX_TOKEN], out[SM_KRB5_MAX_TOKEN];
	size_t len = 10, need;
	sm_ctx *ctx = NULL;
	ssize_t n;

	peer_start(_metadata, self, "-i -t secmsg@localhost");
	n = krb5t_recv(self->chan, in, sizeof(in));
	ASSERT_LT(0, n);
	EXPECT_EQ(SM_E_BUFFER_TOO_SMALL,
		  sm_accept_context_dev(self->dev, &a, in, n, &ctx, out, &len));
	ASSERT_NE(NULL, ctx);
	EXPECT_LT(10u, len);
	/* (the context is complete: imported already) */
	EXPECT_EQ(1u, kern.krb5_calls);
	need = len;
	len = need - 1;
	EXPECT_EQ(SM_E_BUFFER_TOO_SMALL, sm_continue_context(ctx, NULL, 0, out, &len));
	EXPECT_EQ(need, len);
	/* input is refused while a reply waits */
	len = sizeof(out);
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_continue_context(ctx, in, 1, out, &len));
	len = sizeof(out);
	EXPECT_EQ(SM_E_OK, sm_continue_context(ctx, NULL, 0, out, &len));
	EXPECT_EQ(need, len);
	ASSERT_EQ(0, krb5t_send(self->chan, out, len));
	peer_established(_metadata, self);
	EXPECT_EQ(self->cfd, sm_ctx_fd(ctx));
	sm_close(ctx);
}

/*
 * sm_init_context() opens /dev/secmsg, and sm_continue_context() opens it
 * again to import the completed context: denied there (EACCES, as for a
 * device restricted to a group), the leg fails with SM_E_ACCESS_DENIED and
 * nothing reaches the kernel; the context is spent.
 */
TEST_F_TIMEOUT(krb, client_import_access_denied, 300)
{
	struct sm_init_params p =
		client_params(SM_PKG_KERBEROS, "secmsg@localhost");
	unsigned char t[16];
	size_t len = sizeof(t);
	sm_ctx *ctx = NULL;

	peer_start(_metadata, self, "-a");
	dev_script = 1;
	dev_opens = 0;
	dev_errno[1] = EACCES;
	EXPECT_EQ(SM_E_ACCESS_DENIED, krb5l_client(-1, &p, self->chan, &ctx));
	EXPECT_EQ(EACCES, errno);
	dev_script = 0;
	dev_errno[1] = 0;
	EXPECT_EQ(2, dev_opens);
	EXPECT_EQ(0u, kern.krb5_calls);
	ASSERT_NE(NULL, ctx);
	EXPECT_EQ(-1, sm_ctx_fd(ctx));
	/* an import that failed: start again */
	EXPECT_EQ(SM_E_INVALID_HANDLE, sm_continue_context(ctx, t, 1, t, &len));
	EXPECT_EQ(EBADF, errno);
	sm_close(ctx);
}

/*
 * sm_accept_context() likewise, completing in one leg (no mutual
 * authentication): the module gone by the import is SM_E_SECPKG_NOT_FOUND,
 * and no context is returned.
 */
TEST_F_TIMEOUT(krb, server_import_no_module, 300)
{
	struct sm_accept_params a = server_params_krb5;
	sm_ctx *ctx = (sm_ctx *)1;

	peer_start(_metadata, self, "-i -t secmsg@localhost -f conf,integ");
	dev_script = 1;
	dev_opens = 0;
	dev_errno[1] = ENOENT;
	EXPECT_EQ(SM_E_SECPKG_NOT_FOUND,
		  krb5l_server(-1, &a, self->chan, &ctx));
	EXPECT_EQ(ENOENT, errno);
	dev_script = 0;
	dev_errno[1] = 0;
	EXPECT_EQ(2, dev_opens);
	EXPECT_EQ(0u, kern.krb5_calls);
	EXPECT_EQ(NULL, ctx);
}

TEST_F_TIMEOUT(krb, negotiate_both_roles, 300)
{
	struct sm_init_params p = client_params(SM_PKG_NEGOTIATE, "secmsg@localhost");
	struct sm_accept_params a = server_params_krb5;
	unsigned int enctype = 0;
	sm_ctx *ctx = NULL;

	peer_start(_metadata, self, "-a -m spnego");
	ASSERT_EQ(SM_E_OK, krb5l_client(self->dev, &p, self->chan, &ctx));
	peer_established(_metadata, self);
	EXPECT_EQ(SECMSG_PKG_NEGOTIATE, kern.krb5.package);
	EXPECT_EQ(SECMSG_ROLE_INITIATOR, kern.krb5.role);
	EXPECT_EQ(peer_key_hash(_metadata, self, &enctype), kern.krb5_key_hash);
	sm_close(ctx);
	krb5t_peer_stop(&self->peer);
	close(self->chan);
	self->chan = -1;

	a.package = SM_PKG_NEGOTIATE;
	peer_start(_metadata, self, "-i -m spnego -t secmsg@localhost");
	ASSERT_EQ(SM_E_OK, krb5l_server(self->dev, &a, self->chan, &ctx));
	peer_established(_metadata, self);
	EXPECT_EQ(SECMSG_PKG_NEGOTIATE, kern.krb5.package);
	EXPECT_EQ(SECMSG_ROLE_ACCEPTOR, kern.krb5.role);
	EXPECT_STREQ("alice@" REALM, kern.krb5_peer);
	EXPECT_EQ(peer_key_hash(_metadata, self, &enctype), kern.krb5_key_hash);
	sm_close(ctx);
}

TEST_F_TIMEOUT(krb, explicit_credentials, 300)
{
	struct sm_init_params p = client_params(SM_PKG_KERBEROS,
						"secmsg/localhost@" REALM);
	struct sm_accept_params a = server_params_krb5;
	char cc[128], kt[128];
	sm_ctx *ctx = NULL;

	/* named, with the defaults pointing nowhere */
	snprintf(cc, sizeof(cc), "%s", getenv("KRB5CCNAME"));
	snprintf(kt, sizeof(kt), "%s", getenv("KRB5_KTNAME"));
	p.ccache = cc;
	p.principal = "alice@" REALM;
	setenv("KRB5CCNAME", "FILE:/nonexistent/cc", 1);
	peer_start(_metadata, self, "-a");
	ASSERT_EQ(SM_E_OK, krb5l_client(self->dev, &p, self->chan, &ctx));
	peer_established(_metadata, self);
	EXPECT_STREQ("alice@" REALM, kern.krb5_local);
	sm_close(ctx);
	krb5t_peer_stop(&self->peer);
	close(self->chan);
	self->chan = -1;
	setenv("KRB5CCNAME", cc, 1);

	a.keytab = kt;
	a.principal = "secmsg@localhost";
	peer_start(_metadata, self, "-i -t secmsg@localhost");
	unsetenv("KRB5_KTNAME");	/* (the peer has its own copy) */
	ASSERT_EQ(SM_E_OK, krb5l_server(self->dev, &a, self->chan, &ctx));
	peer_established(_metadata, self);
	EXPECT_STREQ("secmsg/localhost@" REALM, kern.krb5_local);
	sm_close(ctx);
}

TEST_F_TIMEOUT(krb, failures, 300)
{
	struct sm_init_params p = client_params(SM_PKG_KERBEROS, "nosuch@localhost");
	unsigned char tok[SM_KRB5_MAX_TOKEN];
	size_t len = sizeof(tok);
	sm_ctx *ctx = (sm_ctx *)1;
	char cc[128];

	/* a service the KDC does not know */
	EXPECT_EQ(SM_E_TARGET_UNKNOWN, sm_init_context_dev(self->dev, &p, &ctx, tok, &len));
	EXPECT_EQ(NULL, ctx);
	/* no ticket */
	snprintf(cc, sizeof(cc), "%s", getenv("KRB5CCNAME"));
	setenv("KRB5CCNAME", "FILE:/nonexistent/cc", 1);
	p.target = "secmsg@localhost";
	len = sizeof(tok);
	EXPECT_EQ(SM_E_NO_CREDENTIALS, sm_init_context_dev(self->dev, &p, &ctx, tok, &len));
	setenv("KRB5CCNAME", cc, 1);
	/* a buffer too small: nothing created, the size needed told */
	len = 10;
	EXPECT_EQ(SM_E_BUFFER_TOO_SMALL, sm_init_context_dev(self->dev, &p, &ctx, tok, &len));
	EXPECT_EQ(NULL, ctx);
	EXPECT_LT(10u, len);
	EXPECT_GE(sizeof(tok), len);
	/* bad arguments */
	p.target = NULL;
	len = sizeof(tok);
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_init_context_dev(self->dev, &p, &ctx, tok, &len));
	p.target = "secmsg@localhost";
	p.suite = SM_SUITE_AES256_GCM;
	EXPECT_EQ(SM_E_INVALID_PARAMETER, sm_init_context_dev(self->dev, &p, &ctx, tok, &len));
	p.suite = 0;
	p.package = 99;
	EXPECT_EQ(SM_E_SECPKG_NOT_FOUND, sm_init_context_dev(self->dev, &p, &ctx, tok, &len));
	p.package = SM_PKG_KERBEROS;

	/* a kernel without IMPORT_KRB5 */
	kern.krb5_errno = ENOTTY;
	peer_start(_metadata, self, "-a");
	EXPECT_EQ(SM_E_UNSUPPORTED_FUNCTION, krb5l_client(self->dev, &p, self->chan, &ctx));
	EXPECT_EQ(ENOTTY, errno);
	sm_close(ctx);
	krb5t_peer_stop(&self->peer);
	close(self->chan);
	self->chan = -1;

	/* an enctype the kernel refuses */
	kern.krb5_errno = EPROTONOSUPPORT;
	peer_start(_metadata, self, "-a");
	ctx = NULL;
	EXPECT_EQ(SM_E_ALGORITHM_MISMATCH, krb5l_client(self->dev, &p, self->chan, &ctx));
	sm_close(ctx);
	krb5t_peer_stop(&self->peer);
	close(self->chan);
	self->chan = -1;

	/* a garbled token at the server */
	{
		struct sm_accept_params a = server_params_krb5;

		memset(tok, 0x60, 64);
		len = sizeof(tok);
		ctx = (sm_ctx *)1;
		EXPECT_EQ(SM_E_INVALID_TOKEN,
			  sm_accept_context_dev(self->dev, &a, tok, 64, &ctx, tok, &len));
		EXPECT_EQ(NULL, ctx);
	}
}

/*
 * After establishment no copy of the context key is left in the process
 * that established it (krb5l_no_key_left()).  Both roles.
 */
static void no_key_left(struct __test_metadata *_metadata, FIXTURE_DATA(krb) *self,
			int server)
{
	struct sm_init_params p = client_params(SM_PKG_KERBEROS,
						"secmsg@localhost");
	struct sm_accept_params a = server_params_krb5;

	peer_start(_metadata, self, server ? "-i -t secmsg@localhost" : "-a");
	krb5l_no_key_left(_metadata, &self->peer, self->chan, self->dev, server,
			  &p, &a, NULL, NULL);
}

TEST_F_TIMEOUT(krb, no_key_left_in_client, 300)
{
	no_key_left(_metadata, self, 0);
}

TEST_F_TIMEOUT(krb, no_key_left_in_server, 300)
{
	no_key_left(_metadata, self, 1);
}

/* QUERY as secmsg.ko answers it after the fake kernel's last IMPORT_KRB5 */
static int query_as_imported(struct secmsg_query *q)
{
	q->package = kern.krb5.package;
	q->role = kern.krb5.role;
	q->suite = kern.krb5.enctype;
	memcpy(q->local_principal, kern.krb5_local, sizeof(q->local_principal));
	memcpy(q->peer_principal, kern.krb5_peer, sizeof(q->peer_principal));
	memset(&q->peer, 0, sizeof(q->peer));
	if (kern.krb5.peer_uid != SECMSG_NO_ID) {
		q->peer.flags = SECMSG_ID_VALID | SECMSG_ID_ASSERTED;
		q->peer.uid = kern.krb5.peer_uid;
		q->peer.gid = kern.krb5.peer_gid;
	}
	return 0;
}

/*
 * The names GSSAPI gave the import come back from sm_query_names as
 * client and service whichever side, with alice's account asserted on
 * the service's.
 */
TEST_F_TIMEOUT(krb, names_both_roles, 300)
{
	struct sm_init_params p = client_params(SM_PKG_KERBEROS, "secmsg@localhost");
	struct sm_accept_params a = server_params_krb5;
	struct sm_names n = { .size = sizeof(n) };
	sm_ctx *ctx = NULL;

	peer_start(_metadata, self, "-a");
	ASSERT_EQ(SM_E_OK, krb5l_client(self->dev, &p, self->chan, &ctx));
	peer_established(_metadata, self);
	kern.query_hook = query_as_imported;
	EXPECT_EQ(SM_E_OK, sm_query_names(ctx, &n));
	kern.query_hook = NULL;
	EXPECT_STREQ("alice@" REALM, n.client_principal);
	EXPECT_STREQ("secmsg/localhost@" REALM, n.service_principal);
	EXPECT_EQ(0u, n.peer.id.flags);
	sm_close(ctx);
	krb5t_peer_stop(&self->peer);
	close(self->chan);
	self->chan = -1;
	/* sm_close closed it: a new one stands for the next context */
	self->cfd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, self->cfd);
	kern.krb5_fd = self->cfd;
	kern.ctx_fd = self->cfd;

	peer_start(_metadata, self, "-i -t secmsg@localhost");
	ASSERT_EQ(SM_E_OK, krb5l_server(self->dev, &a, self->chan, &ctx));
	peer_established(_metadata, self);
	memset(&n, 0, sizeof(n));
	n.size = sizeof(n);
	kern.query_hook = query_as_imported;
	EXPECT_EQ(SM_E_OK, sm_query_names(ctx, &n));
	kern.query_hook = NULL;
	EXPECT_STREQ("alice@" REALM, n.client_principal);
	EXPECT_STREQ("secmsg/localhost@" REALM, n.service_principal);
	EXPECT_EQ((uint32_t)(SM_ID_VALID | SM_ID_ASSERTED), n.peer.id.flags);
	EXPECT_STREQ("nobody", n.peer.user);
	sm_close(ctx);
}

TEST_HARNESS_MAIN
