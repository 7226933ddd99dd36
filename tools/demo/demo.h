/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The demo's wire format: one frame per message on a stream socket.
 *
 *   4 bytes   length of what follows, big-endian
 *   1 byte    kind: 'I' a token of the client's establishment, 'R' one
 *             of the server's (both in the data, no secmsg token),
 *             'E' sealed (EncryptMessage), 'S' signed (MakeSignature)
 *   1 byte    t, the length of the secmsg token: 0 for 'I' and 'R'; 32
 *             for a local context; for a Kerberos one, that of its RFC
 *             4121 token (sm_query_sizes(): at most 72)
 *   t bytes   the secmsg token (header and tag)
 *   n bytes   the data: ciphertext for 'E', clear text for 'S'
 *
 * A local context takes one 'I' and one 'R'; a Kerberos one may take
 * more rounds: the server answers every 'I' with an 'R', empty when it
 * has nothing to send, and the client's first request follows once both
 * sides are complete.  secmsg does not care how tokens travel; this is
 * the simplest framing.
 */
#ifndef SECMSG_DEMO_H
#define SECMSG_DEMO_H

#include <stddef.h>
#include <stdint.h>
#include <secmsg.h>

#include "wire.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Room for any establishment token, Kerberos ones included */
#define DEMO_MAX_DATA SM_KRB5_MAX_TOKEN
/* Room for any message token: local (SM_TOKEN_SIZE) and Kerberos */
#define DEMO_MAX_TOKEN 128

struct frame {
	char kind;
	unsigned char token[DEMO_MAX_TOKEN];
	size_t token_len;
	unsigned char data[DEMO_MAX_DATA];
	size_t len; /* of data */
};

int frame_read(int fd, struct frame *f);	/* 1 frame, 0 EOF, -1 error */
int frame_write(int fd, const struct frame *f);
/* A frame carrying an establishment token (kind 'I' or 'R'). */
void frame_token(struct frame *f, char kind, const void *tok, size_t len);
/* Seal @text into @f (kind 'E'), or sign it (kind 'S'). */
sm_status frame_protect(sm_ctx *ctx, struct frame *f, char kind,
			const char *text, uint64_t *seq);
/* Open @f in place (unseal 'E', verify 'S'): SM_E_OK or the verdict. */
sm_status frame_open(sm_ctx *ctx, struct frame *f, uint64_t *seq);
/* The short name of a status ("SM_E_MESSAGE_ALTERED"), for one line. */
const char *status_name(sm_status st, char *buf, size_t len);
/* Wait for a line on the named pipe @fifo. */
void demo_pause(const char *fifo);
/* "@me: @what: SM_E_...", the line of a failed call: 1, an exit status. */
int demo_fail(const char *me, const char *what, sm_status st);

/* A client's request: 'E' to seal it, 'S' to sign it; its text. */
struct demo_request {
	char kind;
	const char *text;
};

/*
 * The client's @n requests on @fd, over the complete context @ctx, each
 * answer opened and printed ("client: ...").  With @pause_fifo, wait for
 * a line there before the last request.  0, or 1 after saying why (@peer
 * names the other side: "server").
 */
int demo_requests(sm_ctx *ctx, int fd, struct frame *f,
		  const struct demo_request *req, unsigned int n,
		  const char *peer, const char *pause_fifo);
/*
 * A service's side of a complete context: requests in, each checked by
 * the kernel (VerifySignature, DecryptMessage), answers out, sealed.  A
 * request that fails the check is answered with its verdict; "BYE" with
 * the tally, and ends; one the service knows (@verbs) is served by its
 * serve(), which puts the answer in @answer and counts it served or
 * refused.  Every line printed starts with @me.
 */
struct demo_service;

struct demo_verb {
	const char *verb;	/* "READ": "READ NAME" with @arg, else "READ" */
	int arg;
	void (*serve)(struct demo_service *s, const char *arg);
};

struct demo_service {
	const char *me;			/* "server" */
	sm_ctx *ctx;
	const char *client;		/* who(): "alice (uid 1001)" */
	const struct demo_verb *verbs;	/* up to one with a NULL verb */
	void *priv;			/* the program's */
	char answer[DEMO_MAX_DATA];
	unsigned int served, refused, rejected;
};

/* Serve requests on @fd until "BYE" (or EOF), then the counters: 0, or 1. */
int demo_serve(struct demo_service *s, int fd, struct frame *f);
/*
 * ImpersonateSecurityContext for a request, and say so (@note ends the
 * line): 0, or -1 when refused (answered and counted).
 */
int demo_act_as_client(struct demo_service *s, const char *note);
/* RevertSecurityContext, and say so; exit if it fails. */
void demo_revert(struct demo_service *s);
/* "alice (uid 1001)" */
const char *who(const struct sm_name *n, char *buf, size_t len);
/*
 * The Kerberos principals of a context (sm_query_names()): this side's
 * and the peer's ("" for a local context).  0, or -1 with errno.
 */
int demo_principals(sm_ctx *ctx, char local[SECMSG_PRINCIPAL_MAX],
		    char peer[SECMSG_PRINCIPAL_MAX]);

#endif
