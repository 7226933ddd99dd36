// SPDX-License-Identifier: GPL-2.0
/* Framing, sockets and key loading shared by the demo programs. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
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
	/* The peer may still be starting: retry for a few seconds. */
	for (tries = 0; tries < 100; tries++) {
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
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) || listen(fd, 1)) {
		close(fd);
		return -1;
	}
	return fd;
}

int demo_read_key(const char *path, unsigned char *key, size_t *len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, key, SM_KEY_MAX);
	close(fd);
	if (n < SM_KEY_MIN) {
		errno = EINVAL;
		return -1;
	}
	*len = n;
	return 0;
}

/* Both ends import the same pre-shared key, each in its own role. */
sm_status demo_import(const char *keyfile, uint32_t role, sm_ctx **ctx)
{
	unsigned char key[SM_KEY_MAX];
	struct sm_import_params p = {
		.size = sizeof(p),
		.role = role,
		.suite = SM_SUITE_AES256_GCM,
		.ctx_flags = SM_CTX_CONFIDENTIALITY | SM_CTX_REPLAY_DETECT,
		.key = key,
	};
	sm_status st;

	if (demo_read_key(keyfile, key, &p.key_len))
		return SM_E_INVALID_PARAMETER;
	st = sm_import(&p, ctx);
	explicit_bzero(key, sizeof(key));
	return st;
}

const char *suite_name(uint32_t suite)
{
	switch (suite) {
	case SM_SUITE_AES128_GCM:
		return "AES-128-GCM";
	case SM_SUITE_AES256_GCM:
		return "AES-256-GCM";
	case SM_SUITE_CHACHA20_POLY1305:
		return "ChaCha20-Poly1305";
	}
	return "?";
}
