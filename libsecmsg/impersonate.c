// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ImpersonateSecurityContext / RevertSecurityContext: the IMPERSONATE and
 * REVERT ioctls (uapi "Impersonation").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>

#include "internal.h"

/*
 * A Kerberos client's credentials, in the impersonation's thread keyring
 * when it delegated them (uapi "Kerberos contexts", Delegation).
 */
#define SM_DELEG_CCACHE "KEYRING:thread:secmsg"

/*
 * This thread's GSSAPI default ccache before sm_impersonate() pointed it
 * at SM_DELEG_CCACHE (NULL: MIT's default), and whether it did.
 */
static __thread char *sm_saved_ccname;
static __thread int sm_ccname_set;

/*
 * A Kerberos context: its package in @pkg, by one QUERY; 0 or the errno.
 * (Not as a return value: any package number, 2^31 and up too, must
 * leave an error distinguishable.)
 */
static int sm_imp_package(int fd, uint32_t *pkg)
{
	struct secmsg_query q = { .size = SECMSG_QUERY_SIZE_VER0 };

	if (ioctl(fd, SECMSG_IOC_QUERY, &q) < 0)
		return errno ? errno : EIO;
	*pkg = q.package;
	return 0;
}

/*
 * Point this thread's GSSAPI at the impersonation's ccache: the client's
 * delegated credentials, or an empty cache when it delegated none, so
 * that nothing this thread starts as the client uses the server's own.
 */
static int sm_ccname_enter(void)
{
	const char *old = NULL;
	OM_uint32 major, minor;
	char *saved = NULL;

	major = gss_krb5_ccache_name(&minor, SM_DELEG_CCACHE, &old);
	if (GSS_ERROR(major))
		return ENOMEM;
	if (old) {
		saved = strdup(old);
		if (!saved) {
			gss_krb5_ccache_name(&minor, old, NULL);
			return ENOMEM;
		}
	}
	sm_saved_ccname = saved;
	sm_ccname_set = 1;
	return 0;
}

/* Give the thread its own GSSAPI ccache back, if sm_impersonate() moved it. */
static void sm_ccname_leave(void)
{
	OM_uint32 minor;

	if (!sm_ccname_set)
		return;
	gss_krb5_ccache_name(&minor, sm_saved_ccname, NULL);
	free(sm_saved_ccname);
	sm_saved_ccname = NULL;
	sm_ccname_set = 0;
}

static int sm_imp_ioctl(int fd, unsigned long req)
{
	struct secmsg_impersonate a = { .size = sizeof(a) };

	return ioctl(fd, req, &a) < 0 ? errno : 0;
}

SM_EXPORT sm_status sm_impersonate(sm_ctx *ctx)
{
	uint32_t pkg = 0;
	int err;

	if (!ctx)
		return sm_invalid(EINVAL);
	err = sm_imp_package(ctx->fd, &pkg);
	if (!err)
		err = sm_imp_ioctl(ctx->fd, SECMSG_IOC_IMPERSONATE);
	if (!err && (pkg == SECMSG_PKG_KERBEROS ||
		     pkg == SECMSG_PKG_NEGOTIATE)) {
		err = sm_ccname_enter();
		if (err)	/* fail closed: not impersonating after all */
			sm_imp_ioctl(ctx->fd, SECMSG_IOC_REVERT);
	}
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
	/* The impersonation is over whatever REVERT said (ESTALE too). */
	if (err != EINVAL && err != EFAULT)
		sm_ccname_leave();
	if (err)
		errno = err;
	return sm_errno_status(err, SM_CALL_REVERT);
}
