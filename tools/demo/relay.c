// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg-demo-relay LISTEN-SOCKET SERVER-SOCKET [negotiate]
 *
 * A man in the middle between the client and the server, running as a
 * third user.  It sees every byte.  It tries to accept the client's first
 * token itself (as a local context, or with "negotiate" as a Kerberos
 * one, with whatever keytab it can get at), then forwards the
 * establishment tokens both ways; it forwards requests and answers, but
 * alters the 3rd request (a signed "alice/todo" becomes "bob/secret"; any
 * other gets one bit flipped) and, after it, sends the 1st request again
 * (a replay), keeping the server's answer to that for itself.  It has no
 * key and cannot become anyone.
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

/* Change request @f on the way: readably if it says "alice/todo". */
static void alter(struct frame *f, unsigned int n)
{
	char *p = memmem(f->data, f->len, "alice/todo", 10);

	if (p && f->kind == 'S') {
		memcpy(p, "bob/secret", 10);
		printf("relay:  changed request %u on the way: \"%.*s\"\n", n,
		       (int)f->len, f->data);
	} else if (f->len) {
		f->data[f->len / 2] ^= 1;
		printf("relay:  flipped a bit of request %u on the way (%s, %zu bytes)\n",
		       n, f->kind == 'E' ? "sealed" : "signed", f->len);
	}
}

static unsigned char out[SM_KRB5_MAX_TOKEN];
static struct frame first, f, answer;

int main(int argc, char **argv)
{
	struct sm_accept_params ap = { .size = sizeof(ap) };
	size_t out_len = sizeof(out);
	char name[64];
	unsigned int n = 0, tokens = 0;
	int lfd, cfd, sfd, r;
	sm_ctx *stolen;
	sm_status st;

	if ((argc != 3 && argc != 4) ||
	    (argc == 4 && strcmp(argv[3], "negotiate"))) {
		fprintf(stderr, "usage: %s LISTEN-SOCKET SERVER-SOCKET [negotiate]\n",
			argv[0]);
		return 2;
	}
	if (argc == 4)
		ap.package = SM_PKG_NEGOTIATE;
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

	/*
	 * Establishment tokens: try to use the first, then pass each on, and
	 * the server's answer back.  Then requests one way, answers the
	 * other.
	 */
	while ((r = frame_read(cfd, &f)) == 1) {
		if (f.kind == 'I') {
			if (!tokens++) {
				st = sm_accept_context(&ap, f.data, f.len,
						       &stolen, out, &out_len);
				printf("relay:  I have the client's init token (%zu bytes); accepting it myself: %s\n",
				       f.len, st == SM_E_OK ? "it worked?!" :
				       status_name(st, name, sizeof(name)));
				if (SM_SUCCEEDED(st))
					return 1;
			}
			if (frame_write(sfd, &f) || pass(sfd, cfd, &f) != 1)
				return 1;
			continue;
		}
		n++;
		if (n == 1)
			first = f;
		if (n == 3)
			alter(&f, n);
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
