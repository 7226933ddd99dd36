// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg-demo-client SOCKET SERVER-UID [PAUSE-FIFO]
 *
 * A client of the demo's file server.  It establishes a local context
 * with the user SERVER-UID (InitializeSecurityContext: the kernel records
 * who this process is, and later tells it who accepted), grants the server
 * the right to impersonate it, then asks for files, some requests signed
 * (MakeSignature: clear text with a detached signature), some sealed
 * (EncryptMessage: encrypted), and prints each sealed answer.  With
 * PAUSE-FIFO, it waits for a line there before its last request (so that
 * the demo can show the live contexts with secmsgctl).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demo.h"

static const struct {
	char kind;
	const char *text;
} requests[] = {
	{ 'S', "READ alice/diary.txt" },
	{ 'E', "READ bob/secret.txt" },
	{ 'S', "READ alice/todo.txt" },
	{ 'E', "BYE" },
};

static int fail(const char *what, sm_status st)
{
	char name[64];

	printf("client: %s: %s\n", what, status_name(st, name, sizeof(name)));
	return 1;
}

int main(int argc, char **argv)
{
	struct sm_init_params p = {
		.size = sizeof(p),
		.target_type = SM_TARGET_UID,
		.ctx_flags = SM_CTX_MUTUAL_AUTH | SM_CTX_CONFIDENTIALITY |
			     SM_CTX_REPLAY_DETECT | SM_CTX_INTEGRITY,
		.imp_level = SM_IMP_IMPERSONATE,
	};
	struct sm_names names = { .size = sizeof(names) };
	unsigned char tok[SM_LOCAL_TOKEN_SIZE];
	size_t len = sizeof(tok);
	char a[96], b[96];
	struct frame f;
	sm_ctx *ctx;
	sm_status st;
	unsigned int i;
	int fd;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: %s SOCKET SERVER-UID [PAUSE-FIFO]\n",
			argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	p.target_uid = strtoul(argv[2], NULL, 10);
	fd = demo_connect(argv[1]);
	if (fd < 0) {
		perror("client: connect");
		return 1;
	}

	/* InitializeSecurityContext, first call: a token for the server */
	st = sm_init_context(&p, &ctx, tok, &len);
	if (st != SM_I_CONTINUE_NEEDED)
		return fail("init", st);
	sm_query_names(ctx, &names);
	printf("client: I am %s; asking for a context with uid %u, allowed to impersonate me\n",
	       who(&names.local, a, sizeof(a)), p.target_uid);
	frame_token(&f, 'I', tok, len);
	if (frame_write(fd, &f) || frame_read(fd, &f) != 1 || f.kind != 'R') {
		printf("client: no reply token from the server\n");
		return 1;
	}
	/* ... second call: the server's reply completes the context */
	st = sm_complete_context(ctx, f.data, f.len);
	if (st != SM_E_OK)
		return fail("complete", st);
	sm_query_names(ctx, &names);
	printf("client: context complete; the kernel says the server is %s, pid %u\n",
	       who(&names.peer, b, sizeof(b)), names.peer.id.pid);

	for (i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		uint64_t seq;

		if (argc == 4 && i + 1 == sizeof(requests) / sizeof(requests[0]))
			demo_pause(argv[3]);

		st = frame_protect(ctx, &f, requests[i].kind, requests[i].text,
				   &seq);
		if (st != SM_E_OK)
			return fail("seal", st);
		printf("client: request %u, %s: \"%s\"\n", i + 1,
		       f.kind == 'E' ? "sealed" : "signed", requests[i].text);
		if (frame_write(fd, &f) || frame_read(fd, &f) != 1) {
			printf("client: no answer from the server\n");
			return 1;
		}
		st = frame_open(ctx, &f, NULL);
		if (st != SM_E_OK)
			return fail("answer", st);
		printf("client: answer %u: \"%.*s\"\n", i + 1, (int)f.len,
		       f.data);
	}
	close(fd);
	sm_close(ctx);
	return 0;
}
