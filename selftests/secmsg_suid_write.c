// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for any setuid-root program that can be made to write a
 * caller's bytes to a descriptor it inherited (the pattern of
 * CVE-2014-0181): secmsg_netlink's deputy tests install a copy of it
 * setuid root and run it as an unprivileged user, on the user's netlink
 * socket.  Not a test by itself.
 *
 *   secmsg_suid_write FD    read stdin to its end, then write it all to FD
 *                           in one write(2) (one netlink request)
 *   secmsg_suid_write       print the effective uid (is the bit honoured?)
 *
 * Exit status: 0 if the write took every byte, 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	size_t len = 0;
	ssize_t n;
	char *end;
	long fd;

	if (argc < 2) {
		printf("%u\n", (unsigned int)geteuid());
		return 0;
	}
	fd = strtol(argv[1], &end, 10);
	if (*end || fd < 0 || fd > 1024) {
		fprintf(stderr, "%s: bad descriptor '%s'\n", argv[0], argv[1]);
		return 1;
	}
	while (len < sizeof(buf)) {
		n = read(0, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("read");
			return 1;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	n = write((int)fd, buf, len);
	if (n != (ssize_t)len) {
		fprintf(stderr, "%s: write: %s\n", argv[0],
			n < 0 ? strerror(errno) : "short");
		return 1;
	}
	return 0;
}
