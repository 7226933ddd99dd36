// SPDX-License-Identifier: GPL-2.0
/* Framing, sockets and key loading shared by the demo programs. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "demo.h"

static int read_all(int fd, void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? 0 : -1;
		p += n;
		len -= n;
	}
	return 1;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

int frame_read(int fd, struct frame *f)
{
	uint32_t be;
	size_t len;
	int r;

	r = read_all(fd, &be, sizeof(be));
	if (r <= 0)
		return r;
	len = ntohl(be);
	if (len < 1 + SM_TOKEN_SIZE || len > 1 + SM_TOKEN_SIZE + DEMO_MAX_DATA) {
		errno = EPROTO;
		return -1;
	}
	f->len = len - 1 - SM_TOKEN_SIZE;
	if (read_all(fd, &f->kind, 1) != 1 ||
	    read_all(fd, f->token, SM_TOKEN_SIZE) != 1 ||
	    (f->len && read_all(fd, f->data, f->len) != 1))
		return -1;
	return 1;
}

int frame_write(int fd, const struct frame *f)
{
	uint32_t be = htonl(1 + SM_TOKEN_SIZE + f->len);

	if (write_all(fd, &be, sizeof(be)) || write_all(fd, &f->kind, 1) ||
	    write_all(fd, f->token, SM_TOKEN_SIZE) ||
	    write_all(fd, f->data, f->len))
		return -1;
	return 0;
}

static int unix_addr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun->sun_path, path);
	return 0;
}

int demo_connect(const char *path)
{
	struct sockaddr_un sun;
	int fd, tries;

	if (unix_addr(path, &sun))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* The peer may still be starting: retry for up to a minute (it can
	 * take seconds under QEMU on a loaded machine). */
	for (tries = 0; tries < 1200; tries++) {
		if (!connect(fd, (struct sockaddr *)&sun, sizeof(sun)))
			return fd;
		if (errno != ENOENT && errno != ECONNREFUSED)
			break;
		usleep(50000);
	}
	close(fd);
	return -1;
}

int demo_listen(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	if (unix_addr(path, &sun))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	unlink(path);
	/* Anyone may connect: the demo's programs run as different users,
	 * and secmsg, not the socket, decides who is who. */
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    chmod(path, 0666) || listen(fd, 1)) {
		close(fd);
		return -1;
	}
	return fd;
}

void frame_token(struct frame *f, char kind, const void *tok, size_t len)
{
	memset(f->token, 0, sizeof(f->token));
	f->kind = kind;
	f->len = len < sizeof(f->data) ? len : sizeof(f->data);
	memcpy(f->data, tok, f->len);
}

sm_status frame_protect(sm_ctx *ctx, struct frame *f, char kind,
			const char *text, uint64_t *seq)
{
	struct sm_buffer b[2] = {
		{ .type = SM_BUF_TOKEN, .data = f->token, .len = SM_TOKEN_SIZE },
		{ .type = SM_BUF_DATA, .data = f->data },
	};

	f->kind = kind;
	f->len = strlen(text);
	if (f->len > sizeof(f->data))
		f->len = sizeof(f->data);
	memcpy(f->data, text, f->len);
	b[1].len = f->len;
	if (kind == 'E')
		return sm_seal(ctx, SM_QOP_DEFAULT, b, 2, seq);
	return sm_sign(ctx, SM_QOP_DEFAULT, b, 2, seq);
}

sm_status frame_open(sm_ctx *ctx, struct frame *f, uint64_t *seq)
{
	struct sm_buffer b[2] = {
		{ .type = SM_BUF_TOKEN, .data = f->token, .len = SM_TOKEN_SIZE },
		{ .type = SM_BUF_DATA, .data = f->data, .len = f->len },
	};

	if (f->kind == 'E')
		return sm_unseal(ctx, b, 2, seq, NULL);
	if (f->kind == 'S')
		return sm_verify(ctx, b, 2, seq, NULL);
	return SM_E_INVALID_TOKEN;
}

const char *status_name(sm_status st, char *buf, size_t len)
{
	const char *s = sm_status_string(st);
	size_t n = strcspn(s, ":");

	snprintf(buf, len, "%.*s", (int)n, s);
	return buf;
}

const char *who(const struct sm_name *n, char *buf, size_t len)
{
	snprintf(buf, len, "%s (uid %u)", n->user, n->id.uid);
	return buf;
}

void demo_pause(const char *fifo)
{
	char line[16];
	FILE *f = fopen(fifo, "re");

	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		fclose(f);
	}
}
