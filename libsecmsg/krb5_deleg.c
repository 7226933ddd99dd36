// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A Kerberos client's delegated credentials, handed to the kernel with
 * the import (uapi "Kerberos contexts", Delegation): the principal and
 * each credential in credential cache format version 4, as MIT's
 * KEYRING ccache keeps them.  Encoded here, into buffers this file
 * sizes, owns and wipes (krb5_marshal_credentials() grows its buffer by
 * realloc(), which would leave copies of the session key behind).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>

#include "krb5_deleg.h"

/* A writer that only counts when @p is NULL. */
struct sm_w {
	unsigned char *p;
	size_t len;
};

static void sm_w_bytes(struct sm_w *w, const void *b, size_t n)
{
	if (w->p && n)
		memcpy(w->p + w->len, b, n);
	w->len += n;
}

static void sm_w_u32(struct sm_w *w, uint32_t v)
{
	unsigned char b[4] = { v >> 24, v >> 16, v >> 8, v };

	sm_w_bytes(w, b, 4);
}

static void sm_w_u16(struct sm_w *w, uint16_t v)
{
	unsigned char b[2] = { v >> 8, v };

	sm_w_bytes(w, b, 2);
}

static void sm_w_data(struct sm_w *w, const void *b, size_t n)
{
	sm_w_u32(w, (uint32_t)n);
	sm_w_bytes(w, b, n);
}

/* A principal: name type, component count, realm, components. */
static void sm_w_princ(struct sm_w *w, krb5_const_principal p)
{
	krb5_int32 i;

	sm_w_u32(w, (uint32_t)p->type);
	sm_w_u32(w, (uint32_t)p->length);
	sm_w_data(w, p->realm.data, p->realm.length);
	for (i = 0; i < p->length; i++)
		sm_w_data(w, p->data[i].data, p->data[i].length);
}

/* A credential, as version 4 of the credential cache format has it. */
static void sm_w_cred(struct sm_w *w, const krb5_creds *c)
{
	unsigned int i, n;

	sm_w_princ(w, c->client);
	sm_w_princ(w, c->server);
	sm_w_u16(w, (uint16_t)c->keyblock.enctype);
	sm_w_data(w, c->keyblock.contents, c->keyblock.length);
	sm_w_u32(w, (uint32_t)c->times.authtime);
	sm_w_u32(w, (uint32_t)c->times.starttime);
	sm_w_u32(w, (uint32_t)c->times.endtime);
	sm_w_u32(w, (uint32_t)c->times.renew_till);
	sm_w_bytes(w, &(unsigned char){ c->is_skey ? 1 : 0 }, 1);
	sm_w_u32(w, (uint32_t)c->ticket_flags);
	for (n = 0; c->addresses && c->addresses[n]; n++)
		;
	sm_w_u32(w, n);
	for (i = 0; i < n; i++) {
		sm_w_u16(w, (uint16_t)c->addresses[i]->addrtype);
		sm_w_data(w, c->addresses[i]->contents,
			  c->addresses[i]->length);
	}
	for (n = 0; c->authdata && c->authdata[n]; n++)
		;
	sm_w_u32(w, n);
	for (i = 0; i < n; i++) {
		sm_w_u16(w, (uint16_t)c->authdata[i]->ad_type);
		sm_w_data(w, c->authdata[i]->contents,
			  c->authdata[i]->length);
	}
	sm_w_data(w, c->ticket.data, c->ticket.length);
	sm_w_data(w, c->second_ticket.data, c->second_ticket.length);
}

/* Encode with @fn into a buffer of exactly the size needed. */
static int sm_encode(void (*fn)(struct sm_w *, const void *), const void *obj,
		     void **out, size_t *out_len)
{
	struct sm_w w = { NULL, 0 };

	fn(&w, obj);
	if (w.len > SECMSG_KRB5_DELEG_DATA_MAX)
		return E2BIG;
	*out_len = w.len;
	w.p = malloc(w.len);
	if (!w.p)
		return ENOMEM;
	w.len = 0;
	fn(&w, obj);
	*out = w.p;
	return 0;
}

static void sm_enc_princ(struct sm_w *w, const void *p)
{
	sm_w_princ(w, p);
}

static void sm_enc_cred(struct sm_w *w, const void *c)
{
	sm_w_cred(w, c);
}

/* One credential of the cache into @d's next slot. */
static int sm_deleg_add(krb5_context kc, struct sm_deleg *d, krb5_creds *c)
{
	struct secmsg_krb5_cred *kc_cred;
	char *desc = NULL;
	void *data;
	size_t len;
	int err;

	if (d->ncreds == SECMSG_KRB5_DELEG_MAX)
		return E2BIG;
	if (krb5_unparse_name(kc, c->server, &desc))
		return ENOMEM;
	if (strlen(desc) > SECMSG_KRB5_DELEG_DESC_MAX) {
		krb5_free_unparsed_name(kc, desc);
		return E2BIG;
	}
	err = sm_encode(sm_enc_cred, c, &data, &len);
	if (err) {
		krb5_free_unparsed_name(kc, desc);
		return err;
	}
	kc_cred = &d->creds[d->ncreds];
	d->data[d->ncreds] = data;
	kc_cred->data = (uintptr_t)data;
	kc_cred->data_len = (uint32_t)len;
	d->desc[d->ncreds] = strdup(desc);
	krb5_free_unparsed_name(kc, desc);
	desc = d->desc[d->ncreds++];	/* sm_deleg_wipe() frees it now */
	if (!desc)
		return ENOMEM;
	kc_cred->desc = (uintptr_t)desc;
	kc_cred->desc_len = (uint32_t)strlen(desc);
	return 0;
}

/**
 * sm_deleg_get() - encode a delegated credential for IMPORT_KRB5
 * @deleg:  the delegated credential gss_accept_sec_context() gave
 * @client: the client's principal name
 * @d:      filled; sm_deleg_wipe() it whatever this returns
 *
 * The credentials pass through a MEMORY ccache of this call, destroyed
 * before it returns (MIT zeroes the keys it frees).
 *
 * Return: 0, or an errno (ENOMEM, E2BIG: more or bigger credentials than
 * the kernel keeps, EIO: GSSAPI or krb5 failed).
 */
int sm_deleg_get(gss_cred_id_t deleg, const char *client, struct sm_deleg *d)
{
	krb5_context kc = NULL;
	krb5_ccache cc = NULL;
	krb5_principal p = NULL;
	krb5_cc_cursor cur;
	krb5_creds c;
	OM_uint32 major, minor;
	int err = EIO;

	memset(d, 0, sizeof(*d));
	if (krb5_init_context(&kc))
		return EIO;
	if (krb5_parse_name(kc, client, &p) ||
	    krb5_cc_new_unique(kc, "MEMORY", NULL, &cc))
		goto out;
	if (krb5_cc_initialize(kc, cc, p))
		goto out;
	major = gss_krb5_copy_ccache(&minor, deleg, cc);
	if (GSS_ERROR(major))
		goto out;
	err = sm_encode(sm_enc_princ, p, &d->princ, &d->princ_len);
	if (err)
		goto out;
	err = EIO;
	if (krb5_cc_start_seq_get(kc, cc, &cur))
		goto out;
	while (!krb5_cc_next_cred(kc, cc, &cur, &c)) {
		err = sm_deleg_add(kc, d, &c);
		krb5_free_cred_contents(kc, &c);	/* zeroes the key */
		if (err)
			break;
	}
	krb5_cc_end_seq_get(kc, cc, &cur);
	if (!err && !d->ncreds)
		err = EIO;
out:
	if (cc)
		krb5_cc_destroy(kc, cc);
	krb5_free_principal(kc, p);
	krb5_free_context(kc);
	return err;
}

/**
 * sm_deleg_wipe() - zero and free what sm_deleg_get() encoded
 * @d: the delegation
 */
void sm_deleg_wipe(struct sm_deleg *d)
{
	unsigned int i;

	for (i = 0; i < d->ncreds; i++) {
		if (d->data[i])
			explicit_bzero(d->data[i], d->creds[i].data_len);
		free(d->data[i]);
		free(d->desc[i]);
	}
	if (d->princ)
		explicit_bzero(d->princ, d->princ_len);
	free(d->princ);
	explicit_bzero(d, sizeof(*d));
}
