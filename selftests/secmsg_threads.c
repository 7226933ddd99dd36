// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrency on one context: threads sealing and signing get unique
 * sequence numbers that all unseal on the other side; threads unsealing the
 * same messages accept each exactly once.
 */
#include "secmsg_test.h"

#include <pthread.h>

#define NTHREADS	8
#define PER_THREAD	200
#define BASE		1000ull
#define DLEN		32

struct item {
	int ret;
	int kind;	/* 0 SEAL, 1 SIGN */
	uint32_t seed;
	uint64_t seq;
	uint8_t tok[32];
	uint8_t data[DLEN];
};

struct worker {
	pthread_t tid;
	pthread_barrier_t *bar;
	int fd;
	int kind;	/* 0 seal, 1 sign, 2 alternate */
	struct item *items;
	int n;
	int ok, replayed, other;
};

FIXTURE(thr) {
	int dev, ini, acc;
	struct item *items;
};

FIXTURE_SETUP(thr)
{
	ts_pair_setup(_metadata, &self->dev, &self->ini, &self->acc,
		      SECMSG_SUITE_AES128_GCM, SM_FLAGS_DEFAULT, BASE, 0);
	self->items = calloc(NTHREADS * PER_THREAD, sizeof(struct item));
	ASSERT_TRUE(self->items != NULL);
}

FIXTURE_TEARDOWN(thr)
{
	free(self->items);
	ts_pair_teardown(self->dev, self->ini, self->acc);
}

static void *send_worker(void *arg)
{
	struct worker *w = arg;
	struct secmsg_message m;
	int i;

	pthread_barrier_wait(w->bar);
	for (i = 0; i < w->n; i++) {
		struct item *it = &w->items[i];

		it->kind = w->kind == 2 ? i & 1 : w->kind;
		ts_fill(it->data, DLEN, it->seed);
		if (it->kind)
			it->ret = ts_sign1(w->fd, it->tok, it->data, DLEN, &m);
		else
			it->ret = ts_seal1(w->fd, it->tok, it->data, DLEN, 0, &m);
		it->seq = m.seq;
	}
	return NULL;
}

static int by_seq(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Send from NTHREADS threads with @kind, then check and receive all. */
static void run_senders(struct __test_metadata *_metadata,
			struct _test_data_thr *self, int kind, int use_dups)
{
	const int total = NTHREADS * PER_THREAD;
	struct worker w[NTHREADS];
	pthread_barrier_t bar;
	int i;

	ASSERT_EQ(0, pthread_barrier_init(&bar, NULL, NTHREADS));
	for (i = 0; i < total; i++)
		self->items[i].seed = i;
	for (i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){
			.bar = &bar, .kind = kind, .n = PER_THREAD,
			.items = &self->items[i * PER_THREAD],
			.fd = use_dups && (i & 1) ? dup(self->ini) : self->ini,
		};
		ASSERT_LE(0, w[i].fd);
		ASSERT_EQ(0, pthread_create(&w[i].tid, NULL, send_worker, &w[i]));
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(w[i].tid, NULL);
		if (w[i].fd != self->ini)
			close(w[i].fd);
	}
	pthread_barrier_destroy(&bar);

	for (i = 0; i < total; i++)
		ASSERT_EQ(0, self->items[i].ret) TH_LOG("item %d", i);
	/* exactly BASE .. BASE + total - 1, no duplicates, no holes */
	qsort(self->items, total, sizeof(struct item), by_seq);
	for (i = 0; i < total; i++)
		ASSERT_EQ(BASE + i, self->items[i].seq)
			TH_LOG("sorted position %d", i);
	ASSERT_EQ(BASE + total, ts_send_seq(self->ini));
	/* the token carries the number it was given */
	for (i = 0; i < total; i++)
		ASSERT_EQ(self->items[i].seq, ts_be64(self->items[i].tok + 8));

	/* in order on the receiver: every one goes through */
	for (i = 0; i < total; i++) {
		struct item *it = &self->items[i];
		struct secmsg_message m;
		uint8_t orig[DLEN];

		if (it->kind) {
			ASSERT_OK_MSG(ts_verify1(self->acc, it->tok, it->data,
						 DLEN, &m), m);
		} else {
			ASSERT_OK_MSG(ts_unseal1(self->acc, it->tok, it->data,
						 DLEN, &m), m);
		}
		ASSERT_EQ(it->seq, m.seq);
		ts_fill(orig, DLEN, it->seed);
		ASSERT_EQ(0, memcmp(orig, it->data, DLEN));
	}
	ASSERT_EQ(BASE + total, ts_recv_seq(self->acc));
}

TEST_F_TIMEOUT(thr, seal_8x200_unique_sequence, 300)
{
	run_senders(_metadata, self, 0, 0);
}

TEST_F_TIMEOUT(thr, sign_and_seal_8x200_share_counter, 300)
{
	run_senders(_metadata, self, 2, 0);
}

TEST_F_TIMEOUT(thr, seal_8x200_through_dups, 300)
{
	run_senders(_metadata, self, 0, 1);
}

static void *recv_worker(void *arg)
{
	struct worker *w = arg;
	struct secmsg_message m;
	int i, ret;

	pthread_barrier_wait(w->bar);
	for (i = 0; i < w->n; i++) {
		struct item *it = &w->items[i];

		ret = ts_unseal1(w->fd, it->tok, it->data, DLEN, &m);
		it->ret = ret;
		if (ret == 0)
			w->ok++;
		else if (ret == -EALREADY && m.verdict == SECMSG_VERDICT_REPLAYED)
			w->replayed++;
		else
			w->other++;
	}
	return NULL;
}

TEST_F_TIMEOUT(thr, concurrent_unseal_accepts_each_once, 300)
{
	enum { N = 200, R = 4 };
	struct item *copies[R];
	struct worker w[R];
	pthread_barrier_t bar;
	int i, r, ok = 0, replayed = 0, other = 0;

	/* N sealed messages, each presented by R threads at once */
	for (i = 0; i < N; i++) {
		struct secmsg_message m;

		self->items[i].seed = i;
		ts_fill(self->items[i].data, DLEN, i);
		ASSERT_EQ(0, ts_seal1(self->ini, self->items[i].tok,
				      self->items[i].data, DLEN, 0, &m));
	}
	ASSERT_EQ(0, pthread_barrier_init(&bar, NULL, R));
	for (r = 0; r < R; r++) {
		copies[r] = malloc(N * sizeof(struct item));
		ASSERT_TRUE(copies[r] != NULL);
		memcpy(copies[r], self->items, N * sizeof(struct item));
		w[r] = (struct worker){ .bar = &bar, .fd = self->acc,
					.items = copies[r], .n = N };
		ASSERT_EQ(0, pthread_create(&w[r].tid, NULL, recv_worker, &w[r]));
	}
	for (r = 0; r < R; r++) {
		pthread_join(w[r].tid, NULL);
		ok += w[r].ok;
		replayed += w[r].replayed;
		other += w[r].other;
	}
	pthread_barrier_destroy(&bar);
	ASSERT_EQ(N, ok);
	ASSERT_EQ((R - 1) * N, replayed);
	ASSERT_EQ(0, other);
	/* per message: exactly one thread got the plaintext */
	for (i = 0; i < N; i++) {
		int n = 0;

		for (r = 0; r < R; r++)
			n += copies[r][i].ret == 0;
		ASSERT_EQ(1, n) TH_LOG("message %d accepted %d times", i, n);
	}
	for (r = 0; r < R; r++)
		free(copies[r]);
}

TEST_F_TIMEOUT(thr, concurrent_unseal_disjoint, 300)
{
	enum { R = 8, PER = 100 };	/* R * PER < the replay window */
	struct item *mine[R];
	struct worker w[R];
	pthread_barrier_t bar;
	int i, r;

	for (i = 0; i < R * PER; i++) {
		struct secmsg_message m;

		self->items[i].seed = i;
		ts_fill(self->items[i].data, DLEN, i);
		ASSERT_EQ(0, ts_seal1(self->ini, self->items[i].tok,
				      self->items[i].data, DLEN, 0, &m));
	}
	ASSERT_EQ(0, pthread_barrier_init(&bar, NULL, R));
	for (r = 0; r < R; r++) {
		/* thread r takes messages r, r + R, r + 2R, ... */
		mine[r] = malloc(PER * sizeof(struct item));
		ASSERT_TRUE(mine[r] != NULL);
		for (i = 0; i < PER; i++)
			mine[r][i] = self->items[r + i * R];
		w[r] = (struct worker){ .bar = &bar, .fd = self->acc,
					.items = mine[r], .n = PER };
		ASSERT_EQ(0, pthread_create(&w[r].tid, NULL, recv_worker, &w[r]));
	}
	for (r = 0; r < R; r++)
		pthread_join(w[r].tid, NULL);
	pthread_barrier_destroy(&bar);
	for (r = 0; r < R; r++) {
		ASSERT_EQ(PER, w[r].ok) TH_LOG("thread %d: %d replayed, %d other",
					       r, w[r].replayed, w[r].other);
		for (i = 0; i < PER; i++) {
			uint8_t orig[DLEN];

			ts_fill(orig, DLEN, mine[r][i].seed);
			ASSERT_EQ(0, memcmp(orig, mine[r][i].data, DLEN));
		}
		free(mine[r]);
	}
	ASSERT_EQ(BASE + R * PER, ts_recv_seq(self->acc));
}

TEST_HARNESS_MAIN
