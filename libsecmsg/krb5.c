// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The "kerberos" and "negotiate" packages (since 1.4): MIT GSSAPI
 * establishes the context in this process (the krb5 mechanism, or SPNEGO
 * choosing it), then the library exports it as a lucid context (version
 * 1, RFC 4121 "CFX" only), hands the keys, sequence numbers, names and
 * the client's mapped local account to the kernel (IMPORT_KRB5), wipes
 * its copies and keeps only the context fd.  See "Kerberos contexts" in
 * <linux/secmsg.h>.
 *
 * Until the import, an sm_ctx of these packages has no fd (-1) and holds
 * the GSS context; the message calls then fail (SM_E_INVALID_HANDLE).
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>

#include "internal.h"
#include "krb5_deleg.h"

struct sm_krb5 {
	gss_ctx_id_t gss;
	gss_cred_id_t cred;
	gss_cred_id_t deleg;	/* acceptor: what the client delegated */
	gss_name_t target;	/* initiator: whom to authenticate to */
	uint32_t package;
	uint32_t role;
	OM_uint32 req_flags;	/* initiator: GSS flags requested */
	OM_uint32 ret_flags;	/* the flags granted, once complete */
	int devfd;		/* the caller's /dev/secmsg, or -1: open */
	int done;		/* GSSAPI finished: imported, or failed to */
	/* an output token the caller's buffer was too small for */
	void *pending;
	size_t pending_len;
};

/* SPNEGO, 1.3.6.1.5.5.2 */
static gss_OID_desc sm_spnego_oid = { 6, (void *)"\x2b\x06\x01\x05\x05\x02" };

/* The GSS context's mechanism for a package. */
static gss_OID sm_krb5_mech(uint32_t package)
{
	return package == SM_PKG_NEGOTIATE ? &sm_spnego_oid :
					     (gss_OID)gss_mech_krb5;
}

/*
 * An sm_status (and errno) for a GSSAPI failure.  The minor status says
 * more than the routine error for the common Kerberos failures users see:
 * an unknown service, no ticket, a clock skew.
 */
static sm_status sm_gss_status(OM_uint32 major, OM_uint32 minor)
{
	switch ((krb5_error_code)minor) {
	case KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN:
	case KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN:
	case KRB5_KT_NOTFOUND:
		errno = ENOENT;
		return minor == (OM_uint32)KRB5_KT_NOTFOUND ?
			       SM_E_NO_CREDENTIALS : SM_E_TARGET_UNKNOWN;
	case KRB5_FCC_NOFILE:
	case KRB5_CC_NOTFOUND:
	case KRB5_CC_NOSUPP:
	case KRB5_KT_NOWRITE:
	case ENOENT:
		errno = ENOKEY;
		return SM_E_NO_CREDENTIALS;
	case KRB5KRB_AP_ERR_SKEW:
	case KRB5KRB_AP_ERR_TKT_EXPIRED:
		errno = EKEYEXPIRED;
		return SM_E_CONTEXT_EXPIRED;
	case KRB5KRB_AP_ERR_REPEAT:
		errno = EALREADY;
		return SM_E_INVALID_TOKEN;
	}
	switch (GSS_ROUTINE_ERROR(major)) {
	case GSS_S_BAD_NAME:
	case GSS_S_BAD_NAMETYPE:
		errno = EINVAL;
		return SM_E_TARGET_UNKNOWN;
	case GSS_S_BAD_MECH:
		errno = EPROTONOSUPPORT;
		return SM_E_SECPKG_NOT_FOUND;
	case GSS_S_NO_CRED:
	case GSS_S_DEFECTIVE_CREDENTIAL:
		errno = ENOKEY;
		return SM_E_NO_CREDENTIALS;
	case GSS_S_CREDENTIALS_EXPIRED:
	case GSS_S_CONTEXT_EXPIRED:
		errno = EKEYEXPIRED;
		return SM_E_CONTEXT_EXPIRED;
	case GSS_S_DEFECTIVE_TOKEN:
	case GSS_S_BAD_SIG:
	case GSS_S_BAD_BINDINGS:
	case GSS_S_DUPLICATE_ELEMENT:
		errno = EBADMSG;
		return SM_E_INVALID_TOKEN;
	case GSS_S_UNAUTHORIZED:
		errno = EACCES;
		return SM_E_LOGON_DENIED;
	case GSS_S_NO_CONTEXT:
		errno = EBADF;
		return SM_E_INVALID_HANDLE;
	}
	errno = EPROTO;
	return SM_E_INTERNAL_ERROR;
}

/* SM_CTX_* and SM_IMP_* of a client's request -> GSS request flags */
static OM_uint32 sm_krb5_req_flags(uint32_t ctx_flags, uint32_t imp_level)
{
	OM_uint32 f = GSS_C_INTEG_FLAG;

	if (ctx_flags & SM_CTX_MUTUAL_AUTH)
		f |= GSS_C_MUTUAL_FLAG;
	if (ctx_flags & SM_CTX_REPLAY_DETECT)
		f |= GSS_C_REPLAY_FLAG;
	if (ctx_flags & SM_CTX_SEQUENCE_DETECT)
		f |= GSS_C_SEQUENCE_FLAG;
	if (ctx_flags & SM_CTX_CONFIDENTIALITY)
		f |= GSS_C_CONF_FLAG;
	if ((ctx_flags & SM_CTX_DELEGATE) || imp_level == SM_IMP_DELEGATE)
		f |= GSS_C_DELEG_FLAG;
	if ((ctx_flags & SM_CTX_IDENTIFY) || imp_level == SM_IMP_IDENTIFY)
		f |= GSS_C_IDENTIFY_FLAG;
	return f;
}

/* GSS flags granted -> SECMSG_CTX_* */
static uint32_t sm_krb5_ctx_flags(OM_uint32 f)
{
	uint32_t c = SECMSG_CTX_INTEGRITY;

	if (f & GSS_C_MUTUAL_FLAG)
		c |= SECMSG_CTX_MUTUAL_AUTH;
	if (f & GSS_C_REPLAY_FLAG)
		c |= SECMSG_CTX_REPLAY_DETECT;
	if (f & GSS_C_SEQUENCE_FLAG)
		c |= SECMSG_CTX_SEQUENCE_DETECT;
	if (f & GSS_C_CONF_FLAG)
		c |= SECMSG_CTX_CONFIDENTIALITY;
	if (f & GSS_C_DELEG_FLAG)
		c |= SECMSG_CTX_DELEGATE;
	if ((f & GSS_C_IDENTIFY_FLAG) && !(f & GSS_C_DELEG_FLAG))
		c |= SECMSG_CTX_IDENTIFY;
	return c;
}

/*
 * The level a client's flags grant its server, as Windows' Kerberos
 * provider does: IDENTIFY when it asked for identification only,
 * DELEGATE when it delegated, else IMPERSONATE (which the kernel still
 * allows only to a server that may become the client anyway).
 */
static uint32_t sm_krb5_imp_level(OM_uint32 f)
{
	if (f & GSS_C_DELEG_FLAG)
		return SECMSG_IMP_DELEGATE;
	if (f & GSS_C_IDENTIFY_FLAG)
		return SECMSG_IMP_IDENTIFY;
	return SECMSG_IMP_IMPERSONATE;
}

/* "service@host" is host-based; anything with a '/' or no '@' a principal */
static sm_status sm_krb5_import_name(const char *s, int host_based_ok,
				     gss_name_t *out)
{
	gss_buffer_desc b = { strlen(s), (void *)s };
	gss_OID nt = GSS_KRB5_NT_PRINCIPAL_NAME;
	OM_uint32 major, minor;

	if (host_based_ok && !strchr(s, '/') && strchr(s, '@'))
		nt = GSS_C_NT_HOSTBASED_SERVICE;
	major = gss_import_name(&minor, &b, nt, out);
	if (GSS_ERROR(major)) {
		*out = GSS_C_NO_NAME;
		errno = EINVAL;
		return SM_E_TARGET_UNKNOWN;
	}
	return SM_E_OK;
}

/*
 * Credentials named explicitly: @name (the principal to be, or NULL for
 * any the store has) from @store (a ccache or a keytab, or NULL for MIT's
 * default).  Neither: GSS_C_NO_CREDENTIAL, MIT's defaults at first use.
 */
static sm_status sm_krb5_cred(const char *name, const char *store,
			      int initiator, gss_OID mech, gss_cred_id_t *out)
{
	gss_key_value_element_desc kv = {
		.key = initiator ? "ccache" : "keytab", .value = store,
	};
	gss_key_value_set_desc set = { store ? 1 : 0, &kv };
	gss_OID_desc mech_copy = *mech;
	gss_OID_set_desc mechs = { 1, &mech_copy };
	gss_name_t gname = GSS_C_NO_NAME;
	OM_uint32 major, minor, mn;
	sm_status st;

	*out = GSS_C_NO_CREDENTIAL;
	if (!name && !store)
		return SM_E_OK;
	if (name) {
		st = sm_krb5_import_name(name, !initiator, &gname);
		if (st)
			return st;
	}
	major = gss_acquire_cred_from(&minor, gname, GSS_C_INDEFINITE, &mechs,
				      initiator ? GSS_C_INITIATE : GSS_C_ACCEPT,
				      &set, out, NULL, NULL);
	gss_release_name(&mn, &gname);
	if (GSS_ERROR(major)) {
		*out = GSS_C_NO_CREDENTIAL;
		st = sm_gss_status(major, minor);
		/* whatever the mechanism says, no credentials is the fact */
		if (st == SM_E_INTERNAL_ERROR || st == SM_E_TARGET_UNKNOWN) {
			errno = ENOKEY;
			st = SM_E_NO_CREDENTIALS;
		}
		return st;
	}
	return SM_E_OK;
}

void sm_krb5_free(struct sm_krb5 *k)
{
	OM_uint32 mn;

	if (!k)
		return;
	if (k->gss != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&mn, &k->gss, GSS_C_NO_BUFFER);
	gss_release_cred(&mn, &k->cred);
	gss_release_cred(&mn, &k->deleg);
	gss_release_name(&mn, &k->target);
	free(k->pending);
	free(k);
}

/* A principal's display form into @buf; its length, or -1. */
static int sm_krb5_name(gss_name_t n, char *buf, size_t size)
{
	gss_buffer_desc b = GSS_C_EMPTY_BUFFER;
	OM_uint32 minor, mn;
	int len = -1;

	if (n == GSS_C_NO_NAME)
		return -1;
	if (GSS_ERROR(gss_display_name(&minor, n, &b, NULL)))
		return -1;
	if (b.length < size && !memchr(b.value, 0, b.length)) {
		memcpy(buf, b.value, b.length);
		buf[b.length] = 0;
		len = (int)b.length;
	}
	gss_release_buffer(&mn, &b);
	return len;
}

/*
 * The local account a client principal maps to, as the system maps it
 * (krb5.conf's auth_to_local through krb5_aname_to_localname(), then the
 * account database).  No mapping is not an error: the ids stay
 * SECMSG_NO_ID.  *@groups is malloc'ed.
 */
static void sm_krb5_map_client(const char *principal,
			       struct secmsg_krb5_import *imp, gid_t **groups)
{
	char lname[256], *pwbuf = NULL;
	struct passwd pw, *pwp = NULL;
	krb5_context kc = NULL;
	krb5_principal p = NULL;
	int n = 64, tries;
	size_t pwsize = 4096;
	gid_t *g = NULL;

	imp->peer_uid = imp->peer_gid = SECMSG_NO_ID;
	*groups = NULL;
	if (krb5_init_context(&kc))
		return;
	if (krb5_parse_name(kc, principal, &p) ||
	    krb5_aname_to_localname(kc, p, sizeof(lname) - 1, lname))
		goto out;
	for (tries = 0; tries < 8; tries++) {
		char *nb = realloc(pwbuf, pwsize);
		int err;

		if (!nb)
			goto out;
		pwbuf = nb;
		err = getpwnam_r(lname, &pw, pwbuf, pwsize, &pwp);
		if (err != ERANGE)
			break;
		pwsize *= 2;
	}
	if (!pwp)
		goto out;
	/* getgrouplist() says how many when the array is short: bounded */
	for (tries = 0; tries < 8; tries++) {
		int want = n;
		gid_t *ng = realloc(g, sizeof(*g) * (size_t)n);

		if (!ng)
			goto out;
		g = ng;
		if (getgrouplist(lname, pw.pw_gid, g, &want) >= 0) {
			n = want;
			break;
		}
		if (want <= n || want > 65536)
			goto out;
		n = want;
	}
	if (tries == 8)
		goto out;
	imp->peer_uid = pw.pw_uid;
	imp->peer_gid = pw.pw_gid;
	imp->peer_groups = SM_PTR(g);
	imp->peer_ngroups = (__u32)n;
	*groups = g;
	g = NULL;
out:
	free(g);
	free(pwbuf);
	if (p)
		krb5_free_principal(kc, p);
	krb5_free_context(kc);
}

/* Zero a lucid key's bytes (the lucid free does not). */
static void sm_lucid_key_wipe(gss_krb5_lucid_key_t *k)
{
	if (k->data && k->length)
		explicit_bzero(k->data, k->length);
}

/*
 * The context is established: export it, import it into the kernel, wipe
 * every copy of the keys, and give @ctx its fd.  The GSS context is gone
 * afterwards whatever happens (the export consumes it).
 */
static sm_status sm_krb5_finish(sm_ctx *ctx)
{
	struct sm_krb5 *k = ctx->krb;
	char local[SECMSG_PRINCIPAL_MAX], peer[SECMSG_PRINCIPAL_MAX];
	gss_name_t src = GSS_C_NO_NAME, targ = GSS_C_NO_NAME;
	struct secmsg_krb5_import imp;
	gss_krb5_lucid_context_v1_t *l;
	gss_krb5_lucid_key_t *key;
	OM_uint32 major, minor, mn;
	int local_len, peer_len, initiator, fd, devfd, err;
	gid_t *groups = NULL;
	void *lucid = NULL;
	struct sm_deleg deleg = { 0 };
	sm_status st;

	major = gss_inquire_context(&minor, k->gss, &src, &targ, NULL, NULL,
				    NULL, NULL, NULL);
	if (GSS_ERROR(major))
		return sm_gss_status(major, minor);
	initiator = k->role == SM_ROLE_INITIATOR;
	local_len = sm_krb5_name(initiator ? src : targ, local, sizeof(local));
	peer_len = sm_krb5_name(initiator ? targ : src, peer, sizeof(peer));
	gss_release_name(&mn, &src);
	gss_release_name(&mn, &targ);
	if (local_len < 0 || peer_len < 0) {
		errno = ENAMETOOLONG;
		return SM_E_INTERNAL_ERROR;
	}

	k->done = 1;
	major = gss_krb5_export_lucid_sec_context(&minor, &k->gss, 1, &lucid);
	k->gss = GSS_C_NO_CONTEXT;	/* deleted by the export, or unusable */
	if (GSS_ERROR(major))
		return sm_gss_status(major, minor);
	l = lucid;

	imp = (struct secmsg_krb5_import){
		.size = sizeof(imp),
		.package = k->package,
		.role = l->initiate ? SECMSG_ROLE_INITIATOR : SECMSG_ROLE_ACCEPTOR,
		.ctx_flags = sm_krb5_ctx_flags(k->ret_flags),
		.imp_level = l->initiate ? 0 : sm_krb5_imp_level(k->ret_flags),
		.send_seq = l->send_seq,
		.recv_seq = l->recv_seq,
		.endtime = l->endtime,
		.local_name = SM_PTR(local),
		.peer_name = SM_PTR(peer),
		.local_name_len = (__u32)local_len,
		.peer_name_len = (__u32)peer_len,
		.peer_uid = SECMSG_NO_ID,
		.peer_gid = SECMSG_NO_ID,
	};
	if (l->version != 1 || l->protocol != 1) {
		/* RFC 1964 (des, rc4) contexts: the kernel has no tokens for them */
		st = SM_E_ALGORITHM_MISMATCH;
		err = EPROTONOSUPPORT;
		goto wipe;
	}
	key = l->cfx_kd.have_acceptor_subkey ? &l->cfx_kd.acceptor_subkey :
					       &l->cfx_kd.ctx_key;
	if (l->cfx_kd.have_acceptor_subkey)
		imp.flags |= SECMSG_KRB5_ACCEPTOR_SUBKEY;
	imp.enctype = key->type;
	imp.key_len = key->length;
	imp.key = SM_PTR(key->data);
	if (!l->initiate)
		sm_krb5_map_client(peer, &imp, &groups);
	/*
	 * What the client delegated goes to the kernel, which keeps it for
	 * sm_impersonate(); only for a client who is someone here.
	 */
	if (k->deleg != GSS_C_NO_CREDENTIAL &&
	    imp.imp_level == SECMSG_IMP_DELEGATE &&
	    imp.peer_uid != SECMSG_NO_ID) {
		err = sm_deleg_get(k->deleg, peer, &deleg);
		if (err) {
			st = err == ENOMEM ? SM_E_INSUFFICIENT_MEMORY :
					     SM_E_INTERNAL_ERROR;
			goto wipe;
		}
		imp.deleg_princ = SM_PTR(deleg.princ);
		imp.deleg_princ_len = (__u32)deleg.princ_len;
		imp.deleg_creds = SM_PTR(deleg.creds);
		imp.deleg_ncreds = deleg.ncreds;
	}
	gss_release_cred(&mn, &k->deleg);	/* destroys its MEMORY ccache */

	devfd = k->devfd;
	if (devfd < 0) {
		devfd = sm_open_dev(&st);
		if (devfd < 0) {
			err = errno;
			goto wipe;
		}
	}
	fd = ioctl(devfd, SECMSG_IOC_IMPORT_KRB5, &imp);
	err = errno;
	if (devfd != k->devfd)
		close(devfd);
	if (fd < 0) {
		st = sm_errno_status(err, SM_CALL_IMPORT);
		if (err == ENOTTY)	/* a module without Kerberos */
			st = SM_E_UNSUPPORTED_FUNCTION;
		else if (err == EPROTONOSUPPORT)
			st = SM_E_ALGORITHM_MISMATCH;
		goto wipe;
	}
	ctx->fd = fd;
	st = SM_E_OK;
	err = 0;
wipe:
	/* From here on the keys exist in the kernel only. */
	explicit_bzero(&imp, sizeof(imp));
	sm_lucid_key_wipe(&l->cfx_kd.ctx_key);
	sm_lucid_key_wipe(&l->cfx_kd.acceptor_subkey);
	sm_lucid_key_wipe(&l->rfc1964_kd.ctx_key);
	gss_krb5_free_lucid_sec_context(&mn, lucid);
	gss_release_cred(&mn, &k->deleg);
	sm_deleg_wipe(&deleg);
	free(groups);
	errno = err;
	return st;
}

/* Hand an output token to the caller, or keep it for a bigger buffer. */
static sm_status sm_krb5_out(struct sm_krb5 *k, gss_buffer_t out,
			     void *token_out, size_t *out_len)
{
	OM_uint32 mn;

	free(k->pending);
	k->pending = NULL;
	k->pending_len = 0;
	if (out->length <= *out_len) {
		if (out->length)
			memcpy(token_out, out->value, out->length);
		*out_len = out->length;
		gss_release_buffer(&mn, out);
		return SM_E_OK;
	}
	k->pending = malloc(out->length);
	if (!k->pending) {
		gss_release_buffer(&mn, out);
		errno = ENOMEM;
		return SM_E_INSUFFICIENT_MEMORY;
	}
	memcpy(k->pending, out->value, out->length);
	k->pending_len = *out_len = out->length;
	gss_release_buffer(&mn, out);
	errno = ENOBUFS;
	return SM_E_BUFFER_TOO_SMALL;
}

/*
 * MIT's krb5 and its crypto may leave key bytes in the stack frames they
 * used and left, below ours: overwrite some of that once GSSAPI has
 * returned (defence in depth, small enough for any thread's stack).
 */
#define SM_STACK_SCRUB (16 * 1024)

static __attribute__((__noinline__)) void sm_stack_scrub(void)
{
	unsigned char junk[SM_STACK_SCRUB];

	explicit_bzero(junk, sizeof(junk));
	/* keep the array, and the call, from being optimized out */
	__asm__ __volatile__("" : : "r"(junk) : "memory");
}

/*
 * The vector registers too: AES-NI code keeps round keys (the first is
 * the key itself) in them, and whatever spills them later (the dynamic
 * linker's lazy binding saves them all on the stack) writes the key
 * into memory we no longer control.  test_krb5's scan found it there.
 */
static __attribute__((__noinline__)) void sm_vector_scrub(void)
{
	/*
	 * (Not inlined: every vector register is caller-saved, so no
	 * caller keeps a value in one across this call.)
	 */
#if defined(__x86_64__)
	if (__builtin_cpu_supports("avx512f"))
		__asm__ __volatile__(
			"vpxord %%zmm16, %%zmm16, %%zmm16\n\t"
			"vpxord %%zmm17, %%zmm17, %%zmm17\n\t"
			"vpxord %%zmm18, %%zmm18, %%zmm18\n\t"
			"vpxord %%zmm19, %%zmm19, %%zmm19\n\t"
			"vpxord %%zmm20, %%zmm20, %%zmm20\n\t"
			"vpxord %%zmm21, %%zmm21, %%zmm21\n\t"
			"vpxord %%zmm22, %%zmm22, %%zmm22\n\t"
			"vpxord %%zmm23, %%zmm23, %%zmm23\n\t"
			"vpxord %%zmm24, %%zmm24, %%zmm24\n\t"
			"vpxord %%zmm25, %%zmm25, %%zmm25\n\t"
			"vpxord %%zmm26, %%zmm26, %%zmm26\n\t"
			"vpxord %%zmm27, %%zmm27, %%zmm27\n\t"
			"vpxord %%zmm28, %%zmm28, %%zmm28\n\t"
			"vpxord %%zmm29, %%zmm29, %%zmm29\n\t"
			"vpxord %%zmm30, %%zmm30, %%zmm30\n\t"
			"vpxord %%zmm31, %%zmm31, %%zmm31"
			::: "memory");
	if (__builtin_cpu_supports("avx")) {
		__asm__ __volatile__("vzeroall" ::: "memory");
		return;
	}
	__asm__ __volatile__(
		"pxor %%xmm0, %%xmm0\n\tpxor %%xmm1, %%xmm1\n\t"
		"pxor %%xmm2, %%xmm2\n\tpxor %%xmm3, %%xmm3\n\t"
		"pxor %%xmm4, %%xmm4\n\tpxor %%xmm5, %%xmm5\n\t"
		"pxor %%xmm6, %%xmm6\n\tpxor %%xmm7, %%xmm7\n\t"
		"pxor %%xmm8, %%xmm8\n\tpxor %%xmm9, %%xmm9\n\t"
		"pxor %%xmm10, %%xmm10\n\tpxor %%xmm11, %%xmm11\n\t"
		"pxor %%xmm12, %%xmm12\n\tpxor %%xmm13, %%xmm13\n\t"
		"pxor %%xmm14, %%xmm14\n\tpxor %%xmm15, %%xmm15"
		::: "memory");
#endif
}

static __attribute__((__noinline__)) sm_status
sm_krb5_leg(sm_ctx *ctx, const void *in, size_t in_len, void *token_out,
	    size_t *out_len);

/*
 * One leg: the peer's token in (none on the client's first), ours out.
 * SM_I_CONTINUE_NEEDED until GSSAPI is done; then the import.
 */
static sm_status sm_krb5_step(sm_ctx *ctx, const void *in, size_t in_len,
			      void *token_out, size_t *out_len)
{
	sm_status st = sm_krb5_leg(ctx, in, in_len, token_out, out_len);
	int err = errno;

	sm_stack_scrub();
	sm_vector_scrub();
	errno = err;
	return st;
}

static __attribute__((__noinline__)) sm_status
sm_krb5_leg(sm_ctx *ctx, const void *in, size_t in_len, void *token_out,
	    size_t *out_len)
{
	struct sm_krb5 *k = ctx->krb;
	gss_buffer_desc ib = { in_len, (void *)in }, ob = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor, ret = 0;
	sm_status st;

	if (k->role == SM_ROLE_INITIATOR)
		major = gss_init_sec_context(&minor, k->cred, &k->gss, k->target,
					     sm_krb5_mech(k->package),
					     k->req_flags, 0,
					     GSS_C_NO_CHANNEL_BINDINGS, &ib,
					     NULL, &ob, &ret, NULL);
	else
		major = gss_accept_sec_context(&minor, &k->gss, k->cred, &ib,
					       GSS_C_NO_CHANNEL_BINDINGS, NULL,
					       NULL, &ob, &ret, NULL,
					       &k->deleg);
	if (GSS_ERROR(major)) {
		OM_uint32 mn;

		gss_release_buffer(&mn, &ob);
		return sm_gss_status(major, minor);
	}
	k->ret_flags = ret;
	st = sm_krb5_out(k, &ob, token_out, out_len);
	if (major & GSS_S_CONTINUE_NEEDED)
		return st ? st : SM_I_CONTINUE_NEEDED;
	/* complete: import now; a token too big still waits for its buffer */
	{
		sm_status fin = sm_krb5_finish(ctx);

		return fin ? fin : st;
	}
}

/* A new sm_ctx of a Kerberos package, with its GSS state. */
static sm_status sm_krb5_new(uint32_t package, uint32_t role, int devfd,
			     sm_ctx **out)
{
	struct sm_krb5 *k = calloc(1, sizeof(*k));
	sm_status st;

	if (!k) {
		errno = ENOMEM;
		return SM_E_INSUFFICIENT_MEMORY;
	}
	st = sm_ctx_new(-1, package, out);
	if (st) {
		free(k);
		return st;
	}
	k->gss = GSS_C_NO_CONTEXT;
	k->cred = GSS_C_NO_CREDENTIAL;
	k->deleg = GSS_C_NO_CREDENTIAL;
	k->target = GSS_C_NO_NAME;
	k->package = package;
	k->role = role;
	k->devfd = devfd;
	(*out)->krb = k;
	return SM_E_OK;
}

sm_status sm_krb5_init(int devfd, const struct sm_init_params *p,
		       sm_ctx **ctx_out, void *token_out, size_t *token_len)
{
	sm_ctx *ctx;
	sm_status st;

	if (!p->target || p->target_type || p->target_uid || p->suite ||
	    p->lifetime || p->reserved)
		return sm_invalid(EINVAL);
	st = sm_krb5_new(p->package, SM_ROLE_INITIATOR, devfd, &ctx);
	if (st)
		return st;
	st = sm_krb5_import_name(p->target, 1, &ctx->krb->target);
	if (st)
		goto fail;
	st = sm_krb5_cred(p->principal, p->ccache, 1, sm_krb5_mech(p->package),
			  &ctx->krb->cred);
	if (st)
		goto fail;
	ctx->krb->req_flags = sm_krb5_req_flags(p->ctx_flags, p->imp_level);
	st = sm_krb5_step(ctx, NULL, 0, token_out, token_len);
	/* the first token lost is a new ticket request away: start again */
	if (SM_FAILED(st))
		goto fail;
	*ctx_out = ctx;
	return st;
fail:
	sm_close(ctx);
	return st;
}

sm_status sm_krb5_accept(int devfd, const struct sm_accept_params *p,
			 const void *token_in, size_t in_len, sm_ctx **ctx_out,
			 void *token_out, size_t *out_len)
{
	sm_ctx *ctx;
	sm_status st;

	if (p->reserved)
		return sm_invalid(EINVAL);
	st = sm_krb5_new(p->package, SM_ROLE_ACCEPTOR, devfd, &ctx);
	if (st)
		return st;
	st = sm_krb5_cred(p->principal, p->keytab, 0, sm_krb5_mech(p->package),
			  &ctx->krb->cred);
	if (st)
		goto fail;
	st = sm_krb5_step(ctx, token_in, in_len, token_out, out_len);
	/*
	 * An accepted token cannot be accepted again (the replay cache): a
	 * reply too big for the caller's buffer waits in the context for
	 * sm_continue_context().
	 */
	if (SM_FAILED(st) && !(st == SM_E_BUFFER_TOO_SMALL && ctx->krb->pending))
		goto fail;
	*ctx_out = ctx;
	return st;
fail:
	sm_close(ctx);
	return st;
}

sm_status sm_krb5_continue(sm_ctx *ctx, const void *in, size_t in_len,
			   void *token_out, size_t *out_len)
{
	struct sm_krb5 *k = ctx->krb;

	if (k->pending) {
		/* the token kept for a bigger buffer: no input this time */
		if (in_len)
			return sm_invalid(EINVAL);
		if (*out_len < k->pending_len) {
			*out_len = k->pending_len;
			errno = ENOBUFS;
			return SM_E_BUFFER_TOO_SMALL;
		}
		memcpy(token_out, k->pending, k->pending_len);
		*out_len = k->pending_len;
		free(k->pending);
		k->pending = NULL;
		k->pending_len = 0;
		return k->done ? SM_E_OK : SM_I_CONTINUE_NEEDED;
	}
	if (ctx->fd >= 0) {
		errno = EISCONN;
		return SM_E_INVALID_HANDLE;
	}
	if (k->done) {
		/* an import that failed: start again */
		errno = EBADF;
		return SM_E_INVALID_HANDLE;
	}
	return sm_krb5_step(ctx, in, in_len, token_out, out_len);
}
