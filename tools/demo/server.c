// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg-demo-server SOCKET FILES-DIR
 *
 * The demo's file server.  It accepts one client's local context
 * (AcceptSecurityContext: the kernel checks that this process is the user
 * the client named, and tells it who the client is), then serves
 * "READ name" requests for files under FILES-DIR.  Every request is
 * checked (VerifySignature for signed ones, DecryptMessage for sealed
 * ones); a request that fails is answered with its verdict and not served.
 * Files are opened while impersonating the client
 * (ImpersonateSecurityContext), so the kernel's own permission checks
 * decide, as for the client itself; then the thread reverts
 * (RevertSecurityContext).  Every answer travels sealed.
 *
 * The server needs CAP_SETUID and CAP_SETGID (run it as a service user
 * with those as ambient capabilities), or to run as the client's user.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "demo.h"

static struct demo_service svc;

/* READ: the first line of FILES-DIR/@name, read as the client. */
static void serve_read(struct demo_service *s, const char *name)
{
	const char *dir = s->priv;
	char path[512];
	ssize_t n;
	int fd, err;

	if (strstr(name, "..") || name[0] == '/') {
		snprintf(s->answer, sizeof(s->answer),
			 "refused: bad file name");
		s->refused++;
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (demo_act_as_client(s, ""))
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	err = errno;
	n = fd < 0 ? -1 : read(fd, s->answer, sizeof(s->answer) - 1);
	if (fd >= 0)
		close(fd);
	demo_revert(s);
	if (fd < 0 || n < 0) {
		printf("server:   %s: the kernel refused the client: %s\n", name,
		       strerror(err));
		snprintf(s->answer, sizeof(s->answer), "refused: %s: %s", name,
			 strerror(err));
		s->refused++;
		return;
	}
	s->answer[n] = 0;
	s->answer[strcspn(s->answer, "\n")] = 0;
	printf("server:   %s: read as the client: \"%s\"\n", name, s->answer);
	s->served++;
}

static const struct demo_verb verbs[] = {
	{ "READ", 1, serve_read },
	{ NULL },
};

int main(int argc, char **argv)
{
	struct sm_accept_params ap = { .size = sizeof(ap) };
	struct sm_context_info info = { .size = sizeof(info) };
	struct sm_names names = { .size = sizeof(names) };
	unsigned char out[SM_LOCAL_TOKEN_SIZE];
	size_t out_len = sizeof(out);
	char client[96], me[96], probe[512];
	struct frame f;
	sm_ctx *ctx;
	sm_status st;
	int lfd, fd;

	if (argc != 3) {
		fprintf(stderr, "usage: %s SOCKET FILES-DIR\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = demo_accept(argv[1], "server", &lfd);
	if (fd < 0)
		return 1;

	/* AcceptSecurityContext: the client's token, our reply */
	if (frame_read(fd, &f) != 1 || f.kind != 'I') {
		printf("server: no init token\n");
		return 1;
	}
	st = sm_accept_context(&ap, f.data, f.len, &ctx, out, &out_len);
	if (st != SM_E_OK)
		return demo_fail("server", "accept", st);
	sm_query_names(ctx, &names);
	sm_query(ctx, &info);
	who(&names.peer, client, sizeof(client));
	printf("server: I am %s; accepted a context: the kernel says the client is %s, pid %u\n",
	       who(&names.local, me, sizeof(me)), client,
	       names.peer.id.pid);
	printf("server: %s, driver %s, the client allows impersonation: %s\n",
	       info.suite == SM_SUITE_AES256_GCM ? "AES-256-GCM" : "cipher",
	       info.driver, info.imp_level >= SM_IMP_IMPERSONATE ? "yes" : "no");
	snprintf(probe, sizeof(probe), "%s/alice/diary.txt", argv[2]);
	if (access(probe, R_OK))
		printf("server: (as myself I cannot read alice/diary.txt: %s)\n",
		       strerror(errno));
	frame_token(&f, 'R', out, out_len);
	if (frame_write(fd, &f))
		return 1;

	svc.me = "server";
	svc.ctx = ctx;
	svc.client = client;
	svc.verbs = verbs;
	svc.priv = argv[2];
	if (demo_serve(&svc, fd, &f))
		return 1;
	close(fd);
	close(lfd);
	unlink(argv[1]);
	sm_close(ctx);
	return 0;
}
