// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Establishing a local context: InitializeSecurityContext (INIT, then
 * COMPLETE) and AcceptSecurityContext (ACCEPT); and the COMPLETE of a raw
 * context imported with SM_IMPORT_FRESH (sm_import_complete()).
 */
#include <errno.h>
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

/*
 * After the INIT or ACCEPT ioctl (@fd its result): hand the new context
 * to the caller with the token length the kernel wrote back, or report
 * the failure and free @ctx.
 */
static sm_status sm_establish_finish(sm_ctx *ctx, int fd, enum sm_call call,
				     int own_dev, size_t *len,
				     __u32 kernel_len, uint32_t status,
				     sm_ctx **ctx_out)
{
	sm_status st;

	if (fd < 0) {
		int err = errno;

		free(ctx);
		return sm_establish_failed(err, call, own_dev, len,
					   kernel_len);
	}
	ctx->fd = fd;
	st = sm_establish_result(status, call);
	if (SM_FAILED(st)) {
		sm_close(ctx);
		return st;
	}
	*len = kernel_len;
	*ctx_out = ctx;
	return st;
}

static sm_status sm_init_common(int devfd, int own_dev,
				const struct sm_init_params *params,
				sm_ctx **ctx_out, void *token_out,
				size_t *token_len)
{
	struct sm_init_params p;
	struct secmsg_init ini;
	sm_ctx *ctx;
	sm_status st;
	int err, fd;

	err = sm_copy_sized(&p, sizeof(p), params, params->size,
			    SM_INIT_PARAMS_SIZE_VER0);
	if (err)
		return sm_invalid(-err);
	if (p.package == SM_PKG_KERBEROS || p.package == SM_PKG_NEGOTIATE)
		return sm_krb5_init(own_dev ? -1 : devfd, &p, ctx_out,
				    token_out, token_len);
	if (p.package && p.package != SM_PKG_LOCAL) {
		errno = EPROTONOSUPPORT;
		return SM_E_SECPKG_NOT_FOUND;
	}
	if (p.reserved || p.target || p.principal || p.ccache)
		return sm_invalid(EINVAL);

	st = sm_ctx_new(-1, SECMSG_PKG_LOCAL, &ctx);
	if (st)
		return st;
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
	fd = ioctl(devfd, SECMSG_IOC_INIT, &ini);
	return sm_establish_finish(ctx, fd, SM_CALL_INIT, own_dev, token_len,
				   ini.token_len, ini.status, ctx_out);
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
	int devfd, err;

	if (st)
		return st;
	devfd = sm_open_dev(&st);
	if (devfd < 0)
		return st;
	st = sm_init_common(devfd, 1, params, ctx_out, token_out, token_len);
	err = errno;
	close(devfd);
	errno = err;
	return st;
}

static sm_status sm_accept_common(int devfd, int own_dev,
				  const struct sm_accept_params *params,
				  const void *token_in, size_t in_len,
				  sm_ctx **ctx_out, void *token_out,
				  size_t *out_len)
{
	struct sm_accept_params p;
	struct secmsg_accept acc;
	sm_ctx *ctx;
	sm_status st;
	int err, fd;

	err = sm_copy_sized(&p, sizeof(p), params, params->size,
			    SM_ACCEPT_PARAMS_SIZE_VER0);
	if (err)
		return sm_invalid(-err);
	if (p.package == SM_PKG_KERBEROS || p.package == SM_PKG_NEGOTIATE)
		return sm_krb5_accept(own_dev ? -1 : devfd, &p, token_in,
				      in_len, ctx_out, token_out, out_len);
	if (p.package && p.package != SM_PKG_LOCAL) {
		errno = EPROTONOSUPPORT;
		return SM_E_SECPKG_NOT_FOUND;
	}
	if (p.reserved || p.principal || p.keytab)
		return sm_invalid(EINVAL);

	st = sm_ctx_new(-1, SECMSG_PKG_LOCAL, &ctx);
	if (st)
		return st;
	acc = (struct secmsg_accept){
		.size = sizeof(acc),
		.flags = p.flags,
		.package = SECMSG_PKG_LOCAL,
		.in_len = (__u32)in_len,
		.in_token = SM_PTR(token_in),
		.out_token = SM_PTR(token_out),
		.out_len = sm_len32(*out_len),
	};
	fd = ioctl(devfd, SECMSG_IOC_ACCEPT, &acc);
	return sm_establish_finish(ctx, fd, SM_CALL_ACCEPT, own_dev, out_len,
				   acc.out_len, acc.status, ctx_out);
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
	int devfd, err;

	if (st)
		return st;
	devfd = sm_open_dev(&st);
	if (devfd < 0)
		return st;
	st = sm_accept_common(devfd, 1, params, token_in, in_len, ctx_out,
			      token_out, out_len);
	err = errno;
	close(devfd);
	errno = err;
	return st;
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
