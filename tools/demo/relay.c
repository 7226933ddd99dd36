// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg-demo-relay LISTEN-SOCKET SERVER-SOCKET
 *
 * A man in the middle between the client and the server, running as a
 * third user.  It sees every byte.  It tries to accept the client's init
 * token itself, then forwards it; it forwards requests and answers, but
 * changes the file name in the 3rd request and, after it, sends the 1st
 * request again (a replay), keeping the server's answer to that for
 * itself.  It has no key and cannot become anyone.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "demo.h"

/* Forward one frame from @from to @to; 1, 0 at EOF, -1 on error. */
static int pass(int from, int to, struct frame *f)
{
	int r = frame_read(from, f);

	if (r == 1 && frame_write(to, f))
		return -1;
	return r;
}

int main(int argc, char **argv)
{
	struct sm_accept_params ap = { .size = sizeof(ap) };
	unsigned char out[SM_LOCAL_TOKEN_SIZE];
	size_t out_len = sizeof(out);
	struct frame first, f, answer;
	char name[64];
	unsigned int n = 0;
	int lfd, cfd, sfd, r;
	sm_ctx *stolen;
	sm_status st;

	if (argc != 3) {
		fprintf(stderr, "usage: %s LISTEN-SOCKET SERVER-SOCKET\n",
			argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	lfd = demo_listen(argv[1]);
	if (lfd < 0) {
		perror("relay: listen");
		return 1;
	}
	cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	sfd = demo_connect(argv[2]);
	if (cfd < 0 || sfd < 0) {
		perror("relay: connect");
		return 1;
	}

	/* The init token: try to use it, then pass it on. */
	if (frame_read(cfd, &f) != 1 || f.kind != 'I')
		return 1;
	st = sm_accept_context(&ap, f.data, f.len, &stolen, out, &out_len);
	printf("relay:  I have the client's init token (%zu bytes); accepting it myself: %s\n",
	       f.len, st == SM_E_OK ? "it worked?!" :
	       status_name(st, name, sizeof(name)));
	if (st == SM_E_OK)
		return 1;
	if (frame_write(sfd, &f) || pass(sfd, cfd, &f) != 1)
		return 1;

	/* Requests one way, answers the other. */
	while ((r = frame_read(cfd, &f)) == 1) {
		n++;
		if (n == 1)
			first = f;
		if (n == 3) {
			char *p = memmem(f.data, f.len, "alice/todo", 10);

			if (p) {
				memcpy(p, "bob/secret", 10);
				printf("relay:  changed request 3 on the way: \"%.*s\"\n",
				       (int)f.len, f.data);
			}
		}
		if (frame_write(sfd, &f) || frame_read(sfd, &answer) != 1)
			return 1;
		if (n == 3) {
			printf("relay:  sending request 1 again (a replay)\n");
			if (frame_write(sfd, &first) ||
			    frame_read(sfd, &f) != 1)
				return 1;
			printf("relay:  (the server's sealed answer to it: %zu bytes I cannot read)\n",
			       f.len);
		}
		if (frame_write(cfd, &answer))
			return 1;
	}
	close(cfd);
	close(sfd);
	close(lfd);
	unlink(argv[1]);
	return r < 0;
}
