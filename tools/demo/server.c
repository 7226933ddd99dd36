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
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "demo.h"

static char answer[DEMO_MAX_DATA];
static unsigned int served, refused, rejected;

/* Read the first line of @dir/@name as the client: into answer[]. */
static void serve_read(sm_ctx *ctx, const char *dir, const char *name,
		       const char *client)
{
	char path[512], name_buf[64];
	sm_status st;
	ssize_t n;
	int fd, err;

	if (strstr(name, "..") || name[0] == '/') {
		snprintf(answer, sizeof(answer), "refused: bad file name");
		refused++;
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	st = sm_impersonate(ctx);
	if (st != SM_E_OK) {
		printf("server:   impersonation refused: %s\n",
		       status_name(st, name_buf, sizeof(name_buf)));
		snprintf(answer, sizeof(answer), "refused: cannot act as you");
		refused++;
		return;
	}
	printf("server:   acting as %s (this thread only): euid %u\n", client,
	       (unsigned int)geteuid());
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	err = errno;
	n = fd < 0 ? -1 : read(fd, answer, sizeof(answer) - 1);
	if (fd >= 0)
		close(fd);
	st = sm_revert(ctx);
	if (st != SM_E_OK) {
		/* never go on with the client's identity */
		printf("server: revert failed: %s\n",
		       status_name(st, name_buf, sizeof(name_buf)));
		exit(1);
	}
	printf("server:   reverted: euid %u again\n", (unsigned int)geteuid());
	if (fd < 0 || n < 0) {
		printf("server:   %s: the kernel refused the client: %s\n", name,
		       strerror(err));
		snprintf(answer, sizeof(answer), "refused: %s: %s", name,
			 strerror(err));
		refused++;
		return;
	}
	answer[n] = 0;
	answer[strcspn(answer, "\n")] = 0;
	printf("server:   %s: read as the client: \"%s\"\n", name, answer);
	served++;
}

int main(int argc, char **argv)
{
	struct sm_accept_params ap = { .size = sizeof(ap) };
	struct sm_context_info info = { .size = sizeof(info) };
	struct sm_names names = { .size = sizeof(names) };
	unsigned char out[SM_LOCAL_TOKEN_SIZE];
	size_t out_len = sizeof(out);
	char client[96], me[96], name[64], probe[512];
	struct frame f;
	sm_ctx *ctx;
	sm_status st;
	int lfd, fd, r;

	if (argc != 3) {
		fprintf(stderr, "usage: %s SOCKET FILES-DIR\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	lfd = demo_listen(argv[1]);
	if (lfd < 0) {
		perror("server: listen");
		return 1;
	}
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		perror("server: accept");
		return 1;
	}

	/* AcceptSecurityContext: the client's token, our reply */
	if (frame_read(fd, &f) != 1 || f.kind != 'I') {
		printf("server: no init token\n");
		return 1;
	}
	st = sm_accept_context(&ap, f.data, f.len, &ctx, out, &out_len);
	if (st != SM_E_OK) {
		printf("server: accept: %s\n",
		       status_name(st, name, sizeof(name)));
		return 1;
	}
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

	while ((r = frame_read(fd, &f)) == 1) {
		const char *how = f.kind == 'E' ? "sealed" : "signed";
		uint64_t seq = 0;
		int bye = 0;

		st = frame_open(ctx, &f, &seq);
		if (st != SM_E_OK) {
			rejected++;
			printf("server: a %s request: REJECTED: %s\n", how,
			       status_name(st, name, sizeof(name)));
			snprintf(answer, sizeof(answer),
				 "rejected: %s", name);
		} else {
			printf("server: a %s request, seq %llu: \"%.*s\"\n", how,
			       (unsigned long long)seq, (int)f.len, f.data);
			if (f.len > 5 && !memcmp(f.data, "READ ", 5)) {
				char file[256];

				snprintf(file, sizeof(file), "%.*s",
					 (int)f.len - 5, f.data + 5);
				serve_read(ctx, argv[2], file, client);
			} else if (f.len == 3 && !memcmp(f.data, "BYE", 3)) {
				snprintf(answer, sizeof(answer),
					 "bye: %u served, %u refused, %u rejected",
					 served, refused, rejected);
				bye = 1;
			} else {
				snprintf(answer, sizeof(answer),
					 "unknown request");
			}
		}
		/* Every answer travels sealed, the other way. */
		st = frame_protect(ctx, &f, 'E', answer, NULL);
		if (st != SM_E_OK || frame_write(fd, &f)) {
			printf("server: cannot answer: %s\n",
			       status_name(st, name, sizeof(name)));
			return 1;
		}
		if (bye)
			break;
	}
	if (r < 0) {
		perror("server: read");
		return 1;
	}
	sm_query(ctx, &info);
	printf("server: counters: %llu verified, %llu unsealed, %llu altered, %llu replayed\n",
	       (unsigned long long)info.counters.verified,
	       (unsigned long long)info.counters.unsealed,
	       (unsigned long long)info.counters.altered,
	       (unsigned long long)info.counters.replayed);
	close(fd);
	close(lfd);
	unlink(argv[1]);
	sm_close(ctx);
	return 0;
}
