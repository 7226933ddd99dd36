/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libsecmsg internals shared by its .c files.  Not installed.
 */
#ifndef SECMSG_INTERNAL_H
#define SECMSG_INTERNAL_H

#include <errno.h>
#include <stdint.h>

#include "secmsg.h"

/* Everything is hidden (-fvisibility=hidden) unless marked SM_EXPORT. */
#define SM_EXPORT __attribute__((visibility("default")))

#define SM_PTR(p) ((__u64)(uintptr_t)(p))
#define SM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct sm_ctx {
	int fd;
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
};

sm_status sm_errno_status(int err, enum sm_call call);
sm_status sm_verdict_status(uint32_t verdict, int err);

#endif /* SECMSG_INTERNAL_H */
