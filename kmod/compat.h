/* SPDX-License-Identifier: GPL-2.0 */
/*
 * secmsg: headers that moved between the kernels the module is built for
 * (a DKMS package builds it for whichever is installed).  Feature tests,
 * not version numbers: a distribution kernel may carry a backport.
 */
#ifndef _SECMSG_COMPAT_H
#define _SECMSG_COMPAT_H

/* 6.12 moved asm/unaligned.h to linux/unaligned.h, and dropped the old. */
#if __has_include("linux/unaligned.h")
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

#endif /* _SECMSG_COMPAT_H */
