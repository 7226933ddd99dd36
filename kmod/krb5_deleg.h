/* SPDX-License-Identifier: GPL-2.0 */
/*
 * secmsg: a Kerberos client's delegated credentials (krb5_deleg.c).
 */
#ifndef _SECMSG_KRB5_DELEG_H
#define _SECMSG_KRB5_DELEG_H

#include <linux/types.h>

#include "secmsg.h"

struct key;
struct secmsg_deleg;

int secmsg_deleg_check(const struct secmsg_krb5_import *imp);
struct secmsg_deleg *secmsg_deleg_import(const struct secmsg_krb5_import *imp,
					 u32 lifetime);
void secmsg_deleg_revoke(struct secmsg_deleg *d);
void secmsg_deleg_free(struct secmsg_deleg *d);
struct key *secmsg_deleg_collection(struct secmsg_deleg *d);

#endif /* _SECMSG_KRB5_DELEG_H */
