// SPDX-License-Identifier: GPL-2.0
/*
 * Asynchronous crypto drivers.  pcrypt(gcm(aes)) is a real asynchronous
 * AEAD (requests go to padata workers and complete through the callback
 * with -EINPROGRESS first), and once instantiated it outranks the AES-NI
 * driver, so every later "gcm(aes)" context binds to it.  Contexts bound
 * before and after must produce the same bytes and understand each other.
 *
 * This changes what every later context in the guest binds to: it runs
 * after all other suites (but before the unload test).
 */
#include "secmsg_test.h"

#include <linux/if_alg.h>
#include <liburing.h>
#include <pthread.h>
#include <sys/socket.h>

#ifndef AF_ALG
#define AF_ALG 38
#endif

/*
 * Instantiate pcrypt(gcm(aes)) through AF_ALG.  On 6.1 the bind itself
 * fails (ENOENT) once the instance around the async AES-NI driver is
 * registered, but the instance stays: what matters is what a context
 * binds to afterwards, which the caller checks with QUERY.
 */
static void instantiate_pcrypt(void)
{
	struct sockaddr_alg sa = {
		.salg_family = AF_ALG,
		.salg_type = "aead",
		.salg_name = "pcrypt(gcm(aes))",
	};
	int fd = socket(AF_ALG, SOCK_SEQPACKET, 0);

	if (fd < 0)
		return;
	bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
}

static int import_gcm(int dev, uint32_t role)
{
	return ts_import_simple(dev, role, SECMSG_SUITE_AES128_GCM,
				SM_FLAGS_DEFAULT, 0, 0);
}

static bool is_pcrypt(int fd, bool *async)
{
	struct secmsg_query q;

	if (ts_query(fd, &q))
		return false;
	*async = q.driver_flags & SECMSG_DRIVER_ASYNC;
	return !strncmp(q.driver, "pcrypt(", 7);
}

FIXTURE(async) {
	int dev;
	int sync_ini, sync_acc;	/* bound before pcrypt existed */
	int async_ini, async_acc;
};

FIXTURE_SETUP(async)
{
	bool async;

	self->sync_ini = self->sync_acc = -1;
	self->async_ini = self->async_acc = -1;
	SM_OPEN_DEV_OR_SKIP(self->dev);
	self->sync_ini = import_gcm(self->dev, SECMSG_ROLE_INITIATOR);
	self->sync_acc = import_gcm(self->dev, SECMSG_ROLE_ACCEPTOR);
	ASSERT_LE(0, self->sync_ini);
	ASSERT_LE(0, self->sync_acc);

	instantiate_pcrypt();
	self->async_ini = import_gcm(self->dev, SECMSG_ROLE_INITIATOR);
	self->async_acc = import_gcm(self->dev, SECMSG_ROLE_ACCEPTOR);
	ASSERT_LE(0, self->async_ini);
	ASSERT_LE(0, self->async_acc);
	if (!is_pcrypt(self->async_ini, &async))
		SM_SKIP_SETUP("no pcrypt(gcm(aes)) instance (CONFIG_CRYPTO_PCRYPT?)");
	ASSERT_TRUE(async);
}

FIXTURE_TEARDOWN(async)
{
	int *fds[] = { &self->sync_ini, &self->sync_acc, &self->async_ini,
		       &self->async_acc, &self->dev };
	unsigned int i;

	for (i = 0; i < SM_ARRAY_SIZE(fds); i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
}

/*
 * The same messages through a context on the synchronous path (if the
 * guest had it before pcrypt) and one on pcrypt give the same bytes, and
 * each side opens the other's.
 */
TEST_F_TIMEOUT(async, same_bytes_as_sync, 120)
{
	static const uint32_t lens[] = { 0, 1, 15, 16, 17, 255, 4096, 65537 };
	bool sync_is_async;
	unsigned int i;

	/* First in this file: its fixture met the sync driver, if any. */
	if (is_pcrypt(self->sync_ini, &sync_is_async))
		SKIP(return, "pcrypt was instantiated before this test");
	for (i = 0; i < SM_ARRAY_SIZE(lens); i++) {
		uint32_t len = lens[i];
		uint8_t *a = malloc(len + 1), *b = malloc(len + 1);
		uint8_t *plain = malloc(len + 1);
		uint8_t ta[32], tb[32];
		struct secmsg_message m;

		ASSERT_TRUE(a && b && plain);
		ts_fill(plain, len, i);
		memcpy(a, plain, len);
		memcpy(b, plain, len);
		ASSERT_OK_MSG(ts_seal1(self->sync_ini, ta, a, len, 0, &m), m);
		ASSERT_OK_MSG(ts_seal1(self->async_ini, tb, b, len, 0, &m), m);
		ASSERT_EQ(0, memcmp(ta, tb, 32));
		ASSERT_EQ(0, memcmp(a, b, len));
		/* crosswise: the async acceptor opens the sync output */
		ASSERT_OK_MSG(ts_unseal1(self->async_acc, ta, a, len, &m), m);
		ASSERT_OK_MSG(ts_unseal1(self->sync_acc, tb, b, len, &m), m);
		ASSERT_EQ(0, memcmp(a, plain, len));
		ASSERT_EQ(0, memcmp(b, plain, len));

		ASSERT_OK_MSG(ts_sign1(self->sync_ini, ta, plain, len, &m), m);
		ASSERT_OK_MSG(ts_sign1(self->async_ini, tb, plain, len, &m), m);
		ASSERT_EQ(0, memcmp(ta, tb, 32));
		ASSERT_OK_MSG(ts_verify1(self->async_acc, ta, plain, len, &m),
			      m);
		ASSERT_OK_MSG(ts_verify1(self->sync_acc, tb, plain, len, &m),
			      m);
		free(a);
		free(b);
		free(plain);
	}
}

TEST_F(async, binds_async_driver)
{
	struct secmsg_query q;

	ASSERT_EQ(0, ts_query(self->async_acc, &q));
	ASSERT_STREQ("gcm(aes)", q.algorithm);
	ASSERT_EQ(0, strncmp(q.driver, "pcrypt(", 7)) TH_LOG("%s", q.driver);
	ASSERT_NE(0u, q.driver_flags & SECMSG_DRIVER_ASYNC);
	/* pcrypt completes on another CPU: not in the caller */
	ASSERT_EQ(0u, q.driver_flags & SECMSG_DRIVER_INLINE);
}

/* A bad tag is found on the asynchronous path too, and changes nothing. */
TEST_F(async, altered_on_async_path)
{
	uint8_t tok[32], data[100], copy[100];
	struct secmsg_message m;

	ts_fill(data, sizeof(data), 9);
	ASSERT_OK_MSG(ts_seal1(self->async_ini, tok, data, sizeof(data), 0,
			       &m), m);
	data[50] ^= 0x01;
	memcpy(copy, data, sizeof(data));
	ASSERT_VERDICT(ts_unseal1(self->async_acc, tok, data, sizeof(data), &m),
		       m, EBADMSG, SECMSG_VERDICT_ALTERED);
	ASSERT_EQ(0, memcmp(copy, data, sizeof(data)));
	data[50] ^= 0x01;
	ASSERT_OK_MSG(ts_unseal1(self->async_acc, tok, data, sizeof(data), &m),
		      m);
}

/* A batch on the async path: every message waits for its completion. */
TEST_F_TIMEOUT(async, batch, 120)
{
	enum { N = 32, LEN = 64 };
	static uint8_t data[N][LEN], tok[N][32];
	struct secmsg_buffer b[N][2];
	struct secmsg_message m[N];
	struct secmsg_batch bt;
	unsigned int i;

	for (i = 0; i < N; i++) {
		ts_fill(data[i], LEN, 100 + i);
		ts_buf(&b[i][0], SECMSG_BUF_TOKEN, 0, tok[i], 32);
		ts_buf(&b[i][1], SECMSG_BUF_DATA, 0, data[i], LEN);
		ts_msg_init(&m[i], b[i], 2, 0);
	}
	memset(&bt, 0, sizeof(bt));
	bt.size = sizeof(bt);
	bt.op = SECMSG_OP_SEAL;
	bt.count = N;
	bt.msgs = SM_PTR(m);
	bt.msg_size = sizeof(m[0]);
	ASSERT_EQ(0, ts_ioctl(self->async_ini, SECMSG_IOC_BATCH, &bt));
	ASSERT_EQ((uint32_t)N, bt.completed);
	for (i = 0; i < N; i++) {
		uint8_t expect[LEN];

		ASSERT_EQ((uint64_t)i, m[i].seq);
		ASSERT_OK_MSG(ts_unseal1(self->async_acc, tok[i], data[i], LEN,
					 &m[i]), m[i]);
		ts_fill(expect, LEN, 100 + i);
		ASSERT_EQ(0, memcmp(expect, data[i], LEN));
	}
}

struct sealer {
	int fd;
	uint64_t seq[100];
	uint8_t tok[100][32];
	uint8_t data[100][32];
};

static void *seal_many(void *arg)
{
	struct sealer *s = arg;
	struct secmsg_message m;
	unsigned int i;

	for (i = 0; i < 100; i++) {
		ts_fill(s->data[i], 32, i);
		if (ts_seal1(s->fd, s->tok[i], s->data[i], 32, 0, &m))
			return (void *)1;
		s->seq[i] = m.seq;
	}
	return NULL;
}

/* Concurrent senders on an async context: unique numbers, all open. */
TEST_F_TIMEOUT(async, threads, 300)
{
	enum { T = 4 };
	static struct sealer s[T];
	static bool seen[T * 100];
	pthread_t th[T];
	struct secmsg_message m;
	unsigned int t, i;
	void *ret;

	for (t = 0; t < T; t++) {
		s[t].fd = self->async_ini;
		ASSERT_EQ(0, pthread_create(&th[t], NULL, seal_many, &s[t]));
	}
	for (t = 0; t < T; t++) {
		ASSERT_EQ(0, pthread_join(th[t], &ret));
		ASSERT_EQ(NULL, ret);
	}
	memset(seen, 0, sizeof(seen));
	for (t = 0; t < T; t++)
		for (i = 0; i < 100; i++) {
			ASSERT_LT(s[t].seq[i], (uint64_t)T * 100);
			ASSERT_FALSE(seen[s[t].seq[i]]);
			seen[s[t].seq[i]] = true;
			ASSERT_OK_MSG(ts_unseal1(self->async_acc, s[t].tok[i],
						 s[t].data[i], 32, &m), m);
		}
}

/*
 * 64 seals, then 64 unseals, at once through io_uring on the async
 * context (uapi "io_uring": such requests go to io_uring's workers, so
 * that several are in the driver at once): every CQE once, numbers
 * unique, all open, and a tampered one ALTERED with nothing changed.
 */
TEST_F_TIMEOUT(async, uring, 300)
{
	enum { N = 64, LEN = 100 };
	static uint8_t data[N][LEN], tok[N][32];
	static struct secmsg_buffer b[N][2];
	static struct secmsg_message m[N];
	bool seen[N] = { false };
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	unsigned int i, k;
	int ret;

	ret = io_uring_queue_init(2 * N, &ring, 0);
	if (ret == -ENOSYS)
		SKIP(return, "no io_uring in this kernel (CONFIG_IO_URING)");
	ASSERT_EQ(0, ret);
	for (k = 0; k < 2; k++) {
		int fd = k ? self->async_acc : self->async_ini;
		unsigned int op = k ? SECMSG_IOC_UNSEAL : SECMSG_IOC_SEAL;

		for (i = 0; i < N; i++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
			struct secmsg_uring_cmd c = { .arg = SM_PTR(&m[i]) };

			ASSERT_TRUE(sqe != NULL);
			if (!k)
				ts_fill(data[i], LEN, 300 + i);
			if (k && i == 7)
				tok[i][20] ^= 1;
			ts_buf(&b[i][0], SECMSG_BUF_TOKEN, 0, tok[i], 32);
			ts_buf(&b[i][1], SECMSG_BUF_DATA, 0, data[i], LEN);
			ts_msg_init(&m[i], b[i], 2, 0);
			io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL,
					 0, 0);
			sqe->cmd_op = op;
			memcpy(sqe->cmd, &c, sizeof(c));
			io_uring_sqe_set_data64(sqe, i);
		}
		ASSERT_EQ(N, io_uring_submit(&ring));
		memset(seen, 0, sizeof(seen));
		for (i = 0; i < N; i++) {
			unsigned int j;

			ASSERT_EQ(0, io_uring_wait_cqe(&ring, &cqe));
			j = (unsigned int)cqe->user_data;
			ASSERT_LT(j, (unsigned int)N);
			ASSERT_FALSE(seen[j]);
			seen[j] = true;
			if (k && j == 7) {
				ASSERT_VERDICT(cqe->res, m[j], EBADMSG,
					       SECMSG_VERDICT_ALTERED);
			} else {
				ASSERT_OK_MSG(cqe->res, m[j]);
			}
			io_uring_cqe_seen(&ring, cqe);
		}
		if (!k) {
			memset(seen, 0, sizeof(seen));
			for (i = 0; i < N; i++) {
				ASSERT_LT(m[i].seq, (uint64_t)N);
				ASSERT_FALSE(seen[m[i].seq]);
				seen[m[i].seq] = true;
			}
		}
	}
	for (i = 0; i < N; i++) {
		uint8_t expect[LEN];

		ts_fill(expect, LEN, 300 + i);
		if (i == 7) {
			ASSERT_NE(0, memcmp(expect, data[i], LEN));
		} else {
			ASSERT_EQ(0, memcmp(expect, data[i], LEN));
		}
	}
	io_uring_queue_exit(&ring);
}

TEST_HARNESS_MAIN
