/* SPDX-License-Identifier: GPL-2.0 */
/*
 * secmsg: IMPERSONATE and REVERT.
 */
#ifndef _SECMSG_IMPERSONATE_H
#define _SECMSG_IMPERSONATE_H

#include "secmsg.h"

struct secmsg_ctx;

long secmsg_impersonate(struct secmsg_ctx *ctx,
			struct secmsg_impersonate __user *uimp);
long secmsg_revert(struct secmsg_impersonate __user *uimp);
void secmsg_imp_exit(void);

#endif /* _SECMSG_IMPERSONATE_H */
