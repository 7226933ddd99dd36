/* SPDX-License-Identifier: GPL-2.0 */
/*
 * secmsg: raw contexts imported with SECMSG_IMPORT_FRESH (COMPLETE).
 */
#ifndef _SECMSG_RAW_H
#define _SECMSG_RAW_H

#include "secmsg.h"

struct secmsg_ctx;

int secmsg_raw_fresh(struct secmsg_ctx *ctx, const u8 *key, u32 key_len,
		     u8 *own);
long secmsg_raw_complete(struct secmsg_ctx *ctx,
			 struct secmsg_complete __user *ucmp);
void secmsg_raw_ctx_release(struct secmsg_ctx *ctx);

#endif /* _SECMSG_RAW_H */
