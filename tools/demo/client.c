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

static const struct demo_request requests[] = {
	{ 'S', "READ alice/diary.txt" },
	{ 'E', "READ bob/secret.txt" },
	{ 'S', "READ alice/todo.txt" },
	{ 'E', "BYE" },
};

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
		return demo_fail("client", "init", st);
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
		return demo_fail("client", "complete", st);
	sm_query_names(ctx, &names);
	printf("client: context complete; the kernel says the server is %s, pid %u\n",
	       who(&names.peer, b, sizeof(b)), names.peer.id.pid);

	if (demo_requests(ctx, fd, &f, requests, ARRAY_SIZE(requests),
			  "server", argc == 4 ? argv[3] : NULL))
		return 1;
	close(fd);
	sm_close(ctx);
	return 0;
}
