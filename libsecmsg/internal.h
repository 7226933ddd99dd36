/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libsecmsg internals shared by its .c files.  Not installed.
 */
#ifndef SECMSG_INTERNAL_H
#define SECMSG_INTERNAL_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "secmsg.h"

/* Everything is hidden (-fvisibility=hidden) unless marked SM_EXPORT. */
#define SM_EXPORT __attribute__((visibility("default")))

#define SM_PTR(p) ((__u64)(uintptr_t)(p))
#define SM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct sm_krb5;

struct sm_ctx {
	int fd;
	uint32_t package;	/* SECMSG_PKG_*, as created or queried */
	struct sm_krb5 *krb;	/* Kerberos, until established (krb5.c) */
};

/* Fail with SM_E_INVALID_PARAMETER and @err, without a system call. */
static inline sm_status sm_invalid(int err)
{
	errno = err;
	return SM_E_INVALID_PARAMETER;
}

/* The kinds of call, for the statuses each documents */
enum sm_call {
	SM_CALL_IMPORT, /* sm_import(), sm_import_dev() */
	SM_CALL_QUERY, /* sm_query*(), sm_ctx_from_fd() */
	SM_CALL_MESSAGE, /* one message: sm_sign()... or a batch entry */
	SM_CALL_BATCH, /* a BATCH ioctl as a whole */
	SM_CALL_INIT, /* sm_init_context*() */
	SM_CALL_ACCEPT, /* sm_accept_context*() */
	SM_CALL_COMPLETE, /* sm_complete_context(), sm_import_complete() */
	SM_CALL_IMPERSONATE, /* sm_impersonate() */
	SM_CALL_REVERT, /* sm_revert() */
};

sm_status sm_errno_status(int err, enum sm_call call);
sm_status sm_verdict_status(uint32_t verdict, int err);

/* Copy a caller's sized struct (see secmsg.c); 0 or -errno. */
int sm_copy_sized(void *dst, size_t dsize, const void *src, size_t ssize,
		  size_t min);
sm_status sm_ctx_new(int fd, uint32_t package, sm_ctx **out);
/*
 * open(SECMSG_DEVICE_PATH), and the status of its failure: every call that
 * opens the device does it here (SM_E_ACCESS_DENIED comes from here only).
 */
int sm_open_dev(sm_status *st);
/* One QUERY (struct secmsg_query of this header's size) */
sm_status sm_query_ctx(sm_ctx *ctx, struct secmsg_query *q);
/* The kernel's identity, copied only if valid (else all zero) */
void sm_identity_from(struct sm_identity *id, const struct secmsg_identity *k);
/*
 * A Kerberos context's principal names (SM_PRINCIPAL_LEN each, always
 * terminated) as client and service, from this side's and the peer's
 * as the kernel gives them (@role SECMSG_ROLE_*; @local and @peer may be
 * unterminated, and are read up to SM_PRINCIPAL_LEN bytes).
 */
void sm_principals_from(char *client, char *service, uint32_t role,
			const char *local, const char *peer);

/* The Kerberos packages (krb5.c): devfd -1 opens /dev/secmsg to import */
sm_status sm_krb5_init(int devfd, const struct sm_init_params *p,
		       sm_ctx **ctx_out, void *token_out, size_t *token_len);
sm_status sm_krb5_accept(int devfd, const struct sm_accept_params *p,
			 const void *token_in, size_t in_len, sm_ctx **ctx_out,
			 void *token_out, size_t *out_len);
sm_status sm_krb5_continue(sm_ctx *ctx, const void *in, size_t in_len,
			   void *token_out, size_t *out_len);
void sm_krb5_free(struct sm_krb5 *k);

#endif /* SECMSG_INTERNAL_H */
