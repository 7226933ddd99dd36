// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg-demo-backend SOCKET
 *
 * The Kerberos act's back end: a plain MIT GSSAPI acceptor, with no
 * secmsg in it, as any existing Kerberos service.  It takes one
 * connection on SOCKET, accepts a krb5 context with its key from the
 * keytab that KRB5_KTNAME names, and says whom it saw: the client
 * principal, which is all it goes by.  Then it answers one wrapped
 * "FETCH NAME" with the record NAME if the record belongs to that
 * principal ("alice/..." for alice@REALM), and exits.
 *
 * Blobs on the socket: a 4-byte big-endian length, then the token.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gssapi/gssapi.h>

#include "gss.h"
#include "wire.h"

static const struct {
	const char *name;
	const char *text;
} records[] = {
	{ "alice/report.txt", "Quarterly report: all figures in the green." },
	{ "alice/todo.txt", "Buy milk." },
	{ "bob/secret.txt", "Bob's secret: only bob may read this." },
};

static unsigned char buf[65536];

static void gss_fail(const char *what, OM_uint32 major, OM_uint32 minor)
{
	char why[512];

	gss_why(major, minor, why, sizeof(why));
	printf("backend: %s: %s\n", what, why);
}

/* The record @name if @principal ("alice@REALM") owns it, else NULL. */
static const char *lookup(const char *name, const char *principal)
{
	size_t user = strcspn(principal, "@/");
	unsigned int i;

	if (strncmp(name, principal, user) || name[user] != '/')
		return NULL;
	for (i = 0; i < sizeof(records) / sizeof(records[0]); i++)
		if (!strcmp(records[i].name, name))
			return records[i].text;
	return NULL;
}

int main(int argc, char **argv)
{
	gss_buffer_desc in = GSS_C_EMPTY_BUFFER, out = GSS_C_EMPTY_BUFFER;
	gss_buffer_desc shown = GSS_C_EMPTY_BUFFER;
	gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
	gss_name_t src = GSS_C_NO_NAME;
	char principal[256], req[512], ans[1024];
	OM_uint32 major, minor, mn;
	const char *text;
	size_t len;
	int lfd, fd, conf = 0, r;

	if (argc != 2) {
		fprintf(stderr, "usage: %s SOCKET\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = demo_accept(argv[1], "backend", &lfd);
	if (fd < 0)
		return 1;
	close(lfd);
	unlink(argv[1]);

	/* gss_accept_sec_context with the keytab's key, until complete */
	do {
		r = blob_read(fd, buf, sizeof(buf), &len);
		if (r != 1) {
			printf("backend: the connection closed before any client authenticated\n");
			return 1;
		}
		in.value = buf;
		in.length = len;
		major = gss_accept_sec_context(&minor, &ctx,
					       GSS_C_NO_CREDENTIAL, &in,
					       GSS_C_NO_CHANNEL_BINDINGS, &src,
					       NULL, &out, NULL, NULL, NULL);
		if (GSS_ERROR(major)) {
			gss_fail("accept", major, minor);
			return 1;
		}
		if (out.length && blob_write(fd, out.value, out.length)) {
			perror("backend: write");
			return 1;
		}
		gss_release_buffer(&mn, &out);
	} while (major & GSS_S_CONTINUE_NEEDED);

	major = gss_display_name(&minor, src, &shown, NULL);
	if (GSS_ERROR(major) || shown.length >= sizeof(principal)) {
		printf("backend: the client has no name I can show\n");
		return 1;
	}
	snprintf(principal, sizeof(principal), "%.*s", (int)shown.length,
		 (char *)shown.value);
	gss_release_buffer(&mn, &shown);
	gss_release_name(&mn, &src);
	printf("backend: plain GSSAPI, no secmsg: the back end saw %s\n",
	       principal);

	if (blob_read(fd, buf, sizeof(buf), &len) != 1) {
		printf("backend: no request\n");
		return 1;
	}
	in.value = buf;
	in.length = len;
	major = gss_unwrap(&minor, ctx, &in, &out, &conf, NULL);
	if (GSS_ERROR(major)) {
		gss_fail("unwrap", major, minor);
		return 1;
	}
	snprintf(req, sizeof(req), "%.*s", (int)out.length, (char *)out.value);
	gss_release_buffer(&mn, &out);
	text = strncmp(req, "FETCH ", 6) ? NULL : lookup(req + 6, principal);
	if (text)
		snprintf(ans, sizeof(ans), "%s for %s: %s", req + 6,
			 principal, text);
	else
		snprintf(ans, sizeof(ans), "refused to %s: %s", principal, req);
	printf("backend: \"%s\": %s\n", req, text ? "served" : "refused");

	in.value = ans;
	in.length = strlen(ans);
	major = gss_wrap(&minor, ctx, 1, GSS_C_QOP_DEFAULT, &in, &conf, &out);
	if (GSS_ERROR(major)) {
		gss_fail("wrap", major, minor);
		return 1;
	}
	if (blob_write(fd, out.value, out.length)) {
		perror("backend: write");
		return 1;
	}
	gss_release_buffer(&mn, &out);
	gss_delete_sec_context(&mn, &ctx, GSS_C_NO_BUFFER);
	close(fd);
	return 0;
}
