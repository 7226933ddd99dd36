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

/*
 * io_uring commands: 6.1 declares struct io_uring_cmd in linux/io_uring.h
 * and points ->cmd at the SQE's command area; later kernels moved both to
 * linux/io_uring/cmd.h, where the area is io_uring_sqe_cmd(->sqe).
 */
#if __has_include("linux/io_uring/cmd.h")
#include <linux/io_uring/cmd.h>
#define secmsg_uring_cmd_area(ioucmd)	io_uring_sqe_cmd((ioucmd)->sqe)
#else
#include <linux/io_uring.h>
#define secmsg_uring_cmd_area(ioucmd)	((ioucmd)->cmd)
#endif

#endif /* _SECMSG_COMPAT_H */
