/* SPDX-License-Identifier: GPL-2.0 */
/*
 * secmsg: the generic netlink control plane (family "secmsg").
 */
#ifndef _SECMSG_NETLINK_H
#define _SECMSG_NETLINK_H

#include <linux/types.h>

struct secmsg_ctx;

int secmsg_nl_init(void);
void secmsg_nl_exit(void);
bool secmsg_nl_suite_allowed(u32 suite);
void secmsg_nl_created(struct secmsg_ctx *ctx);
void secmsg_nl_event(struct secmsg_ctx *ctx, u32 event, u32 verdict);

#endif /* _SECMSG_NETLINK_H */
