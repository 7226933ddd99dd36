/* SPDX-License-Identifier: GPL-2.0 */
/*
 * secmsg: the message calls through io_uring (IORING_OP_URING_CMD).
 */
#ifndef _SECMSG_URING_H
#define _SECMSG_URING_H

struct io_uring_cmd;

int secmsg_uring_cmd(struct io_uring_cmd *ioucmd, unsigned int issue_flags);

#endif /* _SECMSG_URING_H */
