/* SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1-or-later */
/*
 * Helpers of the Kerberos suites: a throwaway realm (realm.sh) and plain
 * MIT GSSAPI peers (gss_peer) driven line by line.
 *
 * A realm lives in a temporary directory; its environment (KRB5_CONFIG,
 * KRB5CCNAME, KRB5_KTNAME...) is set in the calling process, so that the
 * peers it starts, and libsecmsg in it, find the realm and nothing in
 * /etc.  A peer is a child process: its commands go to its stdin, its one
 * line per command comes back from its stdout, and its channel (the
 * tokens, as frames) is a socket of a socketpair whose other end the test
 * keeps, or hands to a second peer.
 *
 * No helper asserts: they return 0 or -1 (with a reason in a buffer the
 * caller prints), so that setup can SKIP or fail with that reason.  Every
 * wait is bounded by a count of tries, generous for an emulated guest.
 */
#ifndef SECMSG_KRB5_TEST_H
#define SECMSG_KRB5_TEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SECMSG_KRB5_DIR
#error "SECMSG_KRB5_DIR: the source directory of realm.sh (selftests/Makefile sets it)"
#endif

/* A peer's answer: a line, bounded so that a wrong one still fits. */
#define KRB5T_LINE	8192
/* Seconds a peer may take to answer one command on a loaded guest. */
#define KRB5T_ANSWER_S	300

struct krb5t_realm {
	char dir[64];
	char reason[512];
	int up;
};

struct krb5t_peer {
	pid_t pid;
	int in;		/* its stdin */
	int out;	/* its stdout */
	char buf[KRB5T_LINE];
	size_t have;
	char line[KRB5T_LINE];
};

static inline int krb5t_tools_present(void)
{
	return !access("/usr/sbin/krb5kdc", X_OK) &&
	       !access("/usr/sbin/kdb5_util", X_OK) &&
	       !access("/usr/bin/kinit", X_OK);
}

/* Path of a program next to this one (build/selftests/). */
static inline void krb5t_bin(char *out, size_t n, const char *name)
{
	char self[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	self[len > 0 ? len : 0] = 0;
	slash = strrchr(self, '/');
	if (slash)
		*slash = 0;
	snprintf(out, n, "%s/%s", len > 0 ? self : ".", name);
}

/* Run argv, stdout+stderr to @log; returns its exit status or -1. */
static inline int krb5t_run(char *const argv[], const char *log)
{
	int st, fd;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static inline void krb5t_slurp(const char *path, char *out, size_t n)
{
	FILE *f = fopen(path, "re");
	size_t got = 0;

	out[0] = 0;
	if (!f)
		return;
	got = fread(out, 1, n - 1, f);
	out[got] = 0;
	fclose(f);
}

/*
 * Skip from a FIXTURE_SETUP: the harness of Linux 6.1 runs the test body
 * after a SKIP() there, so end the test's process with the status it
 * counts as a skip.
 */
#define KRB5T_SKIP_SETUP(fmt, ...) \
	SKIP({ fflush(stdout); fflush(stderr); _exit(255); }, fmt, ##__VA_ARGS__)

/*
 * Whether this run covers @enctype: all of them, unless the environment's
 * SECMSG_KRB5_ENCTYPES (space- or comma-separated MIT names) picks a
 * slice.  selftests/vm/check.sh picks one on the debug and RT kernels,
 * where a realm per test costs many times what it costs on Debian's; the
 * whole matrix runs there.
 */
static inline bool krb5t_in_slice(const char *enctype)
{
	const char *list = getenv("SECMSG_KRB5_ENCTYPES"), *p;
	size_t n = strlen(enctype);

	if (!list || !*list)
		return true;
	for (p = list; (p = strstr(p, enctype)); p += n)
		if ((p == list || p[-1] == ' ' || p[-1] == ',') &&
		    (!p[n] || p[n] == ' ' || p[n] == ','))
			return true;
	return false;
}

/*
 * Start a realm whose keys have only @enctypes (comma list of MIT names,
 * or NULL for the four AES ones), and set its environment here.
 */
static inline int krb5t_realm_start(struct krb5t_realm *r, const char *enctypes)
{
	char script[PATH_MAX], log[128], env[128], line[1024];
	char *argv[8];
	int n = 0, rc;
	FILE *f;

	memset(r, 0, sizeof(*r));
	strcpy(r->dir, "/tmp/secmsg-krb5.XXXXXX");
	if (!mkdtemp(r->dir)) {
		snprintf(r->reason, sizeof(r->reason), "mkdtemp: %s", strerror(errno));
		return -1;
	}
	snprintf(script, sizeof(script), "%s/realm.sh", SECMSG_KRB5_DIR);
	snprintf(log, sizeof(log), "%s.log", r->dir);
	argv[n++] = "/bin/bash";
	argv[n++] = script;
	argv[n++] = "start";
	argv[n++] = r->dir;
	if (enctypes) {
		argv[n++] = "-e";
		argv[n++] = (char *)enctypes;
	}
	argv[n] = NULL;
	rc = krb5t_run(argv, log);
	r->up = 1;	/* stop even a half-started one */
	if (rc) {
		char out[400];

		krb5t_slurp(log, out, sizeof(out));
		snprintf(r->reason, sizeof(r->reason), "realm.sh start: exit %d: %s", rc, out);
		return -1;
	}
	unlink(log);
	snprintf(env, sizeof(env), "%s/env", r->dir);
	f = fopen(env, "re");
	if (!f) {
		snprintf(r->reason, sizeof(r->reason), "no %s", env);
		return -1;
	}
	/* lines "export NAME=VALUE" */
	while (fgets(line, sizeof(line), f)) {
		char *eq, *name = line;

		line[strcspn(line, "\n")] = 0;
		if (!strncmp(name, "export ", 7))
			name += 7;
		eq = strchr(name, '=');
		if (!eq)
			continue;
		*eq = 0;
		setenv(name, eq + 1, 1);
	}
	fclose(f);
	return 0;
}

static inline void krb5t_realm_stop(struct krb5t_realm *r)
{
	char script[PATH_MAX], log[128];
	char *stop[] = { "/bin/bash", script, "stop", r->dir, NULL };
	char *rm[] = { "/bin/rm", "-rf", r->dir, NULL };

	if (!r->up)
		return;
	snprintf(script, sizeof(script), "%s/realm.sh", SECMSG_KRB5_DIR);
	snprintf(log, sizeof(log), "%s.log", r->dir);
	krb5t_run(stop, log);
	if (!getenv("SECMSG_KRB5_KEEP"))
		krb5t_run(rm, "/dev/null");
	unlink(log);
	r->up = 0;
}

/*
 * Start gss_peer with @args (a string of options, split on spaces) and
 * @chan as its channel (fd 3).  The caller keeps its own copy of @chan.
 */
static inline int krb5t_peer_start(struct krb5t_peer *p, const char *args, int chan)
{
	char prog[PATH_MAX + 64], copy[512], *argv[32], *save, *w;
	int in[2], out[2], n = 0;

	memset(p, 0, sizeof(*p));
	p->pid = -1;
	krb5t_bin(prog, sizeof(prog), "gss_peer");
	argv[n++] = prog;
	snprintf(copy, sizeof(copy), "%s", args);
	for (w = strtok_r(copy, " ", &save); w && n < 30; w = strtok_r(NULL, " ", &save))
		argv[n++] = w;
	argv[n] = NULL;
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		return -1;
	p->pid = fork();
	if (p->pid < 0)
		return -1;
	if (!p->pid) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		if (chan == 3) {
			fcntl(3, F_SETFD, 0);
		} else {
			dup2(chan, 3);
		}
		execv(prog, argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	p->in = in[1];
	p->out = out[0];
	return 0;
}

/* The next line from the peer, without its newline; NULL on EOF/timeout. */
static inline const char *krb5t_peer_line(struct krb5t_peer *p)
{
	int tries;

	for (tries = 0; tries < KRB5T_ANSWER_S * 10;) {
		char *nl = memchr(p->buf, '\n', p->have);
		struct pollfd pfd = { .fd = p->out, .events = POLLIN };
		ssize_t r;

		if (nl) {
			size_t len = nl - p->buf;

			memcpy(p->line, p->buf, len);
			p->line[len] = 0;
			memmove(p->buf, nl + 1, p->have - len - 1);
			p->have -= len + 1;
			return p->line;
		}
		if (p->have == sizeof(p->buf) - 1)
			return NULL;
		if (poll(&pfd, 1, 100) == 0) {
			tries++;
			continue;
		}
		r = read(p->out, p->buf + p->have, sizeof(p->buf) - 1 - p->have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return NULL;
		p->have += r;
	}
	return NULL;
}

/* Send a command (printf-style, without newline); return its answer. */
static inline const char *krb5t_peer_cmd(struct krb5t_peer *p, const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(cmd) - 1)
		return NULL;
	cmd[n++] = '\n';
	if (write(p->in, cmd, n) != n)
		return NULL;
	return krb5t_peer_line(p);
}

/* End the peer: quit, then wait (bounded), then kill. */
static inline int krb5t_peer_stop(struct krb5t_peer *p)
{
	int st = 0, n;

	if (p->pid <= 0)
		return -1;
	if (write(p->in, "quit\n", 5) != 5) {
		/* it is gone already */
	}
	close(p->in);
	for (n = 0; n < 600; n++) {
		pid_t w = waitpid(p->pid, &st, WNOHANG);

		if (w == p->pid)
			break;
		usleep(100000);
	}
	if (n == 600) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, &st, 0);
	}
	close(p->out);
	p->pid = -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The value of "key=" in a peer's line, copied to @out ("" if absent). */
static inline const char *krb5t_field(const char *line, const char *key,
				      char *out, size_t n)
{
	size_t kl = strlen(key);
	const char *p = line;

	out[0] = 0;
	while (p && *p) {
		if ((p == line || p[-1] == ' ') && !strncmp(p, key, kl) && p[kl] == '=') {
			size_t len = strcspn(p + kl + 1, " ");

			if (len >= n)
				len = n - 1;
			memcpy(out, p + kl + 1, len);
			out[len] = 0;
			return out;
		}
		p = strchr(p + 1, ' ');
		if (p)
			p++;
	}
	return out;
}

/* "hex:..." of a text, for comparing with a peer's data= field. */
static inline const char *krb5t_hex(const char *text, char *out, size_t n)
{
	size_t i, o = snprintf(out, n, "hex:");

	for (i = 0; text[i] && o + 3 < n; i++)
		o += snprintf(out + o, n - o, "%02x", (unsigned char)text[i]);
	return out;
}

/* Frames on a channel: a 4-byte big-endian length, then the bytes. */
static inline int krb5t_send(int fd, const void *p, size_t len)
{
	uint32_t be = htonl((uint32_t)len);
	struct iovec iov[2] = { { &be, 4 }, { (void *)p, len } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t w = sendmsg(fd, &mh, MSG_NOSIGNAL);

	/* a socketpair takes a whole small frame at once */
	return w == (ssize_t)(len + 4) ? 0 : -1;
}

/* Read exactly @n bytes, waiting at most KRB5T_ANSWER_S in 0.1 s steps. */
static inline int krb5t_read_full(int fd, void *p, size_t n)
{
	unsigned char *c = p;
	int tries = 0;

	while (n) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&pfd, 1, 100) == 0) {
			if (++tries >= KRB5T_ANSWER_S * 10)
				return -1;
			continue;
		}
		r = read(fd, c, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c += r;
		n -= r;
	}
	return 0;
}

/* Receive a frame into @buf (@size bytes); its length, or -1. */
static inline ssize_t krb5t_recv(int fd, void *buf, size_t size)
{
	uint32_t be, len;

	if (krb5t_read_full(fd, &be, 4))
		return -1;
	len = ntohl(be);
	if (len > size)
		return -1;
	if (krb5t_read_full(fd, buf, len))
		return -1;
	return len;
}

/* "hex:..." -> bytes; their count, or -1. */
static inline ssize_t krb5t_unhex(const char *hex, unsigned char *out, size_t n)
{
	size_t i, len;

	if (strncmp(hex, "hex:", 4))
		return -1;
	hex += 4;
	len = strlen(hex) / 2;
	if (len > n)
		return -1;
	for (i = 0; i < len; i++)
		if (sscanf(hex + 2 * i, "%2hhx", &out[i]) != 1)
			return -1;
	return len;
}

/*
 * Scan process @pid's readable memory (/proc/PID/maps and mem) for
 * @needle (@n bytes): 1 found, 0 not, -1 if nothing could be read.  With
 * @report, say on stderr where it was found and what the process was
 * doing (/proc/PID/syscall).
 */
static inline int krb5t_mem_scan(pid_t pid, const void *needle, size_t n,
				 bool report)
{
	char path[64], line[512];
	size_t chunk = 1 << 20;
	unsigned char *buf = malloc(chunk);
	long readable = 0;
	int mem, found = 0;
	FILE *maps;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = fopen(path, "re");
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	mem = open(path, O_RDONLY | O_CLOEXEC);
	while (maps && mem >= 0 && buf && !found &&
	       fgets(line, sizeof(line), maps)) {
		unsigned long lo, hi, a;
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 ||
		    perms[0] != 'r')
			continue;
		if (strstr(line, "[vvar]") || strstr(line, "[vsyscall]"))
			continue;
		for (a = lo; a < hi && !found;) {
			size_t want = hi - a < chunk ? hi - a : chunk;
			ssize_t got = pread(mem, buf, want, (off_t)a);
			unsigned char *at;

			if (got <= 0)
				break;
			readable += got;
			at = memmem(buf, got, needle, n);
			found = !!at;
			if (at && report) {
				char sp[256] = "";
				FILE *f;

				snprintf(path, sizeof(path), "/proc/%d/syscall",
					 pid);
				f = fopen(path, "re");
				if (f) {
					if (!fgets(sp, sizeof(sp), f))
						sp[0] = 0;
					fclose(f);
				}
				fprintf(stderr, "# found at %#lx; syscall: %s# in %s",
					a + (unsigned long)(at - buf), sp, line);
			}
			/* overlap: a needle across two chunks */
			a += got > (ssize_t)n ? (size_t)got - n + 1 : (size_t)got;
		}
	}
	if (maps)
		fclose(maps);
	if (mem >= 0)
		close(mem);
	free(buf);
	return readable ? found : -1;
}

#endif /* SECMSG_KRB5_TEST_H */
