/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the suites that establish local contexts (secmsg_local,
 * secmsg_impersonate): raw INIT / ACCEPT / COMPLETE wrappers that return
 * the fd or -errno, and the fork()/setresuid() plumbing that plays other
 * users.
 */
#ifndef SECMSG_LOCAL_H
#define SECMSG_LOCAL_H

#include <dirent.h>
#include <grp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "secmsg_test.h"

#define TOK SECMSG_LOCAL_TOKEN_SIZE
#define NOBODY 65534

#define LC_FLAGS (SECMSG_CTX_MUTUAL_AUTH | SECMSG_CTX_REPLAY_DETECT | \
		  SECMSG_CTX_CONFIDENTIALITY | SECMSG_CTX_INTEGRITY)

/* INIT with a lifetime: the new fd or -errno; @out: the struct after. */
static inline int lc_init_ex(int dev, uint32_t uid, uint32_t flags,
			     uint32_t level, uint32_t lifetime, uint8_t *tok,
			     uint32_t tok_len, struct secmsg_init *out)
{
	struct secmsg_init ini;
	int fd;

	memset(&ini, 0, sizeof(ini));
	ini.size = sizeof(ini);
	ini.package = SECMSG_PKG_LOCAL;
	ini.target_type = SECMSG_TARGET_UID;
	ini.target_uid = uid;
	ini.ctx_flags = flags;
	ini.imp_level = level;
	ini.lifetime = lifetime;
	ini.token_len = tok_len;
	ini.token = SM_PTR(tok);
	fd = ioctl(dev, SECMSG_IOC_INIT, &ini);
	if (out)
		*out = ini;
	return fd < 0 ? -errno : fd;
}

/* INIT: the new fd or -errno; @ini out fields returned when given. */
static inline int lc_init_full(int dev, uint32_t uid, uint32_t flags,
			       uint32_t level, uint8_t *tok, uint32_t tok_len,
			       struct secmsg_init *out)
{
	return lc_init_ex(dev, uid, flags, level, 0, tok, tok_len, out);
}

static inline int lc_init(int dev, uint32_t uid, uint8_t *tok)
{
	return lc_init_full(dev, uid, LC_FLAGS, SECMSG_IMP_IMPERSONATE, tok,
			    TOK, NULL);
}

static inline int lc_accept_full(int dev, const uint8_t *tok, uint32_t len,
			  uint8_t *reply, struct secmsg_accept *out)
{
	struct secmsg_accept acc;
	int fd;

	memset(&acc, 0, sizeof(acc));
	acc.size = sizeof(acc);
	acc.package = SECMSG_PKG_LOCAL;
	acc.in_token = SM_PTR(tok);
	acc.in_len = len;
	acc.out_token = SM_PTR(reply);
	acc.out_len = TOK;
	fd = ioctl(dev, SECMSG_IOC_ACCEPT, &acc);
	if (out)
		*out = acc;
	return fd < 0 ? -errno : fd;
}

static inline int lc_accept(int dev, const uint8_t *tok, uint8_t *reply)
{
	return lc_accept_full(dev, tok, TOK, reply, NULL);
}

static inline int lc_complete_full(int fd, const uint8_t *tok, uint32_t len,
			    struct secmsg_complete *out)
{
	struct secmsg_complete cmp;
	int ret;

	memset(&cmp, 0, sizeof(cmp));
	cmp.size = sizeof(cmp);
	cmp.in_token = SM_PTR(tok);
	cmp.in_len = len;
	ret = ioctl(fd, SECMSG_IOC_COMPLETE, &cmp);
	if (out)
		*out = cmp;
	return ret < 0 ? -errno : 0;
}

static inline int lc_complete(int fd, const uint8_t *tok)
{
	return lc_complete_full(fd, tok, TOK, NULL);
}

static inline uint64_t ns_inum(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (uint64_t)st.st_ino;
}

/* Become @uid/@gid (groups: @groups[@n]); 0 or -1. */
static inline int become(uid_t uid, gid_t gid, const gid_t *groups, size_t n)
{
	if (setgroups(n, groups) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid))
		return -1;
	return 0;
}

/* Wait for a helper; its exit code, or 200 + signal. */
static inline int reap(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return 250;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 200 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static inline int rd_all(int fd, void *p, size_t len)
{
	return read(fd, p, len) == (ssize_t)len ? 0 : -1;
}

static inline int wr_all(int fd, const void *p, size_t len)
{
	return write(fd, p, len) == (ssize_t)len ? 0 : -1;
}

static inline int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* The calling task's LSM context as /proc shows it ("" without one). */
static inline void lsm_self(char *buf, size_t len)
{
	int fd = open("/proc/thread-self/attr/current", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, len - 1);

	if (fd >= 0)
		close(fd);
	if (n < 0)
		n = 0;
	buf[n] = 0;
	/* AppArmor ends it with a newline, SELinux with a NUL */
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == 0))
		buf[--n] = 0;
}

/*
 * Copy the running program to @path (a tmpfs in the guest: the repo's
 * share may not honour set-user-ID bits) with @mode, set last so that a
 * set-user-ID bit survives.  0 or -1.
 */
static inline int copy_self(const char *path, mode_t mode)
{
	char buf[65536];
	int in, out, ret = -1;
	ssize_t n;

	in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	unlink(path);
	out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
	if (out < 0)
		goto out_in;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			goto out_out;
	if (n == 0 && !fchown(out, 0, 0) && !fchmod(out, mode))
		ret = 0;
out_out:
	close(out);
out_in:
	close(in);
	return ret;
}

#endif /* SECMSG_LOCAL_H */
