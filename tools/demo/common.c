// SPDX-License-Identifier: GPL-2.0
/*
 * Framing and protection shared by the demo programs, and the request
 * loops of their clients and services.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demo.h"

int frame_read(int fd, struct frame *f)
{
	unsigned char t;
	uint32_t be;
	size_t len;
	int r;

	r = read_all(fd, &be, sizeof(be));
	if (r <= 0)
		return r;
	len = ntohl(be);
	if (len < 2 || read_all(fd, &f->kind, 1) != 1 ||
	    read_all(fd, &t, 1) != 1)
		goto bad;
	f->token_len = t;
	if (f->token_len > DEMO_MAX_TOKEN || len - 2 < f->token_len ||
	    len - 2 - f->token_len > DEMO_MAX_DATA)
		goto bad;
	f->len = len - 2 - f->token_len;
	if ((f->token_len && read_all(fd, f->token, f->token_len) != 1) ||
	    (f->len && read_all(fd, f->data, f->len) != 1))
		return -1;
	return 1;
bad:
	errno = EPROTO;
	return -1;
}

int frame_write(int fd, const struct frame *f)
{
	unsigned char t = f->token_len;
	uint32_t be = htonl(2 + f->token_len + f->len);

	if (write_all(fd, &be, sizeof(be)) || write_all(fd, &f->kind, 1) ||
	    write_all(fd, &t, 1) || write_all(fd, f->token, f->token_len) ||
	    write_all(fd, f->data, f->len))
		return -1;
	return 0;
}

void frame_token(struct frame *f, char kind, const void *tok, size_t len)
{
	f->token_len = 0;
	f->kind = kind;
	f->len = len < sizeof(f->data) ? len : sizeof(f->data);
	memcpy(f->data, tok, f->len);
}

sm_status frame_protect(sm_ctx *ctx, struct frame *f, char kind,
			const char *text, uint64_t *seq)
{
	struct sm_buffer b[2] = {
		{ .type = SM_BUF_TOKEN, .data = f->token, .len = DEMO_MAX_TOKEN },
		{ .type = SM_BUF_DATA, .data = f->data },
	};
	sm_status st;

	f->kind = kind;
	f->len = strlen(text);
	if (f->len > sizeof(f->data))
		f->len = sizeof(f->data);
	memcpy(f->data, text, f->len);
	b[1].len = f->len;
	if (kind == 'E')
		st = sm_seal(ctx, SM_QOP_DEFAULT, b, 2, seq);
	else
		st = sm_sign(ctx, SM_QOP_DEFAULT, b, 2, seq);
	/* the token's length: what the call used */
	f->token_len = st == SM_E_OK ? b[0].len : 0;
	return st;
}

sm_status frame_open(sm_ctx *ctx, struct frame *f, uint64_t *seq)
{
	struct sm_buffer b[2] = {
		{ .type = SM_BUF_TOKEN, .data = f->token, .len = f->token_len },
		{ .type = SM_BUF_DATA, .data = f->data, .len = f->len },
	};

	if (f->kind == 'E')
		return sm_unseal(ctx, b, 2, seq, NULL);
	if (f->kind == 'S')
		return sm_verify(ctx, b, 2, seq, NULL);
	return SM_E_INVALID_TOKEN;
}

const char *status_name(sm_status st, char *buf, size_t len)
{
	const char *s = sm_status_string(st);
	size_t n = strcspn(s, ":");

	snprintf(buf, len, "%.*s", (int)n, s);
	return buf;
}

int demo_fail(const char *me, const char *what, sm_status st)
{
	char name[64];

	printf("%s: %s: %s\n", me, what, status_name(st, name, sizeof(name)));
	return 1;
}

int demo_requests(sm_ctx *ctx, int fd, struct frame *f,
		  const struct demo_request *req, unsigned int n,
		  const char *peer, const char *pause_fifo)
{
	unsigned int i;
	sm_status st;

	for (i = 0; i < n; i++) {
		if (pause_fifo && i + 1 == n)
			demo_pause(pause_fifo);

		st = frame_protect(ctx, f, req[i].kind, req[i].text, NULL);
		if (st != SM_E_OK)
			return demo_fail("client", "seal", st);
		printf("client: request %u, %s: \"%s\"\n", i + 1,
		       f->kind == 'E' ? "sealed" : "signed", req[i].text);
		if (frame_write(fd, f) || frame_read(fd, f) != 1) {
			printf("client: no answer from the %s\n", peer);
			return 1;
		}
		st = frame_open(ctx, f, NULL);
		if (st != SM_E_OK)
			return demo_fail("client", "answer", st);
		printf("client: answer %u: \"%.*s\"\n", i + 1, (int)f->len,
		       f->data);
	}
	return 0;
}

/* The verb of @s that @f asks for, its argument into @arg; or NULL. */
static const struct demo_verb *find_verb(const struct demo_service *s,
					 const struct frame *f, char *arg,
					 size_t len)
{
	const struct demo_verb *v;

	for (v = s->verbs; v->verb; v++) {
		size_t n = strlen(v->verb);

		if (f->len < n || memcmp(f->data, v->verb, n))
			continue;
		if (!v->arg && f->len == n) {
			arg[0] = 0;
			return v;
		}
		if (v->arg && f->len > n + 1 && f->data[n] == ' ') {
			snprintf(arg, len, "%.*s", (int)(f->len - n - 1),
				 f->data + n + 1);
			return v;
		}
	}
	return NULL;
}

int demo_serve(struct demo_service *s, int fd, struct frame *f)
{
	struct sm_context_info info = { .size = sizeof(info) };
	char name[64];
	sm_status st;
	int r;

	while ((r = frame_read(fd, f)) == 1) {
		const char *how = f->kind == 'E' ? "sealed" : "signed";
		const struct demo_verb *v;
		uint64_t seq = 0;
		char arg[256];
		int bye = 0;

		st = frame_open(s->ctx, f, &seq);
		if (st != SM_E_OK) {
			s->rejected++;
			printf("%s: a %s request: REJECTED: %s\n", s->me, how,
			       status_name(st, name, sizeof(name)));
			snprintf(s->answer, sizeof(s->answer), "rejected: %s",
				 name);
		} else {
			printf("%s: a %s request, seq %llu: \"%.*s\"\n", s->me,
			       how, (unsigned long long)seq, (int)f->len,
			       f->data);
			v = find_verb(s, f, arg, sizeof(arg));
			if (v) {
				v->serve(s, arg);
			} else if (f->len == 3 && !memcmp(f->data, "BYE", 3)) {
				snprintf(s->answer, sizeof(s->answer),
					 "bye: %u served, %u refused, %u rejected",
					 s->served, s->refused, s->rejected);
				bye = 1;
			} else {
				snprintf(s->answer, sizeof(s->answer),
					 "unknown request");
			}
		}
		/* Every answer travels sealed, the other way. */
		st = frame_protect(s->ctx, f, 'E', s->answer, NULL);
		if (st != SM_E_OK || frame_write(fd, f))
			return demo_fail(s->me, "cannot answer", st);
		if (bye)
			break;
	}
	if (r < 0) {
		fprintf(stderr, "%s: read: %s\n", s->me, strerror(errno));
		return 1;
	}
	sm_query(s->ctx, &info);
	printf("%s: counters: %llu verified, %llu unsealed, %llu altered, %llu replayed\n",
	       s->me, (unsigned long long)info.counters.verified,
	       (unsigned long long)info.counters.unsealed,
	       (unsigned long long)info.counters.altered,
	       (unsigned long long)info.counters.replayed);
	return 0;
}

int demo_act_as_client(struct demo_service *s, const char *note)
{
	sm_status st = sm_impersonate(s->ctx);
	char name[64];

	if (st != SM_E_OK) {
		printf("%s:   impersonation refused: %s\n", s->me,
		       status_name(st, name, sizeof(name)));
		snprintf(s->answer, sizeof(s->answer),
			 "refused: cannot act as you");
		s->refused++;
		return -1;
	}
	printf("%s:   acting as %s (this thread only): euid %u%s\n", s->me,
	       s->client, (unsigned int)geteuid(), note);
	return 0;
}

void demo_revert(struct demo_service *s)
{
	sm_status st = sm_revert(s->ctx);

	/* never go on with the client's identity */
	if (st != SM_E_OK)
		exit(demo_fail(s->me, "revert failed", st));
	printf("%s:   reverted: euid %u again\n", s->me,
	       (unsigned int)geteuid());
}

const char *who(const struct sm_name *n, char *buf, size_t len)
{
	snprintf(buf, len, "%s (uid %u)", n->user, n->id.uid);
	return buf;
}

void demo_pause(const char *fifo)
{
	char line[16];
	FILE *f = fopen(fifo, "re");

	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		fclose(f);
	}
}

/*
 * libsecmsg 1.4 has no call that returns the principal names: QUERY on
 * the context's descriptor (<linux/secmsg.h>) gives them.
 */
int demo_principals(sm_ctx *ctx, char local[SECMSG_PRINCIPAL_MAX],
		    char peer[SECMSG_PRINCIPAL_MAX])
{
	struct sm_context_info ci = { .size = sizeof(ci) };
	struct sm_names n = { .size = sizeof(n) };
	int client;

	local[0] = peer[0] = 0;
	if (sm_query(ctx, &ci) != SM_E_OK || sm_query_names(ctx, &n) != SM_E_OK)
		return -1;
	client = ci.role == SM_ROLE_INITIATOR;
	snprintf(local, SECMSG_PRINCIPAL_MAX, "%s",
		 client ? n.client_principal : n.service_principal);
	snprintf(peer, SECMSG_PRINCIPAL_MAX, "%s",
		 client ? n.service_principal : n.client_principal);
	return 0;
}
