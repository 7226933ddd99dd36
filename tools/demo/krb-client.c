// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg-demo-krb-client SOCKET SERVICE
 *
 * The Kerberos act's client, run as a user with a ticket (its ccache:
 * KRB5CCNAME).  It establishes a context with SERVICE ("service@host")
 * through the "negotiate" package (SPNEGO, as Windows' Negotiate and
 * HTTP Negotiate), asking for mutual authentication and delegating its
 * credentials (SM_IMP_DELEGATE: its forwardable TGT goes to the service,
 * which may then act as this user towards other services).  libsecmsg
 * runs MIT GSSAPI for the establishment, then hands the keys to the
 * kernel.  Then it sends its requests, sealed or signed, and prints each
 * sealed answer.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "demo.h"

static const struct demo_request requests[] = {
	{ 'E', "FETCH alice/report.txt" },
	{ 'S', "WHOAMI" },
	{ 'S', "FETCH alice/todo.txt" },
	{ 'E', "BYE" },
};

static unsigned char tok[SM_KRB5_MAX_TOKEN];
static struct frame f;

int main(int argc, char **argv)
{
	struct sm_init_params p = {
		.size = sizeof(p),
		.package = SM_PKG_NEGOTIATE,
		.ctx_flags = SM_CTX_MUTUAL_AUTH | SM_CTX_CONFIDENTIALITY |
			     SM_CTX_REPLAY_DETECT | SM_CTX_INTEGRITY,
		.imp_level = SM_IMP_DELEGATE,
	};
	struct sm_context_info info = { .size = sizeof(info) };
	char me[SECMSG_PRINCIPAL_MAX], peer[SECMSG_PRINCIPAL_MAX];
	unsigned int tokens = 0;
	struct passwd *pw;
	size_t len = sizeof(tok);
	sm_ctx *ctx;
	sm_status st;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: %s SOCKET SERVICE\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	p.target = argv[2];
	fd = demo_connect(argv[1]);
	if (fd < 0) {
		perror("client: connect");
		return 1;
	}

	/*
	 * InitializeSecurityContext: GSSAPI gets a ticket for the service
	 * from the KDC and makes the first token; then every token of the
	 * service's goes back in, until the context is complete.
	 */
	pw = getpwuid(getuid());
	printf("client: I am %s (uid %u), with a Kerberos ticket; asking %s for a context through negotiate, delegating my credentials\n",
	       pw ? pw->pw_name : "?", (unsigned int)getuid(), p.target);
	st = sm_init_context(&p, &ctx, tok, &len);
	while (SM_SUCCEEDED(st) && len) {
		tokens++;
		frame_token(&f, 'I', tok, len);
		/* the service answers every token, maybe with none */
		if (frame_write(fd, &f) || frame_read(fd, &f) != 1 ||
		    f.kind != 'R') {
			printf("client: no reply token from the service\n");
			return 1;
		}
		if (st == SM_E_OK)
			break;	/* that was the last one */
		if (f.len)
			tokens++;
		len = sizeof(tok);
		st = sm_continue_context(ctx, f.data, f.len, tok, &len);
	}
	if (st != SM_E_OK)
		return demo_fail("client", "establish", st);

	sm_query(ctx, &info);
	if (demo_principals(ctx, me, peer)) {
		printf("client: query: %s\n", strerror(errno));
		return 1;
	}
	printf("client: context complete after %u tokens; the kernel holds its keys: I am %s, the service is %s\n",
	       tokens, me, peer);
	printf("client: mutual authentication: %s; my credentials delegated: %s\n",
	       info.ctx_flags & SM_CTX_MUTUAL_AUTH ? "yes" : "no",
	       info.ctx_flags & SM_CTX_DELEGATE ? "yes" : "no");

	if (demo_requests(ctx, fd, &f, requests, ARRAY_SIZE(requests),
			  "service", NULL))
		return 1;
	close(fd);
	sm_close(ctx);
	return 0;
}
