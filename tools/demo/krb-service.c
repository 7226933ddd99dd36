// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg-demo-krb-service SOCKET SERVICE BACKEND-SOCKET BACKEND
 *
 * The Kerberos act's service: a front end that fetches records from a
 * back-end service on behalf of its clients.  It accepts one client's
 * context as SERVICE ("service@host", its key from the keytab that
 * KRB5_KTNAME names) through the "negotiate" package (SPNEGO), then
 * serves its requests, each checked by the kernel (VerifySignature,
 * DecryptMessage); a request that fails is answered with its verdict
 * and not served:
 *
 *   WHOAMI         who the client is: its principal, and the local account
 *                  it maps to
 *   FETCH NAME     the record NAME from the back end BACKEND
 *                  ("service@host", at BACKEND-SOCKET), as the client
 *   BYE            the tally; the end
 *
 * For FETCH the thread impersonates the client (ImpersonateSecurityContext)
 * and authenticates to the back end with plain GSSAPI and no credentials
 * of its own (GSS_C_NO_CREDENTIAL): when the client delegated, the kernel
 * gives the impersonating thread the client's delegated credentials and
 * points its GSSAPI at them, so the back end sees the client, not the
 * service.  Then the thread reverts (RevertSecurityContext), and the
 * credentials are gone with the client's identity.  Every answer travels
 * sealed.
 *
 * The service needs CAP_SETUID and CAP_SETGID (run it as a service user
 * with those as ambient capabilities) to impersonate.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>

#include "demo.h"
#include "gss.h"

static unsigned char tok[SM_KRB5_MAX_TOKEN];
static struct frame f;
static struct demo_service svc;

/* What the requests need: the back end, and who the client is. */
struct krb_service {
	const char *sock;	/* BACKEND-SOCKET */
	const char *backend;	/* BACKEND */
	char peer[SECMSG_PRINCIPAL_MAX];
};

static const char *enctype_name(uint32_t e)
{
	switch (e) {
	case 17: return "aes128-cts-hmac-sha1-96";
	case 18: return "aes256-cts-hmac-sha1-96";
	case 19: return "aes128-cts-hmac-sha256-128";
	case 20: return "aes256-cts-hmac-sha384-192";
	case 25: return "camellia128-cts-cmac";
	case 26: return "camellia256-cts-cmac";
	}
	return "?";
}

/*
 * Plain GSSAPI, as any Kerberos client: authenticate to @target at @sock
 * with the thread's default credentials, send "FETCH @name" wrapped, and
 * unwrap the back end's answer into @answer.  0, or -1 with the reason
 * in @why.
 */
static int backend_fetch(const char *sock, const char *target,
			 const char *name, char *answer, size_t answer_len,
			 char *why, size_t why_len)
{
	gss_buffer_desc nb = { strlen(target), (void *)target };
	gss_buffer_desc in = GSS_C_EMPTY_BUFFER, out = GSS_C_EMPTY_BUFFER;
	gss_ctx_id_t gctx = GSS_C_NO_CONTEXT;
	gss_name_t tname = GSS_C_NO_NAME;
	OM_uint32 major, minor, mn;
	char req[512];
	size_t len;
	int fd, ret = -1, conf = 0;

	fd = demo_connect(sock);
	if (fd < 0) {
		snprintf(why, why_len, "connect: %s", strerror(errno));
		return -1;
	}
	major = gss_import_name(&minor, &nb, GSS_C_NT_HOSTBASED_SERVICE,
				&tname);
	if (GSS_ERROR(major)) {
		gss_why(major, minor, why, why_len);
		goto out;
	}
	for (;;) {
		major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &gctx,
					     tname, (gss_OID)gss_mech_krb5,
					     GSS_C_MUTUAL_FLAG | GSS_C_CONF_FLAG |
					     GSS_C_INTEG_FLAG | GSS_C_REPLAY_FLAG,
					     0, GSS_C_NO_CHANNEL_BINDINGS, &in,
					     NULL, &out, NULL, NULL);
		if (GSS_ERROR(major)) {
			gss_why(major, minor, why, why_len);
			goto out;
		}
		if (out.length && blob_write(fd, out.value, out.length)) {
			snprintf(why, why_len, "write: %s", strerror(errno));
			goto out;
		}
		gss_release_buffer(&mn, &out);
		if (!(major & GSS_S_CONTINUE_NEEDED))
			break;
		if (blob_read(fd, tok, sizeof(tok), &len) != 1) {
			snprintf(why, why_len, "the back end hung up");
			goto out;
		}
		in.value = tok;
		in.length = len;
	}

	snprintf(req, sizeof(req), "FETCH %s", name);
	in.value = req;
	in.length = strlen(req);
	major = gss_wrap(&minor, gctx, 1, GSS_C_QOP_DEFAULT, &in, &conf, &out);
	if (GSS_ERROR(major)) {
		gss_why(major, minor, why, why_len);
		goto out;
	}
	if (blob_write(fd, out.value, out.length) ||
	    blob_read(fd, tok, sizeof(tok), &len) != 1) {
		snprintf(why, why_len, "the back end hung up");
		goto out;
	}
	gss_release_buffer(&mn, &out);
	in.value = tok;
	in.length = len;
	major = gss_unwrap(&minor, gctx, &in, &out, &conf, NULL);
	if (GSS_ERROR(major)) {
		gss_why(major, minor, why, why_len);
		goto out;
	}
	snprintf(answer, answer_len, "%.*s", (int)out.length,
		 (char *)out.value);
	ret = 0;
out:
	gss_release_buffer(&mn, &out);
	gss_release_name(&mn, &tname);
	if (gctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&mn, &gctx, GSS_C_NO_BUFFER);
	close(fd);
	return ret;
}

/* FETCH: the record @name from the back end, as the client. */
static void serve_fetch(struct demo_service *s, const char *name)
{
	struct krb_service *k = s->priv;
	char note[512], why[256];
	int r;

	snprintf(note, sizeof(note), "; to %s with GSSAPI's default credentials",
		 k->backend);
	if (demo_act_as_client(s, note))
		return;
	r = backend_fetch(k->sock, k->backend, name, s->answer,
			  sizeof(s->answer), why, sizeof(why));
	demo_revert(s);
	if (r) {
		printf("service:   BACK END FAILED: cannot authenticate to %s as the client: %s\n",
		       k->backend, why);
		snprintf(s->answer, sizeof(s->answer),
			 "refused: the back end cannot be reached as you");
		s->refused++;
		return;
	}
	printf("service:   the back end answered: \"%s\"\n", s->answer);
	s->served++;
}

/* WHOAMI: the client's principal, and the account it maps to here. */
static void serve_whoami(struct demo_service *s, const char *arg)
{
	struct krb_service *k = s->priv;

	(void)arg;
	snprintf(s->answer, sizeof(s->answer),
		 "you are %s; here, the account %s", k->peer, s->client);
	s->served++;
}

static const struct demo_verb verbs[] = {
	{ "FETCH", 1, serve_fetch },
	{ "WHOAMI", 0, serve_whoami },
	{ NULL },
};

int main(int argc, char **argv)
{
	struct sm_accept_params ap = {
		.size = sizeof(ap),
		.package = SM_PKG_NEGOTIATE,
	};
	struct sm_context_info info = { .size = sizeof(info) };
	struct sm_names names = { .size = sizeof(names) };
	char me[SECMSG_PRINCIPAL_MAX], client[96];
	struct krb_service k;
	struct passwd *pw;
	sm_ctx *ctx = NULL;
	size_t len;
	sm_status st;
	int lfd, fd;

	if (argc != 5) {
		fprintf(stderr, "usage: %s SOCKET SERVICE BACKEND-SOCKET BACKEND\n",
			argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	ap.principal = argv[2];
	k.sock = argv[3];
	k.backend = argv[4];
	fd = demo_accept(argv[1], "service", &lfd);
	if (fd < 0)
		return 1;

	/* AcceptSecurityContext: every token of the client's, our answer */
	do {
		if (frame_read(fd, &f) != 1 || f.kind != 'I') {
			printf("service: no token from the client\n");
			return 1;
		}
		len = sizeof(tok);
		if (!ctx)
			st = sm_accept_context(&ap, f.data, f.len, &ctx, tok,
					       &len);
		else
			st = sm_continue_context(ctx, f.data, f.len, tok, &len);
		if (SM_FAILED(st))
			return demo_fail("service", "accept", st);
		frame_token(&f, 'R', tok, len);
		if (frame_write(fd, &f))
			return 1;
	} while (st != SM_E_OK);

	sm_query(ctx, &info);
	sm_query_names(ctx, &names);
	if (demo_principals(ctx, me, k.peer)) {
		printf("service: query: %s\n", strerror(errno));
		return 1;
	}
	pw = getpwuid(geteuid());
	who(&names.peer, client, sizeof(client));
	printf("service: I am %s (uid %u), %s by my keytab; accepted a context through %s: the client is %s\n",
	       pw ? pw->pw_name : "?", (unsigned int)geteuid(), me,
	       info.package == SM_PKG_NEGOTIATE ? "negotiate" : "kerberos",
	       k.peer);
	printf("service: in the kernel now: %s; the client's account here: %s; it delegated: %s\n",
	       enctype_name(info.suite),
	       names.peer.id.flags & SM_ID_VALID ? client : "none",
	       info.imp_level == SM_IMP_DELEGATE ? "yes" : "no");

	svc.me = "service";
	svc.ctx = ctx;
	svc.client = client;
	svc.verbs = verbs;
	svc.priv = &k;
	if (demo_serve(&svc, fd, &f))
		return 1;
	close(fd);
	close(lfd);
	unlink(argv[1]);
	sm_close(ctx);
	return 0;
}
