/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The demo's wire format: one frame per message on a stream socket.
 *
 *   4 bytes   length of what follows, big-endian
 *   1 byte    kind: 'I' the client's init token, 'R' the server's reply
 *             token (both in the data, no secmsg token), 'E' sealed
 *             (EncryptMessage), 'S' signed (MakeSignature)
 *  32 bytes   the secmsg token (header and tag); zero for 'I' and 'R'
 *   n bytes   the data: ciphertext for 'E', clear text for 'S'
 *
 * secmsg does not care how tokens travel; this is the simplest framing.
 */
#ifndef SECMSG_DEMO_H
#define SECMSG_DEMO_H

#include <stddef.h>
#include <stdint.h>
#include <secmsg.h>

#define DEMO_MAX_DATA 4096

struct frame {
	char kind;
	unsigned char token[SM_TOKEN_SIZE];
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
int demo_connect(const char *path);
int demo_listen(const char *path);
/* The short name of a status ("SM_E_MESSAGE_ALTERED"), for one line. */
const char *status_name(sm_status st, char *buf, size_t len);
/* Wait for a line on the named pipe @fifo. */
void demo_pause(const char *fifo);
/* "alice (uid 1001)" */
const char *who(const struct sm_name *n, char *buf, size_t len);

#endif
