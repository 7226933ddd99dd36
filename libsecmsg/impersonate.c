// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ImpersonateSecurityContext / RevertSecurityContext: the IMPERSONATE and
 * REVERT ioctls (uapi "Impersonation").
 */
#include <errno.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

static int sm_imp_ioctl(int fd, unsigned long req)
{
	struct secmsg_impersonate a = { .size = sizeof(a) };

	return ioctl(fd, req, &a) < 0 ? errno : 0;
}

SM_EXPORT sm_status sm_impersonate(sm_ctx *ctx)
{
	int err;

	if (!ctx)
		return sm_invalid(EINVAL);
	err = sm_imp_ioctl(ctx->fd, SECMSG_IOC_IMPERSONATE);
	if (err)
		errno = err;
	return sm_errno_status(err, SM_CALL_IMPERSONATE);
}

SM_EXPORT sm_status sm_revert(sm_ctx *ctx)
{
	sm_status st = SM_E_OK;
	int err, fd;

	if (ctx) {
		fd = ctx->fd;
	} else {
		fd = sm_open_dev(&st);
		if (fd < 0)
			return st;
	}
	err = sm_imp_ioctl(fd, SECMSG_IOC_REVERT);
	if (!ctx)
		close(fd);
	if (err)
		errno = err;
	return sm_errno_status(err, SM_CALL_REVERT);
}
