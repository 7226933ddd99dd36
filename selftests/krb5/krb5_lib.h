/* SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1-or-later */
/*
 * libsecmsg's side of an establishment with a gss_peer, for the host
 * tests (libsecmsg/test_krb5.c, fake kernel) and the guest suites: the
 * SSPI loop, tokens as frames on @chan.  Include after <secmsg.h>,
 * krb5_test.h and kselftest_harness.h.  The _dev forms are used when
 * @devfd >= 0.
 */
#ifndef SECMSG_KRB5_LIB_H
#define SECMSG_KRB5_LIB_H

#include <sys/prctl.h>

/*
 * After the first call (@st, its @len bytes of token in @tok): send every
 * token, continue until SM_E_OK, at most 8 legs.  @tok and @in are
 * SM_KRB5_MAX_TOKEN bytes.
 */
static inline sm_status krb5l_legs(sm_status st, int chan, sm_ctx **ctx,
				   unsigned char *tok, size_t len,
				   unsigned char *in)
{
	ssize_t n;
	int legs;

	for (legs = 0; legs < 8; legs++) {
		if (SM_FAILED(st))
			return st;
		if (len && krb5t_send(chan, tok, len))
			return SM_E_INTERNAL_ERROR;
		if (st == SM_E_OK)
			return st;
		n = krb5t_recv(chan, in, SM_KRB5_MAX_TOKEN);
		if (n < 0)
			return SM_E_INTERNAL_ERROR;
		len = SM_KRB5_MAX_TOKEN;
		st = sm_continue_context(*ctx, in, n, tok, &len);
	}
	return SM_E_INTERNAL_ERROR;
}

/* The client: init, then continue until SM_E_OK, sending every token. */
static inline sm_status krb5l_client(int devfd, const struct sm_init_params *p,
				     int chan, sm_ctx **ctx)
{
	unsigned char tok[SM_KRB5_MAX_TOKEN], in[SM_KRB5_MAX_TOKEN];
	size_t len = sizeof(tok);
	sm_status st;

	st = devfd >= 0 ? sm_init_context_dev(devfd, p, ctx, tok, &len) :
			  sm_init_context(p, ctx, tok, &len);
	return krb5l_legs(st, chan, ctx, tok, len, in);
}

/* The server: receive, accept, then continue while the client has more. */
static inline sm_status krb5l_server(int devfd, const struct sm_accept_params *p,
				     int chan, sm_ctx **ctx)
{
	unsigned char tok[SM_KRB5_MAX_TOKEN], in[SM_KRB5_MAX_TOKEN];
	size_t len = sizeof(tok);
	ssize_t n;
	sm_status st;

	n = krb5t_recv(chan, in, sizeof(in));
	if (n < 0)
		return SM_E_INTERNAL_ERROR;
	st = devfd >= 0 ? sm_accept_context_dev(devfd, p, in, n, ctx, tok, &len) :
			  sm_accept_context(p, in, n, ctx, tok, &len);
	return krb5l_legs(st, chan, ctx, tok, len, in);
}

/*
 * After establishment no copy of the context key is left in the process
 * that established it: a child establishes (@server: accepts with @a,
 * else initiates with @p) with @peer, started on the other end of @chan,
 * then waits; the test asks the peer for the key and scans the child's
 * memory for it.  The child never learns the key but through the library.
 * A kernel without IMPORT_KRB5 (ENOTTY) SKIPs with @skip, or fails if
 * @skip is NULL; one whose crypto API lacks the enctype (ENOENT) likewise
 * with @skip_enctype.
 */
static inline void krb5l_no_key_left(struct __test_metadata *_metadata,
				     struct krb5t_peer *peer, int chan,
				     int devfd, int server,
				     const struct sm_init_params *p,
				     const struct sm_accept_params *a,
				     const char *skip, const char *skip_enctype)
{
	int ready[2], go[2], st;
	unsigned char key[64];
	char v[KRB5T_LINE], c;
	const char *l;
	ssize_t n;
	pid_t pid;

	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		sm_ctx *ctx = NULL;
		sm_status s;

		/* only the parent's ends: EOF on @go if the parent dies */
		close(go[1]);
		close(ready[0]);
		prctl(PR_SET_DUMPABLE, 1);
		s = server ? krb5l_server(devfd, a, chan, &ctx) :
			     krb5l_client(devfd, p, chan, &ctx);
		c = s == SM_E_OK ? 'k' :
		    s == SM_E_UNSUPPORTED_FUNCTION && errno == ENOTTY ? 's' :
		    s == SM_E_ALGORITHM_MISMATCH && errno == ENOENT ? 'e' : 'f';
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) < 0)
			_exit(3);
		sm_close(ctx);
		_exit(0);
	}
	close(go[0]);
	close(ready[1]);
	n = read(ready[0], &c, 1);
	ASSERT_EQ(1, n);
	if ((c == 's' && skip) || (c == 'e' && skip_enctype)) {
		const char *why = c == 's' ? skip : skip_enctype;

		c = 'x';
		EXPECT_EQ(1, write(go[1], &c, 1));
		waitpid(pid, &st, 0);
		SKIP(return, "%s", why);
	}
	if (c != 'k') {
		/* the child failed: let it go before failing */
		c = 'x';
		EXPECT_EQ(1, write(go[1], &c, 1));
		waitpid(pid, &st, 0);
		ASSERT_EQ('k', 'f');
	}
	l = krb5t_peer_line(peer);
	ASSERT_NE(NULL, l);
	ASSERT_EQ(0, strncmp(l, "established ", 12)) {
		TH_LOG("peer: %s", l);
	}
	l = krb5t_peer_cmd(peer, "session_key");
	ASSERT_NE(NULL, l);
	n = krb5t_unhex(krb5t_field(l, "key", v, sizeof(v)), key, sizeof(key));
	ASSERT_LT(0, n);
	EXPECT_EQ(0, krb5t_mem_scan(pid, key, n, true)) {
		TH_LOG("the %s's memory holds the context key",
		       server ? "server" : "client");
	}
	/* the scan works: it finds what the child surely holds */
	EXPECT_EQ(1, krb5t_mem_scan(pid, "secmsg@localhost", 16, false));
	explicit_bzero(key, sizeof(key));
	c = 'x';
	EXPECT_EQ(1, write(go[1], &c, 1));
	EXPECT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

#endif /* SECMSG_KRB5_LIB_H */
