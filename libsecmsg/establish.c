// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Establishing a local context: InitializeSecurityContext (INIT, then
 * COMPLETE) and AcceptSecurityContext (ACCEPT); and the COMPLETE of a raw
 * context imported with SM_IMPORT_FRESH (sm_import_complete()).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

#define SM_INIT_PARAMS_SIZE_VER0                     \
	(offsetof(struct sm_init_params, lifetime) + \
	 sizeof(((struct sm_init_params *)0)->lifetime))
#define SM_ACCEPT_PARAMS_SIZE_VER0                  \
	(offsetof(struct sm_accept_params, flags) + \
	 sizeof(((struct sm_accept_params *)0)->flags))

/*
 * The kernel's establishment status, as an sm_status: INIT answers
 * CONTINUE_NEEDED, ACCEPT and COMPLETE answer OK (the local package has
 * one round trip); anything else is a kernel this library does not know.
 */
static sm_status sm_establish_result(uint32_t status, enum sm_call call)
{
	uint32_t want = call == SM_CALL_INIT ? SECMSG_STATUS_CONTINUE_NEEDED :
					       SECMSG_STATUS_OK;

	if (status != want) {
		errno = EPROTO;
		return SM_E_INTERNAL_ERROR;
	}
	return want == SECMSG_STATUS_OK ? SM_E_OK : SM_I_CONTINUE_NEEDED;
}

/* A token buffer: NULL only with room 0; lengths fit the kernel's 32 bits. */
static int sm_token_buf_ok(const void *buf, const size_t *len)
{
	return len && (buf || *len == 0);
}

static __u32 sm_len32(size_t len)
{
	return len > UINT32_MAX ? UINT32_MAX : (__u32)len;
}

/*
 * A failed ioctl with @err: ENOBUFS tells the size needed in @kernel_len;
 * a caller-opened device that does not know the call is an old module.
 */
static sm_status sm_establish_failed(int err, enum sm_call call, int own_dev,
				     size_t *len, __u32 kernel_len)
{
	sm_status st = sm_errno_status(err, call);

	if (st == SM_E_BUFFER_TOO_SMALL)
		*len = kernel_len;
	else if (own_dev && err == ENOTTY)
		st = SM_E_UNSUPPORTED_FUNCTION;
	else if (own_dev && err == EBADF)
		st = SM_E_INTERNAL_ERROR;	/* our own descriptor: can't be */
	errno = err;
	return st;
}

/**
 * sm_establish_local() - the local package's INIT or ACCEPT ioctl
 * @devfd:      the device
 * @own_dev:    whether this library opened @devfd (see sm_establish_failed())
 * @req:        SECMSG_IOC_INIT or SECMSG_IOC_ACCEPT
 * @arg:        its struct, filled in
 * @call:       SM_CALL_INIT or SM_CALL_ACCEPT, to match @req
 * @len:        the caller's token length: set to what the kernel wrote back,
 *              or with SM_E_BUFFER_TOO_SMALL to what it needs
 * @kernel_len: the token length field of @arg, read after the ioctl
 * @status:     the status field of @arg, read after the ioctl
 * @ctx_out:    receives the new context
 *
 * The context is allocated before the ioctl, so that nothing can fail once
 * the kernel has made the descriptor; on any failure it is freed (or
 * closed, with its descriptor) and *@ctx_out is left alone.
 *
 * Return: as sm_establish_result(), or the status of the failure.
 */
static sm_status sm_establish_local(int devfd, int own_dev, unsigned long req,
				    void *arg, enum sm_call call, size_t *len,
				    const __u32 *kernel_len,
				    const uint32_t *status, sm_ctx **ctx_out)
{
	sm_ctx *ctx;
	sm_status st;
	int fd;

	st = sm_ctx_new(-1, SECMSG_PKG_LOCAL, &ctx);
	if (st)
		return st;
	fd = ioctl(devfd, req, arg);
	if (fd < 0) {
		int err = errno;

		free(ctx);
		return sm_establish_failed(err, call, own_dev, len,
					   *kernel_len);
	}
	ctx->fd = fd;
	st = sm_establish_result(*status, call);
	if (SM_FAILED(st)) {
		sm_close(ctx);
		return st;
	}
	*len = *kernel_len;
	*ctx_out = ctx;
	return st;
}

/*
 * The package a caller's INIT or ACCEPT parameters name: true for Kerberos
 * or Negotiate, which GSSAPI establishes (krb5.c).  Else *@st is SM_E_OK
 * for the local package (0 names it too), or SM_E_SECPKG_NOT_FOUND (errno
 * EPROTONOSUPPORT) for any other.
 */
static bool sm_gssapi_package(uint32_t package, sm_status *st)
{
	*st = SM_E_OK;
	if (package == SM_PKG_KERBEROS || package == SM_PKG_NEGOTIATE)
		return true;
	if (package && package != SM_PKG_LOCAL) {
		errno = EPROTONOSUPPORT;
		*st = SM_E_SECPKG_NOT_FOUND;
	}
	return false;
}

/*
 * The end of sm_init_context() and sm_accept_context(): close the device
 * they opened for the call, keeping the call's @st and errno.
 */
static sm_status sm_close_own_dev(int devfd, sm_status st)
{
	int err = errno;

	close(devfd);
	errno = err;
	return st;
}

static sm_status sm_init_common(int devfd, int own_dev,
				const struct sm_init_params *params,
				sm_ctx **ctx_out, void *token_out,
				size_t *token_len)
{
	struct sm_init_params p;
	struct secmsg_init ini;
	sm_status st;
	int err;

	err = sm_copy_sized(&p, sizeof(p), params, params->size,
			    SM_INIT_PARAMS_SIZE_VER0);
	if (err)
		return sm_invalid(-err);
	if (sm_gssapi_package(p.package, &st))
		return sm_krb5_init(own_dev ? -1 : devfd, &p, ctx_out,
				    token_out, token_len);
	if (st)
		return st;
	if (p.reserved || p.target || p.principal || p.ccache)
		return sm_invalid(EINVAL);

	ini = (struct secmsg_init){
		.size = sizeof(ini),
		.flags = p.flags,
		.package = SECMSG_PKG_LOCAL,
		.target_type = p.target_type,
		.target_uid = p.target_uid,
		.suite = p.suite,
		.ctx_flags = p.ctx_flags,
		.imp_level = p.imp_level,
		.lifetime = p.lifetime,
		.token_len = sm_len32(*token_len),
		.token = SM_PTR(token_out),
	};
	return sm_establish_local(devfd, own_dev, SECMSG_IOC_INIT, &ini,
				  SM_CALL_INIT, token_len, &ini.token_len,
				  &ini.status, ctx_out);
}

/* Checks common to both forms, before any system call. */
static sm_status sm_init_check(const struct sm_init_params *params,
			       sm_ctx **ctx_out, void *token_out,
			       size_t *token_len)
{
	if (!ctx_out)
		return sm_invalid(EINVAL);
	*ctx_out = NULL;
	if (!params || params->size < SM_INIT_PARAMS_SIZE_VER0 ||
	    !sm_token_buf_ok(token_out, token_len))
		return sm_invalid(EINVAL);
	return SM_E_OK;
}

SM_EXPORT sm_status sm_init_context_dev(int devfd,
					const struct sm_init_params *params,
					sm_ctx **ctx_out, void *token_out,
					size_t *token_len)
{
	sm_status st = sm_init_check(params, ctx_out, token_out, token_len);

	if (st)
		return st;
	if (devfd < 0)
		return sm_invalid(EINVAL);
	return sm_init_common(devfd, 0, params, ctx_out, token_out, token_len);
}

SM_EXPORT sm_status sm_init_context(const struct sm_init_params *params,
				    sm_ctx **ctx_out, void *token_out,
				    size_t *token_len)
{
	sm_status st = sm_init_check(params, ctx_out, token_out, token_len);
	int devfd;

	if (st)
		return st;
	devfd = sm_open_dev(&st);
	if (devfd < 0)
		return st;
	st = sm_init_common(devfd, 1, params, ctx_out, token_out, token_len);
	return sm_close_own_dev(devfd, st);
}

static sm_status sm_accept_common(int devfd, int own_dev,
				  const struct sm_accept_params *params,
				  const void *token_in, size_t in_len,
				  sm_ctx **ctx_out, void *token_out,
				  size_t *out_len)
{
	struct sm_accept_params p;
	struct secmsg_accept acc;
	sm_status st;
	int err;

	err = sm_copy_sized(&p, sizeof(p), params, params->size,
			    SM_ACCEPT_PARAMS_SIZE_VER0);
	if (err)
		return sm_invalid(-err);
	if (sm_gssapi_package(p.package, &st))
		return sm_krb5_accept(own_dev ? -1 : devfd, &p, token_in,
				      in_len, ctx_out, token_out, out_len);
	if (st)
		return st;
	if (p.reserved || p.principal || p.keytab)
		return sm_invalid(EINVAL);

	acc = (struct secmsg_accept){
		.size = sizeof(acc),
		.flags = p.flags,
		.package = SECMSG_PKG_LOCAL,
		.in_len = (__u32)in_len,
		.in_token = SM_PTR(token_in),
		.out_token = SM_PTR(token_out),
		.out_len = sm_len32(*out_len),
	};
	return sm_establish_local(devfd, own_dev, SECMSG_IOC_ACCEPT, &acc,
				  SM_CALL_ACCEPT, out_len, &acc.out_len,
				  &acc.status, ctx_out);
}

static sm_status sm_accept_check(const struct sm_accept_params *params,
				 const void *token_in, size_t in_len,
				 sm_ctx **ctx_out, void *token_out,
				 size_t *out_len)
{
	if (!ctx_out)
		return sm_invalid(EINVAL);
	*ctx_out = NULL;
	if (!params || params->size < SM_ACCEPT_PARAMS_SIZE_VER0 ||
	    !token_in || !sm_token_buf_ok(token_out, out_len))
		return sm_invalid(EINVAL);
	if (in_len > UINT32_MAX)
		return sm_invalid(EMSGSIZE);
	return SM_E_OK;
}

SM_EXPORT sm_status sm_accept_context_dev(int devfd,
					  const struct sm_accept_params *params,
					  const void *token_in, size_t in_len,
					  sm_ctx **ctx_out, void *token_out,
					  size_t *out_len)
{
	sm_status st = sm_accept_check(params, token_in, in_len, ctx_out,
				       token_out, out_len);

	if (st)
		return st;
	if (devfd < 0)
		return sm_invalid(EINVAL);
	return sm_accept_common(devfd, 0, params, token_in, in_len, ctx_out,
				token_out, out_len);
}

SM_EXPORT sm_status sm_accept_context(const struct sm_accept_params *params,
				      const void *token_in, size_t in_len,
				      sm_ctx **ctx_out, void *token_out,
				      size_t *out_len)
{
	sm_status st = sm_accept_check(params, token_in, in_len, ctx_out,
				       token_out, out_len);
	int devfd;

	if (st)
		return st;
	devfd = sm_open_dev(&st);
	if (devfd < 0)
		return st;
	st = sm_accept_common(devfd, 1, params, token_in, in_len, ctx_out,
			      token_out, out_len);
	return sm_close_own_dev(devfd, st);
}

/*
 * COMPLETE with @token_in: the local client's reply token, or a FRESH
 * import's peer contribution; the kernel tells which the context takes.
 */
static sm_status sm_complete(sm_ctx *ctx, const void *token_in,
			     size_t in_len)
{
	struct secmsg_complete cmp;
	int err;

	if (!ctx || !token_in)
		return sm_invalid(EINVAL);
	if (in_len > UINT32_MAX)
		return sm_invalid(EMSGSIZE);
	cmp = (struct secmsg_complete){
		.size = sizeof(cmp),
		.in_token = SM_PTR(token_in),
		.in_len = (__u32)in_len,
	};
	if (ioctl(ctx->fd, SECMSG_IOC_COMPLETE, &cmp) < 0) {
		err = errno;
		return sm_errno_status(err, SM_CALL_COMPLETE);
	}
	return sm_establish_result(cmp.status, SM_CALL_COMPLETE);
}

SM_EXPORT sm_status sm_complete_context(sm_ctx *ctx, const void *token_in,
					size_t in_len)
{
	size_t none = 0;

	/* Kerberos: a last leg with nothing to send back */
	if (ctx && ctx->krb) {
		if (!token_in || in_len > UINT32_MAX)
			return sm_invalid(token_in ? EMSGSIZE : EINVAL);
		return sm_krb5_continue(ctx, token_in, in_len, NULL, &none);
	}
	return sm_complete(ctx, token_in, in_len);
}

SM_EXPORT sm_status sm_continue_context(sm_ctx *ctx, const void *token_in,
					size_t in_len, void *token_out,
					size_t *out_len)
{
	if (!ctx || !sm_token_buf_ok(token_out, out_len) ||
	    (!token_in && in_len))
		return sm_invalid(EINVAL);
	if (in_len > UINT32_MAX)
		return sm_invalid(EMSGSIZE);
	if (ctx->krb)
		return sm_krb5_continue(ctx, token_in, in_len, token_out,
					out_len);
	/* a local client's second call: no token goes back */
	*out_len = 0;
	return sm_complete(ctx, token_in, in_len);
}

SM_EXPORT sm_status sm_import_complete(sm_ctx *ctx, const void *peer,
				       size_t len)
{
	return sm_complete(ctx, peer, len);
}
