// SPDX-License-Identifier: GPL-2.0
/* Sockets and byte streams shared by the demo programs (wire.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "wire.h"

int read_all(int fd, void *buf, size_t len)
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

int write_all(int fd, const void *buf, size_t len)
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

int demo_accept(const char *path, const char *me, int *lfd)
{
	int fd;

	*lfd = demo_listen(path);
	if (*lfd < 0) {
		fprintf(stderr, "%s: listen: %s\n", me, strerror(errno));
		return -1;
	}
	fd = accept4(*lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		fprintf(stderr, "%s: accept: %s\n", me, strerror(errno));
	return fd;
}

int blob_write(int fd, const void *buf, size_t len)
{
	uint32_t be = htonl(len);

	if (len > UINT32_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	if (write_all(fd, &be, sizeof(be)) || write_all(fd, buf, len))
		return -1;
	return 0;
}

int blob_read(int fd, void *buf, size_t size, size_t *len)
{
	uint32_t be;
	int r;

	r = read_all(fd, &be, sizeof(be));
	if (r <= 0)
		return r;
	*len = ntohl(be);
	if (*len > size) {
		errno = EMSGSIZE;
		return -1;
	}
	if (*len && read_all(fd, buf, *len) != 1)
		return -1;
	return 1;
}
