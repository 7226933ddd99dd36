/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A Kerberos client's delegated credentials for IMPORT_KRB5
 * (krb5_deleg.c).
 */
#ifndef SM_KRB5_DELEG_H
#define SM_KRB5_DELEG_H

#include <stddef.h>
#include <gssapi/gssapi.h>
#include <linux/secmsg.h>

/**
 * struct sm_deleg - the import's delegation fields, and what they point to
 * @princ:     the client principal, encoded
 * @princ_len: its bytes
 * @creds:     the import's struct secmsg_krb5_cred[]
 * @ncreds:    entries used
 * @desc:      each credential's description (server principal)
 * @data:      each credential, encoded
 */
struct sm_deleg {
	void *princ;
	size_t princ_len;
	struct secmsg_krb5_cred creds[SECMSG_KRB5_DELEG_MAX];
	unsigned int ncreds;
	char *desc[SECMSG_KRB5_DELEG_MAX];
	void *data[SECMSG_KRB5_DELEG_MAX];
};

int sm_deleg_get(gss_cred_id_t deleg, const char *client, struct sm_deleg *d);
void sm_deleg_wipe(struct sm_deleg *d);

#endif
