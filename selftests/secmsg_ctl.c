// SPDX-License-Identifier: GPL-2.0
/*
 * secmsgctl's output and exit codes: list shows a context this test
 * created (table and --json, which python3's json.tool must accept), show,
 * revoke and its effect, refusals with their messages and codes, config,
 * stats, monitor (a failure event with its count too), libsecmsg's older
 * event readers (their symbol versions), and an unprivileged caller.
 *
 * The binary: $SECMSGCTL, else the tools/ directory next to
 * $SECMSG_TEST_BIN (build/selftests -> build/tools), else build/tools.
 */
#include "secmsg_test.h"
#include "secmsg_nl.h"
#include "secmsg.h"

#include <dlfcn.h>
#include <grp.h>
#include <libgen.h>
#include <stdbool.h>
#include <time.h>
#include <sys/wait.h>

#define NOBODY 65534

static char ctl_path[4096];

static const char *ctl_bin(void)
{
	const char *e = getenv("SECMSGCTL"), *bin;
	char tmp[4096], lib[4200], *top;

	if (e)
		return e;
	bin = getenv("SECMSG_TEST_BIN");
	snprintf(tmp, sizeof(tmp), "%s", bin ? bin : "build/selftests");
	top = dirname(tmp);
	snprintf(ctl_path, sizeof(ctl_path), "%s/tools/secmsgctl", top);
	/* The build tree's tools have no RUNPATH: its libsecmsg, by name. */
	snprintf(lib, sizeof(lib), "%s/lib", top);
	setenv("LD_LIBRARY_PATH", lib, 1);
	return ctl_path;
}

/* Run "secmsgctl ARGS" (a shell fragment); its output; exit code in *rc. */
static char *run(const char *args, int *rc, bool as_nobody)
{
	static char out[1 << 16];
	char cmd[8192];
	size_t n = 0;
	FILE *f;
	int st;

	snprintf(cmd, sizeof(cmd), "%s%s %s 2>&1",
		 as_nobody ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "",
		 ctl_bin(), args);
	f = popen(cmd, "r");
	if (!f) {
		*rc = -1;
		return strcpy(out, "popen failed");
	}
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	st = pclose(f);
	*rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return out;
}

/* Whether @text is JSON python3 accepts (1), rejects (0); -1: no python3. */
static int json_ok(const char *text)
{
	FILE *f;
	int st;

	if (system("command -v python3 >/dev/null 2>&1"))
		return -1;
	f = popen("python3 -m json.tool >/dev/null 2>&1", "w");
	if (!f)
		return 0;
	fputs(text, f);
	st = pclose(f);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/*
 * Each secmsgctl (and python3) the tests run is an exec under QEMU: a few
 * seconds apiece on a loaded debug kernel, a minute for the whole of
 * ctl.refusals; hence the timeouts of ten times that.
 */
FIXTURE(ctl) {
	int dev, fd;
	long long id;
	char ids[32];
};

FIXTURE_SETUP(ctl)
{
	self->fd = -1;
	SM_OPEN_DEV_OR_SKIP(self->dev);
	if (geteuid() != 0)
		SM_SKIP_SETUP("needs root");
	if (access(ctl_bin(), X_OK))
		SM_SKIP_SETUP("%s missing: make tools", ctl_bin());
	self->fd = ts_import_simple(self->dev, SECMSG_ROLE_INITIATOR,
				    SECMSG_SUITE_CHACHA20_POLY1305, 0, 0, 0);
	ASSERT_LE(0, self->fd);
	self->id = (long long)tn_fd_id(self->fd);
	snprintf(self->ids, sizeof(self->ids), "%lld", self->id);
}

FIXTURE_TEARDOWN(ctl)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->dev >= 0)
		close(self->dev);
}

/* A line of @out starting with @id followed by a space. */
static const char *row_of(const char *out, const char *id)
{
	const char *p = out;
	size_t n = strlen(id);

	while (p && *p) {
		if (!strncmp(p, id, n) && p[n] == ' ')
			return p;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

TEST_F_TIMEOUT(ctl, list_table_and_json, 600)
{
	char key[64], *out;
	const char *row;
	int rc, j;

	out = run("list", &rc, false);
	ASSERT_EQ(0, rc) TH_LOG("%s", out);
	ASSERT_EQ(0, strncmp(out, "ID ", 3)) TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(out, " FAILURES      KEPT CLIENT "))
		TH_LOG("%s", out);
	row = row_of(strchr(out, '\n') + 1, self->ids);
	ASSERT_NE(NULL, row) TH_LOG("context %s not listed:\n%s", self->ids,
				    out);
	ASSERT_NE(NULL, strstr(row, " raw ")) TH_LOG("%s", row);
	ASSERT_NE(NULL, strstr(row, " initiator ")) TH_LOG("%s", row);
	ASSERT_NE(NULL, strstr(row, " chacha20-poly1305 ")) TH_LOG("%s", row);
	ASSERT_NE(NULL, strstr(row, " active ")) TH_LOG("%s", row);

	out = run("--json list", &rc, false);
	ASSERT_EQ(0, rc) TH_LOG("%s", out);
	snprintf(key, sizeof(key), "{\"id\":%s,", self->ids);
	ASSERT_NE(NULL, strstr(out, key)) TH_LOG("%s", out);
	/* nothing kept before the first message */
	ASSERT_NE(NULL, strstr(strstr(out, key), ",\"kept\":0,\"counters\":"))
		TH_LOG("%s", out);
	j = json_ok(out);
	if (j < 0)
		TH_LOG("no python3 in the guest: JSON not parsed");
	else
		ASSERT_EQ(1, j) TH_LOG("not JSON: %s", out);
}

TEST_F_TIMEOUT(ctl, show_and_revoke, 600)
{
	char args[64], *out;
	uint8_t tok[SECMSG_TOKEN_SIZE];
	struct secmsg_message m;
	int rc;

	snprintf(args, sizeof(args), "show %s", self->ids);
	out = run(args, &rc, false);
	ASSERT_EQ(0, rc) TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(out, "suite:       chacha20-poly1305\n"));
	ASSERT_NE(NULL, strstr(out, "state:       active\n"));
	ASSERT_NE(NULL, strstr(out, "\nkept:        0 bytes\n"))
		TH_LOG("%s", out);
	snprintf(args, sizeof(args), "--json show %s", self->ids);
	out = run(args, &rc, false);
	ASSERT_EQ(0, rc);
	ASSERT_NE(0, json_ok(out)) TH_LOG("not JSON: %s", out);

	snprintf(args, sizeof(args), "revoke %s", self->ids);
	out = run(args, &rc, false);
	ASSERT_EQ(0, rc) TH_LOG("%s", out);
	ASSERT_EQ(0, strncmp(out, "context ", 8)) TH_LOG("%s", out);
	ASSERT_EQ(-EKEYREVOKED, ts_sign1(self->fd, tok, "x", 1, &m));
	/* again: refused, with the kernel's reason */
	out = run(args, &rc, false);
	ASSERT_EQ(1, rc) TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(out, "context already revoked")) TH_LOG("%s", out);
	snprintf(args, sizeof(args), "show %s", self->ids);
	out = run(args, &rc, false);
	ASSERT_NE(NULL, strstr(out, "state:       revoked\n")) TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(out, "revoked      1\n")) TH_LOG("%s", out);
}

/*
 * What a context keeps for its message calls (QUERY's kept): the same
 * number in show, list and --json.  idle_release_ms 0 keeps it until the
 * context is closed, so that it cannot change between the calls.
 */
TEST_F_TIMEOUT(ctl, kept, 600)
{
	char args[64], want[64], saved[16] = "", *out, *shown, *json;
	const char *row;
	uint8_t tok[SECMSG_TOKEN_SIZE];
	struct secmsg_query q = { 0 };
	struct secmsg_message m;
	ssize_t n;
	int rc, fd, sign, query;

	fd = open("/sys/module/secmsg/parameters/idle_release_ms", O_RDONLY);
	if (fd < 0)
		SKIP(return, "no idle_release_ms parameter");
	n = read(fd, saved, sizeof(saved) - 1);
	close(fd);
	ASSERT_LT(0, n);
	ASSERT_EQ(0, ts_param_write("idle_release_ms", "0"));
	sign = ts_sign1(self->fd, tok, "x", 1, &m);
	query = ts_query(self->fd, &q);
	snprintf(args, sizeof(args), "show %s", self->ids);
	shown = strdup(run(args, &rc, false));
	snprintf(args, sizeof(args), "--json show %s", self->ids);
	json = strdup(run(args, &rc, false));
	out = run("list", &rc, false);
	ts_param_write("idle_release_ms", saved);
	ASSERT_EQ(0, sign);
	ASSERT_EQ(0, query);
	ASSERT_LT(0ull, (unsigned long long)q.kept);
	ASSERT_TRUE(shown && json);

	snprintf(want, sizeof(want), "\nkept:        %llu bytes\n",
		 (unsigned long long)q.kept);
	EXPECT_NE(NULL, strstr(shown, want)) TH_LOG("%s: %s", want, shown);
	snprintf(want, sizeof(want), ",\"kept\":%llu,",
		 (unsigned long long)q.kept);
	EXPECT_NE(NULL, strstr(json, want)) TH_LOG("%s: %s", want, json);
	row = row_of(strchr(out, '\n') + 1, self->ids);
	ASSERT_NE(NULL, row) TH_LOG("%s", out);
	/* MESSAGES 1, FAILURES 0, then KEPT */
	snprintf(want, sizeof(want), " 1 %8u %9llu ", 0u,
		 (unsigned long long)q.kept);
	EXPECT_NE(NULL, strstr(row, want)) TH_LOG("'%s': %s", want, row);
	free(shown);
	free(json);
}

TEST_F_TIMEOUT(ctl, refusals, 600)
{
	char args[64], *out;
	int rc;

	out = run("show 999999999", &rc, false);
	ASSERT_EQ(4, rc);
	ASSERT_NE(NULL, strstr(out, "no such context (or not yours)"))
		TH_LOG("%s", out);
	out = run("show nope", &rc, false);
	ASSERT_EQ(2, rc);
	out = run("frobnicate", &rc, false);
	ASSERT_EQ(2, rc);
	ASSERT_NE(NULL, strstr(out, "unknown command 'frobnicate'"));
	out = run("config max_lifetime 0", &rc, false);
	ASSERT_EQ(1, rc);
	ASSERT_NE(NULL, strstr(out, "integer out of range")) TH_LOG("%s", out);
	out = run("config suites rot13", &rc, false);
	ASSERT_EQ(2, rc);
	out = run("config colour blue", &rc, false);
	ASSERT_EQ(2, rc) TH_LOG("%s", out);

	/* another user: not its context, no configuration, no events */
	snprintf(args, sizeof(args), "show %s", self->ids);
	out = run(args, &rc, true);
	if (rc == 127 || strstr(out, "setpriv:"))
		SKIP(return, "no setpriv: %s", out);
	ASSERT_EQ(4, rc) TH_LOG("%s", out);
	out = run("list", &rc, true);
	ASSERT_EQ(0, rc) TH_LOG("%s", out);
	ASSERT_EQ(NULL, row_of(out, self->ids)) TH_LOG("%s", out);
	out = run("config max_lifetime 60", &rc, true);
	ASSERT_EQ(5, rc) TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(out, "CONFIG_SET needs CAP_NET_ADMIN"))
		TH_LOG("%s", out);
	out = run("stats", &rc, true);
	ASSERT_EQ(5, rc) TH_LOG("%s", out);
	out = run("monitor", &rc, true);
	ASSERT_EQ(5, rc) TH_LOG("%s", out);
}

TEST_F_TIMEOUT(ctl, config_and_stats, 600)
{
	char *out;
	int rc;

	out = run("config", &rc, false);
	ASSERT_EQ(0, rc) TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(out, "suites                 aes128-gcm,aes256-gcm,chacha20-poly1305\n"))
		TH_LOG("%s", out);
	out = run("--json config", &rc, false);
	ASSERT_EQ(0, rc);
	ASSERT_NE(0, json_ok(out)) TH_LOG("not JSON: %s", out);
	out = run("--json stats", &rc, false);
	ASSERT_EQ(0, rc) TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(out, ",\"events_coalesced\":")) TH_LOG("%s", out);
	ASSERT_NE(0, json_ok(out)) TH_LOG("not JSON: %s", out);
	out = run("stats", &rc, false);
	ASSERT_EQ(0, rc);
	ASSERT_NE(NULL, strstr(out, "contexts       ")) TH_LOG("%s", out);
	ASSERT_NE(NULL, strstr(out, "\ncoalesced      ")) TH_LOG("%s", out);
}

TEST_F_TIMEOUT(ctl, monitor, 120)
{
	char cmd[4200], line[1024], want[64];
	FILE *f;
	int fd, i, got = 0;

	/* two events: our context created, then revoked */
	snprintf(cmd, sizeof(cmd), "%s monitor --count 2 2>&1", ctl_bin());
	f = popen(cmd, "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(line, sizeof(line), f));
	ASSERT_EQ(0, strncmp(line, "watching", 8)) TH_LOG("%s", line);
	fd = ts_import_simple(self->dev, SECMSG_ROLE_ACCEPTOR,
			      SECMSG_SUITE_AES128_GCM, 0, 0, 0);
	ASSERT_LE(0, fd);
	snprintf(want, sizeof(want), "ctx %llu ",
		 (unsigned long long)tn_fd_id(fd));
	{
		struct tn_sock s;

		ASSERT_EQ(0, tn_open(&s));
		ASSERT_EQ(0, tn_revoke(&s, tn_fd_id(fd)));
		tn_close(&s);
	}
	for (i = 0; i < 2 && fgets(line, sizeof(line), f); i++) {
		TH_LOG("%s", line);
		if (strstr(line, want) &&
		    strstr(line, i ? " revoked " : " created "))
			got++;
	}
	ASSERT_EQ(0, pclose(f));
	ASSERT_EQ(2, got);
	close(fd);
}

/* A failure event: its verdict and how many failures it reports. */
TEST_F(ctl, monitor_failure)
{
	uint8_t tok[SECMSG_TOKEN_SIZE];
	char cmd[4200], line[1024], want[64];
	struct secmsg_message m;
	int acc;
	FILE *f;

	acc = ts_import_simple(self->dev, SECMSG_ROLE_ACCEPTOR,
			       SECMSG_SUITE_CHACHA20_POLY1305, 0, 0, 0);
	ASSERT_LE(0, acc);
	ASSERT_EQ(0, ts_sign1(self->fd, tok, "x", 1, &m));
	tok[20] ^= 1;
	snprintf(cmd, sizeof(cmd), "%s monitor --count 1 2>&1", ctl_bin());
	f = popen(cmd, "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(line, sizeof(line), f));
	ASSERT_EQ(0, strncmp(line, "watching", 8)) TH_LOG("%s", line);
	ASSERT_EQ(-EBADMSG, ts_verify1(acc, tok, "x", 1, &m));
	ASSERT_NE(NULL, fgets(line, sizeof(line), f));
	TH_LOG("%s", line);
	snprintf(want, sizeof(want), " ctx %llu ",
		 (unsigned long long)tn_fd_id(acc));
	ASSERT_NE(NULL, strstr(line, want));
	ASSERT_NE(NULL, strstr(line, " altered "));
	ASSERT_NE(NULL, strstr(line, " verdict altered count 1 (altered 1 "));
	ASSERT_EQ(0, pclose(f));
	close(acc);
}

/*
 * A Kerberos context, imported as libsecmsg would after GSSAPI (the key
 * is made up: nothing is exchanged).  The service's context names the
 * client's mapped account "asserted"; the client's has no peer.
 */
#define K5_CLIENT "alice@SECMSG.TEST"
#define K5_SERVICE "secmsg/localhost@SECMSG.TEST"

static int k5_import(int dev, uint32_t package, uint32_t role)
{
	static const uint8_t key[32] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	bool acc = role == SECMSG_ROLE_ACCEPTOR;
	const char *local = acc ? K5_SERVICE : K5_CLIENT;
	const char *peer = acc ? K5_CLIENT : K5_SERVICE;
	struct secmsg_krb5_import imp = {
		.size = sizeof(imp),
		.package = package,
		.role = role,
		.enctype = SECMSG_KRB5_AES256_CTS_HMAC_SHA1_96,
		.ctx_flags = SECMSG_CTX_MUTUAL_AUTH |
			     SECMSG_CTX_REPLAY_DETECT |
			     SECMSG_CTX_SEQUENCE_DETECT |
			     SECMSG_CTX_CONFIDENTIALITY,
		.key_len = sizeof(key),
		.imp_level = acc ? SECMSG_IMP_IMPERSONATE : 0,
		.key = SM_PTR(key),
		.send_seq = 1,
		.recv_seq = 2,
		.endtime = time(NULL) + 3600,
		.local_name = SM_PTR(local),
		.peer_name = SM_PTR(peer),
		.local_name_len = strlen(local),
		.peer_name_len = strlen(peer),
		.peer_uid = acc ? NOBODY : SECMSG_NO_ID,
		.peer_gid = acc ? NOBODY : SECMSG_NO_ID,
	};

	return ioctl(dev, SECMSG_IOC_IMPORT_KRB5, &imp);
}

/* What show must print from "id:" to "peer:" (and expires) for @fd */
static void k5_expect(int fd, uint32_t role, char *buf, size_t len,
		      char *expires, size_t elen)
{
	bool acc = role == SECMSG_ROLE_ACCEPTOR;
	struct secmsg_query q;
	time_t t;
	struct tm tm;

	memset(&q, 0, sizeof(q));
	if (ts_query(fd, &q))
		q.driver[0] = 0;
	snprintf(buf, len,
		 "id:          %llu\n"
		 "package:     %s\n"
		 "role:        %s\n"
		 "enctype:     aes256-cts-hmac-sha1-96\n"
		 "algorithm:   cts(cbc(aes)) hmac(sha1)\n"
		 "driver:      %s\n"
		 "state:       active\n"
		 "flags:       mutual-auth,replay-detect,sequence-detect,confidentiality,integrity\n"
		 "owner uid:   0\n"
		 "pid:         %d\n"
		 "%s"
		 "client:      " K5_CLIENT "\n"
		 "service:     " K5_SERVICE "\n"
		 "peer:        %s\n",
		 (unsigned long long)tn_fd_id(fd),
		 acc ? "kerberos" : "negotiate",
		 acc ? "acceptor" : "initiator", q.driver, getpid(),
		 acc ? "imp level:   impersonate\n" : "",
		 acc ? "uid 65534 gid 65534 asserted" : "-");
	t = (time_t)q.expires;
	gmtime_r(&t, &tm);
	strftime(expires, elen, "\nexpires:     %Y-%m-%dT%H:%M:%SZ\n", &tm);
}

TEST_F_TIMEOUT(ctl, kerberos_show_and_list, 600)
{
	char args[64], want[2048], exp[64], *out;
	const char *row;
	int srv, cli, rc;

	srv = k5_import(self->dev, SECMSG_PKG_KERBEROS, SECMSG_ROLE_ACCEPTOR);
	if (srv < 0 && (errno == ENOTTY || errno == ENOENT))
		SKIP(return, "no Kerberos contexts here: %s", strerror(errno));
	ASSERT_LE(0, srv) TH_LOG("IMPORT_KRB5: %s", strerror(errno));
	cli = k5_import(self->dev, SECMSG_PKG_NEGOTIATE, SECMSG_ROLE_INITIATOR);
	ASSERT_LE(0, cli) TH_LOG("IMPORT_KRB5: %s", strerror(errno));

	/* the service's context: names, enctype, asserted account */
	snprintf(args, sizeof(args), "show %llu",
		 (unsigned long long)tn_fd_id(srv));
	out = run(args, &rc, false);
	ASSERT_EQ(0, rc) TH_LOG("%s", out);
	k5_expect(srv, SECMSG_ROLE_ACCEPTOR, want, sizeof(want), exp,
		  sizeof(exp));
	EXPECT_EQ(0, strncmp(out, want, strlen(want)))
		TH_LOG("got:\n%s\nwant:\n%s", out, want);
	EXPECT_NE(NULL, strstr(out, exp)) TH_LOG("%s: %s", exp, out);
	/* the client's: the same names, no peer */
	snprintf(args, sizeof(args), "show %llu",
		 (unsigned long long)tn_fd_id(cli));
	out = run(args, &rc, false);
	ASSERT_EQ(0, rc) TH_LOG("%s", out);
	k5_expect(cli, SECMSG_ROLE_INITIATOR, want, sizeof(want), exp,
		  sizeof(exp));
	EXPECT_EQ(0, strncmp(out, want, strlen(want)))
		TH_LOG("got:\n%s\nwant:\n%s", out, want);
	EXPECT_NE(NULL, strstr(out, exp)) TH_LOG("%s: %s", exp, out);

	snprintf(args, sizeof(args), "--json show %llu",
		 (unsigned long long)tn_fd_id(srv));
	out = run(args, &rc, false);
	ASSERT_EQ(0, rc) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, ",\"suite\":\"aes256-cts-hmac-sha1-96\","))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, ",\"peer\":{\"uid\":65534,\"gid\":65534,\"asserted\":true},"
			       "\"client_principal\":\"" K5_CLIENT "\","
			       "\"service_principal\":\"" K5_SERVICE "\","
			       "\"algorithm\":\"cts(cbc(aes)) hmac(sha1)\","))
		TH_LOG("%s", out);
	EXPECT_NE(0, json_ok(out)) TH_LOG("not JSON: %s", out);

	/* list: a row each, the names last */
	out = run("list", &rc, false);
	ASSERT_EQ(0, rc) TH_LOG("%s", out);
	snprintf(args, sizeof(args), "%llu", (unsigned long long)tn_fd_id(srv));
	row = row_of(out, args);
	ASSERT_NE(NULL, row) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(row, " kerberos  acceptor  aes256-cts-hmac-sha1-96    active     65534/asserted impersonate "))
		TH_LOG("%s", row);
	snprintf(want, sizeof(want), " %-24s %s\n", K5_CLIENT, K5_SERVICE);
	EXPECT_EQ(0, strncmp(strchr(row, '\n') - strlen(want) + 1, want,
			     strlen(want)))
		TH_LOG("%s", row);
	snprintf(args, sizeof(args), "%llu", (unsigned long long)tn_fd_id(cli));
	row = row_of(out, args);
	ASSERT_NE(NULL, row) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(row, " negotiate initiator aes256-cts-hmac-sha1-96    active     -              -           "))
		TH_LOG("%s", row);
	/* a raw context has no names */
	row = row_of(out, self->ids);
	ASSERT_NE(NULL, row) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(row, " -                        -\n"))
		TH_LOG("%s", row);
	close(cli);
	close(srv);
}

/*
 * sm_ctl_event_read() as programs built against libsecmsg 1.2, 1.3 and
 * 1.4 or 1.5 call it (their symbol versions): the event of a context just
 * imported, its context cut to the struct they know, and no byte written
 * past their struct.
 */
TEST_F_TIMEOUT(ctl, compat_event_readers, 120)
{
	typedef sm_status (*reader_fn)(sm_ctl *, void *);
	static const struct {
		const char *ver;
		size_t ctx_size;
		bool count;
	} v[] = {
		{ "LIBSECMSG_1.4", offsetof(struct sm_ctl_ctx, kept), true },
		{ "LIBSECMSG_1.3", offsetof(struct sm_ctl_ctx, algorithm), true },
		{ "LIBSECMSG_1.2", offsetof(struct sm_ctl_ctx, algorithm), false },
	};
	unsigned char buf[sizeof(struct sm_ctl_event) + 64];
	struct sm_ctl_ctx c;
	unsigned int i;
	sm_ctl *ctl;

	ASSERT_EQ(SM_E_OK, sm_ctl_open(&ctl));
	ASSERT_EQ(SM_E_OK, sm_ctl_subscribe(ctl));
	for (i = 0; i < SM_ARRAY_SIZE(v); i++) {
		reader_fn rd = (reader_fn)dlvsym(RTLD_DEFAULT,
						 "sm_ctl_event_read", v[i].ver);
		size_t count_off = 8 + ((v[i].ctx_size + 7) & ~(size_t)7);
		size_t end = count_off + (v[i].count ? 8 : 0), j;
		uint32_t event, verdict;
		uint64_t count;
		int fd;

		ASSERT_NE(NULL, rd) TH_LOG("%s: %s", v[i].ver, dlerror());
		fd = ts_import_simple(self->dev, SECMSG_ROLE_ACCEPTOR,
				      SECMSG_SUITE_AES128_GCM, 0, 0, 0);
		ASSERT_LE(0, fd);
		ASSERT_EQ(SM_E_OK, sm_ctl_get(ctl, tn_fd_id(fd), &c));
		memset(buf, 0xa5, sizeof(buf));
		ASSERT_EQ(SM_E_OK, rd(ctl, buf)) TH_LOG("%s", v[i].ver);
		close(fd);
		memcpy(&event, buf, 4);
		memcpy(&verdict, buf + 4, 4);
		EXPECT_EQ((uint32_t)SM_CTL_EV_CREATED, event) TH_LOG("%s", v[i].ver);
		EXPECT_EQ(0u, verdict);
		/* nothing ran on it: the context as sm_ctl_get() gave it */
		EXPECT_EQ(0, memcmp(buf + 8, &c, v[i].ctx_size))
			TH_LOG("%s: the context differs", v[i].ver);
		if (v[i].count) {
			memcpy(&count, buf + count_off, 8);
			EXPECT_EQ(0ull, count);
		}
		for (j = end; j < sizeof(buf); j++)
			ASSERT_EQ(0xa5, buf[j]) TH_LOG("%s: byte %zu", v[i].ver, j);
	}
	sm_ctl_close(ctl);
}

TEST_HARNESS_MAIN
