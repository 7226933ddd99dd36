// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink control plane: every command, permissions of owners,
 * other users and admins, strict attribute checks with their extended
 * ack messages, a dump of many contexts over several messages, revoke
 * (alone, on local contexts, racing with use and with close), the
 * configuration and statistics, one event of each kind, failure events
 * coalesced under a flood, and a setuid program used as a deputy.
 */
#include "secmsg_test.h"
#include "secmsg_nl.h"

#include <grp.h>
#include <libgen.h>
#include <poll.h>
#include <pthread.h>
#include <sys/wait.h>
#include <time.h>

#define NOBODY 65534
#define TOK SECMSG_LOCAL_TOKEN_SIZE
#define PARAM "/sys/module/secmsg/parameters/"

FIXTURE(nl) {
	int dev;
	struct tn_sock s;
};

FIXTURE_SETUP(nl)
{
	int err;

	self->s.fd = -1;
	SM_OPEN_DEV_OR_SKIP(self->dev);
	if (geteuid() != 0)
		SM_SKIP_SETUP("needs root (admin and other-uid checks)");
	err = tn_open(&self->s);
	ASSERT_EQ(0, err) TH_LOG("family %s: %s", SECMSG_GENL_NAME,
				 strerror(-err));
}

FIXTURE_TEARDOWN(nl)
{
	tn_close(&self->s);
	if (self->dev >= 0)
		close(self->dev);
}

static int imp(int dev, uint32_t role, uint32_t suite, uint32_t flags,
	       uint32_t lifetime)
{
	struct ts_ctx_opts o = {
		.role = role, .suite = suite, .ctx_flags = flags,
		.key = ts_test_key, .key_len = 32, .lifetime = lifetime,
	};

	return ts_import(dev, &o);
}

static int sign(int fd, uint8_t *tok)
{
	static const char data[] = "control plane";
	struct secmsg_message m;

	return ts_sign1(fd, tok, data, sizeof(data), &m);
}

static int verify(int fd, const uint8_t *tok)
{
	static const char data[] = "control plane";
	struct secmsg_message m;

	return ts_verify1(fd, tok, data, sizeof(data), &m);
}

/* Attribute values, signed for the harness's comparisons; -1 if missing. */
static long long a32(const struct tn_attrs *t, int type)
{
	return t->a[type] ? (long long)tn_u32(t->a[type]) : -1;
}

static long long a64(const struct tn_attrs *t, int type)
{
	return t->a[type] ? (long long)tn_u64(t->a[type]) : -1;
}

/* A context fd's id, signed likewise. */
static long long fid(int fd)
{
	return (long long)tn_fd_id(fd);
}

/*
 * Local establishment to our own uid: the client's and server's fds;
 * COMPLETE too if @complete, else the reply token is left in @reply.
 */
static int establish_r(int dev, int *cli, int *srv, bool complete,
		       uint8_t *reply)
{
	uint8_t tok[TOK];
	struct secmsg_init ini = {
		.size = sizeof(ini), .package = SECMSG_PKG_LOCAL,
		.target_type = SECMSG_TARGET_UID, .target_uid = geteuid(),
		.ctx_flags = SECMSG_CTX_MUTUAL_AUTH,
		.imp_level = SECMSG_IMP_IMPERSONATE,
		.token_len = TOK, .token = SM_PTR(tok),
	};
	struct secmsg_accept acc = {
		.size = sizeof(acc), .package = SECMSG_PKG_LOCAL,
		.in_token = SM_PTR(tok), .in_len = TOK,
		.out_token = SM_PTR(reply), .out_len = TOK,
	};
	struct secmsg_complete cmp = {
		.size = sizeof(cmp), .in_token = SM_PTR(reply), .in_len = TOK,
	};

	*cli = ioctl(dev, SECMSG_IOC_INIT, &ini);
	if (*cli < 0)
		return -errno;
	*srv = ioctl(dev, SECMSG_IOC_ACCEPT, &acc);
	if (*srv < 0)
		return -errno;
	if (complete && ioctl(*cli, SECMSG_IOC_COMPLETE, &cmp))
		return -errno;
	return 0;
}

static int establish(int dev, int *cli, int *srv, bool complete)
{
	uint8_t reply[TOK];

	return establish_r(dev, cli, srv, complete, reply);
}

static int complete(int cli, const uint8_t *reply)
{
	struct secmsg_complete cmp = {
		.size = sizeof(cmp), .in_token = SM_PTR(reply), .in_len = TOK,
	};

	return ioctl(cli, SECMSG_IOC_COMPLETE, &cmp) ? -errno : 0;
}

TEST_F(nl, family)
{
	ASSERT_NE(0, self->s.family);
	ASSERT_NE(0u, self->s.events_grp);
}

TEST_F(nl, get_one)
{
	uint8_t tok[SECMSG_TOKEN_SIZE];
	struct tn_attrs t;
	time_t before = time(NULL), after;
	long long id;
	int fd;

	fd = imp(self->dev, SECMSG_ROLE_INITIATOR, SECMSG_SUITE_AES256_GCM,
		 SECMSG_CTX_REPLAY_DETECT, 3600);
	ASSERT_LE(0, fd);
	after = time(NULL);
	id = fid(fd);
	ASSERT_NE(0, id);
	ASSERT_EQ(0, sign(fd, tok));
	ASSERT_EQ(0, sign(fd, tok));

	ASSERT_EQ(0, tn_ctx_get(&self->s, id, &t));
	ASSERT_EQ(SECMSG_CMD_CTX_GET, t.cmd);
	ASSERT_EQ(id, a64(&t, SECMSG_A_CTX_ID));
	ASSERT_EQ(SECMSG_PKG_RAW, a32(&t, SECMSG_A_CTX_PACKAGE));
	ASSERT_EQ(SECMSG_ROLE_INITIATOR, a32(&t, SECMSG_A_CTX_ROLE));
	ASSERT_EQ(SECMSG_SUITE_AES256_GCM, a32(&t, SECMSG_A_CTX_SUITE));
	ASSERT_EQ(SECMSG_CTX_REPLAY_DETECT | SECMSG_CTX_INTEGRITY,
		  a32(&t, SECMSG_A_CTX_FLAGS));
	ASSERT_EQ(SECMSG_STATE_ACTIVE, a32(&t, SECMSG_A_CTX_STATE));
	ASSERT_EQ(0, a32(&t, SECMSG_A_CTX_OWNER_UID));
	ASSERT_EQ((uint32_t)getpid(), a32(&t, SECMSG_A_CTX_PID));
	ASSERT_EQ(3600, a32(&t, SECMSG_A_CTX_LIFETIME));
	ASSERT_LE((long long)before, a64(&t, SECMSG_A_CTX_CREATED));
	ASSERT_GE((long long)after, a64(&t, SECMSG_A_CTX_CREATED));
	ASSERT_EQ(a64(&t, SECMSG_A_CTX_CREATED) + 3600,
		  a64(&t, SECMSG_A_CTX_EXPIRES));
	ASSERT_EQ(2, a64(&t, SECMSG_A_CTX_SEND_SEQ));
	ASSERT_EQ(0, a64(&t, SECMSG_A_CTX_RECV_SEQ));
	ASSERT_NE(NULL, t.a[SECMSG_A_CTX_DRIVER]);
	ASSERT_LT(0, (int)strlen(tn_data(t.a[SECMSG_A_CTX_DRIVER])));
	/* raw: no peer, no impersonation level */
	ASSERT_EQ(NULL, t.a[SECMSG_A_CTX_PEER_UID]);
	ASSERT_EQ(NULL, t.a[SECMSG_A_CTX_PEER_PID]);
	ASSERT_EQ(NULL, t.a[SECMSG_A_CTX_IMP_LEVEL]);
	ASSERT_EQ(2, tn_cnt(&t, SECMSG_A_CTX_COUNTERS, SECMSG_A_CNT_SIGNED));
	ASSERT_EQ(0, tn_cnt(&t, SECMSG_A_CTX_COUNTERS, SECMSG_A_CNT_ALTERED));
	ASSERT_EQ(0, tn_cnt(&t, SECMSG_A_CTX_COUNTERS, SECMSG_A_CNT_REVOKED));
	/* what the context keeps for its calls, as QUERY reports it */
	ASSERT_NE(NULL, t.a[SECMSG_A_CTX_KEPT]);
	ASSERT_GE((long long)SECMSG_MAX_KEPT, a64(&t, SECMSG_A_CTX_KEPT));

	close(fd);
	/* gone with its last fd */
	ASSERT_EQ(-ENOENT, tn_ctx_get(&self->s, id, &t));
	ASSERT_STREQ("no such context (or not yours)", self->s.extack);
}

TEST_F(nl, get_local_peer)
{
	struct tn_attrs t;
	int cli, srv, srv2;

	ASSERT_EQ(0, establish(self->dev, &cli, &srv, false));
	/* the client before COMPLETE: no peer, no driver */
	ASSERT_EQ(0, tn_ctx_get(&self->s, tn_fd_id(cli), &t));
	ASSERT_EQ(SECMSG_PKG_LOCAL, a32(&t, SECMSG_A_CTX_PACKAGE));
	ASSERT_EQ(SECMSG_STATE_INCOMPLETE, a32(&t, SECMSG_A_CTX_STATE));
	ASSERT_EQ(NULL, t.a[SECMSG_A_CTX_PEER_UID]);
	ASSERT_EQ(NULL, t.a[SECMSG_A_CTX_DRIVER]);
	ASSERT_EQ(SECMSG_IMP_IMPERSONATE, a32(&t, SECMSG_A_CTX_IMP_LEVEL));
	/* the server knows the client */
	ASSERT_EQ(0, tn_ctx_get(&self->s, tn_fd_id(srv), &t));
	ASSERT_EQ(SECMSG_ROLE_ACCEPTOR, a32(&t, SECMSG_A_CTX_ROLE));
	ASSERT_EQ(SECMSG_STATE_ACTIVE, a32(&t, SECMSG_A_CTX_STATE));
	ASSERT_EQ(0, a32(&t, SECMSG_A_CTX_PEER_UID));
	ASSERT_EQ(0, a32(&t, SECMSG_A_CTX_PEER_GID));
	ASSERT_EQ((uint32_t)getpid(), a32(&t, SECMSG_A_CTX_PEER_PID));
	close(srv);
	close(cli);

	ASSERT_EQ(0, establish(self->dev, &cli, &srv2, true));
	ASSERT_EQ(0, tn_ctx_get(&self->s, tn_fd_id(cli), &t));
	ASSERT_EQ(SECMSG_STATE_ACTIVE, a32(&t, SECMSG_A_CTX_STATE));
	ASSERT_EQ(0, a32(&t, SECMSG_A_CTX_PEER_UID));
	ASSERT_EQ((uint32_t)getpid(), a32(&t, SECMSG_A_CTX_PEER_PID));
	ASSERT_NE(NULL, t.a[SECMSG_A_CTX_DRIVER]);
	close(srv2);
	close(cli);
}

/* Send @r; expect @err and the extack message @msg (NULL: none checked). */
#define EXPECT_REFUSED(r, err, msg) do { \
	ASSERT_EQ(-(err), tn_do(&self->s, (r), NULL)); \
	if (msg) \
		ASSERT_STREQ((const char *)(msg), self->s.extack); \
} while (0)

TEST_F(nl, malformed)
{
	static char big[16384];
	struct tn_req r;
	uint32_t u32v = 1;
	int fd;

	fd = imp(self->dev, SECMSG_ROLE_INITIATOR, SECMSG_SUITE_AES128_GCM,
		 0, 0);
	ASSERT_LE(0, fd);

	tn_cmd(&self->s, &r, SECMSG_CMD_CTX_GET);
	EXPECT_REFUSED(&r, EINVAL, "context id (SECMSG_A_CTX_ID) required");

	tn_cmd(&self->s, &r, SECMSG_CMD_CTX_GET);
	tn_put_u64(&r, SECMSG_A_CTX_ID, 0);
	EXPECT_REFUSED(&r, ERANGE, "integer out of range");
	/* the offset names the attribute: right after the headers */
	ASSERT_EQ(NLMSG_LENGTH(GENL_HDRLEN), self->s.ext_offs);

	tn_cmd(&self->s, &r, SECMSG_CMD_CTX_GET);
	tn_put(&r, SECMSG_A_CTX_ID, &u32v, sizeof(u32v));
	EXPECT_REFUSED(&r, EINVAL, "invalid attribute length");

	tn_cmd(&self->s, &r, SECMSG_CMD_CTX_GET);
	tn_put(&r, SECMSG_A_CTX_ID, big, sizeof(big));
	EXPECT_REFUSED(&r, EINVAL, "invalid attribute length");

	tn_cmd(&self->s, &r, SECMSG_CMD_CTX_GET);
	tn_put_u64(&r, SECMSG_A_CTX_ID, tn_fd_id(fd));
	tn_put(&r, SECMSG_A_MAX + 1, big, sizeof(big));
	EXPECT_REFUSED(&r, EINVAL, "Unknown attribute type");

	tn_cmd(&self->s, &r, SECMSG_CMD_CTX_GET);
	tn_put_u64(&r, SECMSG_A_CTX_ID, tn_fd_id(fd));
	tn_put_u32(&r, SECMSG_A_CFG_SUITES, 4);
	EXPECT_REFUSED(&r, EINVAL, "Unsupported attribute");

	tn_cmd(&self->s, &r, SECMSG_CMD_CTX_REVOKE);
	tn_put_u64(&r, NLA_F_NESTED | SECMSG_A_CTX_ID, tn_fd_id(fd));
	EXPECT_REFUSED(&r, EINVAL, "NLA_F_NESTED not expected");

	tn_cmd(&self->s, &r, SECMSG_CMD_CTX_REVOKE);
	tn_put_u64(&r, SECMSG_A_CTX_ID, 1ull << 50);
	EXPECT_REFUSED(&r, ENOENT, "no such context (or not yours)");

	tn_cmd(&self->s, &r, SECMSG_CMD_CONFIG_GET);
	tn_put_u32(&r, SECMSG_A_CFG_SUITES, 4);
	EXPECT_REFUSED(&r, EINVAL, "Unsupported attribute");

	tn_cmd(&self->s, &r, SECMSG_CMD_STATS_GET);
	tn_put_u64(&r, SECMSG_A_CTX_ID, 1);
	EXPECT_REFUSED(&r, EINVAL, "Unsupported attribute");

	tn_cmd(&self->s, &r, SECMSG_CMD_CTX_GET);
	r.g.reserved = 1;
	tn_put_u64(&r, SECMSG_A_CTX_ID, tn_fd_id(fd));
	EXPECT_REFUSED(&r, EINVAL, "genlmsghdr.reserved field is not 0");

	/* a dump's attributes are checked as strictly */
	tn_cmd(&self->s, &r, SECMSG_CMD_CTX_GET);
	tn_put_u64(&r, SECMSG_A_CTX_ID, 0);
	r.n.nlmsg_flags |= NLM_F_DUMP;
	EXPECT_REFUSED(&r, ERANGE, "integer out of range");
	tn_cmd(&self->s, &r, SECMSG_CMD_CTX_GET);
	tn_put_u32(&r, SECMSG_A_CFG_SUITES, 4);
	r.n.nlmsg_flags |= NLM_F_DUMP;
	EXPECT_REFUSED(&r, EINVAL, "Unsupported attribute");

	/* no such command; events are not requests */
	tn_cmd(&self->s, &r, SECMSG_CMD_MAX + 1);
	EXPECT_REFUSED(&r, EOPNOTSUPP, NULL);
	tn_cmd(&self->s, &r, SECMSG_CMD_EVENT);
	EXPECT_REFUSED(&r, EOPNOTSUPP, NULL);
	tn_cmd(&self->s, &r, SECMSG_CMD_CONFIG_SET);
	EXPECT_REFUSED(&r, EINVAL, "no setting given");

	/* and nothing of that changed the context */
	ASSERT_EQ(0, tn_ctx_get(&self->s, tn_fd_id(fd), NULL));
	close(fd);
}

struct seen {
	uint64_t lo, n;
	uint8_t hits[1024];
	uint32_t other_owner, total;
	uint64_t foreign;	/* an id that must not appear */
	bool foreign_seen;
};

static void count_ctx(const struct tn_attrs *t, void *arg)
{
	struct seen *s = arg;
	uint64_t id = a64(t, SECMSG_A_CTX_ID);

	s->total++;
	if (id == s->foreign)
		s->foreign_seen = true;
	if (id >= s->lo && id < s->lo + s->n)
		s->hits[id - s->lo]++;
	if (a32(t, SECMSG_A_CTX_OWNER_UID) != geteuid())
		s->other_owner++;
}

#define NDUMP 300

TEST_F_TIMEOUT(nl, dump_many, 120)
{
	static int fds[NDUMP];
	static struct seen s;
	struct tn_req r;
	int i, ndgrams, err;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < NDUMP; i++) {
		fds[i] = imp(self->dev, SECMSG_ROLE_INITIATOR,
			     SECMSG_SUITE_AES128_GCM, 0, 0);
		ASSERT_LE(0, fds[i]) TH_LOG("context %d: %s", i,
					   strerror(-fds[i]));
	}
	s.lo = tn_fd_id(fds[0]);
	s.n = NDUMP;
	/* ids are consecutive here (nothing else creates contexts) */
	ASSERT_EQ(s.lo + NDUMP - 1, tn_fd_id(fds[NDUMP - 1]));

	tn_cmd(&self->s, &r, SECMSG_CMD_CTX_GET);
	err = tn_dump(&self->s, &r, count_ctx, &s, &ndgrams);
	ASSERT_EQ(0, err) TH_LOG("dump: %s (%s)", strerror(-err),
				 self->s.extack);
	for (i = 0; i < NDUMP; i++)
		ASSERT_EQ(1, s.hits[i]) TH_LOG("context %d seen %d times", i,
					       s.hits[i]);
	ASSERT_LT(1, ndgrams) TH_LOG("%d contexts in %d messages", NDUMP,
				     ndgrams);
	TH_LOG("%u contexts in %d messages", s.total, ndgrams);

	/* closed ones are gone from the next dump */
	for (i = 0; i < NDUMP; i += 2)
		close(fds[i]);
	memset(s.hits, 0, sizeof(s.hits));
	tn_cmd(&self->s, &r, SECMSG_CMD_CTX_GET);
	ASSERT_EQ(0, tn_dump(&self->s, &r, count_ctx, &s, &ndgrams));
	for (i = 0; i < NDUMP; i++)
		ASSERT_EQ(i % 2, s.hits[i]);

	/* resumed from an id: that one on */
	memset(s.hits, 0, sizeof(s.hits));
	tn_cmd(&self->s, &r, SECMSG_CMD_CTX_GET);
	tn_put_u64(&r, SECMSG_A_CTX_ID, s.lo + 151);
	ASSERT_EQ(0, tn_dump(&self->s, &r, count_ctx, &s, &ndgrams));
	for (i = 0; i < NDUMP; i++)
		ASSERT_EQ(i >= 151 && i % 2, s.hits[i]) TH_LOG("context %d", i);
	for (i = 1; i < NDUMP; i += 2)
		close(fds[i]);
}

TEST_F(nl, revoke)
{
	uint8_t tok[SECMSG_TOKEN_SIZE], tok2[SECMSG_TOKEN_SIZE];
	struct secmsg_message m[3];
	struct secmsg_buffer b[3][2];
	struct secmsg_batch batch;
	struct secmsg_query q;
	struct tn_attrs t;
	int ini, acc, i;
	uint64_t id;

	ini = imp(self->dev, SECMSG_ROLE_INITIATOR, SECMSG_SUITE_AES256_GCM,
		  0, 0);
	acc = imp(self->dev, SECMSG_ROLE_ACCEPTOR, SECMSG_SUITE_AES256_GCM,
		  0, 0);
	ASSERT_LE(0, ini);
	ASSERT_LE(0, acc);
	ASSERT_EQ(0, sign(ini, tok));
	ASSERT_EQ(0, sign(ini, tok2));
	id = tn_fd_id(acc);

	ASSERT_EQ(0, tn_revoke(&self->s, id));
	ASSERT_EQ(-EALREADY, tn_revoke(&self->s, id));
	ASSERT_STREQ("context already revoked", self->s.extack);

	/* every message call: verdict REVOKED */
	ASSERT_EQ(-EKEYREVOKED, ts_verify1(acc, tok, "control plane", 14,
					   &m[0]));
	ASSERT_EQ((__u32)SECMSG_VERDICT_REVOKED, m[0].verdict);
	ASSERT_EQ(-EKEYREVOKED, m[0].error);
	ASSERT_EQ(-EKEYREVOKED, sign(acc, tok2));
	/* a BATCH: each message refused */
	for (i = 0; i < 3; i++) {
		ts_buf(&b[i][0], SECMSG_BUF_TOKEN, 0, tok2, sizeof(tok2));
		ts_buf(&b[i][1], SECMSG_BUF_DATA, 0, "x", 1);
		ts_msg_init(&m[i], b[i], 2, SECMSG_QOP_DEFAULT);
	}
	memset(&batch, 0, sizeof(batch));
	batch.size = sizeof(batch);
	batch.op = SECMSG_OP_SIGN;
	batch.count = 3;
	batch.msgs = SM_PTR(m);
	batch.msg_size = sizeof(m[0]);
	ASSERT_EQ(0, ts_ioctl(acc, SECMSG_IOC_BATCH, &batch));
	ASSERT_EQ(0u, batch.completed);
	ASSERT_EQ(3u, batch.failed);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ((__u32)SECMSG_VERDICT_REVOKED, m[i].verdict);
		ASSERT_EQ(-EKEYREVOKED, m[i].error);
	}
	/* QUERY still works and says so */
	ASSERT_EQ(0, ts_query(acc, &q));
	ASSERT_EQ((__u32)SECMSG_STATE_REVOKED, q.state);

	ASSERT_EQ(0, tn_ctx_get(&self->s, id, &t));
	ASSERT_EQ(SECMSG_STATE_REVOKED, a32(&t, SECMSG_A_CTX_STATE));
	ASSERT_EQ(5, tn_cnt(&t, SECMSG_A_CTX_COUNTERS, SECMSG_A_CNT_REVOKED));
	ASSERT_EQ(0, tn_cnt(&t, SECMSG_A_CTX_COUNTERS, SECMSG_A_CNT_VERIFIED));

	/* the other context is untouched */
	ASSERT_EQ(0, sign(ini, tok));
	ASSERT_EQ(0, tn_ctx_get(&self->s, tn_fd_id(ini), &t));
	ASSERT_EQ(SECMSG_STATE_ACTIVE, a32(&t, SECMSG_A_CTX_STATE));
	close(acc);
	close(ini);
}

TEST_F(nl, revoke_local)
{
	struct secmsg_impersonate im = { .size = sizeof(im) };
	uint8_t reply[TOK];
	int cli, srv;

	/* a client revoked before COMPLETE cannot complete */
	ASSERT_EQ(0, establish_r(self->dev, &cli, &srv, false, reply));
	ASSERT_EQ(0, tn_revoke(&self->s, tn_fd_id(cli)));
	ASSERT_EQ(-EKEYREVOKED, complete(cli, reply));
	/* its message calls: REVOKED, not INCOMPLETE_CONTEXT */
	ASSERT_EQ(-EKEYREVOKED, sign(cli, (uint8_t[SECMSG_TOKEN_SIZE]){ 0 }));
	/* a revoked server cannot impersonate */
	ASSERT_EQ(0, tn_revoke(&self->s, tn_fd_id(srv)));
	ASSERT_EQ(-1, ioctl(srv, SECMSG_IOC_IMPERSONATE, &im));
	ASSERT_EQ(EKEYREVOKED, errno);
	/* nor a raw one: EINVAL comes first, as documented */
	close(srv);
	close(cli);
}

struct racer {
	int fd;
	volatile int *revoked;	/* set once REVOKE returned */
	long long ok, refused, late_ok, other;
};

static void *race_sign(void *arg)
{
	struct racer *r = arg;
	uint8_t tok[SECMSG_TOKEN_SIZE];

	while (r->refused < 200) {
		int after = __atomic_load_n(r->revoked, __ATOMIC_ACQUIRE);
		int err = sign(r->fd, tok);

		if (!err) {
			r->ok++;
			if (after)
				r->late_ok++;
		} else if (err == -EKEYREVOKED) {
			r->refused++;
		} else {
			r->other++;
			break;
		}
	}
	return NULL;
}

TEST_F(nl, revoke_racing_use)
{
	struct racer r[4];
	pthread_t th[4];
	volatile int revoked = 0;
	long long ok = 0, refused = 0;
	struct tn_attrs t;
	int fd, i;

	fd = imp(self->dev, SECMSG_ROLE_INITIATOR, SECMSG_SUITE_AES128_GCM,
		 0, 0);
	ASSERT_LE(0, fd);
	for (i = 0; i < 4; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].fd = fd;
		r[i].revoked = &revoked;
		ASSERT_EQ(0, pthread_create(&th[i], NULL, race_sign, &r[i]));
	}
	usleep(50000);
	ASSERT_EQ(0, tn_revoke(&self->s, tn_fd_id(fd)));
	__atomic_store_n(&revoked, 1, __ATOMIC_RELEASE);
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		ASSERT_EQ(0, r[i].other);
		ASSERT_EQ(0, r[i].late_ok);
		ASSERT_EQ(200, r[i].refused);
		ok += r[i].ok;
		refused += r[i].refused;
	}
	ASSERT_EQ(0, tn_ctx_get(&self->s, tn_fd_id(fd), &t));
	ASSERT_EQ(ok, tn_cnt(&t, SECMSG_A_CTX_COUNTERS, SECMSG_A_CNT_SIGNED));
	ASSERT_EQ(refused,
		  tn_cnt(&t, SECMSG_A_CTX_COUNTERS, SECMSG_A_CNT_REVOKED));
	ASSERT_EQ(ok, a64(&t, SECMSG_A_CTX_SEND_SEQ));
	TH_LOG("%lld signed before the revoke, %lld refused after",
	       ok, refused);
	close(fd);
}

struct closer {
	int dev;
	volatile int stop;
	int made;
};

static void *make_and_close(void *arg)
{
	struct closer *c = arg;

	int fds[16], i, n;

	/* batches of 16, so that the dumps catch some alive */
	while (!c->stop) {
		for (n = 0; n < 16; n++) {
			fds[n] = imp(c->dev, SECMSG_ROLE_INITIATOR,
				     SECMSG_SUITE_AES128_GCM, 0, 0);
			if (fds[n] < 0)
				break;
			c->made++;
		}
		for (i = 0; i < n; i++)
			close(fds[i]);
		if (n < 16)
			break;
	}
	return NULL;
}

static void collect(const struct tn_attrs *t, void *arg)
{
	uint64_t *ids = arg;

	if (ids[0] < 63)
		ids[++ids[0]] = a64(t, SECMSG_A_CTX_ID);
}

/*
 * Revoke, get and dump contexts that are being closed meanwhile.  (150
 * rounds: 300 took 55 s on a debug kernel at load 10, over the default
 * timeout.)
 */
TEST_F_TIMEOUT(nl, revoke_racing_close, 300)
{
	struct closer c = { .dev = self->dev };
	uint64_t ids[64];
	struct tn_req r;
	pthread_t th;
	int round, i, err, revoked = 0;

	ASSERT_EQ(0, pthread_create(&th, NULL, make_and_close, &c));
	for (round = 0; round < 150; round++) {
		ids[0] = 0;
		tn_cmd(&self->s, &r, SECMSG_CMD_CTX_GET);
		ASSERT_EQ(0, tn_dump(&self->s, &r, collect, ids, NULL));
		for (i = 1; i <= (int)ids[0]; i++) {
			err = tn_revoke(&self->s, ids[i]);
			ASSERT_TRUE(!err || err == -ENOENT || err == -EALREADY)
				TH_LOG("revoke: %s", strerror(-err));
			revoked += !err;
			err = tn_ctx_get(&self->s, ids[i], NULL);
			ASSERT_TRUE(!err || err == -ENOENT);
		}
	}
	c.stop = 1;
	pthread_join(th, NULL);
	TH_LOG("%d contexts made and closed, %d revoked on the way", c.made,
	       revoked);
	ASSERT_LT(0, c.made);
}

static int child_status(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* In a child: a failed check exits with its line number (mod 256). */
#define CHK(c) do { if (!(c)) { fprintf(stderr, "child: %s (line %d) " \
	"extack '%s'\n", #c, __LINE__, s.extack); _exit(__LINE__ % 250 + 1); } \
} while (0)

TEST_F(nl, unprivileged)
{
	int root_fd, gofd[2], idfd[2], one = 1;
	uint64_t root_id, child_id = 0;
	struct tn_attrs t;
	pid_t pid;

	root_fd = imp(self->dev, SECMSG_ROLE_INITIATOR,
		      SECMSG_SUITE_AES128_GCM, 0, 0);
	ASSERT_LE(0, root_fd);
	root_id = tn_fd_id(root_fd);
	ASSERT_EQ(0, pipe(gofd));
	ASSERT_EQ(0, pipe(idfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct tn_sock s = { .fd = -1 };
		struct seen *sn = calloc(1, sizeof(*sn));
		struct tn_req r;
		uint64_t id;
		int fd, fd2;
		char c;

		close(gofd[1]);
		close(idfd[0]);
		CHK(sn);
		CHK(!setgroups(0, NULL));
		CHK(!setresgid(NOBODY, NOBODY, NOBODY));
		CHK(!setresuid(NOBODY, NOBODY, NOBODY));
		CHK(!tn_open(&s));
		fd = imp(self->dev, SECMSG_ROLE_INITIATOR,
			 SECMSG_SUITE_AES128_GCM, 0, 0);
		fd2 = imp(self->dev, SECMSG_ROLE_INITIATOR,
			  SECMSG_SUITE_AES128_GCM, 0, 0);
		CHK(fd >= 0 && fd2 >= 0);
		id = tn_fd_id(fd);

		/* root's context does not exist for us */
		CHK(tn_ctx_get(&s, root_id, &t) == -ENOENT);
		CHK(!strcmp(s.extack, "no such context (or not yours)"));
		CHK(tn_revoke(&s, root_id) == -ENOENT);
		/* ours does */
		CHK(tn_ctx_get(&s, id, &t) == 0);
		CHK(a32(&t, SECMSG_A_CTX_OWNER_UID) == NOBODY);
		/* a dump: ours only */
		sn->lo = id;
		sn->n = 1;
		sn->foreign = root_id;
		tn_cmd(&s, &r, SECMSG_CMD_CTX_GET);
		CHK(tn_dump(&s, &r, count_ctx, sn, NULL) == 0);
		CHK(sn->hits[0] == 1 && !sn->foreign_seen);
		CHK(sn->other_owner == 0 && sn->total == 2);
		/* revoke our own */
		CHK(tn_revoke(&s, tn_fd_id(fd2)) == 0);
		CHK(sign(fd2, (uint8_t[SECMSG_TOKEN_SIZE]){ 0 }) ==
		    -EKEYREVOKED);
		/* configuration: read yes, write no; stats no */
		tn_cmd(&s, &r, SECMSG_CMD_CONFIG_GET);
		CHK(tn_do(&s, &r, &t) == 0 && t.a[SECMSG_A_CFG_SUITES]);
		tn_cmd(&s, &r, SECMSG_CMD_CONFIG_SET);
		tn_put_u32(&r, SECMSG_A_CFG_MAX_CONTEXTS_PER_USER, 5);
		CHK(tn_do(&s, &r, NULL) == -EPERM);
		CHK(!strcmp(s.extack, "CONFIG_SET needs CAP_NET_ADMIN in the initial user namespace"));
		tn_cmd(&s, &r, SECMSG_CMD_STATS_GET);
		CHK(tn_do(&s, &r, NULL) == -EPERM);
		CHK(!strcmp(s.extack, "STATS_GET needs CAP_NET_ADMIN in the initial user namespace"));
		/* events: admins only */
		CHK(setsockopt(s.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
			       &s.events_grp, sizeof(s.events_grp)) == -1 &&
		    errno == EPERM);
		(void)one;
		/* hand our id to the admin, and keep it until told */
		CHK(write(idfd[1], &id, sizeof(id)) == sizeof(id));
		CHK(read(gofd[0], &c, 1) == 0);
		_exit(0);
	}
	close(gofd[0]);
	close(idfd[1]);
	ASSERT_EQ((ssize_t)sizeof(child_id),
		  read(idfd[0], &child_id, sizeof(child_id)));
	/* the admin sees the other user's context and may revoke it */
	ASSERT_EQ(0, tn_ctx_get(&self->s, child_id, &t));
	ASSERT_EQ(NOBODY, a32(&t, SECMSG_A_CTX_OWNER_UID));
	ASSERT_EQ(0, tn_revoke(&self->s, child_id));
	close(gofd[1]);
	ASSERT_EQ(0, child_status(pid));
	close(idfd[0]);
	/* and the child's revoke left root's context alone */
	ASSERT_EQ(0, tn_ctx_get(&self->s, root_id, &t));
	ASSERT_EQ(SECMSG_STATE_ACTIVE, a32(&t, SECMSG_A_CTX_STATE));
	close(root_fd);
}

/* ---- a setuid program as the user's deputy (CVE-2014-0181) ------------ */

/*
 * An unprivileged user opens a netlink socket and has a setuid-root
 * program write its requests to it (secmsg_suid_write, installed setuid
 * root in /tmp: the repo share may not honour the bit).  Each request must
 * be answered exactly as if the user had sent it, and root's context must
 * be left alone; and root's own socket used by root still works.
 */
FIXTURE(deputy) {
	int dev;
	struct tn_sock s;	/* root's */
	char helper[64];	/* the setuid copy, or "" */
};

/* Copy the helper built next to this program to @dst, setuid root. */
static int install_suid(char *dst, size_t len)
{
	static char buf[1 << 16];
	char self[4096], src[4200];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int in, out, err = 0;

	if (n < 0)
		return -errno;
	self[n] = 0;
	snprintf(src, sizeof(src), "%s/secmsg_suid_write", dirname(self));
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	snprintf(dst, len, "/tmp/secmsg_suid_write.XXXXXX");
	out = mkostemp(dst, O_CLOEXEC);
	if (out < 0) {
		err = -errno;
		dst[0] = 0;
		close(in);
		return err;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			err = -EIO;
			break;
		}
	if (n < 0 || fchown(out, 0, 0) || fchmod(out, 04755))
		err = err ?: -errno;
	close(in);
	if (close(out))
		err = err ?: -errno;
	return err;
}

/* Leave root for nobody, groups and all; false if that failed. */
static bool become_nobody(void)
{
	return !setgroups(0, NULL) && !setresgid(NOBODY, NOBODY, NOBODY) &&
	       !setresuid(NOBODY, NOBODY, NOBODY);
}

/*
 * Run @helper (as nobody first if @drop): with @fd >= 0 it writes the
 * @len bytes at @data to @fd; without, it prints its effective uid into
 * @out.  Return: its exit status, or -1.
 */
static int run_helper(const char *helper, bool drop, int fd,
		      const void *data, size_t len, char *out, size_t outlen)
{
	int in[2], res[2], st;
	char fds[16];
	ssize_t n = 0;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) || pipe2(res, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if ((drop && !become_nobody()) || dup2(in[0], 0) < 0 ||
		    dup2(res[1], 1) < 0)
			_exit(126);
		snprintf(fds, sizeof(fds), "%d", fd);
		execl(helper, helper, fd >= 0 ? fds : NULL, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(res[1]);
	if (len && write(in[1], data, len) != (ssize_t)len)
		n = -1;
	close(in[1]);
	if (out && outlen) {
		n = read(res[0], out, outlen - 1);
		out[n > 0 ? n : 0] = 0;
	}
	close(res[0]);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || n < 0)
		return -1;
	return WEXITSTATUS(st);
}

FIXTURE_SETUP(deputy)
{
	char euid[16];
	int err;

	self->s.fd = -1;
	self->helper[0] = 0;
	SM_OPEN_DEV_OR_SKIP(self->dev);
	if (geteuid() != 0)
		SM_SKIP_SETUP("needs root (a setuid-root helper)");
	ASSERT_EQ(0, tn_open(&self->s));
	err = install_suid(self->helper, sizeof(self->helper));
	ASSERT_EQ(0, err) TH_LOG("installing the setuid helper: %s",
				 strerror(-err));
	/* The bit must work, or the tests below prove nothing. */
	ASSERT_EQ(0, run_helper(self->helper, true, -1, NULL, 0, euid,
				sizeof(euid)));
	if (strcmp(euid, "0\n"))
		SM_SKIP_SETUP("setuid not honoured in /tmp (euid '%s')", euid);
}

FIXTURE_TEARDOWN(deputy)
{
	if (self->helper[0])
		unlink(self->helper);
	tn_close(&self->s);
	if (self->dev >= 0)
		close(self->dev);
}

/*
 * Have @helper (run by the current user) write @r to @s's socket, which
 * it inherits as @fd; 0 once the helper wrote it.  Read the answer with
 * tn_wait_ack() or tn_wait_dump() for sequence number s->seq.
 */
static int via_helper(const char *helper, struct tn_sock *s, int fd,
		      struct tn_req *r, bool dump)
{
	r->n.nlmsg_flags |= dump ? NLM_F_DUMP : NLM_F_ACK;
	r->n.nlmsg_seq = ++s->seq;
	return run_helper(helper, false, fd, &r->n, r->n.nlmsg_len, NULL, 0);
}

TEST_F(deputy, user_socket_setuid_writer)
{
	uint8_t tok[SECMSG_TOKEN_SIZE];
	struct tn_attrs t;
	uint64_t root_id;
	int root_fd;
	pid_t pid;

	root_fd = imp(self->dev, SECMSG_ROLE_INITIATOR,
		      SECMSG_SUITE_AES128_GCM, 0, 0);
	ASSERT_LE(0, root_fd);
	root_id = tn_fd_id(root_fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct tn_sock s = { .fd = -1 };
		struct seen *sn = calloc(1, sizeof(*sn));
		const char *h = self->helper;
		uint64_t own_id, own2_id;
		int fd, own, own2;
		struct tn_req r;

		CHK(sn);
		CHK(become_nobody());
		CHK(!tn_open(&s));
		/* inherited by the helper: a copy without close-on-exec */
		fd = dup(s.fd);
		CHK(fd >= 0);
		own = imp(self->dev, SECMSG_ROLE_INITIATOR,
			  SECMSG_SUITE_AES128_GCM, 0, 0);
		own2 = imp(self->dev, SECMSG_ROLE_INITIATOR,
			   SECMSG_SUITE_AES128_GCM, 0, 0);
		CHK(own >= 0 && own2 >= 0);
		own_id = tn_fd_id(own);
		own2_id = tn_fd_id(own2);

		/* GET root's context: it does not exist, as for the user */
		tn_cmd(&s, &r, SECMSG_CMD_CTX_GET);
		tn_put_u64(&r, SECMSG_A_CTX_ID, root_id);
		CHK(via_helper(h, &s, fd, &r, false) == 0);
		CHK(tn_wait_ack(&s, s.seq, &t) == -ENOENT);
		CHK(!strcmp(s.extack, "no such context (or not yours)"));
		/* the user's own one: as for the user */
		tn_cmd(&s, &r, SECMSG_CMD_CTX_GET);
		tn_put_u64(&r, SECMSG_A_CTX_ID, own_id);
		CHK(via_helper(h, &s, fd, &r, false) == 0);
		CHK(tn_wait_ack(&s, s.seq, &t) == 0);
		CHK(a64(&t, SECMSG_A_CTX_ID) == (long long)own_id);
		CHK(a32(&t, SECMSG_A_CTX_OWNER_UID) == NOBODY);
		/* a dump (its later parts run in our recvmsg): ours only */
		sn->lo = own_id;
		sn->n = own2_id - own_id + 1;
		sn->foreign = root_id;
		tn_cmd(&s, &r, SECMSG_CMD_CTX_GET);
		CHK(via_helper(h, &s, fd, &r, true) == 0);
		CHK(tn_wait_dump(&s, s.seq, count_ctx, sn, NULL) == 0);
		CHK(!sn->foreign_seen);
		CHK(sn->other_owner == 0 && sn->total == 2);
		CHK(sn->hits[0] == 1 && sn->hits[sn->n - 1] == 1);
		/* REVOKE root's: no such context */
		tn_cmd(&s, &r, SECMSG_CMD_CTX_REVOKE);
		tn_put_u64(&r, SECMSG_A_CTX_ID, root_id);
		CHK(via_helper(h, &s, fd, &r, false) == 0);
		CHK(tn_wait_ack(&s, s.seq, NULL) == -ENOENT);
		CHK(!strcmp(s.extack, "no such context (or not yours)"));
		/* module-wide commands: refused, as for the user */
		tn_cmd(&s, &r, SECMSG_CMD_CONFIG_SET);
		tn_put_u32(&r, SECMSG_A_CFG_MAX_CONTEXTS_PER_USER, 5);
		CHK(via_helper(h, &s, fd, &r, false) == 0);
		CHK(tn_wait_ack(&s, s.seq, NULL) == -EPERM);
		tn_cmd(&s, &r, SECMSG_CMD_STATS_GET);
		CHK(via_helper(h, &s, fd, &r, false) == 0);
		CHK(tn_wait_ack(&s, s.seq, NULL) == -EPERM);
		/* REVOKE the user's own: as for the user, done */
		tn_cmd(&s, &r, SECMSG_CMD_CTX_REVOKE);
		tn_put_u64(&r, SECMSG_A_CTX_ID, own2_id);
		CHK(via_helper(h, &s, fd, &r, false) == 0);
		CHK(tn_wait_ack(&s, s.seq, NULL) == 0);
		CHK(sign(own2, tok) == -EKEYREVOKED);
		_exit(0);
	}
	ASSERT_EQ(0, child_status(pid));
	/* root's context: unchanged, not revoked */
	ASSERT_EQ(0, tn_ctx_get(&self->s, root_id, &t));
	ASSERT_EQ(SECMSG_STATE_ACTIVE, a32(&t, SECMSG_A_CTX_STATE));
	ASSERT_EQ(0, tn_cnt(&t, SECMSG_A_CTX_COUNTERS, SECMSG_A_CNT_REVOKED));
	ASSERT_EQ(0, sign(root_fd, tok));
	close(root_fd);
}

/* Root's own socket: root through the helper works; another user who
 * writes to it gets only the other user's rights. */
TEST_F(deputy, root_socket)
{
	uint8_t tok[SECMSG_TOKEN_SIZE];
	struct seen *sn = calloc(1, sizeof(*sn));
	struct tn_attrs t;
	struct tn_req r;
	int a, b, fd;
	pid_t pid;

	ASSERT_NE(NULL, sn);
	a = imp(self->dev, SECMSG_ROLE_INITIATOR, SECMSG_SUITE_AES128_GCM,
		0, 0);
	b = imp(self->dev, SECMSG_ROLE_INITIATOR, SECMSG_SUITE_AES128_GCM,
		0, 0);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	fd = dup(self->s.fd);
	ASSERT_LE(0, fd);

	/* root's socket, root's helper: GET, dump, REVOKE as root */
	tn_cmd(&self->s, &r, SECMSG_CMD_CTX_GET);
	tn_put_u64(&r, SECMSG_A_CTX_ID, tn_fd_id(a));
	ASSERT_EQ(0, via_helper(self->helper, &self->s, fd, &r, false));
	ASSERT_EQ(0, tn_wait_ack(&self->s, self->s.seq, &t));
	ASSERT_EQ(fid(a), a64(&t, SECMSG_A_CTX_ID));
	sn->lo = tn_fd_id(a);
	sn->n = tn_fd_id(b) - sn->lo + 1;
	tn_cmd(&self->s, &r, SECMSG_CMD_CTX_GET);
	ASSERT_EQ(0, via_helper(self->helper, &self->s, fd, &r, true));
	ASSERT_EQ(0, tn_wait_dump(&self->s, self->s.seq, count_ctx, sn,
				  NULL));
	ASSERT_EQ(1, sn->hits[0]);
	ASSERT_EQ(1, sn->hits[sn->n - 1]);
	tn_cmd(&self->s, &r, SECMSG_CMD_CTX_REVOKE);
	tn_put_u64(&r, SECMSG_A_CTX_ID, tn_fd_id(b));
	ASSERT_EQ(0, via_helper(self->helper, &self->s, fd, &r, false));
	ASSERT_EQ(0, tn_wait_ack(&self->s, self->s.seq, NULL));
	ASSERT_EQ(-EKEYREVOKED, sign(b, tok));

	/* root's socket written by nobody: nobody's rights */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct tn_sock s = self->s;

		CHK(become_nobody());
		tn_cmd(&s, &r, SECMSG_CMD_CTX_GET);
		tn_put_u64(&r, SECMSG_A_CTX_ID, tn_fd_id(a));
		CHK(tn_do(&s, &r, NULL) == -ENOENT);
		tn_cmd(&s, &r, SECMSG_CMD_CTX_REVOKE);
		tn_put_u64(&r, SECMSG_A_CTX_ID, tn_fd_id(a));
		CHK(tn_do(&s, &r, NULL) == -ENOENT);
		tn_cmd(&s, &r, SECMSG_CMD_STATS_GET);
		CHK(tn_do(&s, &r, NULL) == -EPERM);
		_exit(0);
	}
	ASSERT_EQ(0, child_status(pid));
	ASSERT_EQ(0, tn_ctx_get(&self->s, tn_fd_id(a), &t));
	ASSERT_EQ(SECMSG_STATE_ACTIVE, a32(&t, SECMSG_A_CTX_STATE));
	close(fd);
	close(a);
	close(b);
	free(sn);
}

/* ---- configuration ---------------------------------------------------- */

#define NCFG 5	/* the settings, as cfg_attr[] lists them */

FIXTURE(cfg) {
	int dev;
	struct tn_sock s;
	uint32_t saved[NCFG];
	bool have;
};

static const int cfg_attr[NCFG] = {
	SECMSG_A_CFG_MAX_CONTEXTS_PER_USER, SECMSG_A_CFG_DEFAULT_LIFETIME,
	SECMSG_A_CFG_MAX_LIFETIME, SECMSG_A_CFG_SUITES,
	SECMSG_A_CFG_REPLAY_WINDOW,
};

static const char *const cfg_param[NCFG] = {
	"max_contexts_per_user", "default_lifetime", "max_lifetime",
	"allowed_suites", "replay_window",
};

static int cfg_get(struct tn_sock *s, uint32_t v[NCFG])
{
	struct tn_attrs t;
	struct tn_req r;
	int err, i;

	tn_cmd(s, &r, SECMSG_CMD_CONFIG_GET);
	err = tn_do(s, &r, &t);
	if (err)
		return err;
	for (i = 0; i < NCFG; i++)
		v[i] = a32(&t, cfg_attr[i]);
	return 0;
}

static long param(const char *name)
{
	char path[128], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), PARAM "%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

static int cfg_set1(struct tn_sock *s, int attr, uint32_t v)
{
	struct tn_req r;

	tn_cmd(s, &r, SECMSG_CMD_CONFIG_SET);
	tn_put_u32(&r, attr, v);
	return tn_do(s, &r, NULL);
}

FIXTURE_SETUP(cfg)
{
	self->s.fd = -1;
	SM_OPEN_DEV_OR_SKIP(self->dev);
	if (geteuid() != 0)
		SM_SKIP_SETUP("needs root (CONFIG_SET)");
	ASSERT_EQ(0, tn_open(&self->s));
	ASSERT_EQ(0, cfg_get(&self->s, self->saved));
	self->have = true;
}

FIXTURE_TEARDOWN(cfg)
{
	struct tn_req r;
	int i;

	if (self->have) {
		tn_cmd(&self->s, &r, SECMSG_CMD_CONFIG_SET);
		for (i = 0; i < NCFG; i++)
			tn_put_u32(&r, cfg_attr[i], self->saved[i]);
		EXPECT_EQ(0, tn_do(&self->s, &r, NULL));
	}
	tn_close(&self->s);
	if (self->dev >= 0)
		close(self->dev);
}

TEST_F(cfg, get_matches_params)
{
	int i;

	for (i = 0; i < NCFG; i++)
		ASSERT_EQ(param(cfg_param[i]), (long)self->saved[i]);
	ASSERT_EQ(SECMSG_CFG_SUITES_ALL, self->saved[3]);
}

TEST_F(cfg, set_and_refuse)
{
	struct secmsg_query q;
	struct tn_attrs t;
	struct tn_req r;
	uint32_t v[NCFG];
	int fd;

	/* a valid set answers with the whole configuration */
	tn_cmd(&self->s, &r, SECMSG_CMD_CONFIG_SET);
	tn_put_u32(&r, SECMSG_A_CFG_MAX_CONTEXTS_PER_USER, 77);
	tn_put_u32(&r, SECMSG_A_CFG_DEFAULT_LIFETIME, 123);
	ASSERT_EQ(0, tn_do(&self->s, &r, &t));
	ASSERT_EQ(SECMSG_CMD_CONFIG_SET, t.cmd);
	ASSERT_EQ(77, a32(&t, SECMSG_A_CFG_MAX_CONTEXTS_PER_USER));
	ASSERT_EQ(123, a32(&t, SECMSG_A_CFG_DEFAULT_LIFETIME));
	ASSERT_EQ(self->saved[2], a32(&t, SECMSG_A_CFG_MAX_LIFETIME));
	ASSERT_EQ(77, param("max_contexts_per_user"));
	/* applied to new contexts */
	fd = imp(self->dev, SECMSG_ROLE_INITIATOR, SECMSG_SUITE_AES128_GCM,
		 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ts_query(fd, &q));
	ASSERT_EQ(123u, q.lifetime);
	close(fd);

	/* refusals change nothing */
	tn_cmd(&self->s, &r, SECMSG_CMD_CONFIG_SET);
	tn_put_u32(&r, SECMSG_A_CFG_MAX_CONTEXTS_PER_USER, 5);
	tn_put_u32(&r, SECMSG_A_CFG_DEFAULT_LIFETIME, 100);
	tn_put_u32(&r, SECMSG_A_CFG_MAX_LIFETIME, 50);
	ASSERT_EQ(-EINVAL, tn_do(&self->s, &r, NULL));
	ASSERT_STREQ("default lifetime above the maximum lifetime",
		     self->s.extack);
	ASSERT_EQ(-ERANGE, cfg_set1(&self->s, SECMSG_A_CFG_MAX_LIFETIME, 0));
	ASSERT_STREQ("integer out of range", self->s.extack);
	ASSERT_EQ(-ERANGE, cfg_set1(&self->s, SECMSG_A_CFG_DEFAULT_LIFETIME,
				    SECMSG_CFG_MAX_LIFETIME + 1));
	ASSERT_EQ(-ERANGE, cfg_set1(&self->s,
				    SECMSG_A_CFG_MAX_CONTEXTS_PER_USER,
				    SECMSG_CFG_MAX_CONTEXTS + 1));
	ASSERT_EQ(-EINVAL, cfg_set1(&self->s, SECMSG_A_CFG_SUITES, 1));
	ASSERT_STREQ("reserved bit set", self->s.extack);
	/* the lifetime below the (unchanged) default */
	ASSERT_EQ(-EINVAL, cfg_set1(&self->s, SECMSG_A_CFG_MAX_LIFETIME, 122));
	tn_cmd(&self->s, &r, SECMSG_CMD_CONFIG_SET);
	tn_put_u64(&r, SECMSG_A_CFG_SUITES, 4);
	ASSERT_EQ(-EINVAL, tn_do(&self->s, &r, NULL));
	ASSERT_STREQ("invalid attribute length", self->s.extack);
	ASSERT_EQ(0, cfg_get(&self->s, v));
	ASSERT_EQ(77u, v[0]);
	ASSERT_EQ(123u, v[1]);
	ASSERT_EQ(self->saved[2], v[2]);
	ASSERT_EQ(self->saved[3], v[3]);
}

/* The receive window of new contexts: set, applied, refused, as a module
 * parameter too. */
TEST_F_TIMEOUT(cfg, replay_window, 120)
{
	uint8_t tok[71][SECMSG_TOKEN_SIZE];
	struct secmsg_query q;
	int before, snd, rcv, i;
	uint32_t v[NCFG];

	before = imp(self->dev, SECMSG_ROLE_ACCEPTOR, SECMSG_SUITE_AES128_GCM,
		     SECMSG_CTX_REPLAY_DETECT, 0);
	ASSERT_LE(0, before);
	ASSERT_EQ(0, cfg_set1(&self->s, SECMSG_A_CFG_REPLAY_WINDOW, 64));
	ASSERT_EQ(64, param("replay_window"));
	snd = imp(self->dev, SECMSG_ROLE_INITIATOR, SECMSG_SUITE_AES128_GCM,
		  SECMSG_CTX_REPLAY_DETECT, 0);
	rcv = imp(self->dev, SECMSG_ROLE_ACCEPTOR, SECMSG_SUITE_AES128_GCM,
		  SECMSG_CTX_REPLAY_DETECT, 0);
	ASSERT_LE(0, snd);
	ASSERT_LE(0, rcv);
	ASSERT_EQ(0, ts_query(rcv, &q));
	ASSERT_EQ(64u, q.replay_window);
	/* a context made before keeps its window */
	ASSERT_EQ(0, ts_query(before, &q));
	ASSERT_EQ((__u32)SECMSG_REPLAY_WINDOW, q.replay_window);

	/* 64 numbers are tracked below the highest: 70 - 6 is out */
	for (i = 0; i < 71; i++)
		ASSERT_EQ(0, sign(snd, tok[i]));
	ASSERT_EQ(0, verify(rcv, tok[70]));
	ASSERT_EQ(-ESTALE, verify(rcv, tok[6]));
	ASSERT_EQ(0, verify(rcv, tok[7]));
	ASSERT_EQ(-EALREADY, verify(rcv, tok[7]));

	/* refusals change nothing */
	ASSERT_EQ(-EINVAL, cfg_set1(&self->s, SECMSG_A_CFG_REPLAY_WINDOW, 100));
	ASSERT_STREQ("replay window not a power of two", self->s.extack);
	ASSERT_EQ(-ERANGE, cfg_set1(&self->s, SECMSG_A_CFG_REPLAY_WINDOW, 32));
	ASSERT_STREQ("integer out of range", self->s.extack);
	ASSERT_EQ(-ERANGE, cfg_set1(&self->s, SECMSG_A_CFG_REPLAY_WINDOW,
				    SECMSG_REPLAY_WINDOW_MAX * 2));
	ASSERT_EQ(0, cfg_get(&self->s, v));
	ASSERT_EQ(64u, v[4]);

	/* the module parameter checks the same */
	ASSERT_EQ(-EINVAL, ts_param_write("replay_window", "100\n"));
	ASSERT_EQ(-EINVAL, ts_param_write("replay_window", "8192\n"));
	ASSERT_EQ(64, param("replay_window"));
	ASSERT_EQ(0, ts_param_write("replay_window", "4096\n"));
	ASSERT_EQ(0, cfg_get(&self->s, v));
	ASSERT_EQ(4096u, v[4]);
	close(before);
	close(snd);
	close(rcv);
}

TEST_F(cfg, allowed_suites)
{
	uint8_t tok[TOK];
	struct secmsg_init ini = {
		.size = sizeof(ini), .package = SECMSG_PKG_LOCAL,
		.target_type = SECMSG_TARGET_UID, .target_uid = 0,
		.suite = SECMSG_SUITE_CHACHA20_POLY1305,
		.token_len = TOK, .token = SM_PTR(tok),
	};
	int fd;

	ASSERT_EQ(0, cfg_set1(&self->s, SECMSG_A_CFG_SUITES,
			      1u << SECMSG_SUITE_AES256_GCM));
	ASSERT_EQ(1u << SECMSG_SUITE_AES256_GCM, param("allowed_suites"));
	ASSERT_EQ(-EPERM, imp(self->dev, SECMSG_ROLE_INITIATOR,
			      SECMSG_SUITE_AES128_GCM, 0, 0));
	ASSERT_EQ(-1, ioctl(self->dev, SECMSG_IOC_INIT, &ini));
	ASSERT_EQ(EPERM, errno);
	fd = imp(self->dev, SECMSG_ROLE_INITIATOR, SECMSG_SUITE_AES256_GCM,
		 0, 0);
	ASSERT_LE(0, fd);
	close(fd);
	/* nothing at all */
	ASSERT_EQ(0, cfg_set1(&self->s, SECMSG_A_CFG_SUITES, 0));
	ASSERT_EQ(-EPERM, imp(self->dev, SECMSG_ROLE_INITIATOR,
			      SECMSG_SUITE_AES256_GCM, 0, 0));
}

/*
 * Random requests (fixed seed): any command, dump or not, attributes of
 * any type, length, flag and content.  Each gets a documented answer, and
 * the kernel stays sound (the fixture restores the configuration).
 */
TEST_F_TIMEOUT(cfg, random_requests, 300)
{
	static const int allowed[] = {
		0, EINVAL, ERANGE, ENOENT, EALREADY, EOPNOTSUPP, EMSGSIZE,
	};
	unsigned int seed = 20261126, i, j, nattr, counts[8] = { 0 };
	uint8_t val[24];
	struct tn_req r;
	int fd, err, k;

	fd = imp(self->dev, SECMSG_ROLE_INITIATOR, SECMSG_SUITE_AES128_GCM,
		 0, 0);
	ASSERT_LE(0, fd);
	for (i = 0; i < 3000; i++) {
		/* mostly real commands, attribute lengths of real types */
		tn_cmd(&self->s, &r, rand_r(&seed) % 5 ?
		       1 + rand_r(&seed) % SECMSG_CMD_STATS_GET :
		       rand_r(&seed) % (SECMSG_CMD_MAX + 2));
		nattr = rand_r(&seed) % 3;
		for (j = 0; j < nattr; j++) {
			static const uint16_t taken[] = {
				SECMSG_A_CTX_ID,
				SECMSG_A_CFG_MAX_CONTEXTS_PER_USER,
				SECMSG_A_CFG_DEFAULT_LIFETIME,
				SECMSG_A_CFG_MAX_LIFETIME,
				SECMSG_A_CFG_SUITES,
			};
			uint16_t type = rand_r(&seed) % 2 ?
					taken[rand_r(&seed) % 5] :
					rand_r(&seed) % (SECMSG_A_MAX + 3);
			uint16_t len = rand_r(&seed) % 2 ?
				       (uint16_t)(4 << (rand_r(&seed) % 2)) :
				       (uint16_t)(rand_r(&seed) % sizeof(val));
			unsigned int b;

			for (b = 0; b < len; b++)
				val[b] = rand_r(&seed) % 3 ? 0 : rand_r(&seed);
			/* now and then, a real id or a valid value */
			if (len == 8 && rand_r(&seed) % 2) {
				uint64_t id = tn_fd_id(fd);

				memcpy(val, &id, 8);
			}
			if (!(rand_r(&seed) % 8))
				type |= NLA_F_NESTED;
			tn_put(&r, type, val, len);
		}
		if (rand_r(&seed) % 4 == 0)
			r.n.nlmsg_flags |= NLM_F_DUMP;
		err = r.n.nlmsg_flags & NLM_F_DUMP ?
		      tn_dump(&self->s, &r, count_ctx,
			      &(struct seen){ 0 }, NULL) :
		      tn_do(&self->s, &r, NULL);
		for (k = 0; k < (int)SM_ARRAY_SIZE(allowed); k++)
			if (-err == allowed[k])
				break;
		ASSERT_LT(k, (int)SM_ARRAY_SIZE(allowed))
		TH_LOG("request %u (cmd %u): %s (%s)", i, r.g.cmd,
		       strerror(-err), self->s.extack);
		counts[k]++;
		/* a refused attribute is named by its offset */
		if (err == -EINVAL && self->s.ext_offs)
			ASSERT_GE(self->s.ext_offs, NLMSG_LENGTH(GENL_HDRLEN));
		/* a revoked context stays revoked; make a fresh one */
		if (!(i % 100)) {
			close(fd);
			ASSERT_EQ(0, cfg_set1(&self->s, SECMSG_A_CFG_SUITES,
					      SECMSG_CFG_SUITES_ALL));
			ASSERT_EQ(0, cfg_set1(&self->s,
					      SECMSG_A_CFG_MAX_CONTEXTS_PER_USER,
					      1024));
			fd = imp(self->dev, SECMSG_ROLE_INITIATOR,
				 SECMSG_SUITE_AES128_GCM, 0, 0);
			ASSERT_LE(0, fd);
		}
	}
	TH_LOG("3000 requests: %u ok, %u EINVAL, %u ERANGE, %u ENOENT, %u EALREADY, %u EOPNOTSUPP, %u EMSGSIZE",
	       counts[0], counts[1], counts[2], counts[3], counts[4],
	       counts[5], counts[6]);
	/* still answering */
	ASSERT_EQ(0, tn_ctx_get(&self->s, tn_fd_id(fd), NULL));
	close(fd);
}

/* ---- statistics --------------------------------------------------------- */

/* (@t points into tn_do()'s buffer: read it before the next request.) */
static int stats(struct tn_sock *s, struct tn_attrs *t)
{
	struct tn_req r;

	tn_cmd(s, &r, SECMSG_CMD_STATS_GET);
	return tn_do(s, &r, t);
}

TEST_F(nl, stats)
{
	uint8_t tok[SECMSG_TOKEN_SIZE];
	long long c0, cr0, rv0, sg0, rc0;
	struct tn_attrs t;
	int a, b;

	ASSERT_EQ(0, stats(&self->s, &t));
	c0 = a64(&t, SECMSG_A_STATS_CONTEXTS);
	cr0 = a64(&t, SECMSG_A_STATS_CREATED);
	rv0 = a64(&t, SECMSG_A_STATS_REVOKED);
	sg0 = tn_cnt(&t, SECMSG_A_STATS_COUNTERS, SECMSG_A_CNT_SIGNED);
	rc0 = tn_cnt(&t, SECMSG_A_STATS_COUNTERS, SECMSG_A_CNT_REVOKED);

	a = imp(self->dev, SECMSG_ROLE_INITIATOR, SECMSG_SUITE_AES128_GCM,
		0, 0);
	b = imp(self->dev, SECMSG_ROLE_INITIATOR, SECMSG_SUITE_AES128_GCM,
		0, 0);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, sign(a, tok));
	ASSERT_EQ(0, sign(a, tok));
	ASSERT_EQ(0, sign(b, tok));
	ASSERT_EQ(0, tn_revoke(&self->s, fid(b)));
	ASSERT_EQ(-EKEYREVOKED, sign(b, tok));

	ASSERT_EQ(0, stats(&self->s, &t));
	ASSERT_EQ(c0 + 2, a64(&t, SECMSG_A_STATS_CONTEXTS));
	ASSERT_EQ(cr0 + 2, a64(&t, SECMSG_A_STATS_CREATED));
	ASSERT_EQ(rv0 + 1, a64(&t, SECMSG_A_STATS_REVOKED));
	ASSERT_EQ(sg0 + 3, tn_cnt(&t, SECMSG_A_STATS_COUNTERS,
				  SECMSG_A_CNT_SIGNED));
	ASSERT_EQ(rc0 + 1, tn_cnt(&t, SECMSG_A_STATS_COUNTERS,
				  SECMSG_A_CNT_REVOKED));
	close(a);
	close(b);
	ASSERT_EQ(0, stats(&self->s, &t));
	ASSERT_EQ(c0, a64(&t, SECMSG_A_STATS_CONTEXTS));
}

/* ---- events ------------------------------------------------------------- */

/* The next event within @ms, parsed into @t (its own buffer). */
static int next_event(struct tn_sock *s, struct tn_attrs *t, char *buf,
		      int ms)
{
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	struct nlmsghdr *n;
	ssize_t len;

	for (;;) {
		if (poll(&p, 1, ms) != 1)
			return -ETIMEDOUT;
		len = recv(s->fd, buf, TN_BUF, 0);
		if (len < 0)
			return -errno;
		n = (struct nlmsghdr *)buf;
		if (!NLMSG_OK(n, len) || n->nlmsg_type != s->family)
			continue;
		tn_parse(t, n, GENL_HDRLEN);
		return 0;
	}
}

/* Failure events come from a work item: give a slow kernel time. */
#define EV_WAIT_MS 20000

#define EXPECT_EVENT(ev, id, verdict) do { \
	ASSERT_EQ(0, next_event(&ev_s, &t, evbuf, EV_WAIT_MS)); \
	ASSERT_EQ(SECMSG_CMD_EVENT, t.cmd); \
	ASSERT_EQ((long long)(ev), a32(&t, SECMSG_A_EVENT)) \
		TH_LOG("event %lld for context %lld", \
		       a32(&t, SECMSG_A_EVENT), a64(&t, SECMSG_A_CTX_ID)); \
	ASSERT_EQ((long long)(id), a64(&t, SECMSG_A_CTX_ID)); \
	if (verdict) { \
		ASSERT_EQ((long long)(verdict), \
			  a32(&t, SECMSG_A_EVENT_VERDICT)); \
	} else { \
		ASSERT_EQ(NULL, t.a[SECMSG_A_EVENT_VERDICT]); \
	} \
} while (0)

TEST_F(nl, events)
{
	static char evbuf[TN_BUF];
	uint8_t tok[SECMSG_TOKEN_SIZE], bad[SECMSG_TOKEN_SIZE];
	struct tn_sock ev_s;
	struct tn_attrs t;
	struct ts_ctx_opts fo = {
		.role = SECMSG_ROLE_INITIATOR, .suite = SECMSG_SUITE_AES128_GCM,
		.key = ts_test_key, .key_len = 32,
	};
	uint8_t cx[SECMSG_CONTRIB_SIZE], cy[SECMSG_CONTRIB_SIZE];
	int ini, acc, old, cli, srv, fx, fy;

	ASSERT_EQ(0, tn_open(&ev_s));
	ASSERT_EQ(0, setsockopt(ev_s.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				&ev_s.events_grp, sizeof(ev_s.events_grp)));

	ini = imp(self->dev, SECMSG_ROLE_INITIATOR, SECMSG_SUITE_AES256_GCM,
		  SECMSG_CTX_REPLAY_DETECT, 0);
	ASSERT_LE(0, ini);
	EXPECT_EVENT(SECMSG_EVENT_CREATED, tn_fd_id(ini), 0);
	ASSERT_EQ(SECMSG_PKG_RAW, a32(&t, SECMSG_A_CTX_PACKAGE));
	ASSERT_EQ(SECMSG_SUITE_AES256_GCM, a32(&t, SECMSG_A_CTX_SUITE));
	ASSERT_EQ(0, a32(&t, SECMSG_A_CTX_OWNER_UID));
	ASSERT_EQ((uint32_t)getpid(), a32(&t, SECMSG_A_CTX_PID));
	acc = imp(self->dev, SECMSG_ROLE_ACCEPTOR, SECMSG_SUITE_AES256_GCM,
		  SECMSG_CTX_REPLAY_DETECT, 0);
	ASSERT_LE(0, acc);
	EXPECT_EVENT(SECMSG_EVENT_CREATED, tn_fd_id(acc), 0);

	/* integrity failure */
	ASSERT_EQ(0, sign(ini, tok));
	memcpy(bad, tok, sizeof(bad));
	bad[20] ^= 1;
	ASSERT_EQ(-EBADMSG, verify(acc, bad));
	EXPECT_EVENT(SECMSG_EVENT_ALTERED, tn_fd_id(acc),
		     SECMSG_VERDICT_ALTERED);
	ASSERT_EQ(1, a64(&t, SECMSG_A_EVENT_COUNT));
	ASSERT_EQ(1, tn_cnt(&t, SECMSG_A_CTX_COUNTERS, SECMSG_A_CNT_ALTERED));
	/* replay: the good one twice */
	ASSERT_EQ(0, verify(acc, tok));
	ASSERT_EQ(-EALREADY, verify(acc, tok));
	EXPECT_EVENT(SECMSG_EVENT_REPLAY, tn_fd_id(acc),
		     SECMSG_VERDICT_REPLAYED);
	ASSERT_EQ(1, a64(&t, SECMSG_A_EVENT_COUNT));
	ASSERT_EQ(1, tn_cnt(&t, SECMSG_A_CTX_COUNTERS, SECMSG_A_CNT_REPLAYED));
	ASSERT_EQ(1, tn_cnt(&t, SECMSG_A_CTX_COUNTERS, SECMSG_A_CNT_VERIFIED));
	/* revoked */
	ASSERT_EQ(0, tn_revoke(&self->s, tn_fd_id(acc)));
	EXPECT_EVENT(SECMSG_EVENT_REVOKED, tn_fd_id(acc), 0);
	ASSERT_EQ(SECMSG_STATE_REVOKED, a32(&t, SECMSG_A_CTX_STATE));
	ASSERT_EQ(NULL, t.a[SECMSG_A_EVENT_COUNT]);
	/* a call on a revoked context is no new event */
	ASSERT_EQ(-EKEYREVOKED, verify(acc, tok));

	/* expired: found by the first call after it, sent once */
	old = imp(self->dev, SECMSG_ROLE_INITIATOR, SECMSG_SUITE_AES128_GCM,
		  0, 1);
	ASSERT_LE(0, old);
	EXPECT_EVENT(SECMSG_EVENT_CREATED, tn_fd_id(old), 0);
	usleep(1100 * 1000);
	ASSERT_EQ(-EKEYEXPIRED, sign(old, tok));
	EXPECT_EVENT(SECMSG_EVENT_EXPIRED, tn_fd_id(old),
		     SECMSG_VERDICT_EXPIRED);
	ASSERT_EQ(SECMSG_STATE_EXPIRED, a32(&t, SECMSG_A_CTX_STATE));
	ASSERT_EQ(-EKEYEXPIRED, sign(old, tok));

	/* local: created twice, then completed */
	ASSERT_EQ(0, establish(self->dev, &cli, &srv, true));
	EXPECT_EVENT(SECMSG_EVENT_CREATED, tn_fd_id(cli), 0);
	ASSERT_EQ(SECMSG_STATE_INCOMPLETE, a32(&t, SECMSG_A_CTX_STATE));
	EXPECT_EVENT(SECMSG_EVENT_CREATED, tn_fd_id(srv), 0);
	ASSERT_EQ(0, a32(&t, SECMSG_A_CTX_PEER_UID));
	EXPECT_EVENT(SECMSG_EVENT_COMPLETED, tn_fd_id(cli), 0);
	ASSERT_EQ(SECMSG_STATE_ACTIVE, a32(&t, SECMSG_A_CTX_STATE));
	ASSERT_EQ((uint32_t)getpid(), a32(&t, SECMSG_A_CTX_PEER_PID));

	/* FRESH raw pair: created incomplete, completed by COMPLETE alone */
	fx = ts_import_fresh(self->dev, &fo, cx);
	ASSERT_LE(0, fx);
	EXPECT_EVENT(SECMSG_EVENT_CREATED, tn_fd_id(fx), 0);
	ASSERT_EQ(SECMSG_STATE_INCOMPLETE, a32(&t, SECMSG_A_CTX_STATE));
	fo.role = SECMSG_ROLE_ACCEPTOR;
	fy = ts_import_fresh(self->dev, &fo, cy);
	ASSERT_LE(0, fy);
	EXPECT_EVENT(SECMSG_EVENT_CREATED, tn_fd_id(fy), 0);
	/* a refused COMPLETE is no event */
	ASSERT_EQ(-EMSGSIZE, ts_complete_fresh(fx, cy, 1));
	ASSERT_EQ(0, ts_complete_fresh(fx, cy, sizeof(cy)));
	EXPECT_EVENT(SECMSG_EVENT_COMPLETED, tn_fd_id(fx), 0);
	ASSERT_EQ(SECMSG_STATE_ACTIVE, a32(&t, SECMSG_A_CTX_STATE));
	ASSERT_EQ(SECMSG_PKG_RAW, a32(&t, SECMSG_A_CTX_PACKAGE));
	ASSERT_EQ(0, ts_complete_fresh(fy, cx, sizeof(cx)));
	EXPECT_EVENT(SECMSG_EVENT_COMPLETED, tn_fd_id(fy), 0);
	/* a second COMPLETE fails, and is no event either */
	ASSERT_EQ(-EISCONN, ts_complete_fresh(fy, cx, sizeof(cx)));

	/* nothing else was sent (no second EXPIRED) */
	ASSERT_EQ(-ETIMEDOUT, next_event(&ev_s, &t, evbuf, 200));

	close(fx);
	close(fy);
	close(cli);
	close(srv);
	close(old);
	close(acc);
	close(ini);
	tn_close(&ev_s);
}

/* ---- coalesced failure events ------------------------------------------- */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* The failure events about one context, added up by verdict. */
struct evsum {
	uint64_t id;
	long long events, count[SECMSG_VERDICT_TOO_OLD + 1];
	long long wrong;	/* no COUNT, COUNT 0, or kind and verdict apart */
	long long last_ms;	/* when the last one was read */
};

static void ev_add(struct evsum *e, const struct tn_attrs *t)
{
	long long ev = a32(t, SECMSG_A_EVENT), v = a32(t, SECMSG_A_EVENT_VERDICT);
	long long n = a64(t, SECMSG_A_EVENT_COUNT);

	if ((uint64_t)a64(t, SECMSG_A_CTX_ID) != e->id ||
	    (ev != SECMSG_EVENT_ALTERED && ev != SECMSG_EVENT_REPLAY))
		return;
	e->events++;
	e->last_ms = now_ms();
	if (n < 1 || (ev == SECMSG_EVENT_ALTERED) !=
		     (v == SECMSG_VERDICT_ALTERED) ||
	    (v != SECMSG_VERDICT_ALTERED && v != SECMSG_VERDICT_REPLAYED &&
	     v != SECMSG_VERDICT_TOO_OLD)) {
		e->wrong++;
		return;
	}
	e->count[v] += n;
}

/*
 * Read events into @e until its counts reach @want (by verdict), waiting
 * up to EV_WAIT_MS for each; @ms 0: only those already there.  Return: 0,
 * -ETIMEDOUT, or -errno of the socket (ENOBUFS: events were lost).
 */
static int ev_collect(struct tn_sock *s, char *buf, struct evsum *e,
		      const long long *want, int ms)
{
	struct tn_attrs t;
	int err, v;

	for (;;) {
		if (want) {
			for (v = 0; v <= SECMSG_VERDICT_TOO_OLD; v++)
				if (e->count[v] < want[v])
					break;
			if (v > SECMSG_VERDICT_TOO_OLD)
				return 0;
		}
		err = next_event(s, &t, buf, ms);
		if (err)
			return err == -ETIMEDOUT && !want ? 0 : err;
		ev_add(e, &t);
	}
}

static int listen_events(struct tn_sock *s)
{
	int err = tn_open(s);

	if (!err && setsockopt(s->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
			       &s->events_grp, sizeof(s->events_grp)))
		err = -errno;
	return err;
}

#define NFLOOD 2000

/*
 * A peer sends garbage: 2000 altered tokens while an admin listens.  The
 * events stay few (at most one per SECMSG_EVENT_INTERVAL_MS after the
 * first, measured on our own clock, which a slow kernel only stretches),
 * each says how many failures it stands for, and those add up to the
 * context's counter exactly; STATS_GET counts the coalesced ones.
 */
TEST_F_TIMEOUT(nl, events_coalesced, 900)
{
	static char evbuf[TN_BUF];
	uint8_t tok[SECMSG_TOKEN_SIZE], bad[SECMSG_TOKEN_SIZE];
	long long want[SECMSG_VERDICT_TOO_OLD + 1] = { 0 };
	long long t0, c0, bound;
	struct evsum e = { 0 };
	struct tn_sock ev_s;
	struct tn_attrs t;
	int ini, acc, i;

	ASSERT_EQ(0, listen_events(&ev_s));
	ini = imp(self->dev, SECMSG_ROLE_INITIATOR, SECMSG_SUITE_AES256_GCM,
		  0, 0);
	acc = imp(self->dev, SECMSG_ROLE_ACCEPTOR, SECMSG_SUITE_AES256_GCM,
		  SECMSG_CTX_REPLAY_DETECT, 0);
	ASSERT_LE(0, ini);
	ASSERT_LE(0, acc);
	e.id = tn_fd_id(acc);
	ASSERT_EQ(0, stats(&self->s, &t));
	c0 = a64(&t, SECMSG_A_STATS_EVENTS_COALESCED);
	ASSERT_EQ(0, sign(ini, tok));
	memcpy(bad, tok, sizeof(bad));
	bad[20] ^= 1;

	t0 = now_ms();
	for (i = 0; i < NFLOOD; i++) {
		ASSERT_EQ(-EBADMSG, verify(acc, bad));
		/* keep the listener's socket from filling, whatever happens */
		if (!(i % 64))
			ASSERT_EQ(0, ev_collect(&ev_s, evbuf, &e, NULL, 0));
	}
	ASSERT_EQ(0, tn_ctx_get(&self->s, e.id, &t));
	ASSERT_EQ(NFLOOD, tn_cnt(&t, SECMSG_A_CTX_COUNTERS,
				 SECMSG_A_CNT_ALTERED));
	/* the last interval's failures come with its end */
	want[SECMSG_VERDICT_ALTERED] = NFLOOD;
	ASSERT_EQ(0, ev_collect(&ev_s, evbuf, &e, want, EV_WAIT_MS))
		TH_LOG("%lld failures reported by %lld events, %lld wrong",
		       e.count[SECMSG_VERDICT_ALTERED], e.events, e.wrong);
	ASSERT_EQ(0, e.wrong);
	ASSERT_EQ(NFLOOD, e.count[SECMSG_VERDICT_ALTERED]);
	bound = 2 + (e.last_ms - t0) / SECMSG_EVENT_INTERVAL_MS;
	TH_LOG("%d failures in %lld events over %lld ms", NFLOOD, e.events,
	       e.last_ms - t0);
	ASSERT_LE(e.events, bound);
	/* and nothing more: the counts are spent */
	ASSERT_EQ(0, ev_collect(&ev_s, evbuf, &e, NULL,
				SECMSG_EVENT_INTERVAL_MS * 3 / 2));
	ASSERT_EQ(NFLOOD, e.count[SECMSG_VERDICT_ALTERED]);
	ASSERT_LE(0, c0);
	ASSERT_EQ(0, stats(&self->s, &t));
	ASSERT_EQ(c0 + NFLOOD - e.events,
		  a64(&t, SECMSG_A_STATS_EVENTS_COALESCED));
	close(ini);
	close(acc);
	tn_close(&ev_s);
}

/*
 * Each verdict is coalesced on its own (REPLAYED and TOO_OLD apart), and
 * what is still counted when the context is freed is reported then.
 */
TEST_F_TIMEOUT(nl, events_coalesced_close, 600)
{
	static char evbuf[TN_BUF];
	uint8_t old[SECMSG_TOKEN_SIZE], tok[SECMSG_TOKEN_SIZE];
	uint8_t bad[SECMSG_TOKEN_SIZE];
	long long want[SECMSG_VERDICT_TOO_OLD + 1] = { 0 };
	struct evsum e = { 0 };
	struct tn_sock ev_s;
	struct tn_attrs t;
	int ini_old, ini, acc, i;

	ASSERT_EQ(0, listen_events(&ev_s));
	/* the same key: tokens numbered 0 and 5000 for one acceptor */
	ini_old = ts_import_simple(self->dev, SECMSG_ROLE_INITIATOR,
				   SECMSG_SUITE_AES256_GCM, 0, 0, 0);
	ini = ts_import_simple(self->dev, SECMSG_ROLE_INITIATOR,
			       SECMSG_SUITE_AES256_GCM, 0, 5000, 0);
	acc = ts_import_simple(self->dev, SECMSG_ROLE_ACCEPTOR,
			       SECMSG_SUITE_AES256_GCM,
			       SECMSG_CTX_REPLAY_DETECT, 0, 0);
	ASSERT_LE(0, ini_old);
	ASSERT_LE(0, ini);
	ASSERT_LE(0, acc);
	e.id = tn_fd_id(acc);
	ASSERT_EQ(0, sign(ini_old, old));
	ASSERT_EQ(0, sign(ini, tok));
	memcpy(bad, tok, sizeof(bad));
	bad[20] ^= 1;
	ASSERT_EQ(0, verify(acc, tok));
	for (i = 0; i < 300; i++) {
		ASSERT_EQ(-EALREADY, verify(acc, tok));
		ASSERT_EQ(-ESTALE, verify(acc, old));
		ASSERT_EQ(-EBADMSG, verify(acc, bad));
		if (!(i % 32))
			ASSERT_EQ(0, ev_collect(&ev_s, evbuf, &e, NULL, 0));
	}
	ASSERT_EQ(0, tn_ctx_get(&self->s, e.id, &t));
	want[SECMSG_VERDICT_ALTERED] =
		tn_cnt(&t, SECMSG_A_CTX_COUNTERS, SECMSG_A_CNT_ALTERED);
	want[SECMSG_VERDICT_REPLAYED] =
		tn_cnt(&t, SECMSG_A_CTX_COUNTERS, SECMSG_A_CNT_REPLAYED);
	want[SECMSG_VERDICT_TOO_OLD] =
		tn_cnt(&t, SECMSG_A_CTX_COUNTERS, SECMSG_A_CNT_TOO_OLD);
	ASSERT_EQ(300, want[SECMSG_VERDICT_ALTERED]);
	ASSERT_EQ(300, want[SECMSG_VERDICT_REPLAYED]);
	ASSERT_EQ(300, want[SECMSG_VERDICT_TOO_OLD]);
	/* freed at once: its last counts go out as it goes */
	close(acc);
	ASSERT_EQ(0, ev_collect(&ev_s, evbuf, &e, want, EV_WAIT_MS))
		TH_LOG("altered %lld replayed %lld too old %lld, %lld wrong",
		       e.count[SECMSG_VERDICT_ALTERED],
		       e.count[SECMSG_VERDICT_REPLAYED],
		       e.count[SECMSG_VERDICT_TOO_OLD], e.wrong);
	ASSERT_EQ(0, ev_collect(&ev_s, evbuf, &e, NULL,
				SECMSG_EVENT_INTERVAL_MS * 3 / 2));
	ASSERT_EQ(0, e.wrong);
	ASSERT_EQ(300, e.count[SECMSG_VERDICT_ALTERED]);
	ASSERT_EQ(300, e.count[SECMSG_VERDICT_REPLAYED]);
	ASSERT_EQ(300, e.count[SECMSG_VERDICT_TOO_OLD]);
	TH_LOG("900 failures in %lld events", e.events);
	close(ini);
	close(ini_old);
	tn_close(&ev_s);
}

#define NBUDGET (2 * SECMSG_EVENT_BUDGET + 40)

/*
 * Many contexts failing at once: module-wide, no more than
 * SECMSG_EVENT_BUDGET events per interval (so at most twice that within
 * any interval of our clock), and the rest come later, none lost.
 */
TEST_F_TIMEOUT(nl, events_budget, 900)
{
	static char evbuf[TN_BUF];
	static int fds[NBUDGET];
	uint8_t tok[SECMSG_TOKEN_SIZE];
	long long t0, early = 0, total = 0, sum = 0;
	struct tn_sock ev_s;
	struct tn_attrs t;
	int ini, i, err;

	ini = imp(self->dev, SECMSG_ROLE_INITIATOR, SECMSG_SUITE_AES128_GCM,
		  0, 0);
	ASSERT_LE(0, ini);
	ASSERT_EQ(0, sign(ini, tok));
	tok[20] ^= 1;
	for (i = 0; i < NBUDGET; i++) {
		fds[i] = imp(self->dev, SECMSG_ROLE_ACCEPTOR,
			     SECMSG_SUITE_AES128_GCM, 0, 0);
		ASSERT_LE(0, fds[i]);
	}
	ASSERT_EQ(0, listen_events(&ev_s));
	t0 = now_ms();
	for (i = 0; i < NBUDGET; i++)
		ASSERT_EQ(-EBADMSG, verify(fds[i], tok));
	while (total < NBUDGET) {
		err = next_event(&ev_s, &t, evbuf, EV_WAIT_MS);
		ASSERT_EQ(0, err) TH_LOG("%lld of %d events", total, NBUDGET);
		if (a32(&t, SECMSG_A_EVENT) != SECMSG_EVENT_ALTERED)
			continue;
		total++;
		sum += a64(&t, SECMSG_A_EVENT_COUNT);
		if (now_ms() - t0 < SECMSG_EVENT_INTERVAL_MS)
			early++;
	}
	TH_LOG("%lld events within the first interval", early);
	ASSERT_LE(early, 2 * SECMSG_EVENT_BUDGET);
	ASSERT_EQ(NBUDGET, sum);
	for (i = 0; i < NBUDGET; i++)
		close(fds[i]);
	close(ini);
	tn_close(&ev_s);
}

TEST_HARNESS_MAIN
