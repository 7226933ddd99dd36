// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: many threads on several context pairs at once, while other
 * threads swap contexts out from under them, a child process seals through
 * descriptors passed over SCM_RIGHTS, and module unload is attempted.
 *
 * Everything is bounded by a message count (the same work on any machine:
 * 8 s on a debug kernel at load 10) and stops by itself; nothing asserts
 * on timing.  What is asserted, at the end:
 *   - every message sealed (by any thread or by the child) was unsealed
 *     exactly once by the peer, with the plaintext it was sealed with;
 *   - the sequence numbers of a context are unique, and the seq UNSEAL
 *     reports is the one SEAL gave;
 *   - QUERY's counters equal what the threads did (sealed on the sender,
 *     unsealed on the receiver, no failure counted), and send_seq moved by
 *     exactly the number of messages sealed;
 *   - delete_module("secmsg", O_NONBLOCK) always failed with EWOULDBLOCK.
 *
 * The concurrent per-user limit test: two unprivileged users race to
 * max_contexts_per_user from several threads each, at the same time; each
 * ends with exactly the limit (secmsg_limits covers the one-thread case).
 *
 * Revoke under load: threads seal and unseal on several pairs, with more
 * threads sharing each pair, while the control plane revokes one side of
 * each pair at a different moment and a churn thread keeps creating,
 * revoking and closing contexts.  Every call either works or fails with
 * EKEYREVOKED; none that started after its revoke returned works; the
 * counters account for every call.
 */
#include "secmsg_test.h"
#include "secmsg_nl.h"

#include <grp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define NPAIRS		4
#define NSEALERS	6
#define NRECEIVERS	3
#define NCHURN		2
#define NSLOTS		2
#define PER_SEALER	250	/* messages per sealer thread, at most */
#define PER_CHURN	40	/* dup+seal+close rounds per churn thread */
#define CHILD_ROUNDS	10	/* fd passes to the child */
#define CHILD_PER_ROUND	12	/* messages the child seals per pass */
#define MAXDATA		192

/* origins of messages, for the exactly-once bookkeeping */
#define ORIG_CHURN	NSEALERS
#define ORIG_CHILD	(NSEALERS + NCHURN)
#define NORIG		(ORIG_CHILD + 1)
#define MAXK		(CHILD_ROUNDS * CHILD_PER_ROUND > PER_SEALER ? \
			 CHILD_ROUNDS * CHILD_PER_ROUND : PER_SEALER)

struct qmsg {
	uint32_t origin, k, pair, len;
	uint64_t seq;
	uint8_t tok[SECMSG_TOKEN_SIZE];
	uint8_t data[MAXDATA];
};

#define QCAP 1024
struct queue {
	pthread_mutex_t lock;
	struct qmsg *ring;
	unsigned int head, tail;	/* tail - head = items */
};

struct stress {
	int dev;
	int a[NPAIRS], b[NPAIRS];	/* initiator (sender), acceptor */
	uint64_t a_seq0[NPAIRS];
	int slot[NSLOTS];		/* victim contexts, replaced by dup2 */
	struct queue q[NPAIRS];
	atomic_int producers;		/* still running */
	atomic_int errors;
	atomic_uint sealed[NPAIRS];	/* SEAL calls that succeeded */
	atomic_uint unsealed[NPAIRS];
	atomic_uint slot_ops, swaps, unload_tries;
	atomic_uint seen[NORIG][MAXK];	/* unseal count per message */
	uint8_t made[NORIG][MAXK];	/* sealed (set by its producer) */
	pthread_mutex_t seq_lock;
	uint64_t *seqs[NPAIRS];		/* every seq SEAL returned */
	unsigned int nseqs[NPAIRS];
	int sock;			/* to the child */
	int root;
};

static struct stress S;

#define ERR(fmt, ...) do { \
	if (atomic_fetch_add(&S.errors, 1) < 20) \
		fprintf(stderr, "# stress: " fmt "\n", ##__VA_ARGS__); \
} while (0)

/* The plaintext of message (origin, k) on @pair. */
static uint32_t msg_len(uint32_t origin, uint32_t k)
{
	return 16 + (origin * 131 + k * 17) % (MAXDATA - 16);
}

static void msg_fill(uint8_t *d, uint32_t origin, uint32_t k, uint32_t pair)
{
	uint32_t len = msg_len(origin, k);

	memcpy(d, &origin, 4);
	memcpy(d + 4, &k, 4);
	memcpy(d + 8, &pair, 4);
	memcpy(d + 12, &len, 4);
	ts_fill(d + 16, len - 16, origin << 16 ^ k);
}

static void record_seq(uint32_t pair, uint64_t seq)
{
	pthread_mutex_lock(&S.seq_lock);
	S.seqs[pair][S.nseqs[pair]++] = seq;
	pthread_mutex_unlock(&S.seq_lock);
}

/* Queue a sealed message for the receivers; waits while the ring is full. */
static void push(const struct qmsg *m)
{
	struct queue *q = &S.q[m->pair];

	for (;;) {
		pthread_mutex_lock(&q->lock);
		if (q->tail - q->head < QCAP) {
			q->ring[q->tail++ % QCAP] = *m;
			pthread_mutex_unlock(&q->lock);
			return;
		}
		pthread_mutex_unlock(&q->lock);
		usleep(1000);
	}
}

static int pop(uint32_t pair, struct qmsg *m)
{
	struct queue *q = &S.q[pair];
	int got = 0;

	pthread_mutex_lock(&q->lock);
	if (q->tail != q->head) {
		*m = q->ring[q->head++ % QCAP];
		got = 1;
	}
	pthread_mutex_unlock(&q->lock);
	return got;
}

/* Seal message (origin, k) on @fd (a descriptor of pair @pair's sender). */
static int seal_one(int fd, uint32_t origin, uint32_t k, uint32_t pair)
{
	struct secmsg_message m;
	struct qmsg q;
	int ret;

	memset(&q, 0, sizeof(q));
	q.origin = origin;
	q.k = k;
	q.pair = pair;
	q.len = msg_len(origin, k);
	msg_fill(q.data, origin, k, pair);
	ret = ts_seal1(fd, q.tok, q.data, q.len, 0, &m);
	if (ret) {
		ERR("seal pair %u origin %u k %u: %s", pair, origin, k,
		    strerror(-ret));
		return ret;
	}
	q.seq = m.seq;
	if (ts_be64(q.tok + 8) != m.seq)
		ERR("seal: token seq %llu, message seq %llu",
		    (unsigned long long)ts_be64(q.tok + 8),
		    (unsigned long long)m.seq);
	S.made[origin][k] = 1;
	atomic_fetch_add(&S.sealed[pair], 1);
	record_seq(pair, m.seq);
	push(&q);
	return 0;
}

/* A victim context: a fresh initiator of its own key. */
static int victim_import(void)
{
	uint8_t key[32];

	ts_fill(key, sizeof(key), (uint32_t)random());
	{
		struct ts_ctx_opts o = {
			.role = SECMSG_ROLE_INITIATOR,
			.suite = SECMSG_SUITE_AES256_GCM,
			.ctx_flags = SM_FLAGS_DEFAULT,
			.key = key, .key_len = 32,
		};
		return ts_import(S.dev, &o);
	}
}

static void *sealer(void *arg)
{
	uint32_t id = (uint32_t)(uintptr_t)arg, k;

	for (k = 0; k < PER_SEALER; k++) {
		uint32_t pair = (id + k) % NPAIRS;

		if (seal_one(S.a[pair], id, k, pair))
			break;
		/* every few messages, a call on a context being swapped */
		if (k % 4 == 0) {
			uint8_t tok[32], d[64];
			int ret;

			ts_fill(d, sizeof(d), k);
			ret = ts_seal1(S.slot[k / 4 % NSLOTS], tok, d,
				       sizeof(d), 0, NULL);
			/* dup2 swaps atomically: the slot is always a context */
			if (ret)
				ERR("seal on slot: %s", strerror(-ret));
			atomic_fetch_add(&S.slot_ops, 1);
		}
	}
	atomic_fetch_sub(&S.producers, 1);
	return NULL;
}

/*
 * Close and re-import: replace the slots' contexts under the sealers
 * (the old one dies when the last call on it returns), and seal through a
 * dup of a real sender that is closed right after.
 */
static void *churn(void *arg)
{
	uint32_t id = (uint32_t)(uintptr_t)arg, k;

	for (k = 0; k < PER_CHURN; k++) {
		uint32_t pair = (id * 7 + k) % NPAIRS;
		int v = victim_import(), d;

		if (v < 0) {
			ERR("victim import: %s", strerror(-v));
			break;
		}
		if (dup3(v, S.slot[(id + k) % NSLOTS], O_CLOEXEC) < 0)
			ERR("dup3: %s", strerror(errno));
		close(v);
		atomic_fetch_add(&S.swaps, 1);

		d = dup(S.a[pair]);
		if (d < 0) {
			ERR("dup: %s", strerror(errno));
			break;
		}
		if (seal_one(d, ORIG_CHURN + id, k, pair))
			break;
		close(d);
	}
	atomic_fetch_sub(&S.producers, 1);
	return NULL;
}

static void *receiver(void *arg)
{
	uint32_t id = (uint32_t)(uintptr_t)arg, pair = id % NPAIRS;
	int idle = 0;

	for (;;) {
		uint8_t expect[MAXDATA];
		struct secmsg_message m;
		struct qmsg q;
		int ret, i, got = 0;

		for (i = 0; i < NPAIRS && !got; i++) {
			pair = (pair + 1) % NPAIRS;
			got = pop(pair, &q);
		}
		if (!got) {
			if (!atomic_load(&S.producers) && ++idle > 2)
				break;
			usleep(500);
			continue;
		}
		idle = 0;
		ret = ts_unseal1(S.b[pair], q.tok, q.data, q.len, &m);
		if (ret) {
			ERR("unseal pair %u origin %u k %u seq %llu: %s (verdict %u)",
			    pair, q.origin, q.k, (unsigned long long)q.seq,
			    strerror(-ret), m.verdict);
			continue;
		}
		if (m.seq != q.seq)
			ERR("unseal seq %llu, sealed as %llu",
			    (unsigned long long)m.seq, (unsigned long long)q.seq);
		msg_fill(expect, q.origin, q.k, q.pair);
		if (memcmp(expect, q.data, q.len))
			ERR("plaintext of origin %u k %u differs", q.origin, q.k);
		atomic_fetch_add(&S.seen[q.origin][q.k], 1);
		atomic_fetch_add(&S.unsealed[pair], 1);
	}
	return NULL;
}

static int delete_module(const char *name, unsigned int flags)
{
	return syscall(__NR_delete_module, name, flags) ? -errno : 0;
}

static void *unloader(void *arg)
{
	(void)arg;
	while (atomic_load(&S.producers)) {
		int ret = delete_module("secmsg", O_NONBLOCK);

		atomic_fetch_add(&S.unload_tries, 1);
		if (ret != -EWOULDBLOCK && ret != -EAGAIN) {
			ERR("delete_module with contexts open: %d (%s)", ret,
			    ret ? strerror(-ret) : "unloaded!");
			break;
		}
		usleep(5000);
	}
	return NULL;
}

/* ---- the child: seals through descriptors it receives ------------------ */

struct child_req {
	uint32_t pair, round, count;
};

struct child_rep {
	int32_t ret;
	uint32_t k;
	uint64_t seq;
	uint8_t tok[SECMSG_TOKEN_SIZE];
	uint8_t data[MAXDATA];
};

static int send_fd(int sock, int fd, const void *p, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { (void *)p, len };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	memset(cbuf, 0, sizeof(cbuf));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0) == (ssize_t)len ? 0 : -1;
}

static int recv_fd(int sock, void *p, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { p, len };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int fd = -1;

	if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) != (ssize_t)len)
		return -1;
	c = CMSG_FIRSTHDR(&mh);
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static void child_main(int sock)
{
	struct child_req req;
	int fd;

	while ((fd = recv_fd(sock, &req, sizeof(req))) >= 0) {
		uint32_t i;

		for (i = 0; i < req.count; i++) {
			struct child_rep rep;
			struct secmsg_message m;
			uint32_t k = req.round * CHILD_PER_ROUND + i;
			uint32_t len = msg_len(ORIG_CHILD, k);

			memset(&rep, 0, sizeof(rep));
			rep.k = k;
			msg_fill(rep.data, ORIG_CHILD, k, req.pair);
			rep.ret = ts_seal1(fd, rep.tok, rep.data, len, 0, &m);
			rep.seq = m.seq;
			if (write(sock, &rep, sizeof(rep)) != sizeof(rep))
				_exit(3);
		}
		close(fd);
	}
	_exit(0);
}

/* In the parent: pass a sender to the child, take its sealed messages. */
static void *passer(void *arg)
{
	uint32_t r;

	(void)arg;
	for (r = 0; r < CHILD_ROUNDS; r++) {
		struct child_req req = { r % NPAIRS, r, CHILD_PER_ROUND };
		uint32_t i;

		if (send_fd(S.sock, S.a[req.pair], &req, sizeof(req))) {
			ERR("send_fd: %s", strerror(errno));
			break;
		}
		for (i = 0; i < req.count; i++) {
			struct child_rep rep;
			struct qmsg q;
			ssize_t n = read(S.sock, &rep, sizeof(rep));

			if (n != sizeof(rep)) {
				ERR("child reply: %zd", n);
				goto out;
			}
			if (rep.ret) {
				ERR("child seal: %s", strerror(-rep.ret));
				continue;
			}
			memset(&q, 0, sizeof(q));
			q.origin = ORIG_CHILD;
			q.k = rep.k;
			q.pair = req.pair;
			q.len = msg_len(ORIG_CHILD, rep.k);
			q.seq = rep.seq;
			memcpy(q.tok, rep.tok, sizeof(q.tok));
			memcpy(q.data, rep.data, q.len);
			S.made[ORIG_CHILD][rep.k] = 1;
			atomic_fetch_add(&S.sealed[req.pair], 1);
			record_seq(req.pair, rep.seq);
			push(&q);
		}
	}
out:
	shutdown(S.sock, SHUT_WR);	/* the child's recv_fd ends */
	atomic_fetch_sub(&S.producers, 1);
	return NULL;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

FIXTURE(stress) {
	int dummy;
};

FIXTURE_SETUP(stress)
{
	int i;

	memset(&S, 0, sizeof(S));
	SM_OPEN_DEV_OR_SKIP(S.dev);
	S.root = geteuid() == 0;
	srandom(1);
	pthread_mutex_init(&S.seq_lock, NULL);
	for (i = 0; i < NPAIRS; i++) {
		uint32_t suite = 1 + i % 3;
		uint64_t s0 = (uint64_t)i << 40;

		S.a[i] = ts_import_simple(S.dev, SECMSG_ROLE_INITIATOR, suite,
					  SM_FLAGS_DEFAULT, s0, 0);
		S.b[i] = ts_import_simple(S.dev, SECMSG_ROLE_ACCEPTOR, suite,
					  SM_FLAGS_DEFAULT, 0, s0);
		ASSERT_LE(0, S.a[i]);
		ASSERT_LE(0, S.b[i]);
		S.a_seq0[i] = s0;
		pthread_mutex_init(&S.q[i].lock, NULL);
		S.q[i].ring = calloc(QCAP, sizeof(struct qmsg));
		S.seqs[i] = calloc(NORIG * MAXK, sizeof(uint64_t));
		ASSERT_NE(NULL, S.q[i].ring);
		ASSERT_NE(NULL, S.seqs[i]);
	}
	for (i = 0; i < NSLOTS; i++) {
		S.slot[i] = victim_import();
		ASSERT_LE(0, S.slot[i]);
	}
}

FIXTURE_TEARDOWN(stress)
{
}

TEST_F_TIMEOUT(stress, seal_unseal_swap_pass_unload, 600)
{
	pthread_t th[NSEALERS + NCHURN + NRECEIVERS + 2];
	int nth = 0, sv[2], i, st;
	uint32_t o, k, total = 0;
	pid_t child;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		close(sv[0]);
		child_main(sv[1]);
	}
	close(sv[1]);
	S.sock = sv[0];

	atomic_store(&S.producers, NSEALERS + NCHURN + 1);
	for (i = 0; i < NSEALERS; i++)
		ASSERT_EQ(0, pthread_create(&th[nth++], NULL, sealer,
					    (void *)(uintptr_t)i));
	for (i = 0; i < NCHURN; i++)
		ASSERT_EQ(0, pthread_create(&th[nth++], NULL, churn,
					    (void *)(uintptr_t)i));
	ASSERT_EQ(0, pthread_create(&th[nth++], NULL, passer, NULL));
	for (i = 0; i < NRECEIVERS; i++)
		ASSERT_EQ(0, pthread_create(&th[nth++], NULL, receiver,
					    (void *)(uintptr_t)i));
	if (S.root)
		ASSERT_EQ(0, pthread_create(&th[nth++], NULL, unloader, NULL));
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	ASSERT_EQ(child, waitpid(child, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
	TH_LOG("child status %#x", st);

	ASSERT_EQ(0, atomic_load(&S.errors));

	/* exactly once, and nothing unsealed that was not sealed */
	for (o = 0; o < NORIG; o++)
		for (k = 0; k < MAXK; k++) {
			unsigned int n = atomic_load(&S.seen[o][k]);

			ASSERT_EQ(S.made[o][k], n)
			TH_LOG("message origin %u k %u unsealed %u times", o, k, n);
			total += n;
		}

	for (i = 0; i < NPAIRS; i++) {
		struct secmsg_query qa, qb;
		unsigned int n = S.nseqs[i], j;
		const struct secmsg_counters *c;

		ASSERT_EQ(atomic_load(&S.sealed[i]), n);
		ASSERT_EQ(atomic_load(&S.sealed[i]), atomic_load(&S.unsealed[i]));
		qsort(S.seqs[i], n, sizeof(uint64_t), cmp_u64);
		for (j = 1; j < n; j++)
			ASSERT_NE(S.seqs[i][j - 1], S.seqs[i][j])
			TH_LOG("pair %d: seq %llu sent twice", i,
			       (unsigned long long)S.seqs[i][j]);
		/* no number wasted either: they are s0 .. s0 + n - 1 */
		if (n) {
			ASSERT_EQ(S.a_seq0[i], S.seqs[i][0]);
			ASSERT_EQ(S.a_seq0[i] + n - 1, S.seqs[i][n - 1]);
		}

		ASSERT_EQ(0, ts_query(S.a[i], &qa));
		ASSERT_EQ(0, ts_query(S.b[i], &qb));
		ASSERT_EQ(S.a_seq0[i] + n, qa.send_seq);
		c = &qa.counters;
		ASSERT_EQ(n, c->sealed);
		ASSERT_EQ(0ull, c->signed_msgs + c->verified + c->unsealed +
			     c->altered + c->replayed + c->too_old +
			     c->out_of_sequence + c->expired + c->bad_token +
			     c->other_failures);
		c = &qb.counters;
		ASSERT_EQ(n, c->unsealed);
		ASSERT_EQ(0ull, c->signed_msgs + c->verified + c->sealed +
			     c->altered + c->replayed + c->too_old +
			     c->out_of_sequence + c->expired + c->bad_token +
			     c->other_failures);
		/* the highest accepted is the last sent */
		if (n)
			ASSERT_EQ(S.a_seq0[i] + n, qb.recv_seq);
		ts_assert_pair_works(_metadata, S.a[i], S.b[i]);
	}
	TH_LOG("%u messages exactly once over %d pairs; %u calls on swapped "
	       "contexts, %u swaps, %u unload attempts refused", total, NPAIRS,
	       atomic_load(&S.slot_ops), atomic_load(&S.swaps),
	       atomic_load(&S.unload_tries));
	ASSERT_LT(0u, total);
}

/* ---- per-user limit, raced from threads of two users at once ----------- */

#define RACE_LIMIT	24
#define RACE_THREADS	4

static int become(uid_t uid)
{
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid))
		return -errno;
	return 0;
}

struct racer {
	int dev;
	int fds[RACE_LIMIT + 8];
	int n, other_err;
	pthread_barrier_t *bar;
};

static void *race_fill(void *arg)
{
	struct racer *r = arg;

	pthread_barrier_wait(r->bar);
	while (r->n < (int)SM_ARRAY_SIZE(r->fds)) {
		int fd = ts_import_simple(r->dev, SECMSG_ROLE_INITIATOR,
					  SECMSG_SUITE_AES128_GCM,
					  SM_FLAGS_DEFAULT, 0, 0);

		if (fd == -EMFILE)
			break;
		if (fd < 0) {
			r->other_err = -fd;
			break;
		}
		r->fds[r->n++] = fd;
	}
	return NULL;
}

/*
 * Child: become @uid, wait for @go, race RACE_THREADS threads to the
 * limit, report the total on @rep, hold the contexts until @go closes.
 * Exit 0, or a code saying what went wrong.
 */
static void race_child(uid_t uid, int go, int rep)
{
	struct racer r[RACE_THREADS];
	pthread_t th[RACE_THREADS];
	pthread_barrier_t bar;
	int dev, i, total = 0, fd;
	char c;

	if (become(uid))
		_exit(2);
	dev = ts_open_dev();
	if (dev < 0)
		_exit(3);
	pthread_barrier_init(&bar, NULL, RACE_THREADS);
	if (read(go, &c, 1) != 1)
		_exit(4);
	for (i = 0; i < RACE_THREADS; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].dev = dev;
		r[i].bar = &bar;
		if (pthread_create(&th[i], NULL, race_fill, &r[i]))
			_exit(5);
	}
	for (i = 0; i < RACE_THREADS; i++) {
		pthread_join(th[i], NULL);
		if (r[i].other_err)
			_exit(6);
		total += r[i].n;
	}
	if (write(rep, &total, sizeof(total)) != sizeof(total))
		_exit(7);
	/* at the limit: still EMFILE; one closed gives exactly one back */
	if (ts_import_simple(dev, 1, 1, SM_FLAGS_DEFAULT, 0, 0) != -EMFILE)
		_exit(8);
	for (i = 0; i < RACE_THREADS && !r[i].n; i++)
		;
	if (i == RACE_THREADS)
		_exit(9);
	close(r[i].fds[--r[i].n]);
	fd = ts_import_simple(dev, 1, 1, SM_FLAGS_DEFAULT, 0, 0);
	if (fd < 0)
		_exit(10);
	if (ts_import_simple(dev, 1, 1, SM_FLAGS_DEFAULT, 0, 0) != -EMFILE)
		_exit(11);
	/* hold everything until the parent is done checking */
	if (read(go, &c, 1) != 0)
		_exit(12);
	_exit(0);
}

FIXTURE(race) {
	char saved[32];
	int have_saved;
};

FIXTURE_SETUP(race)
{
	TS_LIMIT_SETUP(RACE_LIMIT);
}

FIXTURE_TEARDOWN(race)
{
	if (self->have_saved)
		ts_limit_write(self->saved);
}

TEST_F_TIMEOUT(race, two_users_race_to_limit, 300)
{
	static const uid_t uids[2] = { 65534, 65533 };
	int go[2][2], rep[2][2], i, st, total, dev, fds[RACE_LIMIT], n;
	pid_t pid[2];

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pipe(go[i]));
		ASSERT_EQ(0, pipe(rep[i]));
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			int j;

			/* the other child's pipes: its EOF must not wait for us */
			for (j = 0; j < i; j++) {
				close(go[j][1]);
				close(rep[j][0]);
			}
			close(go[i][1]);
			close(rep[i][0]);
			race_child(uids[i], go[i][0], rep[i][1]);
		}
		close(go[i][0]);
		close(rep[i][1]);
	}
	/* start both at once */
	for (i = 0; i < 2; i++)
		ASSERT_EQ(1, write(go[i][1], "g", 1));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ((ssize_t)sizeof(total), read(rep[i][0], &total, sizeof(total)))
		TH_LOG("user %u reported nothing", uids[i]);
		ASSERT_EQ(RACE_LIMIT, total) TH_LOG("user %u", uids[i]);
	}
	/* both users full: root (a third user) still gets its whole quota */
	dev = ts_open_dev();
	ASSERT_LE(0, dev);
	for (n = 0; n < RACE_LIMIT; n++) {
		fds[n] = ts_import_simple(dev, 1, 1, SM_FLAGS_DEFAULT, 0, 0);
		ASSERT_LE(0, fds[n]) TH_LOG("root import %d: %s", n,
					    strerror(-fds[n]));
	}
	ASSERT_EQ(-EMFILE, ts_import_simple(dev, 1, 1, SM_FLAGS_DEFAULT, 0, 0));
	for (n = 0; n < RACE_LIMIT; n++)
		close(fds[n]);
	close(dev);
	for (i = 0; i < 2; i++) {
		close(go[i][1]);
		ASSERT_EQ(pid[i], waitpid(pid[i], &st, 0));
		ASSERT_TRUE(WIFEXITED(st)) TH_LOG("user %u: status %#x",
						  uids[i], st);
		ASSERT_EQ(0, WEXITSTATUS(st)) TH_LOG("user %u", uids[i]);
		close(rep[i][0]);
	}
}

/* ---- revoke under load ------------------------------------------------- */

#define RV_PAIRS	4
#define RV_PER_PAIR	3	/* threads sharing a pair */
#define RV_REFUSED	100	/* a thread stops after this many refusals */

struct rv_pair {
	int a, b;
	atomic_int a_revoked, b_revoked;	/* set once REVOKE returned */
	atomic_uint sealed, seal_refused, unsealed, unseal_refused;
};

struct rv_thread {
	struct rv_pair *p;
	int late_ok, other;	/* other: the first unexpected errno */
};

static void *rv_worker(void *arg)
{
	struct rv_thread *t = arg;
	struct rv_pair *p = t->p;
	unsigned int refused = 0;
	uint8_t tok[SECMSG_TOKEN_SIZE], data[64];
	struct secmsg_message m;
	int ra, rb, err;

	while (refused < RV_REFUSED) {
		ra = atomic_load(&p->a_revoked);
		memset(data, 0x5a, sizeof(data));
		err = ts_seal1(p->a, tok, data, sizeof(data), 0, &m);
		if (err == -EKEYREVOKED) {
			atomic_fetch_add(&p->seal_refused, 1);
			refused++;
			continue;
		}
		if (err) {
			t->other = -err;
			break;
		}
		atomic_fetch_add(&p->sealed, 1);
		t->late_ok += ra;
		rb = atomic_load(&p->b_revoked);
		/*
		 * Other threads' messages race ours, and a preempted thread
		 * may fall any distance behind: no replay window here.
		 */
		err = ts_unseal1(p->b, tok, data, sizeof(data), &m);
		if (err == -EKEYREVOKED) {
			atomic_fetch_add(&p->unseal_refused, 1);
			refused++;
		} else if (err) {
			t->other = -err;
			break;
		} else {
			atomic_fetch_add(&p->unsealed, 1);
			t->late_ok += rb;
		}
	}
	return NULL;
}

struct rv_churn {
	int dev;
	atomic_int stop;
	unsigned int made, revoked;
	int err;
};

static void *rv_churner(void *arg)
{
	struct rv_churn *c = arg;
	struct tn_sock s;
	int fd, err;

	if (tn_open(&s)) {
		c->err = 1;
		return NULL;
	}
	while (!atomic_load(&c->stop)) {
		fd = ts_import_simple(c->dev, SECMSG_ROLE_INITIATOR,
				      SECMSG_SUITE_AES128_GCM, 0, 0, 0);
		if (fd < 0) {
			c->err = 2;
			break;
		}
		c->made++;
		if (c->made % 2) {
			err = tn_revoke(&s, tn_fd_id(fd));
			if (err) {
				c->err = 3;
				close(fd);
				break;
			}
			c->revoked++;
		}
		close(fd);
	}
	tn_close(&s);
	return NULL;
}

FIXTURE(revoke) {
	int dev;
	struct tn_sock s;
};

FIXTURE_SETUP(revoke)
{
	self->s.fd = -1;
	SM_OPEN_DEV_OR_SKIP(self->dev);
	if (tn_open(&self->s))
		SM_SKIP_SETUP("no generic netlink family %s", SECMSG_GENL_NAME);
}

FIXTURE_TEARDOWN(revoke)
{
	tn_close(&self->s);
	if (self->dev >= 0)
		close(self->dev);
}

TEST_F_TIMEOUT(revoke, under_load, 300)
{
	static struct rv_pair pairs[RV_PAIRS];
	struct rv_thread t[RV_PAIRS * RV_PER_PAIR];
	pthread_t th[RV_PAIRS * RV_PER_PAIR], cth;
	struct rv_churn churn = { .dev = self->dev };
	struct secmsg_query qa, qb;
	int i, n = RV_PAIRS * RV_PER_PAIR;

	for (i = 0; i < RV_PAIRS; i++) {
		struct rv_pair *p = &pairs[i];
		uint32_t suite = 1 + i % 3;

		memset(p, 0, sizeof(*p));
		p->a = ts_import_simple(self->dev, SECMSG_ROLE_INITIATOR, suite,
					SECMSG_CTX_CONFIDENTIALITY, 0, 0);
		p->b = ts_import_simple(self->dev, SECMSG_ROLE_ACCEPTOR, suite,
					SECMSG_CTX_CONFIDENTIALITY, 0, 0);
		ASSERT_LE(0, p->a);
		ASSERT_LE(0, p->b);
	}
	for (i = 0; i < n; i++) {
		t[i] = (struct rv_thread){ .p = &pairs[i / RV_PER_PAIR] };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, rv_worker, &t[i]));
	}
	ASSERT_EQ(0, pthread_create(&cth, NULL, rv_churner, &churn));
	/* pair i: the sender revoked on even pairs, the receiver on odd */
	for (i = 0; i < RV_PAIRS; i++) {
		struct rv_pair *p = &pairs[i];

		usleep(20000);
		if (i % 2) {
			ASSERT_EQ(0, tn_revoke(&self->s, tn_fd_id(p->b)));
			atomic_store(&p->b_revoked, 1);
		} else {
			ASSERT_EQ(0, tn_revoke(&self->s, tn_fd_id(p->a)));
			atomic_store(&p->a_revoked, 1);
		}
	}
	/* a receiver revoked: its sender still works until... revoke it too */
	for (i = 1; i < RV_PAIRS; i += 2) {
		usleep(10000);
		ASSERT_EQ(0, tn_revoke(&self->s, tn_fd_id(pairs[i].a)));
		atomic_store(&pairs[i].a_revoked, 1);
	}
	for (i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		ASSERT_EQ(0, t[i].other) TH_LOG("thread %d: unexpected %s", i,
						 strerror(t[i].other));
		ASSERT_EQ(0, t[i].late_ok)
		TH_LOG("thread %d: %d calls worked after the revoke", i,
		       t[i].late_ok);
	}
	atomic_store(&churn.stop, 1);
	pthread_join(cth, NULL);
	ASSERT_EQ(0, churn.err);

	for (i = 0; i < RV_PAIRS; i++) {
		struct rv_pair *p = &pairs[i];

		ASSERT_EQ(0, ts_query(p->a, &qa));
		ASSERT_EQ(0, ts_query(p->b, &qb));
		ASSERT_EQ((__u32)SECMSG_STATE_REVOKED, qa.state);
		ASSERT_EQ((__u32)(i % 2 ? SECMSG_STATE_REVOKED :
				  SECMSG_STATE_ACTIVE), qb.state);
		ASSERT_EQ(atomic_load(&p->sealed), qa.counters.sealed);
		ASSERT_EQ(qa.counters.sealed, qa.send_seq);
		ASSERT_EQ(atomic_load(&p->unsealed), qb.counters.unsealed);
		/* no failure but the refusals (not in QUERY's counters) */
		ASSERT_EQ(0ull, qb.counters.altered + qb.counters.replayed +
			     qb.counters.too_old + qb.counters.other_failures);
		TH_LOG("pair %d: %u sealed, %u refused; %u unsealed, %u refused",
		       i, atomic_load(&p->sealed),
		       atomic_load(&p->seal_refused),
		       atomic_load(&p->unsealed),
		       atomic_load(&p->unseal_refused));
		close(p->a);
		close(p->b);
	}
	TH_LOG("churn: %u contexts, %u revoked", churn.made, churn.revoked);
}

TEST_HARNESS_MAIN
