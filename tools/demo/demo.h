/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The demo's wire format: one frame per message on a stream socket.
 *
 *   4 bytes   length of what follows, big-endian
 *   1 byte    kind: 'E' sealed (EncryptMessage), 'S' signed (MakeSignature)
 *  32 bytes   the secmsg token (header and tag)
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
int demo_connect(const char *path);
int demo_listen(const char *path);
int demo_read_key(const char *path, unsigned char *key, size_t *len);
sm_status demo_import(const char *keyfile, uint32_t role, sm_ctx **ctx);
const char *suite_name(uint32_t suite);

#endif
