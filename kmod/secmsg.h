/* SPDX-License-Identifier: GPL-2.0 */
/*
 * secmsg: declarations shared by every part of the module.
 */
#ifndef _SECMSG_SECMSG_H
#define _SECMSG_SECMSG_H

#include <linux/ioctl.h>
#include <linux/compiler_types.h>
#include <linux/types.h>
#include <linux/secmsg.h>

#define SECMSG_HDR_SIZE		16	/* token header, also the stream header */
#define SECMSG_TAG_SIZE		16	/* AEAD tag of every suite */
#define SECMSG_IV_SIZE		12	/* AEAD nonce of every suite */
#define SECMSG_NO_INDEX		0xffffffffu	/* secmsg_message.index: none */

/*
 * ioctl commands compare without their size bits (type, number and
 * direction only): the struct's own size field decides.
 */
#define SECMSG_IOC_KEY(cmd)	((cmd) & ~IOCSIZE_MASK)

int secmsg_copy_struct(void *dst, size_t ksize, const void __user *src,
		       u32 min_size, u32 *usize);

/* Module parameters (main.c); read with READ_ONCE, they may change. */
extern unsigned int secmsg_max_contexts_per_user;
extern unsigned int secmsg_default_lifetime;
extern unsigned int secmsg_max_lifetime;
extern unsigned int secmsg_replay_window;

#endif /* _SECMSG_SECMSG_H */
