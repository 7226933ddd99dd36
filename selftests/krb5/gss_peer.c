// SPDX-License-Identifier: GPL-2.0
/*
 * gss_peer: a plain MIT GSSAPI program, the other side of the Kerberos
 * interop tests.  It knows nothing of secmsg.
 *
 *   gss_peer -i|-a [-m krb5|spnego] [-t TARGET] [-f FLAGS] [-F FD]
 *            [-l PORT | -c PORT]
 *
 * -i initiates (to TARGET: "service@host", host-based, or a principal
 * "name/inst@REALM"), -a accepts (with the default acceptor credential:
 * $KRB5_KTNAME).  Credentials are what MIT finds by default (the realm's
 * environment, selftests/krb5/realm.sh).  -f: request flags, a comma list
 * of mutual, deleg, replay, sequence, conf, integ, anon, none (default
 * mutual,replay,sequence,conf,integ).
 *
 * The channel to the other party is FD (-F, default 3), or a TCP
 * connection on 127.0.0.1:PORT (-l listens and takes one connection, -c
 * connects, retrying a bounded number of times).  On it every token or
 * data buffer is a frame: a 4-byte big-endian length, then the bytes.
 *
 * It establishes the context first (the tokens as frames), printing
 *
 *   established mech=krb5|spnego flags=FLAGS src=NAME targ=NAME
 *		 lifetime=SECONDS deleg=0|1
 *
 * or "establish major=... minor=..." and exit status 1.  Then it reads
 * commands from stdin, one a line, and prints one line for each, starting
 * with the command's name.  Message DATA is a word of text, or hex:HEX.
 *
 *   get_mic DATA          send frames DATA, MIC
 *   verify_mic            receive DATA, MIC; verify
 *   wrap seal|sign DATA   gss_wrap; send the token
 *   unwrap                receive a token; gss_unwrap
 *   wrap_iov seal|sign trailer|notrailer ASSOC DATA
 *                         gss_wrap_iov with HEADER, SIGN_ONLY (ASSOC),
 *                         DATA, PADDING and, with "trailer", TRAILER;
 *                         send frames HEADER, ASSOC, DATA[, TRAILER]
 *   unwrap_iov trailer|notrailer
 *                         receive them likewise; gss_unwrap_iov
 *   unwrap_stream         receive one frame; gss_unwrap_iov on a STREAM
 *                         buffer (any token of gss_wrap or wrap_iov
 *                         whose frames were joined)
 *   hold on|off           with on, produced frames are kept, not sent
 *   flush [reverse]       send the kept frames (in reverse order)
 *   resend [OFFSET]       send the last sent frame again, with its byte
 *                         at OFFSET flipped (bit 0) if given
 *   session_key           enctype and key of the context (the acceptor
 *                         subkey if any): what secmsg must never leave
 *                         in a process's memory
 *   lucid                 export the lucid context (version 1) and print
 *                         it; the context is gone afterwards
 *   sizes seal|sign N     gss_wrap_size_limit for an N-byte token
 *   quit
 *
 * Results: "major=NAME" (the routine error, COMPLETE when none),
 * "supp=NAME|NAME" (GSS supplementary bits: DUPLICATE, OLD, UNSEQ, GAP;
 * "none"), "minor=N", then the command's own fields (conf=, qop=,
 * data=hex:..., len=...).  Tests compare these words exactly.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>

static gss_OID_desc spnego_oid = { 6, (void *)"\x2b\x06\x01\x05\x05\x02" };

static int chan = 3;
static gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;

#define MAX_FRAME (16u << 20)
#define MAX_HELD 64

struct frame {
	uint32_t len;
	unsigned char *buf;
};
static struct frame held[MAX_HELD], last_sent;
static int nheld, holding;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("gss_peer: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static void write_all(const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n) {
		ssize_t w = write(chan, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("channel write: %s", strerror(errno));
		c += w;
		n -= w;
	}
}

static int read_all(void *p, size_t n)
{
	unsigned char *c = p;

	while (n) {
		ssize_t r = read(chan, c, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("channel read: %s", strerror(errno));
		if (r == 0)
			return -1;
		c += r;
		n -= r;
	}
	return 0;
}

static void send_raw(const void *p, uint32_t len)
{
	uint32_t be = htonl(len);

	write_all(&be, 4);
	write_all(p, len);
	free(last_sent.buf);
	last_sent.buf = malloc(len ? len : 1);
	if (!last_sent.buf)
		die("out of memory");
	memcpy(last_sent.buf, p, len);
	last_sent.len = len;
}

/* Send a frame now, or keep it while holding. */
static void send_frame(const void *p, size_t len)
{
	if (!holding) {
		send_raw(p, len);
		return;
	}
	if (nheld == MAX_HELD)
		die("more than %d frames held", MAX_HELD);
	held[nheld].buf = malloc(len ? len : 1);
	if (!held[nheld].buf)
		die("out of memory");
	memcpy(held[nheld].buf, p, len);
	held[nheld++].len = len;
}

/* Receive a frame into a malloc'ed gss_buffer (value NULL on EOF). */
static void recv_frame(gss_buffer_t b)
{
	uint32_t be, len;

	b->value = NULL;
	b->length = 0;
	if (read_all(&be, 4))
		die("channel closed by the other side");
	len = ntohl(be);
	if (len > MAX_FRAME)
		die("frame of %u bytes", len);
	b->value = malloc(len ? len : 1);
	if (!b->value)
		die("out of memory");
	if (read_all(b->value, len))
		die("channel closed inside a frame");
	b->length = len;
}

static const char *routine_name(OM_uint32 major)
{
	switch (GSS_ROUTINE_ERROR(major)) {
	case 0: return "COMPLETE";
	case GSS_S_BAD_MECH: return "BAD_MECH";
	case GSS_S_BAD_NAME: return "BAD_NAME";
	case GSS_S_BAD_NAMETYPE: return "BAD_NAMETYPE";
	case GSS_S_BAD_BINDINGS: return "BAD_BINDINGS";
	case GSS_S_BAD_STATUS: return "BAD_STATUS";
	case GSS_S_BAD_SIG: return "BAD_SIG";
	case GSS_S_NO_CRED: return "NO_CRED";
	case GSS_S_NO_CONTEXT: return "NO_CONTEXT";
	case GSS_S_DEFECTIVE_TOKEN: return "DEFECTIVE_TOKEN";
	case GSS_S_DEFECTIVE_CREDENTIAL: return "DEFECTIVE_CREDENTIAL";
	case GSS_S_CREDENTIALS_EXPIRED: return "CREDENTIALS_EXPIRED";
	case GSS_S_CONTEXT_EXPIRED: return "CONTEXT_EXPIRED";
	case GSS_S_FAILURE: return "FAILURE";
	case GSS_S_BAD_QOP: return "BAD_QOP";
	case GSS_S_UNAUTHORIZED: return "UNAUTHORIZED";
	case GSS_S_UNAVAILABLE: return "UNAVAILABLE";
	case GSS_S_DUPLICATE_ELEMENT: return "DUPLICATE_ELEMENT";
	case GSS_S_NAME_NOT_MN: return "NAME_NOT_MN";
	}
	return "UNKNOWN";
}

static void print_status(const char *cmd, OM_uint32 major, OM_uint32 minor)
{
	static const struct {
		OM_uint32 bit;
		const char *name;
	} supp[] = {
		{ GSS_S_CONTINUE_NEEDED, "CONTINUE" },
		{ GSS_S_DUPLICATE_TOKEN, "DUPLICATE" },
		{ GSS_S_OLD_TOKEN, "OLD" },
		{ GSS_S_UNSEQ_TOKEN, "UNSEQ" },
		{ GSS_S_GAP_TOKEN, "GAP" },
	};
	OM_uint32 s = GSS_SUPPLEMENTARY_INFO(major);
	const char *sep = "";
	size_t i;

	printf("%s major=%s supp=", cmd, routine_name(major));
	if (!s)
		printf("none");
	for (i = 0; i < sizeof(supp) / sizeof(supp[0]); i++) {
		if (s & supp[i].bit) {
			printf("%s%s", sep, supp[i].name);
			sep = "|";
		}
	}
	printf(" minor=%u", minor);
	if (GSS_ERROR(major) && minor) {
		OM_uint32 mn, ctxm = 0;
		gss_buffer_desc msg = GSS_C_EMPTY_BUFFER;

		/* readable reason, for the log; tests match the words before */
		if (!GSS_ERROR(gss_display_status(&mn, minor, GSS_C_MECH_CODE,
						  GSS_C_NO_OID, &ctxm, &msg))) {
			printf(" (%.*s)", (int)msg.length, (char *)msg.value);
			gss_release_buffer(&mn, &msg);
		}
	}
}

static void print_hex(const char *key, const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	printf(" %s=hex:", key);
	for (i = 0; i < n; i++)
		printf("%02x", c[i]);
}

/* DATA word: text, or hex:HEX.  Returns a malloc'ed buffer. */
static void parse_data(const char *w, gss_buffer_t b)
{
	size_t n, i;
	unsigned char *p;

	if (!w)
		die("data missing");
	if (strncmp(w, "hex:", 4)) {
		b->length = strlen(w);
		b->value = strdup(w);
		if (!b->value)
			die("out of memory");
		return;
	}
	w += 4;
	n = strlen(w) / 2;
	p = malloc(n ? n : 1);
	if (!p)
		die("out of memory");
	for (i = 0; i < n; i++)
		if (sscanf(w + 2 * i, "%2hhx", &p[i]) != 1)
			die("bad hex");
	b->value = p;
	b->length = n;
}

static void free_buf(gss_buffer_t b)
{
	free(b->value);
	b->value = NULL;
	b->length = 0;
}

static OM_uint32 parse_flags(const char *s)
{
	static const struct {
		const char *name;
		OM_uint32 flag;
	} names[] = {
		{ "mutual", GSS_C_MUTUAL_FLAG }, { "deleg", GSS_C_DELEG_FLAG },
		{ "replay", GSS_C_REPLAY_FLAG }, { "sequence", GSS_C_SEQUENCE_FLAG },
		{ "conf", GSS_C_CONF_FLAG }, { "integ", GSS_C_INTEG_FLAG },
		{ "anon", GSS_C_ANON_FLAG }, { "identify", GSS_C_IDENTIFY_FLAG },
		{ "none", 0 },
	};
	char *copy = strdup(s), *save, *w;
	OM_uint32 f = 0;
	size_t i;

	for (w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(w, names[i].name))
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			die("unknown flag %s", w);
		f |= names[i].flag;
	}
	free(copy);
	return f;
}

static void print_flags(OM_uint32 f)
{
	static const struct {
		OM_uint32 flag;
		const char *name;
	} names[] = {
		{ GSS_C_MUTUAL_FLAG, "mutual" }, { GSS_C_DELEG_FLAG, "deleg" },
		{ GSS_C_REPLAY_FLAG, "replay" }, { GSS_C_SEQUENCE_FLAG, "sequence" },
		{ GSS_C_CONF_FLAG, "conf" }, { GSS_C_INTEG_FLAG, "integ" },
		{ GSS_C_ANON_FLAG, "anon" }, { GSS_C_IDENTIFY_FLAG, "identify" },
		{ GSS_C_TRANS_FLAG, "trans" }, { GSS_C_PROT_READY_FLAG, "prot_ready" },
	};
	const char *sep = "";
	size_t i;

	printf(" flags=");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (f & names[i].flag) {
			printf("%s%s", sep, names[i].name);
			sep = ",";
		}
	}
	if (!*sep)
		printf("none");
}

static void print_name(const char *key, gss_name_t n)
{
	OM_uint32 mn;
	gss_buffer_desc b = GSS_C_EMPTY_BUFFER;

	if (n == GSS_C_NO_NAME ||
	    GSS_ERROR(gss_display_name(&mn, n, &b, NULL))) {
		printf(" %s=-", key);
		return;
	}
	printf(" %s=%.*s", key, (int)b.length, (char *)b.value);
	gss_release_buffer(&mn, &b);
}

static int establish(int initiator, gss_OID mech, const char *target,
		     OM_uint32 req)
{
	OM_uint32 major, minor, ret_flags = 0, time_rec = 0, mn;
	gss_buffer_desc in = GSS_C_EMPTY_BUFFER, out = GSS_C_EMPTY_BUFFER;
	gss_name_t tname = GSS_C_NO_NAME, src = GSS_C_NO_NAME, targ = GSS_C_NO_NAME;
	gss_cred_id_t deleg = GSS_C_NO_CREDENTIAL;
	gss_OID actual = GSS_C_NO_OID;

	if (initiator) {
		gss_buffer_desc tb = { strlen(target), (void *)target };
		/* a principal names its instance with '/': else host-based */
		gss_OID nt = strchr(target, '/') ? (gss_OID)GSS_KRB5_NT_PRINCIPAL_NAME
						 : GSS_C_NT_HOSTBASED_SERVICE;

		major = gss_import_name(&minor, &tb, nt, &tname);
		if (GSS_ERROR(major)) {
			print_status("establish", major, minor);
			printf(" step=import_name\n");
			return -1;
		}
	}
	for (;;) {
		if (initiator) {
			major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL,
						     &ctx, tname, mech, req, 0,
						     GSS_C_NO_CHANNEL_BINDINGS,
						     &in, &actual, &out,
						     &ret_flags, &time_rec);
		} else {
			recv_frame(&in);
			major = gss_accept_sec_context(&minor, &ctx,
						       GSS_C_NO_CREDENTIAL, &in,
						       GSS_C_NO_CHANNEL_BINDINGS,
						       &src, &actual, &out,
						       &ret_flags, &time_rec,
						       &deleg);
		}
		free_buf(&in);
		if (out.length)
			send_raw(out.value, out.length);
		gss_release_buffer(&mn, &out);
		if (GSS_ERROR(major)) {
			print_status("establish", major, minor);
			printf(" step=%s\n", initiator ? "init" : "accept");
			return -1;
		}
		if (!(major & GSS_S_CONTINUE_NEEDED))
			break;
		if (initiator)
			recv_frame(&in);
	}
	major = gss_inquire_context(&minor, ctx, &src, &targ, NULL, NULL,
				    NULL, NULL, NULL);
	if (GSS_ERROR(major)) {
		print_status("establish", major, minor);
		printf(" step=inquire_context\n");
		return -1;
	}
	printf("established mech=%s", mech == &spnego_oid ||
	       (actual && actual->length == spnego_oid.length &&
		!memcmp(actual->elements, spnego_oid.elements, 6)) ?
	       "spnego" : "krb5");
	print_flags(ret_flags);
	print_name("src", src);
	print_name("targ", targ);
	printf(" lifetime=%u deleg=%d\n", time_rec,
	       deleg != GSS_C_NO_CREDENTIAL);
	gss_release_name(&mn, &tname);
	gss_release_name(&mn, &src);
	gss_release_name(&mn, &targ);
	gss_release_cred(&mn, &deleg);
	return 0;
}

static int is(const char *w, const char *s)
{
	return w && !strcmp(w, s);
}

static int want_seal(const char *w)
{
	if (is(w, "seal"))
		return 1;
	if (is(w, "sign"))
		return 0;
	die("seal or sign expected, not %s", w ? w : "nothing");
	return 0;
}

static int want_trailer(const char *w)
{
	if (is(w, "trailer"))
		return 1;
	if (is(w, "notrailer"))
		return 0;
	die("trailer or notrailer expected, not %s", w ? w : "nothing");
	return 0;
}

static void cmd_wrap_iov(int seal, int trailer, const char *assoc_w,
			 const char *data_w)
{
	gss_iov_buffer_desc iov[5];
	gss_buffer_desc assoc, data;
	OM_uint32 major, minor, mn;
	int conf = 0, n = 0, i;

	parse_data(assoc_w, &assoc);
	parse_data(data_w, &data);
	iov[n].type = GSS_IOV_BUFFER_TYPE_HEADER | GSS_IOV_BUFFER_FLAG_ALLOCATE;
	iov[n++].buffer = (gss_buffer_desc)GSS_C_EMPTY_BUFFER;
	iov[n].type = GSS_IOV_BUFFER_TYPE_SIGN_ONLY;
	iov[n++].buffer = assoc;
	iov[n].type = GSS_IOV_BUFFER_TYPE_DATA;
	iov[n++].buffer = data;
	iov[n].type = GSS_IOV_BUFFER_TYPE_PADDING | GSS_IOV_BUFFER_FLAG_ALLOCATE;
	iov[n++].buffer = (gss_buffer_desc)GSS_C_EMPTY_BUFFER;
	if (trailer) {
		iov[n].type = GSS_IOV_BUFFER_TYPE_TRAILER | GSS_IOV_BUFFER_FLAG_ALLOCATE;
		iov[n++].buffer = (gss_buffer_desc)GSS_C_EMPTY_BUFFER;
	}
	major = gss_wrap_iov(&minor, ctx, seal, GSS_C_QOP_DEFAULT, &conf, iov, n);
	print_status("wrap_iov", major, minor);
	if (!GSS_ERROR(major)) {
		/* CFX has no padding: a non-empty one would be lost here */
		if (iov[3].buffer.length)
			die("wrap_iov gave %zu bytes of padding",
			    iov[3].buffer.length);
		printf(" conf=%d header=%zu trailer=%zu", conf,
		       iov[0].buffer.length,
		       trailer ? iov[4].buffer.length : (size_t)0);
		for (i = 0; i < n; i++)
			if (i != 3)
				send_frame(iov[i].buffer.value,
					   iov[i].buffer.length);
	}
	printf("\n");
	gss_release_iov_buffer(&mn, iov, n);
	free(assoc.value);
	free(data.value);
}

static void cmd_unwrap_iov(int trailer)
{
	gss_iov_buffer_desc iov[5];
	OM_uint32 major, minor;
	int conf = 0, n = 0, i;
	gss_qop_t qop = 0;

	iov[n].type = GSS_IOV_BUFFER_TYPE_HEADER;
	recv_frame(&iov[n++].buffer);
	iov[n].type = GSS_IOV_BUFFER_TYPE_SIGN_ONLY;
	recv_frame(&iov[n++].buffer);
	iov[n].type = GSS_IOV_BUFFER_TYPE_DATA;
	recv_frame(&iov[n++].buffer);
	iov[n].type = GSS_IOV_BUFFER_TYPE_PADDING;
	iov[n++].buffer = (gss_buffer_desc)GSS_C_EMPTY_BUFFER;
	if (trailer) {
		iov[n].type = GSS_IOV_BUFFER_TYPE_TRAILER;
		recv_frame(&iov[n++].buffer);
	}
	major = gss_unwrap_iov(&minor, ctx, &conf, &qop, iov, n);
	print_status("unwrap_iov", major, minor);
	if (!GSS_ERROR(major)) {
		printf(" conf=%d qop=%u", conf, qop);
		print_hex("assoc", iov[1].buffer.value, iov[1].buffer.length);
		print_hex("data", iov[2].buffer.value, iov[2].buffer.length);
	}
	printf("\n");
	for (i = 0; i < n; i++)
		free(iov[i].buffer.value);
}

static void cmd_unwrap_stream(void)
{
	gss_iov_buffer_desc iov[2];
	OM_uint32 major, minor;
	gss_qop_t qop = 0;
	int conf = 0;

	iov[0].type = GSS_IOV_BUFFER_TYPE_STREAM;
	recv_frame(&iov[0].buffer);
	iov[1].type = GSS_IOV_BUFFER_TYPE_DATA;
	iov[1].buffer = (gss_buffer_desc)GSS_C_EMPTY_BUFFER;
	major = gss_unwrap_iov(&minor, ctx, &conf, &qop, iov, 2);
	print_status("unwrap_stream", major, minor);
	if (!GSS_ERROR(major)) {
		printf(" conf=%d qop=%u", conf, qop);
		print_hex("data", iov[1].buffer.value, iov[1].buffer.length);
	}
	printf("\n");
	free(iov[0].buffer.value);
}

static void cmd_session_key(void)
{
	gss_OID_desc oid = { 11, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02\x05\x05" };
	gss_buffer_set_t set = GSS_C_NO_BUFFER_SET;
	OM_uint32 major, minor, mn;

	/* GSS_C_INQ_SSPI_SESSION_KEY: the key, then the enctype's OID */
	major = gss_inquire_sec_context_by_oid(&minor, ctx, &oid, &set);
	print_status("session_key", major, minor);
	if (!GSS_ERROR(major) && set && set->count >= 1) {
		if (set->count >= 2) {
			/* enctype OID: 1.2.840.113554.1.2.2.5.6.ENCTYPE */
			gss_buffer_t e = &set->elements[1];

			printf(" enctype=%u",
			       ((unsigned char *)e->value)[e->length - 1]);
		}
		print_hex("key", set->elements[0].value,
			  set->elements[0].length);
	}
	printf("\n");
	gss_release_buffer_set(&mn, &set);
}

static void cmd_lucid(void)
{
	gss_krb5_lucid_context_v1_t *l;
	OM_uint32 major, minor, mn;
	void *p = NULL;

	major = gss_krb5_export_lucid_sec_context(&minor, &ctx, 1, &p);
	print_status("lucid", major, minor);
	if (!GSS_ERROR(major)) {
		l = p;
		printf(" version=%u initiate=%u endtime=%u send_seq=%llu recv_seq=%llu protocol=%u",
		       l->version, l->initiate, l->endtime,
		       (unsigned long long)l->send_seq,
		       (unsigned long long)l->recv_seq, l->protocol);
		if (l->protocol == 1) {
			gss_krb5_lucid_key_t *k = l->cfx_kd.have_acceptor_subkey ?
				&l->cfx_kd.acceptor_subkey : &l->cfx_kd.ctx_key;

			printf(" acceptor_subkey=%u enctype=%u",
			       l->cfx_kd.have_acceptor_subkey, k->type);
			print_hex("key", k->data, k->length);
		}
		gss_krb5_free_lucid_sec_context(&mn, p);
	}
	printf("\n");
}

static void run_commands(void)
{
	char line[65536];

	while (fgets(line, sizeof(line), stdin)) {
		char *save, *cmd, *a1, *a2, *a3, *a4;
		gss_buffer_desc msg = GSS_C_EMPTY_BUFFER, tok = GSS_C_EMPTY_BUFFER;
		OM_uint32 major, minor, mn;
		gss_qop_t qop = 0;
		int conf = 0;

		cmd = strtok_r(line, " \t\n", &save);
		if (!cmd || *cmd == '#')
			continue;
		a1 = strtok_r(NULL, " \t\n", &save);
		a2 = a1 ? strtok_r(NULL, " \t\n", &save) : NULL;
		a3 = a2 ? strtok_r(NULL, " \t\n", &save) : NULL;
		a4 = a3 ? strtok_r(NULL, " \t\n", &save) : NULL;

		if (is(cmd, "quit")) {
			break;
		} else if (is(cmd, "get_mic")) {
			parse_data(a1, &msg);
			major = gss_get_mic(&minor, ctx, GSS_C_QOP_DEFAULT,
					    &msg, &tok);
			print_status(cmd, major, minor);
			if (!GSS_ERROR(major)) {
				printf(" len=%zu", tok.length);
				send_frame(msg.value, msg.length);
				send_frame(tok.value, tok.length);
			}
			printf("\n");
			gss_release_buffer(&mn, &tok);
			free_buf(&msg);
		} else if (is(cmd, "verify_mic")) {
			recv_frame(&msg);
			recv_frame(&tok);
			major = gss_verify_mic(&minor, ctx, &msg, &tok, &qop);
			print_status(cmd, major, minor);
			if (!GSS_ERROR(major)) {
				printf(" qop=%u", qop);
				print_hex("data", msg.value, msg.length);
			}
			printf("\n");
			free_buf(&msg);
			free_buf(&tok);
		} else if (is(cmd, "wrap")) {
			int seal = want_seal(a1);

			parse_data(a2, &msg);
			major = gss_wrap(&minor, ctx, seal, GSS_C_QOP_DEFAULT,
					 &msg, &conf, &tok);
			print_status(cmd, major, minor);
			if (!GSS_ERROR(major)) {
				printf(" conf=%d len=%zu", conf, tok.length);
				send_frame(tok.value, tok.length);
			}
			printf("\n");
			gss_release_buffer(&mn, &tok);
			free_buf(&msg);
		} else if (is(cmd, "unwrap")) {
			recv_frame(&tok);
			major = gss_unwrap(&minor, ctx, &tok, &msg, &conf, &qop);
			print_status(cmd, major, minor);
			if (!GSS_ERROR(major)) {
				printf(" conf=%d qop=%u", conf, qop);
				print_hex("data", msg.value, msg.length);
			}
			printf("\n");
			gss_release_buffer(&mn, &msg);
			free_buf(&tok);
		} else if (is(cmd, "wrap_iov")) {
			cmd_wrap_iov(want_seal(a1), want_trailer(a2), a3, a4);
		} else if (is(cmd, "unwrap_iov")) {
			cmd_unwrap_iov(want_trailer(a1));
		} else if (is(cmd, "unwrap_stream")) {
			cmd_unwrap_stream();
		} else if (is(cmd, "hold")) {
			holding = is(a1, "on");
			printf("hold %s\n", holding ? "on" : "off");
		} else if (is(cmd, "flush")) {
			int rev = is(a1, "reverse"), i, n = nheld;

			for (i = 0; i < n; i++) {
				struct frame *f = &held[rev ? n - 1 - i : i];

				send_raw(f->buf, f->len);
				free(f->buf);
			}
			nheld = 0;
			printf("flush frames=%d\n", n);
		} else if (is(cmd, "resend")) {
			if (!last_sent.buf)
				die("resend: nothing sent yet");
			if (a1) {
				unsigned long off = strtoul(a1, NULL, 0);

				if (off >= last_sent.len)
					die("resend: offset %lu beyond %u bytes",
					    off, last_sent.len);
				last_sent.buf[off] ^= 1;
			}
			{
				struct frame f = last_sent;

				last_sent.buf = NULL;
				send_raw(f.buf, f.len);
				free(f.buf);
			}
			printf("resend len=%u\n", last_sent.len);
		} else if (is(cmd, "session_key")) {
			cmd_session_key();
		} else if (is(cmd, "lucid")) {
			cmd_lucid();
		} else if (is(cmd, "sizes")) {
			OM_uint32 max = 0;
			int seal = want_seal(a1);

			major = gss_wrap_size_limit(&minor, ctx, seal,
						    GSS_C_QOP_DEFAULT,
						    a2 ? strtoul(a2, NULL, 0) : 0,
						    &max);
			print_status(cmd, major, minor);
			printf(" max_input=%u\n", max);
		} else {
			die("unknown command %s", cmd);
		}
		fflush(stdout);
	}
}

static int tcp_channel(int listening, int port)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), c, one = 1, n;

	if (s < 0)
		die("socket: %s", strerror(errno));
	if (listening) {
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(s, (void *)&sa, sizeof(sa)) || listen(s, 1))
			die("listen on %d: %s", port, strerror(errno));
		c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			die("accept: %s", strerror(errno));
		close(s);
		return c;
	}
	/* bounded: the listener may still be starting on a slow guest */
	for (n = 0; n < 600; n++) {
		if (!connect(s, (void *)&sa, sizeof(sa)))
			return s;
		if (errno != ECONNREFUSED)
			die("connect to %d: %s", port, strerror(errno));
		usleep(100000);
	}
	die("connect to %d: nobody listens", port);
	return -1;
}

int main(int argc, char **argv)
{
	OM_uint32 req = GSS_C_MUTUAL_FLAG | GSS_C_REPLAY_FLAG |
			GSS_C_SEQUENCE_FLAG | GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG;
	const char *target = "secmsg@localhost";
	int initiator = -1, opt, listen_port = 0, connect_port = 0;
	gss_OID mech = (gss_OID)gss_mech_krb5;
	OM_uint32 mn;

	while ((opt = getopt(argc, argv, "iam:t:f:F:l:c:")) != -1) {
		switch (opt) {
		case 'i':
			initiator = 1;
			break;
		case 'a':
			initiator = 0;
			break;
		case 'm':
			if (!strcmp(optarg, "spnego"))
				mech = &spnego_oid;
			else if (strcmp(optarg, "krb5"))
				die("mech krb5 or spnego");
			break;
		case 't':
			target = optarg;
			break;
		case 'f':
			req = parse_flags(optarg);
			break;
		case 'F':
			chan = atoi(optarg);
			break;
		case 'l':
			listen_port = atoi(optarg);
			break;
		case 'c':
			connect_port = atoi(optarg);
			break;
		default:
			die("usage: gss_peer -i|-a [-m krb5|spnego] [-t TARGET] [-f FLAGS] [-F FD | -l PORT | -c PORT]");
		}
	}
	if (initiator < 0)
		die("-i or -a");
	if (listen_port || connect_port)
		chan = tcp_channel(!!listen_port, listen_port ? listen_port : connect_port);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (establish(initiator, mech, target, req))
		return 1;
	run_commands();
	if (ctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&mn, &ctx, GSS_C_NO_BUFFER);
	return 0;
}
