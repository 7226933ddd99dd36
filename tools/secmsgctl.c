// SPDX-License-Identifier: GPL-2.0
/*
 * secmsgctl: list, show and revoke secmsg contexts, read and change the
 * module's configuration, read its statistics, and watch its events.
 * See secmsgctl.8.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <secmsg.h>

/* Exit codes (secmsgctl.8) */
enum {
	EX_OKAY = 0,
	EX_FAIL = 1,		/* the kernel or the system refused */
	EX_USAGE = 2,		/* bad command line */
	EX_NOMODULE = 3,	/* secmsg.ko not loaded */
	EX_NOENT = 4,		/* no such context (or not yours) */
	EX_PERM = 5,		/* not allowed: needs CAP_NET_ADMIN */
};

static bool json;
static const char *prog = "secmsgctl";

static const char *name_of(const char *const *names, size_t n, uint32_t v)
{
	return v < n && names[v] ? names[v] : "?";
}

#define NAME(tbl, v) name_of(tbl, sizeof(tbl) / sizeof(tbl[0]), v)

static const char *const pkg_names[] = {
	[SECMSG_PKG_LOCAL] = "local", [SECMSG_PKG_RAW] = "raw",
	[SECMSG_PKG_KERBEROS] = "kerberos", [SECMSG_PKG_NEGOTIATE] = "negotiate",
};
static const char *const role_names[] = {
	[SECMSG_ROLE_INITIATOR] = "initiator",
	[SECMSG_ROLE_ACCEPTOR] = "acceptor",
};
static const char *const suite_names[] = {
	[SECMSG_SUITE_AES128_GCM] = "aes128-gcm",
	[SECMSG_SUITE_AES256_GCM] = "aes256-gcm",
	[SECMSG_SUITE_CHACHA20_POLY1305] = "chacha20-poly1305",
};
/* MIT's names of the enctypes (kdc.conf, klist -e) */
static const char *const enctype_names[] = {
	[SECMSG_KRB5_AES128_CTS_HMAC_SHA1_96] = "aes128-cts-hmac-sha1-96",
	[SECMSG_KRB5_AES256_CTS_HMAC_SHA1_96] = "aes256-cts-hmac-sha1-96",
	[SECMSG_KRB5_AES128_CTS_HMAC_SHA256_128] = "aes128-cts-hmac-sha256-128",
	[SECMSG_KRB5_AES256_CTS_HMAC_SHA384_192] = "aes256-cts-hmac-sha384-192",
	[SECMSG_KRB5_CAMELLIA128_CTS_CMAC] = "camellia128-cts-cmac",
	[SECMSG_KRB5_CAMELLIA256_CTS_CMAC] = "camellia256-cts-cmac",
};
static const char *const state_names[] = {
	[SECMSG_STATE_ACTIVE] = "active",
	[SECMSG_STATE_EXPIRED] = "expired",
	[SECMSG_STATE_INCOMPLETE] = "incomplete",
	[SECMSG_STATE_REVOKED] = "revoked",
};
static const char *const imp_names[] = {
	[SECMSG_IMP_ANONYMOUS] = "anonymous",
	[SECMSG_IMP_IDENTIFY] = "identify",
	[SECMSG_IMP_IMPERSONATE] = "impersonate",
	[SECMSG_IMP_DELEGATE] = "delegate",
};
static const char *const event_names[] = {
	[SECMSG_EVENT_CREATED] = "created",
	[SECMSG_EVENT_COMPLETED] = "completed",
	[SECMSG_EVENT_EXPIRED] = "expired",
	[SECMSG_EVENT_REVOKED] = "revoked",
	[SECMSG_EVENT_ALTERED] = "altered",
	[SECMSG_EVENT_REPLAY] = "replay",
};
static const char *const verdict_names[] = {
	[SECMSG_VERDICT_OK] = "ok",
	[SECMSG_VERDICT_ALTERED] = "altered",
	[SECMSG_VERDICT_REPLAYED] = "replayed",
	[SECMSG_VERDICT_TOO_OLD] = "too-old",
	[SECMSG_VERDICT_OUT_OF_SEQUENCE] = "out-of-sequence",
	[SECMSG_VERDICT_EXPIRED] = "expired",
	[SECMSG_VERDICT_BAD_TOKEN] = "bad-token",
	[SECMSG_VERDICT_BUFFER_TOO_SMALL] = "buffer-too-small",
	[SECMSG_VERDICT_INCOMPLETE_MESSAGE] = "incomplete-message",
	[SECMSG_VERDICT_QOP_NOT_SUPPORTED] = "qop-not-supported",
	[SECMSG_VERDICT_INCOMPLETE_CONTEXT] = "incomplete-context",
	[SECMSG_VERDICT_REVOKED] = "revoked",
};

static const struct {
	uint32_t bit;
	const char *name;
} flag_names[] = {
	{ SECMSG_CTX_DELEGATE, "delegate" },
	{ SECMSG_CTX_MUTUAL_AUTH, "mutual-auth" },
	{ SECMSG_CTX_REPLAY_DETECT, "replay-detect" },
	{ SECMSG_CTX_SEQUENCE_DETECT, "sequence-detect" },
	{ SECMSG_CTX_CONFIDENTIALITY, "confidentiality" },
	{ SECMSG_CTX_INTEGRITY, "integrity" },
	{ SECMSG_CTX_IDENTIFY, "identify" },
};

static const char *const counter_names[] = {
	"signed", "verified", "sealed", "unsealed", "altered", "replayed",
	"too_old", "out_of_sequence", "expired", "bad_token", "other_failures",
	"revoked",
};

static bool is_krb5(const struct sm_ctl_ctx *c)
{
	return c->package == SECMSG_PKG_KERBEROS ||
	       c->package == SECMSG_PKG_NEGOTIATE;
}

/* A Kerberos client's context has level 0: none granted by it */
static bool has_imp(const struct sm_ctl_ctx *c)
{
	return (c->valid & SM_CTL_IMP_LEVEL) && c->imp_level;
}

/* The suite, or a Kerberos context's enctype */
static const char *suite_str(const struct sm_ctl_ctx *c)
{
	return is_krb5(c) ? NAME(enctype_names, c->suite) :
			    NAME(suite_names, c->suite);
}

/* "a,b,c" of the flag names; unknown bits in hex. */
static const char *flags_str(uint32_t flags, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = 0;
	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
		if (!(flags & flag_names[i].bit))
			continue;
		off += snprintf(buf + off, len - off, "%s%s", off ? "," : "",
				flag_names[i].name);
		flags &= ~flag_names[i].bit;
		if (off >= len)
			return buf;
	}
	if (flags)
		snprintf(buf + off, len - off, "%s%#x", off ? "," : "", flags);
	return buf;
}

static const char *suites_str(uint32_t suites, char *buf, size_t len)
{
	size_t off = 0;
	uint32_t s;

	buf[0] = 0;
	for (s = 1; s < 32; s++)
		if (suites & (1u << s))
			off += snprintf(buf + off, len - off, "%s%s",
					off ? "," : "", NAME(suite_names, s));
	if (!off)
		snprintf(buf, len, "none");
	return buf;
}

static const char *time_str(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ",
					    &tm))
		snprintf(buf, len, "%" PRId64, t);
	return buf;
}

/* A JSON string (the names here are plain, the driver is the kernel's). */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void json_counters(const struct sm_ctl_counters *c)
{
	const uint64_t *v = &c->signed_msgs;
	size_t i;

	putchar('{');
	for (i = 0; i < sizeof(counter_names) / sizeof(counter_names[0]); i++)
		printf("%s\"%s\":%" PRIu64, i ? "," : "", counter_names[i],
		       v[i]);
	putchar('}');
}

static void json_ctx(const struct sm_ctl_ctx *c)
{
	char fl[256];

	printf("{\"id\":%" PRIu64 ",\"package\":", c->id);
	json_str(NAME(pkg_names, c->package));
	printf(",\"role\":");
	json_str(NAME(role_names, c->role));
	printf(",\"suite\":");
	json_str(suite_str(c));
	printf(",\"state\":");
	json_str(NAME(state_names, c->state));
	printf(",\"flags\":");
	json_str(flags_str(c->flags, fl, sizeof(fl)));
	printf(",\"owner_uid\":%u,\"pid\":%u", c->owner_uid, c->pid);
	if (has_imp(c)) {
		printf(",\"imp_level\":");
		json_str(NAME(imp_names, c->imp_level));
	}
	if (c->valid & SM_CTL_PEER_ASSERTED) {
		/* no process: the importer asserted the account */
		printf(",\"peer\":{\"uid\":%u,\"gid\":", c->peer_uid);
		if (c->peer_gid == SECMSG_NO_ID)
			printf("null");
		else
			printf("%u", c->peer_gid);
		printf(",\"asserted\":true}");
	} else if (c->valid & SM_CTL_PEER) {
		printf(",\"peer\":{\"uid\":%u,\"gid\":%u,\"pid\":%u}",
		       c->peer_uid, c->peer_gid, c->peer_pid);
	} else {
		printf(",\"peer\":null");
	}
	if (is_krb5(c)) {
		printf(",\"client_principal\":");
		json_str(c->client_principal);
		printf(",\"service_principal\":");
		json_str(c->service_principal);
	}
	printf(",\"algorithm\":");
	json_str(c->algorithm);
	printf(",\"driver\":");
	json_str(c->driver);
	printf(",\"lifetime\":%u,\"created\":%" PRId64 ",\"expires\":%" PRId64
	       ",\"send_seq\":%" PRIu64 ",\"recv_seq\":%" PRIu64
	       ",\"kept\":%" PRIu64 ",\"counters\":", c->lifetime, c->created,
	       c->expires, c->send_seq, c->recv_seq, c->kept);
	json_counters(&c->counters);
	putchar('}');
}

static uint64_t failures(const struct sm_ctl_counters *c)
{
	return c->altered + c->replayed + c->too_old + c->out_of_sequence +
	       c->expired + c->bad_token + c->other_failures + c->revoked;
}

static void table_header(void)
{
	printf("%-6s %-6s %-7s %-9s %-9s %-26s %-10s %-14s %-11s %-20s %9s %8s %9s %-24s %s\n",
	       "ID", "OWNER", "PID", "PKG", "ROLE", "SUITE", "STATE", "PEER",
	       "IMP", "EXPIRES", "MESSAGES", "FAILURES", "KEPT", "CLIENT",
	       "SERVICE");
}

/* "uid/pid", "uid/asserted" (a Kerberos client's mapped account), "-" */
static const char *peer_str(const struct sm_ctl_ctx *c, char *buf,
			    size_t len)
{
	if (c->valid & SM_CTL_PEER_ASSERTED)
		snprintf(buf, len, "%u/asserted", c->peer_uid);
	else if (c->valid & SM_CTL_PEER)
		snprintf(buf, len, "%u/%u", c->peer_uid, c->peer_pid);
	else
		snprintf(buf, len, "-");
	return buf;
}

static const char *or_dash(const char *s)
{
	return *s ? s : "-";
}

static void table_row(const struct sm_ctl_ctx *c)
{
	const struct sm_ctl_counters *n = &c->counters;
	char peer[32], when[32];

	printf("%-6" PRIu64 " %-6u %-7u %-9s %-9s %-26s %-10s %-14s %-11s %-20s %9" PRIu64 " %8" PRIu64 " %9" PRIu64 " %-24s %s\n",
	       c->id, c->owner_uid, c->pid, NAME(pkg_names, c->package),
	       NAME(role_names, c->role), suite_str(c),
	       NAME(state_names, c->state), peer_str(c, peer, sizeof(peer)),
	       has_imp(c) ?
	       NAME(imp_names, c->imp_level) : "-",
	       time_str(c->expires, when, sizeof(when)),
	       n->signed_msgs + n->verified + n->sealed + n->unsealed,
	       failures(n), c->kept, or_dash(c->client_principal),
	       or_dash(c->service_principal));
}

/* The module is missing: say how to load it. */
static int no_module(void)
{
	fprintf(stderr,
		"%s: the secmsg module is not loaded (no generic netlink family \"%s\")\n"
		"%s: load it as root: modprobe secmsg\n",
		prog, SECMSG_GENL_NAME, prog);
	return EX_NOMODULE;
}

/* Report a failed call, and what to do; the exit code that goes with it. */
static int fail(sm_ctl *ctl, sm_status st, const char *what)
{
	const char *kmsg = sm_ctl_error(ctl);
	int err = errno;

	fprintf(stderr, "%s: %s: %s (%s)\n", prog, what,
		*kmsg ? kmsg : strerror(err), sm_status_string(st));
	switch (st) {
	case SM_E_SECPKG_NOT_FOUND:
		return no_module();
	case SM_E_INVALID_HANDLE:
		return EX_NOENT;
	case SM_E_NOT_OWNER:
	case SM_E_ACCESS_DENIED:
		fprintf(stderr,
			"%s: not allowed: run it as root (it needs CAP_NET_ADMIN), or ask the administrator\n",
			prog);
		return EX_PERM;
	default:
		return EX_FAIL;
	}
}

struct list_state {
	unsigned int n;
};

static int list_one(const struct sm_ctl_ctx *c, void *arg)
{
	struct list_state *ls = arg;

	if (json) {
		if (ls->n)
			putchar(',');
		json_ctx(c);
	} else {
		if (!ls->n)
			table_header();
		table_row(c);
	}
	ls->n++;
	return 0;
}

static int cmd_list(sm_ctl *ctl)
{
	struct list_state ls = { 0 };
	sm_status st;

	if (json)
		putchar('[');
	st = sm_ctl_list(ctl, list_one, &ls);
	if (json)
		printf("]\n");
	else if (st == SM_E_OK && !ls.n)
		printf("no contexts\n");
	return st == SM_E_OK ? EX_OKAY : fail(ctl, st, "list");
}

/* A context id from the command line: 0 if it is not one. */
static uint64_t parse_id(const char *s)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return 0;
	return v;
}

static void show_ctx(const struct sm_ctl_ctx *c)
{
	const uint64_t *v = &c->counters.signed_msgs;
	char buf[256];
	size_t i;

	printf("id:          %" PRIu64 "\n", c->id);
	printf("package:     %s\n", NAME(pkg_names, c->package));
	printf("role:        %s\n", NAME(role_names, c->role));
	printf("%-13s%s\n", is_krb5(c) ? "enctype:" : "suite:", suite_str(c));
	printf("algorithm:   %s\n", or_dash(c->algorithm));
	printf("driver:      %s\n", or_dash(c->driver));
	printf("state:       %s\n", NAME(state_names, c->state));
	printf("flags:       %s\n", flags_str(c->flags, buf, sizeof(buf)));
	printf("owner uid:   %u\n", c->owner_uid);
	printf("pid:         %u\n", c->pid);
	if (has_imp(c))
		printf("imp level:   %s\n", NAME(imp_names, c->imp_level));
	if (is_krb5(c)) {
		printf("client:      %s\n", or_dash(c->client_principal));
		printf("service:     %s\n", or_dash(c->service_principal));
	}
	if (c->valid & SM_CTL_PEER_ASSERTED) {
		/* the account the client maps to, as its importer said */
		if (c->peer_gid == SECMSG_NO_ID)
			printf("peer:        uid %u gid - asserted\n",
			       c->peer_uid);
		else
			printf("peer:        uid %u gid %u asserted\n",
			       c->peer_uid, c->peer_gid);
	} else if (c->valid & SM_CTL_PEER) {
		printf("peer:        uid %u gid %u pid %u\n", c->peer_uid,
		       c->peer_gid, c->peer_pid);
	} else {
		printf("peer:        -\n");
	}
	printf("lifetime:    %u s\n", c->lifetime);
	printf("created:     %s\n", time_str(c->created, buf, sizeof(buf)));
	printf("expires:     %s\n", time_str(c->expires, buf, sizeof(buf)));
	printf("send seq:    %" PRIu64 "\n", c->send_seq);
	printf("recv seq:    %" PRIu64 "\n", c->recv_seq);
	printf("kept:        %" PRIu64 " bytes\n", c->kept);
	for (i = 0; i < sizeof(counter_names) / sizeof(counter_names[0]); i++)
		printf("%-13s%" PRIu64 "\n", counter_names[i], v[i]);
}

static int cmd_show(sm_ctl *ctl, const char *arg)
{
	struct sm_ctl_ctx c;
	uint64_t id = parse_id(arg);
	char what[64];
	sm_status st;

	if (!id) {
		fprintf(stderr, "%s: show: '%s' is not a context id (a number from 'list')\n",
			prog, arg ? arg : "");
		return EX_USAGE;
	}
	st = sm_ctl_get(ctl, id, &c);
	if (st != SM_E_OK) {
		snprintf(what, sizeof(what), "show %" PRIu64, id);
		return fail(ctl, st, what);
	}
	if (json) {
		json_ctx(&c);
		putchar('\n');
	} else {
		show_ctx(&c);
	}
	return EX_OKAY;
}

static int cmd_revoke(sm_ctl *ctl, const char *arg)
{
	uint64_t id = parse_id(arg);
	char what[64];
	sm_status st;

	if (!id) {
		fprintf(stderr, "%s: revoke: '%s' is not a context id (a number from 'list')\n",
			prog, arg ? arg : "");
		return EX_USAGE;
	}
	st = sm_ctl_revoke(ctl, id);
	if (st != SM_E_OK) {
		snprintf(what, sizeof(what), "revoke %" PRIu64, id);
		return fail(ctl, st, what);
	}
	if (json)
		printf("{\"revoked\":%" PRIu64 "}\n", id);
	else
		printf("context %" PRIu64 " revoked\n", id);
	return EX_OKAY;
}

static void print_config(const struct sm_ctl_config *c)
{
	char buf[128];

	if (json) {
		printf("{\"max_contexts_per_user\":%u,\"default_lifetime\":%u,"
		       "\"max_lifetime\":%u,\"replay_window\":%u,\"suites\":",
		       c->max_contexts_per_user, c->default_lifetime,
		       c->max_lifetime, c->replay_window);
		json_str(suites_str(c->suites, buf, sizeof(buf)));
		printf("}\n");
		return;
	}
	printf("max_contexts_per_user  %u\n", c->max_contexts_per_user);
	printf("default_lifetime       %u\n", c->default_lifetime);
	printf("max_lifetime           %u\n", c->max_lifetime);
	printf("replay_window          %u\n", c->replay_window);
	printf("suites                 %s\n",
	       suites_str(c->suites, buf, sizeof(buf)));
}

/* "aes128-gcm,chacha20-poly1305", "none", or a number. */
static int parse_suites(const char *s, uint32_t *out)
{
	char *copy, *tok, *save = NULL, *end;
	uint32_t v = 0, i;
	int ok = 1;

	if (!strcmp(s, "none")) {
		*out = 0;
		return 0;
	}
	if (*s >= '0' && *s <= '9') {
		unsigned long n = strtoul(s, &end, 0);

		if (*end || n > UINT32_MAX)
			return -1;
		*out = (uint32_t)n;
		return 0;
	}
	copy = strdup(s);
	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok && ok;
	     tok = strtok_r(NULL, ",", &save)) {
		ok = 0;
		for (i = 1; i < sizeof(suite_names) / sizeof(suite_names[0]); i++)
			if (suite_names[i] && !strcmp(tok, suite_names[i])) {
				v |= 1u << i;
				ok = 1;
			}
	}
	free(copy);
	if (!ok)
		return -1;
	*out = v;
	return 0;
}

static int cmd_config(sm_ctl *ctl, int argc, char **argv)
{
	struct sm_ctl_config c = { 0 }, out;
	unsigned long n;
	sm_status st;
	char *end;

	if (argc == 0) {
		st = sm_ctl_config_get(ctl, &out);
		if (st != SM_E_OK)
			return fail(ctl, st, "config");
		print_config(&out);
		return EX_OKAY;
	}
	if (argc != 2) {
		fprintf(stderr, "%s: config: give no argument, or KEY VALUE\n",
			prog);
		return EX_USAGE;
	}
	if (!strcmp(argv[0], "suites")) {
		if (parse_suites(argv[1], &c.suites)) {
			fprintf(stderr, "%s: config suites: '%s' is not a list of aes128-gcm, aes256-gcm, chacha20-poly1305 (or none)\n",
				prog, argv[1]);
			return EX_USAGE;
		}
		c.set = SM_CTL_CFG_SUITES;
	} else {
		errno = 0;
		n = strtoul(argv[1], &end, 10);
		if (errno || *end || !*argv[1] || n > UINT32_MAX ||
		    argv[1][0] == '-') {
			fprintf(stderr, "%s: config %s: '%s' is not a number\n",
				prog, argv[0], argv[1]);
			return EX_USAGE;
		}
		if (!strcmp(argv[0], "max_contexts_per_user")) {
			c.set = SM_CTL_CFG_MAX_CONTEXTS;
			c.max_contexts_per_user = (uint32_t)n;
		} else if (!strcmp(argv[0], "default_lifetime")) {
			c.set = SM_CTL_CFG_DEFAULT_LIFETIME;
			c.default_lifetime = (uint32_t)n;
		} else if (!strcmp(argv[0], "max_lifetime")) {
			c.set = SM_CTL_CFG_MAX_LIFETIME;
			c.max_lifetime = (uint32_t)n;
		} else if (!strcmp(argv[0], "replay_window")) {
			c.set = SM_CTL_CFG_REPLAY_WINDOW;
			c.replay_window = (uint32_t)n;
		} else {
			fprintf(stderr, "%s: config: unknown key '%s' (max_contexts_per_user, default_lifetime, max_lifetime, replay_window, suites)\n",
				prog, argv[0]);
			return EX_USAGE;
		}
	}
	st = sm_ctl_config_set(ctl, &c, &out);
	if (st != SM_E_OK)
		return fail(ctl, st, "config");
	print_config(&out);
	return EX_OKAY;
}

static int cmd_stats(sm_ctl *ctl)
{
	const uint64_t *v;
	struct sm_ctl_stats s;
	sm_status st;
	size_t i;

	st = sm_ctl_stats(ctl, &s);
	if (st != SM_E_OK)
		return fail(ctl, st, "stats");
	if (json) {
		printf("{\"contexts\":%" PRIu64 ",\"created\":%" PRIu64
		       ",\"revoked\":%" PRIu64 ",\"events_coalesced\":%"
		       PRIu64 ",\"totals\":", s.contexts, s.created,
		       s.revoked, s.events_coalesced);
		json_counters(&s.totals);
		printf("}\n");
		return EX_OKAY;
	}
	printf("contexts       %" PRIu64 "\n", s.contexts);
	printf("created        %" PRIu64 "\n", s.created);
	printf("revoked        %" PRIu64 "\n", s.revoked);
	printf("coalesced      %" PRIu64 "\n", s.events_coalesced);
	v = &s.totals.signed_msgs;
	for (i = 0; i < sizeof(counter_names) / sizeof(counter_names[0]); i++)
		printf("%-15s%" PRIu64 "\n", counter_names[i], v[i]);
	return EX_OKAY;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int cmd_monitor(sm_ctl *ctl, long count)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct sm_ctl_event ev;
	char when[32], peer[32];
	sm_status st;
	long n = 0;

	st = sm_ctl_subscribe(ctl);
	if (st != SM_E_OK)
		return fail(ctl, st, "monitor");
	/* No SA_RESTART: a signal ends the wait. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (!json) {
		printf("watching secmsg events (Ctrl-C to stop)\n");
		fflush(stdout);
	}
	while (!stop && (count <= 0 || n < count)) {
		st = sm_ctl_event_read(ctl, &ev);
		if (st != SM_E_OK) {
			if (stop || errno == EINTR)
				break;
			if (errno == ENOBUFS) {
				fprintf(stderr, "%s: monitor: events lost (not read fast enough)\n",
					prog);
				continue;
			}
			return fail(ctl, st, "monitor");
		}
		n++;
		if (json) {
			printf("{\"event\":");
			json_str(NAME(event_names, ev.event));
			if (ev.verdict) {
				printf(",\"verdict\":");
				json_str(NAME(verdict_names, ev.verdict));
			}
			if (ev.count)
				printf(",\"count\":%" PRIu64, ev.count);
			printf(",\"context\":");
			json_ctx(&ev.ctx);
			printf("}\n");
		} else {
			time_t now = time(NULL);

			printf("%s %-9s ctx %" PRIu64 " owner %u pid %u %s %s %s",
			       time_str(now, when, sizeof(when)),
			       NAME(event_names, ev.event), ev.ctx.id,
			       ev.ctx.owner_uid, ev.ctx.pid,
			       NAME(pkg_names, ev.ctx.package),
			       NAME(role_names, ev.ctx.role),
			       suite_str(&ev.ctx));
			if (ev.ctx.valid & SM_CTL_PEER)
				printf(" peer %s",
				       peer_str(&ev.ctx, peer, sizeof(peer)));
			if (*ev.ctx.client_principal)
				printf(" client %s", ev.ctx.client_principal);
			if (ev.verdict)
				printf(" verdict %s", NAME(verdict_names,
							   ev.verdict));
			/* failures this event reports (coalesced) */
			if (ev.count)
				printf(" count %" PRIu64, ev.count);
			if (ev.verdict)
				printf(" (altered %" PRIu64 " replayed %" PRIu64
				       " too_old %" PRIu64 ")",
				       ev.ctx.counters.altered,
				       ev.ctx.counters.replayed,
				       ev.ctx.counters.too_old);
			putchar('\n');
		}
		fflush(stdout);
	}
	return EX_OKAY;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [--json] COMMAND [ARGS]\n"
		"  list                 the contexts you may see\n"
		"  show ID              one context\n"
		"  revoke ID            revoke a context: every later call on it fails\n"
		"  config               the module's configuration\n"
		"  config KEY VALUE     change it (max_contexts_per_user, default_lifetime,\n"
		"                       max_lifetime, replay_window, suites)\n"
		"  stats                module-wide statistics\n"
		"  monitor [--count N]  print events as they happen\n"
		"  -j, --json           JSON output\n"
		"  -V, --version        the version of secmsgctl and libsecmsg\n"
		"  -h, --help           this text\n",
		prog);
}

/* secmsgctl is part of the secmsg release, as is the library it runs with. */
static void version(void)
{
	printf("%s %s (libsecmsg %s)\n", prog, sm_version(), sm_version());
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "count", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd;
	long count = 0;
	sm_ctl *ctl;
	sm_status st;
	char *end;
	int c, rc;

	while ((c = getopt_long(argc, argv, "jhVc:", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return EX_OKAY;
		case 'V':
			version();
			return EX_OKAY;
		case 'c':
			count = strtol(optarg, &end, 10);
			if (*end || count <= 0) {
				fprintf(stderr, "%s: --count wants a positive number\n",
					prog);
				return EX_USAGE;
			}
			break;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	cmd = argv[optind++];
	argc -= optind;
	argv += optind;
	if (strcmp(cmd, "list") && strcmp(cmd, "show") &&
	    strcmp(cmd, "revoke") && strcmp(cmd, "config") &&
	    strcmp(cmd, "stats") && strcmp(cmd, "monitor")) {
		fprintf(stderr, "%s: unknown command '%s'\n", prog, cmd);
		usage(stderr);
		return EX_USAGE;
	}
	if ((!strcmp(cmd, "list") || !strcmp(cmd, "stats") ||
	     !strcmp(cmd, "monitor")) && argc) {
		fprintf(stderr, "%s: %s takes no argument\n", prog, cmd);
		return EX_USAGE;
	}
	if ((!strcmp(cmd, "show") || !strcmp(cmd, "revoke")) &&
	    (argc != 1 || !parse_id(argv[0]))) {
		fprintf(stderr, "%s: %s takes one context id (a number from 'list')\n",
			prog, cmd);
		return EX_USAGE;
	}
	if (count && strcmp(cmd, "monitor")) {
		fprintf(stderr, "%s: --count is for monitor\n", prog);
		return EX_USAGE;
	}

	st = sm_ctl_open(&ctl);
	if (st == SM_E_SECPKG_NOT_FOUND)
		return no_module();
	if (st != SM_E_OK)
		return fail(NULL, st, "open");
	if (!strcmp(cmd, "list"))
		rc = cmd_list(ctl);
	else if (!strcmp(cmd, "show"))
		rc = cmd_show(ctl, argv[0]);
	else if (!strcmp(cmd, "revoke"))
		rc = cmd_revoke(ctl, argv[0]);
	else if (!strcmp(cmd, "config"))
		rc = cmd_config(ctl, argc, argv);
	else if (!strcmp(cmd, "stats"))
		rc = cmd_stats(ctl);
	else
		rc = cmd_monitor(ctl, count);
	sm_ctl_close(ctl);
	return rc;
}
