/* SPDX-License-Identifier: GPL-2.0 */
/*
 * secmsg: Kerberos contexts (SECMSG_PKG_KERBEROS, SECMSG_PKG_NEGOTIATE).
 */
#ifndef _SECMSG_KRB5_H
#define _SECMSG_KRB5_H

#include <linux/types.h>
#include <linux/uidgid.h>

#include "crypto.h"
#include "krb5_crypto.h"
#include "secmsg.h"

struct secmsg_ctx;
struct secmsg_query;
struct group_info;
struct key;
struct secmsg_deleg;

#define SECMSG_KRB5_HDR_SIZE	16	/* RFC 4121 token header */

/**
 * struct secmsg_krb5_ctx - what a Kerberos context holds beside the common
 * @type:       the encryption type
 * @suite:      the enctype as the common code sees a suite: @suite.id is
 *              the enctype, @suite.alg the crypto API names
 * @tx:         keys of the tokens this side sends (its seal and sign usages)
 * @rx:         keys of the peer's tokens
 * @subkey:     the key is the acceptor subkey: tokens carry AcceptorSubkey
 * @alg:        "cts(cbc(aes)) hmac(sha1)": what @suite.alg points to
 * @driver:     the drivers bound, "<cipher> <hmac>"
 * @async:      a driver of either direction is asynchronous
 * @local_name: this side's principal (NUL-terminated), or NULL
 * @peer_name:  the peer's, or NULL
 * @peer_uid:   acceptor: the asserted local account of the client, or
 *              INVALID_UID
 * @peer_gid:   its primary group, or INVALID_GID
 * @peer_groups: its supplementary groups, sorted (NULL when none)
 * @deleg:      the client's delegated credentials (krb5_deleg.c), or NULL
 */
struct secmsg_krb5_ctx {
	const struct secmsg_krb5_type *type;
	struct secmsg_suite suite;
	struct secmsg_krb5_dir tx;
	struct secmsg_krb5_dir rx;
	bool subkey;
	char alg[SECMSG_NAME_MAX];
	char driver[SECMSG_NAME_MAX];
	bool async;
	char *local_name;
	char *peer_name;
	kuid_t peer_uid;
	kgid_t peer_gid;
	struct group_info *peer_groups;
	struct secmsg_deleg *deleg;
};

int secmsg_krb5_import(const void __user *uimp);
void secmsg_krb5_ctx_release(struct secmsg_ctx *ctx);
void secmsg_krb5_fill_query(struct secmsg_ctx *ctx, struct secmsg_query *q);
struct key *secmsg_krb5_deleg(struct secmsg_ctx *ctx);
void secmsg_krb5_revoke(struct secmsg_ctx *ctx);

#endif /* _SECMSG_KRB5_H */
