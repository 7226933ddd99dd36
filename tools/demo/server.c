// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg-demo-server SOCKET KEYFILE
 *
 * Accepts one client, checks every message it receives (DecryptMessage for
 * sealed ones, VerifySignature for signed ones), says what it found, and
 * answers the client's "bye" with a sealed summary.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "demo.h"

int main(int argc, char **argv)
{
	unsigned int nmsg = 0, accepted = 0, rejected = 0;
	struct sm_context_info info = { .size = sizeof(info) };
	struct frame f;
	sm_ctx *ctx;
	sm_status st;
	int lfd, fd, r;

	if (argc != 3) {
		fprintf(stderr, "usage: %s SOCKET KEYFILE\n", argv[0]);
		return 2;
	}
	st = demo_import(argv[2], SM_ROLE_ACCEPTOR, &ctx);
	if (st != SM_E_OK) {
		fprintf(stderr, "server: import: %s (%s)\n",
			sm_status_string(st), strerror(errno));
		return 1;
	}
	sm_query(ctx, &info);
	lfd = demo_listen(argv[1]);
	if (lfd < 0) {
		perror("server: listen");
		return 1;
	}
	printf("server: context ready: acceptor, %s, driver %s\n",
	       suite_name(info.suite), info.driver);
	fflush(stdout);
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		perror("server: accept");
		return 1;
	}

	while ((r = frame_read(fd, &f)) == 1) {
		struct sm_buffer b[2] = {
			{ .type = SM_BUF_TOKEN, .data = f.token,
			  .len = SM_TOKEN_SIZE },
			{ .type = SM_BUF_DATA, .data = f.data, .len = f.len },
		};
		const char *how = f.kind == 'E' ? "sealed" : "signed";
		uint64_t seq = 0;

		nmsg++;
		if (f.kind == 'E')
			st = sm_unseal(ctx, b, 2, &seq, NULL);
		else
			st = sm_verify(ctx, b, 2, &seq, NULL);
		if (st != SM_E_OK) {
			rejected++;
			printf("server: got a %s message: REJECTED, %s\n", how,
			       sm_status_string(st));
			fflush(stdout);
			continue;
		}
		accepted++;
		printf("server: got a %s message, seq %llu: accepted: \"%.*s\"\n",
		       how, (unsigned long long)seq, (int)f.len, f.data);
		fflush(stdout);
		if (f.len == 3 && !memcmp(f.data, "bye", 3))
			break;
	}
	if (r < 0) {
		perror("server: read");
		return 1;
	}

	/* The answer travels sealed the other way, with the other key. */
	f.kind = 'E';
	f.len = snprintf((char *)f.data, sizeof(f.data),
			 "server got %u messages: %u accepted, %u rejected",
			 nmsg, accepted, rejected);
	{
		struct sm_buffer b[2] = {
			{ .type = SM_BUF_TOKEN, .data = f.token,
			  .len = SM_TOKEN_SIZE },
			{ .type = SM_BUF_DATA, .data = f.data, .len = f.len },
		};

		st = sm_seal(ctx, SM_QOP_DEFAULT, b, 2, NULL);
	}
	if (st != SM_E_OK || frame_write(fd, &f)) {
		fprintf(stderr, "server: reply: %s\n", sm_status_string(st));
		return 1;
	}
	sm_query(ctx, &info);
	printf("server: counters: %llu unsealed, %llu verified, %llu altered, %llu replayed\n",
	       (unsigned long long)info.counters.unsealed,
	       (unsigned long long)info.counters.verified,
	       (unsigned long long)info.counters.altered,
	       (unsigned long long)info.counters.replayed);
	close(fd);
	close(lfd);
	unlink(argv[1]);
	sm_close(ctx);
	return 0;
}
