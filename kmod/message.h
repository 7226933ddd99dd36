/* SPDX-License-Identifier: GPL-2.0 */
/*
 * secmsg: message calls (SIGN, VERIFY, SEAL, UNSEAL, BATCH).
 */
#ifndef _SECMSG_MESSAGE_H
#define _SECMSG_MESSAGE_H

#include <linux/compiler_types.h>
#include <linux/types.h>

#include "secmsg.h"

struct secmsg_ctx;

long secmsg_msg_ioctl(struct secmsg_ctx *ctx, unsigned int op,
		      struct secmsg_message __user *umsg);
long secmsg_batch_ioctl(struct secmsg_ctx *ctx,
			struct secmsg_batch __user *ubatch);
void secmsg_msg_ctx_free(struct secmsg_ctx *ctx);
u64 secmsg_msg_kept(struct secmsg_ctx *ctx);
void secmsg_msg_exit(void);

#endif /* _SECMSG_MESSAGE_H */
