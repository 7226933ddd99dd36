/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sockets and byte streams of the demo programs, without secmsg: the
 * back end (a plain GSSAPI program) uses them too.
 *
 * A blob is the simplest framing of a GSSAPI token or wrapped message: a
 * 4-byte big-endian length, then the bytes.
 */
#ifndef SECMSG_DEMO_WIRE_H
#define SECMSG_DEMO_WIRE_H

#include <stddef.h>

/* 1 all read, 0 EOF before the first byte, -1 error or EOF inside */
int read_all(int fd, void *buf, size_t len);
int write_all(int fd, const void *buf, size_t len);
/* Connect to the Unix socket @path, retrying while its server starts. */
int demo_connect(const char *path);
/* Listen on the Unix socket @path, which anyone may connect to. */
int demo_listen(const char *path);
/*
 * demo_listen() on @path, the listening socket into *@lfd, and take one
 * connection: its descriptor, or -1 after saying why on stderr ("@me:
 * listen: ..." or "@me: accept: ...", as perror()).
 */
int demo_accept(const char *path, const char *me, int *lfd);
int blob_write(int fd, const void *buf, size_t len);
/* A blob into @buf (at most @size bytes): 1, 0 at EOF, -1 on error. */
int blob_read(int fd, void *buf, size_t size, size_t *len);

#endif
