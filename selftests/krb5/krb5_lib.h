/* SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1-or-later */
/*
 * libsecmsg's side of an establishment with a gss_peer, for the host
 * tests (libsecmsg/test_krb5.c, fake kernel) and the guest suites: the
 * SSPI loop, tokens as frames on @chan.  Include after <secmsg.h> and
 * krb5_test.h.  The _dev forms are used when @devfd >= 0.
 */
#ifndef SECMSG_KRB5_LIB_H
#define SECMSG_KRB5_LIB_H

/* The client: init, then continue until SM_E_OK, sending every token. */
static inline sm_status krb5l_client(int devfd, const struct sm_init_params *p,
				     int chan, sm_ctx **ctx)
{
	unsigned char tok[SM_KRB5_MAX_TOKEN], in[SM_KRB5_MAX_TOKEN];
	size_t len = sizeof(tok);
	ssize_t n;
	sm_status st;
	int legs;

	st = devfd >= 0 ? sm_init_context_dev(devfd, p, ctx, tok, &len) :
			  sm_init_context(p, ctx, tok, &len);
	for (legs = 0; legs < 8; legs++) {
		if (SM_FAILED(st))
			return st;
		if (len && krb5t_send(chan, tok, len))
			return SM_E_INTERNAL_ERROR;
		if (st == SM_E_OK)
			return st;
		n = krb5t_recv(chan, in, sizeof(in));
		if (n < 0)
			return SM_E_INTERNAL_ERROR;
		len = sizeof(tok);
		st = sm_continue_context(*ctx, in, n, tok, &len);
	}
	return SM_E_INTERNAL_ERROR;
}

/* The server: receive, accept, then continue while the client has more. */
static inline sm_status krb5l_server(int devfd, const struct sm_accept_params *p,
				     int chan, sm_ctx **ctx)
{
	unsigned char tok[SM_KRB5_MAX_TOKEN], in[SM_KRB5_MAX_TOKEN];
	size_t len = sizeof(tok);
	ssize_t n;
	sm_status st;
	int legs;

	n = krb5t_recv(chan, in, sizeof(in));
	if (n < 0)
		return SM_E_INTERNAL_ERROR;
	st = devfd >= 0 ? sm_accept_context_dev(devfd, p, in, n, ctx, tok, &len) :
			  sm_accept_context(p, in, n, ctx, tok, &len);
	for (legs = 0; legs < 8; legs++) {
		if (SM_FAILED(st))
			return st;
		if (len && krb5t_send(chan, tok, len))
			return SM_E_INTERNAL_ERROR;
		if (st == SM_E_OK)
			return st;
		n = krb5t_recv(chan, in, sizeof(in));
		if (n < 0)
			return SM_E_INTERNAL_ERROR;
		len = sizeof(tok);
		st = sm_continue_context(*ctx, in, n, tok, &len);
	}
	return SM_E_INTERNAL_ERROR;
}

#endif /* SECMSG_KRB5_LIB_H */
