// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg-demo-relay LISTEN-SOCKET SERVER-SOCKET
 *
 * A man in the middle: it forwards the client's frames to the server and
 * the server's back, but changes the text of the 2nd message and, after
 * the 3rd, sends the 1st one again.  It has no key.
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "demo.h"

int main(int argc, char **argv)
{
	struct frame first, f;
	unsigned int n = 0;
	int lfd, cfd, sfd, r;

	if (argc != 3) {
		fprintf(stderr, "usage: %s LISTEN-SOCKET SERVER-SOCKET\n",
			argv[0]);
		return 2;
	}
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

	/* Client to server, until the client's last frame. */
	while ((r = frame_read(cfd, &f)) == 1) {
		n++;
		if (n == 1)
			first = f;
		if (n == 2) {
			char *p = memmem(f.data, f.len, "10", 2);

			if (p) {
				*p = '9';
				printf("relay:  changed message 2 on the way: \"%.*s\"\n",
				       (int)f.len, f.data);
			}
		}
		if (frame_write(sfd, &f))
			return 1;
		if (n == 3) {
			printf("relay:  sent message 1 again (a replay)\n");
			fflush(stdout);
			usleep(50000);
			if (frame_write(sfd, &first))
				return 1;
		}
		fflush(stdout);
		if (n == 5)
			break;
	}
	/* The server's answer, unchanged. */
	if (frame_read(sfd, &f) == 1)
		frame_write(cfd, &f);
	close(cfd);
	close(sfd);
	close(lfd);
	unlink(argv[1]);
	return 0;
}
