/* SPDX-License-Identifier: GPL-2.0 */
/*
 * secmsg: the local package (INIT, ACCEPT, COMPLETE).
 */
#ifndef _SECMSG_LOCAL_H
#define _SECMSG_LOCAL_H

#include "secmsg.h"

struct secmsg_ctx;

int secmsg_local_init(void);
void secmsg_local_exit(void);
int secmsg_local_isc(struct secmsg_init __user *uini);
int secmsg_local_asc(struct secmsg_accept __user *uacc);
long secmsg_local_complete(struct secmsg_ctx *ctx,
			   struct secmsg_complete __user *ucmp);
void secmsg_local_ctx_release(struct secmsg_ctx *ctx);

#endif /* _SECMSG_LOCAL_H */
