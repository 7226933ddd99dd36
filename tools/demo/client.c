// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg-demo-client SOCKET KEYFILE
 *
 * Sends a few requests, some sealed (EncryptMessage: the data travels
 * encrypted) and some signed (MakeSignature: clear text with a detached
 * signature), then "bye", and prints the server's sealed answer.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "demo.h"

static const struct {
	char kind;
	const char *text;
} requests[] = {
	{ 'E', "GET /home/alice/report.txt" },
	{ 'S', "transfer 10 EUR to bob" },
	{ 'E', "GET /home/alice/notes.txt" },
	{ 'S', "logout" },
	{ 'E', "bye" },
};

int main(int argc, char **argv)
{
	struct frame f;
	sm_ctx *ctx;
	sm_status st;
	unsigned int i;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: %s SOCKET KEYFILE\n", argv[0]);
		return 2;
	}
	st = demo_import(argv[2], SM_ROLE_INITIATOR, &ctx);
	if (st != SM_E_OK) {
		fprintf(stderr, "client: import: %s (%s)\n",
			sm_status_string(st), strerror(errno));
		return 1;
	}
	fd = demo_connect(argv[1]);
	if (fd < 0) {
		perror("client: connect");
		return 1;
	}

	for (i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		struct sm_buffer b[2] = {
			{ .type = SM_BUF_TOKEN, .data = f.token,
			  .len = SM_TOKEN_SIZE },
			{ .type = SM_BUF_DATA, .data = f.data },
		};
		uint64_t seq;

		f.kind = requests[i].kind;
		f.len = strlen(requests[i].text);
		memcpy(f.data, requests[i].text, f.len);
		b[1].len = f.len;
		if (f.kind == 'E')
			st = sm_seal(ctx, SM_QOP_DEFAULT, b, 2, &seq);
		else
			st = sm_sign(ctx, SM_QOP_DEFAULT, b, 2, &seq);
		if (st != SM_E_OK) {
			fprintf(stderr, "client: %s\n", sm_status_string(st));
			return 1;
		}
		printf("client: sent message %u, %s, seq %llu: \"%s\"\n", i + 1,
		       f.kind == 'E' ? "sealed" : "signed",
		       (unsigned long long)seq, requests[i].text);
		fflush(stdout);
		if (frame_write(fd, &f)) {
			perror("client: write");
			return 1;
		}
		usleep(300000); /* keep the three programs' lines in order */
	}

	if (frame_read(fd, &f) != 1) {
		fprintf(stderr, "client: no answer from the server\n");
		return 1;
	}
	{
		struct sm_buffer b[2] = {
			{ .type = SM_BUF_TOKEN, .data = f.token,
			  .len = SM_TOKEN_SIZE },
			{ .type = SM_BUF_DATA, .data = f.data, .len = f.len },
		};

		st = sm_unseal(ctx, b, 2, NULL, NULL);
	}
	if (st != SM_E_OK) {
		fprintf(stderr, "client: answer: %s\n", sm_status_string(st));
		return 1;
	}
	printf("client: sealed answer from the server: \"%.*s\"\n", (int)f.len,
	       f.data);
	close(fd);
	sm_close(ctx);
	return 0;
}
