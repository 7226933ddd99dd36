/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-side helpers for the sample consumer secmsg_echo.ko: load it and
 * attach a context.  Used by secmsg_kapi and secmsg_faults.
 */
#ifndef SECMSG_ECHO_USER_H
#define SECMSG_ECHO_USER_H

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "secmsg_echo.h"

#define ECHO_MOD	"secmsg_echo"

static inline int load_module(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = syscall(__NR_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

static inline const char *secmsg_ko(void)
{
	const char *ko = getenv("SECMSG_KO");

	return ko && *ko ? ko : "kmod/secmsg.ko";
}

/* $SECMSG_ECHO_KO, or DIR/selftests/consumer/secmsg_echo.ko beside
 * DIR/kmod/secmsg.ko.
 */
static inline const char *echo_ko(void)
{
	static char path[PATH_MAX];
	const char *ko = getenv("SECMSG_ECHO_KO");
	char tmp[PATH_MAX];

	if (ko && *ko)
		return ko;
	snprintf(tmp, sizeof(tmp), "%s", secmsg_ko());
	snprintf(path, sizeof(path), "%s/../selftests/consumer/secmsg_echo.ko",
		 dirname(tmp));
	return path;
}

static inline int wait_for(const char *path)
{
	int i;

	for (i = 0; i < 100 && access(path, F_OK); i++)
		usleep(10000);
	return access(path, F_OK) ? -ENOENT : 0;
}

/* Load secmsg_echo.ko unless it is; 0 or -errno. */
static inline int echo_load(void)
{
	int ret;

	if (!access("/sys/module/" ECHO_MOD, F_OK))
		return wait_for(SECMSG_ECHO_DEVICE);
	ret = load_module(echo_ko());
	if (ret && ret != -EEXIST)
		return ret;
	return wait_for(SECMSG_ECHO_DEVICE);
}

static inline int echo_attach(int echo, int fd, uint32_t flags)
{
	struct secmsg_echo_attach a = { .fd = fd, .flags = flags };

	return ioctl(echo, SECMSG_ECHO_IOC_ATTACH, &a) ? -errno : 0;
}

#endif /* SECMSG_ECHO_USER_H */
